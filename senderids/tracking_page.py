"""The tracking page's content (support staff, admins): what `views.tracking` shows, read once per
change of the data rather than once per view.

What it owns: `page_data(query, viewer)`, everything of /tracking/ that does not depend on the time of
the request (the rendered filter fields, the counts per status and their links, the sort headers, the
page of rows written as HTML, the paginator's figures), as plain values kept by the read cache
(`caching.cached`: exact, invalidated by any write to a table it reads); and `rows_html(data, now)`,
which adds what does (each row's flags and "last change" age) and writes the table body.

Why the rows are HTML written in Python: fifty rows through the template engine were most of the page
(some 30,000 calls). The markup is the template's, byte for byte (tests/senderids/test_tracking_speed.py
renders both and compares them, in English and French).

A page filtered on the time ("needs attention", "created within", "older than") is computed on every
view: its rows change with the clock, not only with the data.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import caching

from . import selectors
from .choices import Status
from .clocks import row_flags
from .forms import TrackingFilterForm
from .status_texts import status_label

TRACKING_PAGE_SIZE = 50
# Every app whose tables the page reads: requests and their events (senderids), teams and approver
# scopes, owners (auth), countries, AWS accounts (smsvoice), and what each process's search and AWS
# status filter read (registrations, supportcases).
TRACKING_DEPENDS = ("senderids", "teams", "auth", "countries", "smsvoice", "registrations", "supportcases")
# Filters on the time of the request: a page with one of them is never cached.
TIME_FILTERS = ("attention", "created_within", "older_than")
# Part of every key: a change to the shape of the cached values makes old entries unreachable.
_VERSION = "1"

# The columns of the tracking table: (sort key of selectors.TRACKING_SORTS, header).
TRACKING_COLUMNS = (
    ("id", "#"),
    ("sender_id", gettext_lazy("Sender ID")),
    ("country", gettext_lazy("Country")),
    ("team", gettext_lazy("Team / owner")),
    ("placement", gettext_lazy("AWS account / Region")),
    ("status", gettext_lazy("Status")),
    ("aws_status", gettext_lazy("AWS status")),
    ("created", gettext_lazy("Created")),
    ("changed", gettext_lazy("Last change")),
)

# The filter form's fields, as tracking.html wrote them inside its <form> (rendered once per cached
# page: the form's own renderer writes labels, widgets and errors).
_FILTER_FIELDS = """\
{% if form.non_field_errors %}{{ form.non_field_errors }}{% endif %}
  {% for field in form.hidden_fields %}{{ field }}{% endfor %}
  <div class="filter-row">
    {% for field in form.visible_fields %}
      <div>{{ field.label_tag }}{{ field }}{% if field.help_text %}<span class="helptext">{{ field.help_text }}</span>{% endif %}{{ field.errors }}</div>
    {% endfor %}
  </div>"""  # noqa: E501 (the template's own line)


class _Templates:
    @cached_property
    def filter_fields(self) -> Any:
        return engines["django"].from_string(_FILTER_FIELDS)


_templates = _Templates()


# --- links that keep the other filters ----------------------------------------------------------------
def _query_with(query: QueryDict, **changes: str | None) -> str:
    """`?query` with each change set (None: removed) and without the page: what a link keeps."""
    query = query.copy()
    for key in ("page", "format", *changes):
        query.pop(key, None)
    for key, value in changes.items():
        if value is not None:
            query[key] = value
    return f"?{query.urlencode()}"


def _status_links(query: QueryDict, counts: dict[str, int], current: str) -> list[dict[str, Any]]:
    """ "All" and every status with requests (and the current one): its count, a link keeping the other
    filters, and whether it is the one shown."""
    links = [
        {"label": _("All"), "count": sum(counts.values()), "url": _query_with(query, status=None),
         "current": not current, "status": ""},
    ]  # fmt: skip
    for value, label in Status.choices:
        if counts.get(value) or value == current:
            links.append(
                {"label": str(label), "count": counts.get(value, 0), "url": _query_with(query, status=value),
                 "current": value == current, "status": value}
            )  # fmt: skip
    return links


def _sort_headers(query: QueryDict, sort: str) -> list[dict[str, Any]]:
    """Each column's header: a link sorting by it (ascending, or reversed when it is the sorted one)."""
    headers = []
    for key, label in TRACKING_COLUMNS:
        direction = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        headers.append(
            {"label": str(label), "key": key, "aria_sort": direction,
             "url": _query_with(query, sort=f"-{key}" if sort == key else key)}
        )  # fmt: skip
    return headers


