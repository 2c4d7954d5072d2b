"""The wizard's step pages, as first shown (a GET, nothing posted, no message waiting), from the read
cache with their CSRF tokens cut out.

Why: after its reads came from the cache (reads.py), most of a step's cost was the template engine
drawing the same page again: the same answers, user, language and catalogue give the same HTML. The
only part of it that is the request's own is the CSRF token of its forms (Django masks it anew for
each request), so the cached HTML keeps a slot where each token was and every view writes its own
token there.

The key names every input of the page besides the tables it reads: the user (their team, name and
role are in the page), the step, the language, the time zone, the day (rules are dated), the whole
path with its query (search, "edit from review"), and the wizard's stored answers (a GET binds a
step's form to them) and run id. The tables are those of the reads, and auth (the header names the
user). A POST (its answers, its errors), a page with a message waiting, or any other answer than
200 is drawn as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

import caching

from .reads import BUNDLE, digest

DEPENDS = (*BUNDLE, "auth")
_TOKEN = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(")')
# Never in a page: escaped output has no NUL, and the portal refuses control characters in input.
_SLOT = "\x00csrf\x00"


def cacheable(request: HttpRequest) -> bool:
    # On a GET a step's form is bound to its stored answers (in the key), never to posted ones.
    return request.method == "GET" and not len(get_messages(request))


def page(
    request: HttpRequest, key_parts: tuple[object, ...], draw: Callable[[], HttpResponse]
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

    key = f"wizard:page:{request.user.pk}:{digest(*key_parts, request.get_full_path())}"
    html = caching.cached(key, compute, depends=DEPENDS)
    if drawn:
        return drawn[0]  # drawn in this request: its own tokens are in it already
    if html is None:
        return draw()
    return HttpResponse(html.replace(_SLOT, get_token(request)))
