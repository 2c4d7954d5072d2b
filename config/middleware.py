"""Request guards and response headers for every page (issue 18, "Limits and headers", "Hostile input").

- RequestSizeLimitMiddleware: a body larger than REQUEST_MAX_BODY_BYTES is refused with 413 from its
  CONTENT_LENGTH, before a byte of it is read.
- HostileInputMiddleware: control characters (NUL and the other C0 characters except tab, CR and LF) in
  the path, query string, form fields or file names are refused with 400 before any view reads them
  (PostgreSQL cannot store NUL: it was a 500); an admin action whose selection is not a list of primary
  keys is refused with 400 instead of failing inside the action (a 500).
- SecurityHeadersMiddleware: Content-Security-Policy (scripts and styles from the portal's own static
  files only: nothing inline), Permissions-Policy, and `Cache-Control: no-store` on every page answered
  to a logged-in user.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# C0 controls but tab (\x09), LF (\x0a) and CR (\x0d). DEL and C1 are printable enough to be harmless.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refused(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "errors/refused.html", {"title": title, "message": message}, status=status)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body without a valid length
        limit = settings.REQUEST_MAX_BODY_BYTES
        if length > limit:
            response = refused(
                request,
                413,
                _("Request too large"),
                _(
                    "This request is %(size)s; the portal accepts at most %(limit)s at once. "
                    "Attachments are limited to 500 KB each."
                )
                % {"size": filesizeformat(length), "limit": filesizeformat(limit)},
            )
            # The unread body is still on the connection: it cannot carry another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


def _first_control_character_field(request: HttpRequest) -> str | None:
    """Where a control character is: "" for the address itself, else the name of the field."""
    if CONTROL_CHARACTERS.search(request.path_info):
        return ""
    sources: list[Iterable[tuple[str, list]]] = [request.GET.lists()]
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        sources.append(request.POST.lists())
        sources.append((name, [upload.name for upload in uploads]) for name, uploads in request.FILES.lists())
    for pairs in sources:
        for name, values in pairs:
            if CONTROL_CHARACTERS.search(name) or any(CONTROL_CHARACTERS.search(v or "") for v in values):
                return CONTROL_CHARACTERS.sub("", name) or "?"
    return None


class HostileInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _first_control_character_field(request)
        if field is not None:
            where = (
                _("in the address") if field == "" else _("in the field “%(field)s”") % {"field": field[:60]}
            )
            return refused(
                request,
                400,
                _("Invalid characters"),
                _(
                    "The request contains a control character (such as a NUL byte, %%00) %(where)s. "
                    "Remove it and try again."
                )
                % {"where": where},
            )
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict):
        """Admin input that Django's admin accepts and then fails on in the database (a 500): lookups in
        the query string it only checks when the query runs, an action's selection that is not ids."""
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None:
            return None
        bad_lookup = _unusable_admin_lookup(request)
        if bad_lookup is not None:
            return refused(
                request,
                400,
                _("Invalid filter"),
                _("The filter “%(name)s” has a value the database cannot use.") % {"name": bad_lookup[:60]},
            )
        if request.method != "POST" or "action" not in request.POST:
            return None
        pk_field = model_admin.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                pk_field.to_python(value)
        except ValidationError:
            return refused(
                request,
                400,
                _("Invalid selection"),
                _(
                    "The rows selected for this action were not understood. "
                    "Go back, select them again and retry."
                ),
            )
        return None


# A changelist filters on any lookup of a model's own fields (`?name__regex=…`, `?created_at__year=…`):
# Django's admin checks their values only when the query runs, so these fail in the database instead
# (found by tests/security/test_fuzz.py: a regex PostgreSQL cannot compile, a year outside 1-9999, a
# range without two ends).
_DATE_YEAR_PARTS = frozenset({"year", "iso_year"})


def _unusable_admin_lookup(request: HttpRequest) -> str | None:
    for key, values in request.GET.lists():
        parts = key.split("__")[1:]
        if not parts:
            continue
        for value in values:
            if parts[-1] in ("regex", "iregex"):
                return key  # no admin page links to one, and PostgreSQL's dialect differs from Python's
            if parts[-1] == "range" and len(value.split(",")) != 2:
                return key
            if _DATE_YEAR_PARTS.intersection(parts) and not all(map(_usable_year, value.split(","))):
                return key
    return None


def _usable_year(text: str) -> bool:
    try:
        return 1 <= int(text) <= 9999
    except ValueError:
        return True  # not a number: Django's admin refuses it itself (a redirect with ?e=1)


# --- Content-Security-Policy ---------------------------------------------------------------------------
# Only 'self' for scripts and styles: no inline <script> or <style> block, no style attribute, no hashes,
# no 'unsafe-inline' (README "Headers, hostile input, permissions"). A page's own CSS and JavaScript live
# in static/ (served by whitenoise); values a script needs come through data- attributes or json_script
# (<script type="application/json">: data, which the policy does not block). tests/security/test_headers.py
# fails if a template carries an inline block or a style attribute again.
CSP_DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
CONTENT_SECURITY_POLICY = "; ".join(f"{name} {' '.join(values)}" for name, values in CSP_DIRECTIVES.items())


PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # A private page must not stay in a shared or back-button cache after logout.
            add_never_cache_headers(response)
        return response
