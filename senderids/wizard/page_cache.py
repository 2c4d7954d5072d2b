"""The wizard's step pages, as first shown (a GET, no message waiting), from the read cache
(caching/pages.py: the page's HTML with its CSRF tokens cut out, written anew for each view).

Why: after its reads came from the cache (reads.py), most of a step's cost was the template engine
drawing the same page again: the same answers, user, language and catalogue give the same HTML.

The key names every input of the page besides the tables it reads: the user (their team, name and
role are in the page) and the whole path with its query (search, "edit from review"), the step, the
language, the time zone, the day (rules are dated), and the wizard's stored answers (a GET binds a
step's form to them) and run id (guards.page_inputs). The tables are those of the reads, and auth
(the header names the user).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from caching.pages import cacheable, cached_page, page_key

from .reads import BUNDLE

DEPENDS = (*BUNDLE, "auth")

__all__ = ["cacheable", "page"]


def page(
    request: HttpRequest, key_parts: tuple[object, ...], draw: Callable[[], HttpResponse]
) -> HttpResponse:
    return cached_page(request, f"wizard:{page_key(request, *key_parts)}", draw, depends=DEPENDS)