# --- the page's content ---------------------------------------------------------------------------------
def _context_key() -> str:
    """What besides the data and the filters the content depends on: the reader's language (labels,
    country names, the search's country names) and time zone (dates shown, date filters)."""
    return f"{translation.get_language()}:{timezone.get_current_timezone_name()}"


def page_data(query: QueryDict, viewer: AbstractBaseUser) -> dict[str, Any]:
    """The page for `query` (request.GET) as `viewer` sees it: plain values (see the module's doc)."""
    if any(query.get(name) for name in TIME_FILTERS):
        data = _page_data(query, viewer, cache_counts=False)
    else:
        # The query as sent, every value of every key (the form, the page and the links read nothing
        # else); the viewer's id: what they may see (their scope, their staff flags: auth and teams).
        sent = sorted((key, tuple(query.getlist(key))) for key in query)
        key = f"tracking:page:{_VERSION}:{viewer.pk}:{_context_key()}:{caching.digest(sent)}"
        data = caching.cached(
            key, lambda: _page_data(query, viewer, cache_counts=True), depends=TRACKING_DEPENDS
        )
    # Cached as a plain string: the form's own rendering, escaped by it.
    data["filter_fields"] = mark_safe(data["filter_fields"])  # noqa: S308
    return data


def _status_counts(
    viewer: AbstractBaseUser, filters: dict[str, Any], term: str, cache: bool
) -> dict[str, int]:
    """The counts per status (one grouped query over every row), kept apart from the page: paging
    through the same filters, or sorting them, counts once."""
    if not cache:
        return selectors.tracking_status_counts(viewer=viewer, **filters)
    shown = sorted(
        (name, str(value.pk) if name == "country" else str(value))
        for name, value in filters.items()
        if name not in ("q", "status", "sort")
    )
    key = f"tracking:counts:{_VERSION}:{viewer.pk}:{_context_key()}:{caching.digest((term, shown))}"
    return caching.cached(
        key, lambda: selectors.tracking_status_counts(viewer=viewer, **filters), depends=TRACKING_DEPENDS
    )


def _page_data(query: QueryDict, viewer: AbstractBaseUser, *, cache_counts: bool) -> dict[str, Any]:
    """The page computed from the database (its search, counts and choices from the read cache)."""
    form = TrackingFilterForm(query or None)
    filters = form.filters()
    term = filters.get("q", "")
    if term:
        # The search is resolved once, for the rows and the counts alike.
        filters["q"] = selectors.tracking_search_q(term)
    counts = _status_counts(viewer, filters, term, cache_counts)
    status = filters.get("status", "")
    paginator = Paginator(selectors.sender_id_requests_tracked(viewer=viewer, **filters), TRACKING_PAGE_SIZE)
    # The grouped query already counted the rows: no second COUNT (cached_property, set once).
    paginator.count = counts.get(status, 0) if status else sum(counts.values())
    page = paginator.get_page(query.get("page"))
    return {
        "filter_fields": str(_templates.filter_fields.render({"form": form})),
        "query": _query_with(query).removeprefix("?"),
        "status_links": _status_links(query, counts, status),
        "headers": _sort_headers(query, filters["sort"]),
        "page": {
            "number": page.number,
            "has_other_pages": page.has_other_pages(),
            "has_previous": page.has_previous(),
            "has_next": page.has_next(),
            "previous_page_number": page.number - 1,
            "next_page_number": page.number + 1,
            "paginator": {"count": paginator.count, "num_pages": paginator.num_pages},
        },
        "rows": [_row(request) for request in page],
    }


