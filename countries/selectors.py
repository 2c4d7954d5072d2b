"""Reads of the country catalogue, the API the wizard and other apps use.

- ``country_get(iso_code=)`` -> Country | None
- ``country_process(iso_code=)`` -> "supported" | "registration" | "support_case" | "not_supported" | None
- ``country_rules(iso_code=)`` -> the country's sender-ID rules dict (``{}`` when none / unknown)
- ``countries_for_select()`` -> [(iso, "Name — process label")], ordered by name, one query
- ``country_list(query=, process=)`` -> QuerySet for the public page (one query when evaluated)
- ``country_process_counts()`` -> {process: count}, one query
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import Country, SenderIdProcess, fold_name

# Longer search text is refused by the page; the selector truncates as a second guard.
SEARCH_MAX_LENGTH = 100


def _iso(iso_code: str) -> str:
    return (iso_code or "").strip().upper()[:2]


def country_get(*, iso_code: str) -> Country | None:
    return Country.objects.filter(iso_code=_iso(iso_code)).first()


def country_process(*, iso_code: str) -> str | None:
    return Country.objects.filter(iso_code=_iso(iso_code)).values_list("sender_id_process", flat=True).first()


def country_rules(*, iso_code: str) -> dict[str, Any]:
    rules = Country.objects.filter(iso_code=_iso(iso_code)).values_list("sender_id_rules", flat=True).first()
    return rules or {}


def countries_for_select() -> list[tuple[str, str]]:
    """(iso, "Name — process label") ordered by name: one query."""
    labels = dict(SenderIdProcess.choices)
    return [
        (iso, f"{name} — {labels.get(process, process)}")
        for iso, name, process in Country.objects.order_by("name_folded", "name").values_list(
            "iso_code", "name", "sender_id_process"
        )
    ]


def _search(query: str) -> Q:
    """Name (accent- and case-insensitive), ISO code, dialing code (+44, 1-264) or registration type."""
    condition = Q(name_folded__contains=fold_name(query))
    if len(query) == 2 and query.isascii() and query.isalpha():
        condition |= Q(iso_code=query.upper())
    code = query.removeprefix("+").strip()
    if code and all(c.isdigit() or c == "-" for c in code):
        # Some rows list several codes: "1-809, 1-829, 1-849".
        condition |= (
            Q(dialing_code=code)
            | Q(dialing_code__startswith=f"{code},")
            | Q(dialing_code__endswith=f", {code}")
            | Q(dialing_code__contains=f", {code},")
        )
    if len(query) >= 3 and all(c.isalnum() or c == "_" for c in query):
        condition |= Q(registration_type__icontains=query)
    return condition


def country_list(*, query: str = "", process: str = "") -> QuerySet[Country]:
    qs = Country.objects.all()
    query = (query or "").strip()[:SEARCH_MAX_LENGTH]
    if query:
        qs = qs.filter(_search(query))
    if process:
        qs = qs.filter(sender_id_process=process)
    return qs.order_by("name_folded", "name")


def country_process_counts() -> dict[str, int]:
    """How many countries per process (every process present, zeros included): one query."""
    counts = dict.fromkeys(SenderIdProcess.values, 0)
    for row in Country.objects.values("sender_id_process").annotate(n=Count("pk")).order_by():
        counts[row["sender_id_process"]] = row["n"]
    return counts
