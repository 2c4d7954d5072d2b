"""The error pages Django serves when a view fails (urls.py's handler500).

A database or broker that does not answer is not a bug in the portal: the page says "temporarily
unavailable" with 503 and Retry-After (load balancers and browsers retry), instead of a bare
"Server Error (500)". The page is rendered without the request's context processors: they would ask
the very database that is down (the user, the session, messages).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

try:  # the broker's connection errors, when Celery/Redis are installed (always, in practice)
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    UNAVAILABLE: tuple[type[BaseException], ...] = (
        OperationalError,
        InterfaceError,
        BrokerError,
        RedisConnectionError,
        RedisTimeoutError,
    )
except ImportError:  # pragma: no cover
    UNAVAILABLE = (OperationalError, InterfaceError)

RETRY_AFTER_SECONDS = 30


def is_unavailable(exc: BaseException | None) -> bool:
    """A backing service that did not answer (not a query the code got wrong)."""
    seen = 0
    while exc is not None and seen < 10:  # the exception or what caused it (a wrapped driver error)
        if isinstance(exc, UNAVAILABLE):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        body = loader.get_template("errors/unavailable.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.get_template("errors/server_error.html").render({}), status=500)
