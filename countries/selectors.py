"""Reads of the country catalogue, the API the wizard and other apps use.

- ``country_get(iso_code=)`` -> Country | None
- ``sender_id_process_for(country, message_type=, region=)`` -> ProcessChoice(process, reason): the
  process a request takes (the catalogue row corrected by Region and message type; see
  countries.models.PROCESS_RULES). The wizard, the catalogue page and request creation all use it.
- ``with_process_choices(countries, region=)`` -> the countries, each with ``.process_choice``
- ``country_process(iso_code=)`` -> the catalogue row's process ("supported" | "registration" |
  "support_case" | "not_supported" | None), before sender_id_process_for's corrections
- ``country_rules(iso_code=)`` -> the country's sender-ID rules dict (``{}`` when none / unknown)
- ``countries_for_select()`` -> [(iso, "Name — process label")], ordered by name, one query
- ``country_list(query=, process=, region=)`` -> QuerySet for the public page (one query when
  evaluated); ``process`` filters on the process in the Region (India outside ap-south-1/2 is a
  support case)
- ``country_process_counts(region=)`` -> {process in the Region: count}, one query
- ``rules_by_country(iso_codes)`` -> {ISO: [enabled CountryRule, ...]} for the checks engine
  (countries.checks), one query for any number of countries
- ``calendar_rules()`` -> the same for the whole catalogue (public page), one query
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When

from .models import (
    PROCESS_RULES,
    Country,
    CountryRule,
    ProcessChoice,
    SenderIdProcess,
    fold_name,
    portal_region,
    region_gated_iso_codes,
    sender_id_process_for,
)

__all__ = [
    "PROCESS_RULES",
    "ProcessChoice",
    "calendar_rules",
    "countries_for_select",
    "country_get",
    "country_list",
    "country_process",
    "country_process_counts",
    "country_rules",
    "portal_region",
    "rules_by_country",
    "sender_id_process_for",
    "with_process_choices",
]

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


def countries_for_select(*, region: str | None = None) -> list[tuple[str, str]]:
    """(iso, "Name — process label") ordered by name, the process as in the Region: one query."""
    labels = dict(SenderIdProcess.choices)
    rows = (
        Country.objects.annotate(process_in_region=_process_in_region(region or portal_region()))
        .order_by("name_folded", "name")
        .values_list("iso_code", "name", "process_in_region")
    )
    return [(iso, f"{name} — {labels.get(process, process)}") for iso, name, process in rows]


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


def with_process_choices(
    countries: Iterable[Country], *, region: str | None = None, regions: dict[str, str] | None = None
) -> list[Country]:
    """The countries, each with ``.process_choice`` (message type not chosen yet) and ``.region``: no
    query. ``regions`` gives a country its own Region (the routing table's), else `region`."""
    region = region or portal_region()
    regions = regions or {}
    listed = list(countries)
    for country in listed:
        country.region = regions.get(country.iso_code, region)
        country.process_choice = sender_id_process_for(country, region=country.region)
    return listed


def _process_in_region(region: str):
    """SQL for the process in `region` without a message type: what sender_id_process_for gives.

    Only the Region gate can change it (a message type is never known here), and the gate turns a
    registration into a support case; the test suite checks both agree for every country.
    """
    gated = region_gated_iso_codes(region)
    if not gated:
        return F("sender_id_process")
    return Case(
        When(
            iso_code__in=gated,
            sender_id_process=SenderIdProcess.REGISTRATION,
            then=Value(SenderIdProcess.SUPPORT_CASE.value),
        ),
        default=F("sender_id_process"),
        output_field=CharField(),
    )


def country_list(*, query: str = "", process: str = "", region: str | None = None) -> QuerySet[Country]:
    qs = Country.objects.all()
    query = (query or "").strip()[:SEARCH_MAX_LENGTH]
    if query:
        qs = qs.filter(_search(query))
    if process:
        qs = qs.alias(process_in_region=_process_in_region(region or portal_region())).filter(
            process_in_region=process
        )
    return qs.order_by("name_folded", "name")


def country_process_counts(*, region: str | None = None) -> dict[str, int]:
    """How many countries per process in the Region (every process present, zeros included): one query."""
    counts = dict.fromkeys(SenderIdProcess.values, 0)
    rows = (
        Country.objects.annotate(process_in_region=_process_in_region(region or portal_region()))
        .values("process_in_region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["process_in_region"]] = row["n"]
    return counts


def countries_by_iso(iso_codes: list[str]) -> dict[str, Country]:
    """Countries by ISO code, in one query (codes not in the catalogue are absent)."""
    return Country.objects.in_bulk(list(iso_codes))


def rules_by_country(iso_codes: Iterable[str]) -> dict[str, list[CountryRule]]:
    """The enabled calendar rules of these countries, by ISO code (every code asked for is a key, [] when
    it has none), in one query: the review checks up to 50 countries at once. The rules' ``country`` is
    not loaded: the checks engine is given the Country itself."""
    codes = sorted({_iso(code) for code in iso_codes if code})
    found: dict[str, list[CountryRule]] = {code: [] for code in codes}
    if not codes:
        return found
    for rule in CountryRule.objects.filter(enabled=True, country_id__in=codes):
        found[rule.country_id].append(rule)
    return found


def calendar_rules() -> dict[str, list[CountryRule]]:
    """Every enabled calendar rule of the catalogue, by ISO code, in one query (the public page)."""
    found: dict[str, list[CountryRule]] = {}
    for rule in CountryRule.objects.filter(enabled=True):
        found.setdefault(rule.country_id, []).append(rule)
    return found
