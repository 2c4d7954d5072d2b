"""Reads of the country catalogue, the API the wizard and other apps use."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Country, SenderIdProcess


def country_get(*, iso_code: str) -> Country | None:
    return Country.objects.filter(iso_code=iso_code.upper()).first()


def country_process(*, iso_code: str) -> str | None:
    return (
        Country.objects.filter(iso_code=iso_code.upper()).values_list("sender_id_process", flat=True).first()
    )


def country_rules(*, iso_code: str) -> dict[str, Any]:
    rules = (
        Country.objects.filter(iso_code=iso_code.upper()).values_list("sender_id_rules", flat=True).first()
    )
    return rules or {}


def countries_for_select() -> list[tuple[str, str]]:
    """(iso, "Name — process label") ordered by name: one query."""
    labels = dict(SenderIdProcess.choices)
    return [
        (iso, f"{name} — {labels.get(process, process)}")
        for iso, name, process in Country.objects.order_by("name").values_list(
            "iso_code", "name", "sender_id_process"
        )
    ]


def country_list(*, query: str = "", process: str = "") -> QuerySet[Country]:
    qs = Country.objects.all()
    if query:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=query) | Q(iso_code__iexact=query) | Q(dialing_code=query))
    if process:
        qs = qs.filter(sender_id_process=process)
    return qs.order_by("name")
