"""Celery tasks of registrations: thin wrappers that load, call one service, done.

Beat runs `poll_registrations` and `poll_support_cases` every REGISTRATION_POLL_SECONDS;
`sync_registration` is enqueued (on commit) when the owner saves a registration that exists at AWS.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task

from senderids.tasks import retry_countdown

from . import services

logger = logging.getLogger(__name__)

SYNC_MAX_RETRIES = 10


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=SYNC_MAX_RETRIES)
def sync_registration(self: Task, registration_id: int) -> None:
    from smsvoice.gateway import RetryableAwsError

    try:
        services.registration_sync(registration_id=registration_id)
    except RetryableAwsError as exc:
        if self.request.retries >= SYNC_MAX_RETRIES:
            logger.error("sync registration %s: giving up: %s", registration_id, exc)
            return
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(acks_late=True, ignore_result=True)
def poll_registrations() -> str:
    return _logged(services.registrations_poll(), "poll")


@shared_task(acks_late=True, ignore_result=True)
def poll_support_cases() -> str:
    return _logged(services.support_cases_poll(), "support cases")


def _logged(report: services.PollReport, label: str) -> str:
    """Log a poll cycle's changes (info) and errors (warning); the task's result is its summary."""
    for line in report.changes:
        logger.info("%s: %s", label, line)
    for line in report.errors:
        logger.warning("%s: %s", label, line)
    return str(report)
