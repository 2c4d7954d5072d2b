"""The sender-ID requests changelist's rows and filter choices, written without Django's per-cell machinery.

Why: on the approval queue, Django's `items_for_result` (a `lookup_field`, a `format_html`, a
`reverse()` and `add_preserved_filters()` for each of the 50 rows × 6 columns) and the related filters'
choices (every country, team and AWS account read and turned into model instances on each page) cost
more than the rest of the page. Here:

* `QuickChangeList.result_list_html()` renders Django's own `change_list_results.html` (headers,
  hidden fields and all) with each row's cells written in Python: the same markup as
  `items_for_result`, byte for byte (tests/senderids/test_admin_speed.py compares both, in English
  and French). A changelist this module does not know how to write (another column, a popup, an
  editable list) is handed to Django's own code unchanged.
* `QuickChangeList.filters_html()` writes the filters (`{% admin_list_filter %}` each) through the
  read cache, keyed by everything a filter's links depend on (the query string, the language, the
  day); `nav_sidebar_html()` does the same for the admin's navigation sidebar, keyed by the apps and
  models the viewer may see (what each_context computed) and the page's path.
* `CachedChoicesMixin` reads a related filter's choices (pk, label) through the read cache
  (`caching.cached`): the same for every viewer, recomputed as soon as the related table is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.filters import (
    BooleanFieldListFilter,
    ChoicesFieldListFilter,
    DateFieldListFilter,
    RelatedFieldListFilter,
)
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    admin_list_filter,
    result_headers,
    result_hidden_fields,
    results,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.core.validators import EMPTY_VALUES
from django.template.loader import get_template, select_template
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext

from caching import cached, digest
from caching.pages import cacheable, cached_page, page_key

# The URL of a row's change page is reversed once per page with this in place of the pk.
_PK_SLOT = "__pk__"


# Filters whose rendering reads nothing but the query string, the language and today's date.
_PLAIN_FILTERS = (BooleanFieldListFilter, ChoicesFieldListFilter, DateFieldListFilter)


def _text(value: Any) -> str:
    """What format_html writes for a value: escaped unless already safe."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _shown(value: Any, empty: str) -> str:
    """A text column's repr as items_for_result writes it: blank strings are empty, empties show
    the admin's empty value display, anything else escaped."""
    if isinstance(value, str) and value.strip() == "":
        value = ""
    return empty if value in EMPTY_VALUES else _text(value)


class QuickChangeList(ChangeList):
    """A ChangeList whose rows for the sender-ID requests' columns are written in Python."""

    # The columns written here (action checkbox, id, sender ID, country, team, status), in this order.
    QUICK_COLUMNS = ("action_checkbox", "id", "sender_id", "country_name", "team_name", "status")

    def _quick_columns(self) -> bool:
        return (
            tuple(self.list_display) == self.QUICK_COLUMNS
            and set(self.list_display_links or ()) == {"id", "sender_id"}
            and not self.list_editable
            and not self.is_popup
            and not self.to_field
        )

    def _quick(self) -> bool:
        return self._quick_columns() and not self.formset

    # What the rows read: a row writes these, and nothing of the owner or the AWS account.
    QUICK_FIELDS = ("id", "sender_id", "status", "country__iso_code", "country__name", "team__name")

    def get_results(self, request: Any) -> None:
        if self._quick_columns():
            # The listed rows only (counts ignore the columns; actions read their own queryset).
            self.queryset = self.queryset.select_related(None).select_related("country", "team")
            self.queryset = self.queryset.only(*self.QUICK_FIELDS)
        super().get_results(request)

    def result_list_html(self) -> SafeString:
        """What `{% result_list cl %}` writes (admin/change_list_results.html and its context)."""
        headers = list(result_headers(self))
        rows = self._quick_rows() if self._quick() else list(results(self))
        context = {
            "cl": self,
            "result_hidden_fields": list(result_hidden_fields(self)),
            "result_headers": headers,
            "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
            "results": rows,
        }
        app_label, model_name = self.opts.app_label, self.opts.model_name
        template = select_template(
            [
                f"admin/{app_label}/{model_name}/change_list_results.html",
                f"admin/{app_label}/change_list_results.html",
                "admin/change_list_results.html",
            ]
        )
        return mark_safe(template.render(context))  # noqa: S308 (a template render, autoescaped)

    def filters_html(self) -> SafeString:
        """What `{% for spec in cl.filter_specs %}{% admin_list_filter cl spec %}{% endfor %}` writes,
        each filter from the read cache when what it reads is known."""
        # A filter's links are the current query string with its own parameter changed; the date
        # filters' links name today (in the current time zone).
        scope = (
            self.opts.label_lower,
            sorted(self.filter_params.items()),
            translation.get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
        )
        specs = [(type(spec).__qualname__, getattr(spec, "field_path", None)) for spec in self.filter_specs]
        depends: set[str] = set()
        for spec in self.filter_specs:
            reads = None if self.add_facets else _filter_depends(spec)  # counts read the rows
            if reads is None:
                return self._filters_rendered()
            depends.update(reads)
        # One value for all of them: one round trip to the cache, not one per filter.
        key = f"admin-filters:{digest(*scope, specs)}"
        return mark_safe(cached(key, lambda: str(self._filters_rendered()), depends=depends))  # noqa: S308 (template renders)

    def _filters_rendered(self) -> SafeString:
        return mark_safe("".join(admin_list_filter(self, spec) for spec in self.filter_specs))  # noqa: S308 (template renders)

    def _row_url(self) -> Callable[[Any], str] | None:
        """pk -> the (escaped) link of its change page, preserved filters included, as
        items_for_result builds it; None when the change page has no URL."""
        try:
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(_PK_SLOT,),
                current_app=self.model_admin.admin_site.name,
            )
        except NoReverseMatch:
            return None
        url = add_preserved_filters({"preserved_filters": self.preserved_filters, "opts": self.opts}, url)
        head, _slot, tail = escape(url).partition(_PK_SLOT)
        return lambda pk: f"{head}{escape(str(quote(pk)))}{tail}"

    def _quick_rows(self) -> list[ResultList]:
        """One ResultList per row holding the row's cells already joined: the template writes
        `<tr>` + each item + `</tr>`, so one item of all the cells is the same markup."""
        empty = self.model_admin.get_empty_value_display()
        status_labels = {value: _text(label) for value, label in self.opts.get_field("status").flatchoices}
        # The checkbox's label, as Django's action_checkbox writes it (format_html of the object).
        checkbox_label = gettext("Select this object for an action - {}")
        url_of = self._row_url()
        rows = []
        for obj in self.result_list:
            pk = obj.pk
            label = checkbox_label.format(escape(str(obj)))
            checkbox = (
                f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" value="{escape(str(pk))}"'
                f' class="action-select" aria-label="{label}">'
            )
            number = _shown(formats.number_format(pk) if pk not in EMPTY_VALUES else pk, empty)
            sender_id = _shown(obj.sender_id, empty)
            if url_of is not None:
                url = url_of(pk)
                number = f'<a href="{url}">{number}</a>'
                sender_id = f'<a href="{url}">{sender_id}</a>'
            status = obj.status if not (isinstance(obj.status, str) and obj.status.strip() == "") else ""
            cells = (
                f'<td class="action-checkbox">{checkbox}</td>'
                f'<th class="field-id">{number}</th>'
                f'<td class="field-sender_id">{sender_id}</td>'
                f'<td class="field-country_name">{_shown(obj.country.label, empty)}</td>'
                f'<td class="field-team_name">{_shown(obj.team.name, empty)}</td>'
                f'<td class="field-status">{status_labels.get(status, empty)}</td>'
            )
            rows.append(ResultList(None, [mark_safe(cells)]))  # noqa: S308 (every value escaped above)
        return rows


