"""Celery tasks of sender-ID requests: thin wrappers that take an id, call one service, retry by policy.

`submit_sender_id_request` and `release_sender_id` are acks_late (a crashed worker's message is
redelivered, not lost) and retry only RetryableAwsError (smsvoice.retry: backoff with full jitter).
Beat runs the sweeper, the drift sync and the heartbeat; `send_status_email` (one per team member) and
`deliver_webhook` (one per webhook) are enqueued on commit of every user-visible transition
(senderids.notifications, senderids.webhooks); beat also runs the daily digests and the webhook retry
sweep, and the rule calendar's daily notices (senderids.services.regulation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Task, shared_task
from django.conf import settings

from smsvoice.errors import AwsError
from smsvoice.retry import run_with_retries

from . import enqueue, liveness, notifications, webhooks
from .services import reconcile, regulation, release, submission

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


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_status_email(self: Task, event_id: int, user_id: int | None = None) -> bool:
    """One team member's email about one change; without `user_id` (messages of older releases) every
    member's. In a worker it first waits until the change has settled (notifications.SETTLE), so that a
    change undone within a minute is not emailed; an eager run (tests, a shell) sends at once."""
    if user_id is not None and not self.request.is_eager:
        wait = notifications.status_email_settle_seconds(event_id=event_id)
        if wait > 0:
            try:
                self.apply_async(args=(event_id, user_id), countdown=wait)
                return False
            except Exception as exc:  # the broker is gone: better now than never
                logger.warning("send_status_email %s: could not defer (%s); sending now", event_id, exc)
    return notifications.status_email_send(event_id=event_id, user_id=user_id)


@shared_task(ignore_result=True)
def send_daily_digests() -> int:
    """Beat, daily: one `send_digest` per user who chose the daily digest."""
    return notifications.daily_digests_enqueue()


@shared_task(acks_late=True, ignore_result=True)
def send_digest(user_id: int) -> bool:
    return notifications.digest_send(user_id=user_id)


@shared_task(acks_late=True, ignore_result=True)
def send_staff_digest() -> int:
    """Beat, daily: support staff's digest of the requests that need attention."""
    return notifications.staff_digest_send()


# The attempt bounds itself (SENDERIDS_WEBHOOK_TIMEOUT); the time limit is the pool's backstop.
@shared_task(acks_late=True, ignore_result=True, time_limit=int(settings.SENDERIDS_WEBHOOK_TIMEOUT) + 60)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of one webhook delivery; retries are the sweep's (senderids.webhooks)."""
    return webhooks.webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def retry_webhook_deliveries() -> int:
    """Beat: enqueue the webhook deliveries whose next attempt is due."""
    return webhooks.webhook_deliveries_retry_due()


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


@shared_task(acks_late=True, ignore_result=True)
def rule_notices() -> int:
    """Beat, daily: tell the teams of active sender IDs about country rules starting within 30 days
    (senderids.services.regulation). A second run the same day sends nothing. Returns the emails sent."""
    return regulation.rule_notices_send()


@shared_task(bind=True, acks_late=True, ignore_result=True)
def worker_heartbeat(self: Task) -> None:
    """A ping through the broker: the worker that runs it records a beat (liveness has its own thread)."""
    liveness.beat(self.request.hostname or "unknown")
