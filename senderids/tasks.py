"""Celery tasks of sender-ID requests: thin wrappers that take an id, call one service, retry by policy.

`submit_sender_id_request` and `release_sender_id` are acks_late (a crashed worker's message is
redelivered, not lost) and retry only RetryableAwsError (smsvoice.retry: backoff with full jitter).
Beat runs the sweeper, the drift sync and the heartbeat; `send_status_email` is enqueued on commit of
every user-visible transition (senderids.notifications).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Task, shared_task

from smsvoice.errors import AwsError
from smsvoice.retry import run_with_retries

from . import enqueue, liveness, notifications
from .services import reconcile, release, submission

logger = logging.getLogger(__name__)


def _run_for_request(
    task: Task, service: Callable[..., object], gave_up: Callable[..., None], what: str, pk: int
) -> None:
    """Run one request's in-flight work by the retry policy; a spent budget ends it with AWS's reason."""
    run_with_retries(
        task,
        service,
        what=what,
        on_give_up=lambda exc: gave_up(
            request_id=pk,
            error=exc,
            retries=task.request.retries + 1,  # attempts: the first + retries
        ),
        request_id=pk,
        worker=task.request.hostname or "",
    )


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def submit_sender_id_request(self: Task, pk: int) -> None:
    _run_for_request(
        self, submission.sender_id_request_submit, submission.sender_id_request_submit_gave_up, "submit", pk
    )


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def release_sender_id(self: Task, pk: int) -> None:
    """releasing → ReleaseSenderId → released (or back to active with AWS's reason). Idempotent."""
    _run_for_request(
        self,
        release.sender_id_request_release_execute,
        release.sender_id_request_release_gave_up,
        "release",
        pk,
    )


@shared_task(acks_late=True, ignore_result=True)
def send_status_email(event_id: int) -> bool:
    return notifications.status_email_send(event_id=event_id)


@shared_task(acks_late=True, ignore_result=True)
def send_staff_alert(event_id: int) -> int:
    return notifications.staff_alert_send(event_id=event_id)


@shared_task(ignore_result=True)
def drain_outbox() -> int:
    """Beat: send what a broker outage held back (senderids.enqueue's outbox)."""
    return enqueue.outbox_drain()


@shared_task(acks_late=True, ignore_result=True)
def sweep_stuck_requests() -> int:
    return len(submission.sender_id_requests_sweep_stuck()) + len(
        release.sender_id_requests_sweep_releasing()
    )


@shared_task(acks_late=True, ignore_result=True)
def sync_sender_ids() -> int:
    """Beat: reconcile with DescribeSenderIds and record drift. Returns the number of open drifts."""
    try:
        report = reconcile.sender_ids_sync()
    except reconcile.SyncInProgress:
        logger.info("sync_sender_ids: another sync is running; skipped")
        return -1
    except AwsError as exc:
        # The next beat tries again; nothing was recorded.
        logger.error("sync_sender_ids: AWS could not be read: %s", exc)
        return -1
    return len(report.drifts)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def worker_heartbeat(self: Task) -> None:
    """A ping through the broker: the worker that runs it records a beat (liveness has its own thread)."""
    liveness.beat(self.request.hostname or "unknown")
