"""Rows of the home page's table of requests, written in Python with the template's exact markup.

Why: the home page lists 25 requests; rendering each row through the template engine (a `{% url %}`
per link, an `{% include %}` of the status badge, a dozen variable lookups and filters) cost more
than the rest of the page. `home_rows_html` writes what templates/senderids/home.html's row loop
wrote, byte for byte: the same escaping as the template's autoescape, the same date format, the
badge of templates/senderids/_status_badge.html, one `reverse()` per page instead of one per row.
tests/senderids/test_home_speed.py renders both (English and French) and compares them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .status_texts import status_label

# Reversed once per page with this in place of the request's pk.
_PK_SLOT = "20260000000000000000"


def _text(value: Any) -> str:
    """What `{{ value }}` writes with autoescape on (numbers and dates localized, None as "None")."""
    return str(conditional_escape(localize(timezone.template_localtime(value))))


def _url_maker(name: str) -> Any:
    head, _slot, tail = str(conditional_escape(reverse(name, args=[_PK_SLOT]))).partition(_PK_SLOT)
    return lambda pk: f"{head}{pk}{tail}"


def status_badge_html(status: str) -> str:
    """templates/senderids/_status_badge.html for a status (its closing newline included)."""
    shown = _text(status)
    return f'<span class="badge {shown}" data-status="{shown}">{_text(status_label(status))}</span>\n'


def home_rows_html(requests: Iterable[Any]) -> SafeString:
    """home.html's `{% for r in requests %}…{% endfor %}`: each request's <tr>, whitespace included."""
    detail_url = _url_maker("senderids:detail")
    support_case_url = _url_maker("supportcases:detail")
    support_case = _text(gettext("Support case"))
    rows = []
    for r in requests:
        pk, url_pk = _text(r.pk), str(r.pk)  # {% url %} writes the pk as it is, {{ r.pk }} localized
        account = _text(r.aws_account.name) if r.aws_account is not None else ""
        link = (
            f' <a class="support-case-link" href="{support_case_url(url_pk)}">{support_case}</a>'
            if r.process == "support_case"
            else ""
        )
        created = _text(date_filter(timezone.template_localtime(r.created_at), "Y-m-d H:i"))
        rows.append(
            f'\n    <tr data-request="{pk}">\n'
            f'      <td><a href="{detail_url(url_pk)}"><strong>{_text(r.sender_id)}</strong></a></td>\n'
            f"      <td>{_text(r.country.label)} ({_text(r.country_id)})</td>\n"
            f'      <td data-role="placement"><span title="{account}">{_text(r.aws_region)}</span></td>\n'
            f"      <td>{_text(r.get_message_type_display())}</td>\n"
            f"      <td>{status_badge_html(r.status)}{link}</td>\n"
            f"      <td>{created}</td>\n"
            f"    </tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped by _text)
