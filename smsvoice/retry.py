"""The one retry policy of every task that calls AWS: full-jitter exponential backoff on RetryableAwsError
(and on a database that went away, without a limit: the work is idempotent and must not be lost).

Only throttling, 5xx and transport errors are retried (the gateway decides which errors are which);
a burst of tasks that hits AWS throttling spreads out instead of hammering again in lock-step. The
shared rate budget (smsvoice.ratelimit) keeps the normal case free of throttling in the first place.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from .errors import RetryableAwsError

logger = logging.getLogger(__name__)

# A database that went away is retried every few seconds, not on AWS's backoff: after a restart or a
# failover the work resumes within DATABASE_RETRY_MAX of its return (AWS's backoff reaches 120 s).
DATABASE_RETRY_MAX = 5.0


def retry_countdown(retries: int) -> float:
    """Full-jitter exponential backoff: uniform(0, min(max, base * 2**retries)) seconds."""
    ceiling = min(settings.SENDERIDS_SUBMIT_RETRY_MAX, settings.SENDERIDS_SUBMIT_RETRY_BASE * 2**retries)
    return random.uniform(0, ceiling)


def run_with_retries(
    task: Task,
    service: Callable[..., object],
    *,
    what: str,
    max_retries: int | None = None,
    on_give_up: Callable[[RetryableAwsError], None] | None = None,
    **kwargs: Any,
) -> None:
    """Run `service(**kwargs)`; a RetryableAwsError retries `task` with backoff + jitter.

    After `max_retries` (default SENDERIDS_SUBMIT_MAX_RETRIES) the task gives up, logs and calls
    `on_give_up(error)`: the row keeps its in-flight status and the last AWS error, and a sweeper or the
    next save re-enqueues it, or `on_give_up` tells someone.
    """
    limit = settings.SENDERIDS_SUBMIT_MAX_RETRIES if max_retries is None else max_retries
    try:
        service(**kwargs)
    except (OperationalError, InterfaceError) as exc:
        # The database went away (restart, failover): the task is retried, not lost. The work it did is
        # idempotent, so running it again once the database is back is safe.
        close_old_connections()
        logger.warning("%s %s: database unavailable, retrying: %s", what, kwargs, exc)
        countdown = min(retry_countdown(task.request.retries), DATABASE_RETRY_MAX)
        raise task.retry(exc=exc, countdown=countdown, max_retries=None) from exc
    except RetryableAwsError as exc:
        if task.request.retries >= limit:
            logger.error("%s %s: giving up after %d retries: %s", what, kwargs, task.request.retries, exc)
            if on_give_up is not None:
                on_give_up(exc)
            return
        raise task.retry(exc=exc, countdown=retry_countdown(task.request.retries)) from exc
