"""Whole pages from the read cache, with the CSRF tokens of their forms cut out.

A page drawn from the same inputs and the same rows is the same HTML, except for the CSRF token of
each form (Django masks the token anew for every request). `cached_page()` keeps the drawn HTML with
a slot where each token was, and every view writes its own token there (`get_token`, which also sets
the CSRF cookie when the request has none).

The caller's key names every input of the page besides the rows of `depends` and what `page_key`
adds (the user, the path and query, the language, the time zone, the day): session state the page
shows, the viewer's second factor; `cacheable()` says
which requests may be served so: a GET with no message waiting (messages are shown once). Anything
but a 200 is never kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from . import cached, digest

_TOKEN = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(")')
# Never in a page: escaped output has no NUL, and the portal refuses control characters in input.
_SLOT = "\x00csrf\x00"


def cacheable(request: HttpRequest) -> bool:
    return request.method == "GET" and not len(get_messages(request))


def page_key(request: HttpRequest, *parts: object) -> str:
    """A key part for `parts` and what every page depends on: the user, the path with its query, the
    language, the time zone and the day (dates shown and date filters)."""
    context = (translation.get_language(), timezone.get_current_timezone_name(), timezone.localdate())
    return f"{request.user.pk}:{digest(parts, request.get_full_path(), context)}"


def cached_page(
    request: HttpRequest, key: str, draw: Callable[[], HttpResponse], *, depends: Iterable[str]
) -> HttpResponse:
    """The page `draw()` returns, from the cache while nothing it shows has changed."""
    drawn: list[HttpResponse] = []

    def compute() -> str | None:
        response = draw()
        drawn.append(response)
        if response.status_code != 200:
            return None
        if hasattr(response, "render"):
            response.render()
        return _TOKEN.sub(rf"\g<1>{_SLOT}\g<2>", response.content.decode())

    html = cached(f"page:{key}", compute, depends=depends)
    if drawn:
        return drawn[0]  # drawn in this request: its own tokens are in it already
    if html is None:
        return draw()
    return HttpResponse(html.replace(_SLOT, get_token(request)))
