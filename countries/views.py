"""Public country catalogue: /countries/ (?q= search, ?process= filter; three queries, any input) and one
country's page (``country_detail``).

Each country shows the process a request takes in the portal's Region (``sender_id_process_for``),
with the reason when the catalogue row alone does not say it (India outside ap-south-1/2), and its
rule calendar: each rule with its date in words ("from 1 October 2026", "since 1 March 2026") and what
to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import selectors
from .calendar import RuleKind
from .eta import published_eta
from .forms import CountryFilterForm
from .models import CountryRule, SenderIdProcess
from .rules import base_rule_text, describe_rules


def calendar_lines(rules: Iterable[CountryRule], *, today: dt.date) -> list[dict[str, Any]]:
    """A country's calendar rules as the pages show them: date in words, sentence, what to do."""
    return [
        {
            "code": rule.code,
            "when": rule.when(today),
            "upcoming": not rule.in_force(today),
            "message": rule.message,
            "what_to_do": rule.advice,
            "source_url": rule.source_url,
            "kind": rule.get_kind_display(),
            "severity": rule.severity,
            "outside": rule.kind == RuleKind.OUTSIDE_ACTION,
        }
        for rule in rules
    ]


@require_safe
def country_list(request: HttpRequest) -> HttpResponse:
    form = CountryFilterForm(request.GET)
    form.is_valid()  # invalid fields are shown as errors; the valid ones still filter
    filters = form.filters()
    region = selectors.portal_region()
    listed = selectors.country_list(**filters, region=region)
    countries = selectors.with_process_choices(listed, region=region)
    today = timezone.localdate()
    calendar = selectors.calendar_rules()
    for country in countries:
        country.rule_lines = describe_rules(country.sender_id_rules, today=today)
        country.calendar = calendar_lines(calendar.get(country.iso_code, []), today=today)
    counts = selectors.country_process_counts(region=region)

    def link(process: str) -> str:
        params = {k: v for k, v in (("q", filters["query"]), ("process", process)) if v}
        return f"?{urlencode(params)}" if params else "?"

    process_links = [
        {"value": "", "label": None, "count": sum(counts.values()), "url": link("")},
        *(
            {"value": value, "label": label, "count": counts[value], "url": link(value)}
            for value, label in SenderIdProcess.choices
        ),
    ]
    context = {
        "form": form,
        "countries": countries,
        "filters": filters,
        "total": sum(counts.values()),
        "process_links": process_links,
        "processes": SenderIdProcess,
        "region": region,
        "base_rule": base_rule_text(),
    }
    return render(request, "countries/country_list.html", context)


@require_safe
def country_detail(request: HttpRequest, iso_code: str) -> HttpResponse:
    """One country: its process in the portal's Region, rules, published ETA and rule calendar."""
    country = selectors.country_get(iso_code=iso_code)
    if country is None or country.iso_code != iso_code.upper():
        raise Http404
    region = selectors.portal_region()
    (country,) = selectors.with_process_choices([country], region=region)
    today = timezone.localdate()
    rules = selectors.rules_by_country([country.iso_code])[country.iso_code]
    context = {
        "country": country,
        "rule_lines": describe_rules(country.sender_id_rules, today=today),
        "calendar": calendar_lines(rules, today=today),
        "eta": published_eta(country.iso_code),
        "region": region,
        "base_rule": base_rule_text(),
    }
    return render(request, "countries/country_detail.html", context)