def _filter_depends(spec: Any) -> Iterable[str] | None:
    """The apps whose rows a filter's rendering reads, or None when not known (then it is not cached)."""
    declared = getattr(spec, "cache_depends", None)
    if declared is not None:
        return declared
    if isinstance(spec, CachedChoicesMixin) and isinstance(spec, RelatedFieldListFilter):
        return [spec.field.remote_field.model._meta.app_label]
    if type(spec) in _PLAIN_FILTERS:
        return []
    return None


def nav_sidebar_html(request: Any, available_apps: list[dict[str, Any]]) -> SafeString:
    """admin/nav_sidebar.html as base.html includes it, from the read cache: its markup is a function
    of the apps and models listed (the viewer's, from each_context), the page's path and the language."""
    listed = [
        (
            str(app["name"]), app["app_label"], app["app_url"],
            [
                (str(model["name"]), model["object_name"], model.get("admin_url"), model.get("add_url"),
                 model.get("view_only"))
                for model in app["models"]
            ],
        )
        for app in available_apps
    ]  # fmt: skip
    key = f"admin-nav-sidebar:{digest(listed, request.path, translation.get_language())}"

    def render() -> str:
        context = {"available_apps": available_apps, "request": request}
        return str(get_template("admin/nav_sidebar.html").render(context))

    return mark_safe(cached(key, render, depends=[]))  # noqa: S308 (a template render, autoescaped)


class CachedChoicesMixin:
    """A RelatedFieldListFilter whose choices (pk, label) come from the read cache: the related
    table's rows are read and labelled once, not on every page of the changelist."""

    def field_choices(self, field: Any, request: Any, model_admin: Any) -> list[tuple[Any, str]]:
        related = field.remote_field.model._meta
        key = f"admin-filter-choices:{model_admin.opts.label_lower}:{field.name}:{translation.get_language()}"
        return cached(
            key,
            lambda: [
                (pk, str(label))
                for pk, label in super(CachedChoicesMixin, self).field_choices(field, request, model_admin)  # type: ignore[misc]
            ],
            depends=[related.app_label],
        )


# What the requests' changelist shows: the requests, teams and scopes, users and their permissions,
# countries, accounts, each process's record, and the staff's two-factor devices (the header).
CHANGELIST_DEPENDS = (
    "senderids", "teams", "auth", "contenttypes", "countries", "smsvoice", "registrations", "supportcases",
    "otp_totp",
)  # fmt: skip


def cached_changelist(request: Any, extra_context: Any, view: Callable[[Any, Any], Any]) -> Any:
    """`view(request, extra_context)`, the whole list as first shown (a GET, no message waiting) from
    the read cache while nothing it shows has changed, its CSRF tokens written anew (caching/pages.py).

    The key: the viewer (their permissions and scope are in the page, their second factor in its
    header), the path with the filters, the language, the time zone and the day (date filters)."""
    if extra_context is not None or not cacheable(request):
        return view(request, extra_context)
    verified = getattr(request.user, "is_verified", lambda: None)()
    key = page_key(request, verified)
    return cached_page(
        request, f"admin-requests:{key}", lambda: view(request, None), depends=CHANGELIST_DEPENDS
    )