# --- the rows -------------------------------------------------------------------------------------------
class _Clocked:
    """What `clocks.row_flags` reads of a request, from a cached row."""

    __slots__ = ("aws_status", "country_id", "status", "status_changed_at", "submitted_at")

    def __init__(self, status: str, country_id: str, aws_status: str, changed: Any, submitted: Any) -> None:
        self.status, self.country_id, self.aws_status = status, country_id, aws_status
        self.status_changed_at, self.submitted_at = changed, submitted


def _row(r: Any) -> tuple[str, str, tuple[Any, ...]]:
    """One row as tracking.html wrote it, in two pieces around its flags (written at each view, as its
    age), and what its flags are computed from."""
    case = ""
    if r.process == "support_case":
        url = reverse("supportcases:detail", args=[r.pk])
        case = f'<br><a class="support-case-link" href="{escape(url)}">{escape(_("Support case"))}</a>'
    error = f'<br><small class="error">{escape(r.aws_error_code)}</small>' if r.aws_error_code else ""
    status = escape(r.status)
    head = (
        f'>\n      <td><a href="{escape(reverse("senderids:detail", args=[r.pk]))}">{r.pk}</a></td>\n'
        f"      <td><strong>{escape(r.sender_id)}</strong>{case}</td>\n"
        f"      <td>{escape(r.country.label)} ({escape(r.country_id)})</td>\n"
        f"      <td>{escape(r.team.name)}<br><small>{escape(r.owner.get_username())}</small></td>\n"
        f"      <td>{escape(r.aws_account.name)}<br><small>{escape(r.aws_region)}</small></td>\n"
        f'      <td><span class="badge {status}" data-status="{status}">'
        f"{escape(status_label(r.status))}</span>{error}"
    )
    tail = (
        f"</td>\n      <td>{escape(r.aws_status or '—')}</td>\n"
        f"      <td>{escape(date_filter(template_localtime(r.created_at), 'Y-m-d H:i'))}</td>\n"
        "      <td>"
    )
    clocked = (r.status, r.country_id, r.aws_status, r.status_changed_at, getattr(r, "submitted_at", None))
    return head, tail, clocked


# --- each row's age: `{{ status_changed_at|timesince }}` ----------------------------------------------------
# "%(num)d minutes" % n, per (language, unit, n): timesince formats two units a row through lazy
# ngettext, which was most of the rows' cost; the words are the same, translated once.
_unit_texts: dict[tuple[str | None, str, int], str] = {}


class _Unit:
    __slots__ = ("language", "name")

    def __init__(self, language: str | None, name: str) -> None:
        self.language, self.name = language, name

    def __mod__(self, params: dict[str, int]) -> str:
        key = (self.language, self.name, params["num"])
        text = _unit_texts.get(key)
        if text is None:
            text = _unit_texts[key] = TIME_STRINGS[self.name] % params
        return text


def _units(language: str | None) -> dict[str, _Unit]:
    return {name: _Unit(language, name) for name in TIME_STRINGS}


def _age(changed: Any, now: Any, units: dict[str, _Unit]) -> str:
    """What the timesince filter writes for `changed` at `now` (its "" for a value it cannot read)."""
    if not changed:
        return ""
    try:
        return timesince(changed, now, time_strings=units)
    except (ValueError, TypeError):
        return ""


def rows_html(rows: list[tuple[str, str, tuple[Any, ...]]], *, now: Any) -> SafeString:
    """The table body's rows (or its "no request" row) as tracking.html wrote them, at `now`."""
    if not rows:
        empty = escape(_("No request matches these filters."))
        columns = len(TRACKING_COLUMNS)
        return mark_safe(f'\n    <tr><td colspan="{columns}" class="empty">{empty}</td></tr>\n  ')  # noqa: S308
    units = _units(translation.get_language())
    html = []
    for head, tail, clocked in rows:
        flags = row_flags(_Clocked(*clocked), now=now)  # type: ignore[arg-type]
        shown = "".join(
            f'<br><small class="flag" data-flag="{escape(f.code)}">⚠ {escape(f.text)}</small>' for f in flags
        )
        age = escape(_age(clocked[3], now, units))
        attention = ' class="needs-attention"' if flags else ""
        html.append(f"\n    <tr{attention}{head}{shown}{tail}{age}</td>\n    </tr>\n  ")
    return mark_safe("".join(html))  # noqa: S308 (every value is escaped)
