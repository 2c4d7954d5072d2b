"""`/healthz` (is the database answering, is the broker answering: 200 or 503 JSON, never 500)
and `/favicon.ico`."""

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from senderids.enqueue import outbox_pending

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database check failed")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            # One quick attempt: a health check must answer fast, not wait out retries.
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception as exc:
        logger.warning("healthz: broker check failed: %s", exc)
        return False


def _outbox_pending(database_ok: bool) -> int | None:
    """Tasks a broker outage held back (they are sent once it is back); None when it cannot be read."""
    if not database_ok:
        return None
    try:
        return outbox_pending()
    except Exception:
        logger.exception("healthz: outbox check failed")
        return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    missing = [name for name, ok in checks.items() if not ok]
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": checks,
            "missing": missing,
            "queued_for_broker": _outbox_pending(checks["database"]),
        },
        status=200 if healthy else 503,
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico (browsers ask for it on every page, the admin's too): the portal's icon. Resolved
    per request, not at import: the static manifest exists only after collectstatic."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
