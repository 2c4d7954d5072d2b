"""Public country catalogue page: /countries/ (?q= search, ?process= filter). Two queries, any input.

Each country shows the process a request takes in the portal's Region (``sender_id_process_for``),
with the reason when the catalogue row alone does not say it (India outside ap-south-1/2).
"""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors
from .forms import CountryFilterForm
from .models import SenderIdProcess
from .rules import base_rule_text, describe_rules


@require_safe
def country_list(request: HttpRequest) -> HttpResponse:
    form = CountryFilterForm(request.GET)
    form.is_valid()  # invalid fields are shown as errors; the valid ones still filter
    filters = form.filters()
    region = selectors.portal_region()
    listed = selectors.country_list(**filters, region=region)
    countries = selectors.with_process_choices(listed, region=region)
    for country in countries:
        country.rule_lines = describe_rules(country.sender_id_rules)
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
