"""Celery tasks for sender-ID requests: thin wrappers that load, call one service, done.

`submit_sender_id_request` is acks_late (a crashed worker's message is redelivered, not lost) and
retries only RetryableAwsError, with exponential backoff and full jitter so a burst of approvals
that hits AWS throttling spreads out instead of hammering again in lock-step. The shared AWS rate
budget in smsvoice.ratelimit keeps the normal case free of throttling in the first place.
"""

from __future__ import annotations

import logging
import random

from celery import Task, shared_task
from django.conf import settings

from . import services

logger = logging.getLogger(__name__)


def retry_countdown(retries: int) -> float:
    """Full-jitter exponential backoff: uniform(0, min(max, base * 2**retries)) seconds."""
    ceiling = min(settings.SENDERIDS_SUBMIT_RETRY_MAX, settings.SENDERIDS_SUBMIT_RETRY_BASE * 2**retries)
    return random.uniform(0, ceiling)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def submit_sender_id_request(self: Task, pk: int) -> None:
    from smsvoice.gateway import RetryableAwsError

    try:
        services.sender_id_request_submit(request_id=pk)
    except RetryableAwsError as exc:
        if self.request.retries >= settings.SENDERIDS_SUBMIT_MAX_RETRIES:
            # Still `submitting`, the last AWS error noted on the row: the sweeper tries again later.
            logger.error("submit %s: giving up after %d retries: %s", pk, self.request.retries, exc)
            return
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(acks_late=True, ignore_result=True)
def sweep_stuck_requests() -> int:
    return len(services.sender_id_requests_sweep_stuck())


@shared_task(bind=True, acks_late=True, ignore_result=True)
def worker_heartbeat(self: Task) -> None:
    services.worker_heartbeat_record(worker=self.request.hostname or "unknown")
