"""Celery tasks for sender-ID requests: thin wrappers that load, call one service, done.

`submit_sender_id_request` is acks_late (a crashed worker's message is redelivered, not lost) and
retries only RetryableAwsError, with exponential backoff and full jitter so a burst of approvals
that hits AWS throttling spreads out instead of hammering again in lock-step. The shared AWS rate
budget in smsvoice.ratelimit keeps the normal case free of throttling in the first place.
`release_sender_id` follows the same policy; `sync_sender_ids` (beat) reconciles with AWS.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

from celery import Task, shared_task
from django.conf import settings

from . import services

logger = logging.getLogger(__name__)


def retry_countdown(retries: int) -> float:
    """Full-jitter exponential backoff: uniform(0, min(max, base * 2**retries)) seconds.

    The one retry policy for retryable AWS errors; registrations' tasks use it too.
    """
    ceiling = min(settings.SENDERIDS_SUBMIT_RETRY_MAX, settings.SENDERIDS_SUBMIT_RETRY_BASE * 2**retries)
    return random.uniform(0, ceiling)


def run_with_retries(task: Task, service: Callable[..., object], pk: int, what: str) -> None:
    """Run `service(request_id=pk)`; a RetryableAwsError retries the task with backoff + jitter.

    After SENDERIDS_SUBMIT_MAX_RETRIES the task gives up: the row keeps its in-flight status and the
    last AWS error, and the sweeper re-enqueues it later.
    """
    from smsvoice.gateway import RetryableAwsError

    try:
        service(request_id=pk)
    except RetryableAwsError as exc:
        if task.request.retries >= settings.SENDERIDS_SUBMIT_MAX_RETRIES:
            logger.error("%s %s: giving up after %d retries: %s", what, pk, task.request.retries, exc)
            return
        raise task.retry(exc=exc, countdown=retry_countdown(task.request.retries)) from exc


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def submit_sender_id_request(self: Task, pk: int) -> None:
    run_with_retries(self, services.sender_id_request_submit, pk, "submit")


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def release_sender_id(self: Task, pk: int) -> None:
    """releasing → ReleaseSenderId → released (or back to active with AWS's reason). Idempotent."""
    run_with_retries(self, services.sender_id_request_release_execute, pk, "release")


@shared_task(acks_late=True, ignore_result=True)
def sweep_stuck_requests() -> int:
    return len(services.sender_id_requests_sweep_stuck()) + len(services.sender_id_requests_sweep_releasing())


@shared_task(acks_late=True, ignore_result=True)
def sync_sender_ids() -> int:
    """Beat: reconcile with DescribeSenderIds and record drift. Returns the number of open drifts."""
    from smsvoice.gateway import AwsError

    try:
        report = services.sender_ids_sync()
    except services.SyncInProgress:
        logger.info("sync_sender_ids: another sync is running; skipped")
        return -1
    except AwsError as exc:
        # The next beat tries again; nothing was recorded.
        logger.error("sync_sender_ids: AWS could not be read: %s", exc)
        return -1
    return len(report.drifts)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def worker_heartbeat(self: Task) -> None:
    services.worker_heartbeat_record(worker=self.request.hostname or "unknown")
