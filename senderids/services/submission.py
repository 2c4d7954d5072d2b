"""The worker's side of an approved request: submission to AWS exactly once, through the process registry.

`sender_id_request_submit` is what the task runs: it claims the row (approved → submitting, conditional
UPDATE), runs its process's `start` (senderids.registry) and records the outcome. A redelivered or
re-enqueued message that finds the row still `submitting` (a crash after the AWS call, before our
commit) repeats the start with the SAME ClientToken: AWS answers with what it already made, never a
second one. No row lock is held while AWS is called. The sweepers re-enqueue requests whose message
was lost.

The "supported" process (RequestSenderId, for countries that need no registration) lives here.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from smsvoice import gateway
from smsvoice.errors import PermanentAwsError, RetryableAwsError
from smsvoice.types import SenderIdInfo

from .. import events, lifecycle, registry
from ..choices import Status
from ..liveness import live_workers
from ..models import SenderIdRequest
from .common import (
    aws_code,
    aws_message,
    aws_write_may_have_reached_aws,
    gateway_of,
    note_aws_write,
    note_retryable_error,
    sweep_claim,
    take_over_claim,
)
from .release import enqueue_release
from .requests import enqueue_submission

logger = logging.getLogger(__name__)


def supported_start(request: SenderIdRequest) -> None:
    """The "supported" process: RequestSenderId with the stored ClientToken → ARN and price → active."""
    info = gateway_of(request).request_sender_id(
        sender_id=request.sender_id,
        iso_country_code=request.country_id,
        message_types=request.message_types,
        client_token=str(request.client_token),
        deletion_protection_enabled=request.deletion_protection,
        tags={"senderid-portal:request": str(request.pk)},
    )
    _supported_active(request, info)


def supported_resume(request: SenderIdRequest) -> bool:
    """A takeover after a RequestSenderId was sent: if that earlier attempt's call reached
    AWS, DescribeSenderIds lists the sender ID in this account and Region — record it (active) without
    asking AWS to lease it again. False when AWS does not have it: `start` then requests it.

    Only the account and Region the request is placed in are asked, and the duplicate rule (one open
    request per country and sender ID) means a sender ID there with this name is the one we asked for.
    """
    info = gateway_of(request).get_sender_id(sender_id=request.sender_id, iso_country_code=request.country_id)
    if info is None:
        return False
    logger.info("submit: request %s resumed from DescribeSenderIds, no second RequestSenderId", request.pk)
    _supported_active(request, info)
    return True


def _supported_active(request: SenderIdRequest, info: SenderIdInfo) -> None:
    lifecycle.transition(
        request,
        Status.ACTIVE,
        event=events.sender_id_created(),
        expected_from=Status.SUBMITTING,
        aws_sender_id_arn=info.sender_id_arn,
        monthly_leasing_price=str(info.monthly_leasing_price or "")[:20],
        deletion_protection=info.deletion_protection_enabled,
        aws_message_types=list(info.message_types),
        aws_error_code="",
        aws_error_message="",
    )


def supported_labels(requests: list[SenderIdRequest]) -> dict[int, str]:
    """My sender IDs' "registration" column for directly requested sender IDs."""
    return {request.pk: gettext("Not required") for request in requests}


def _claim_for_submission(request: SenderIdRequest, worker: str) -> bool:
    """approved → submitting (conditional UPDATE), recording the claiming worker. True if the row is ours
    to submit now.

    A row already `submitting` is resubmitted (and its claim taken over): its previous attempt may have
    reached AWS and died before our commit; the process's `resume` reads what AWS has first (when the
    write was sent), and the stored ClientToken makes a repeat of the write safe anyway.
    """
    if request.status == Status.APPROVED:
        try:
            lifecycle.transition(
                request,
                Status.SUBMITTING,
                event=events.submission_claimed(),
                expected_from=Status.APPROVED,
                claimed_by=worker[:200],
            )
            return True
        except lifecycle.TransitionConflict:
            request.refresh_from_db()
    if request.status == Status.SUBMITTING:
        take_over_claim(request, worker=worker)
        return True
    return False


def sender_id_request_submit(*, request_id: int, worker: str = "") -> SenderIdRequest | None:
    """Submit an approved request to AWS, once. Idempotent: safe to run for any request, any number of times.

    Raises RetryableAwsError for the task to retry (the row stays `submitting`, the error is noted on
    it); a PermanentAwsError moves the request to `failed` with AWS's code and message for the owner.
    A process that is not installed fails the request the same way (not retried).
    """
    request = (
        SenderIdRequest.objects.select_related("country", "owner", "aws_account")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        logger.warning("submit: request %s does not exist", request_id)
        return None
    if not _claim_for_submission(request, worker):
        logger.info("submit: request %s is %s, nothing to do", request.pk, request.status)
        return request
    try:
        with gateway.serving(request.pk):
            process = registry.get(request.process)
            resumable = process.resume is not None and aws_write_may_have_reached_aws(request)
            if not (resumable and process.resume(request)):
                note_aws_write(request)
                process.start(request)
    except registry.ProcessUnavailable as exc:
        _submission_failed(request, code="ProcessUnavailable", message=str(exc))
    except registry.ProcessRefused as exc:
        _submission_failed(
            request, code=exc.code, message=exc.reason, event=events.process_refused(exc.code, exc.reason)
        )
    except PermanentAwsError as exc:
        _submission_failed(request, code=aws_code(exc), message=aws_message(exc))
    except RetryableAwsError as exc:
        note_retryable_error(request, exc, status=Status.SUBMITTING)
        raise
    except lifecycle.TransitionConflict:
        # A concurrent delivery of the same request recorded the outcome first (same ClientToken,
        # same sender ID): nothing left to do.
        request.refresh_from_db()
        logger.info("submit: request %s was completed concurrently (%s)", request.pk, request.status)
    return request


def _submission_failed(
    request: SenderIdRequest, *, code: str, message: str, event: events.Event | None = None
) -> None:
    try:
        lifecycle.transition(
            request,
            Status.FAILED,
            event=event or events.aws_refused(code, message),
            expected_from=Status.SUBMITTING,
            aws_error_code=code[:100],
            aws_error_message=message,
        )
    except lifecycle.TransitionConflict:
        request.refresh_from_db()
        logger.info("submit: request %s moved on concurrently (%s)", request.pk, request.status)


# --- The sweeper: lost broker messages, crashed workers ------------------------------------------
def sender_id_requests_sweep_stuck(*, now: datetime | None = None) -> list[int]:
    """Re-enqueue requests stuck in approved/submitting (lost broker message, crashed worker).

    "Stuck" = untouched for longer than the status's threshold plus the time the current backlog
    needs at the AWS budget (a burst of approvals legitimately waits its turn). Each re-enqueued row
    is touched, so it waits a full threshold again before the next nudge. Re-enqueueing is always
    safe: the submit service is idempotent. Returns the ids re-enqueued.
    """
    now = now or timezone.now()
    in_flight = SenderIdRequest.objects.filter(status__in=(Status.APPROVED, Status.SUBMITTING))
    tps = float(settings.AWS_SMS_TPS)
    # Each (account, Region) has its own budget: the backlog drains at the pace of the busiest one.
    busiest = (
        in_flight.order_by()
        .values("aws_account", "aws_region")
        .annotate(n=Count("pk"))
        .aggregate(m=Max("n"))["m"]
        or 0
    )
    drain = busiest / tps if tps > 0 else 0.0
    approved_before = now - timedelta(seconds=settings.SENDERIDS_SWEEP_APPROVED_AFTER + drain)
    submitting_before = now - timedelta(seconds=settings.SENDERIDS_SWEEP_SUBMITTING_AFTER + drain)
    orphaned = Q(status=Status.SUBMITTING) & ~Q(claimed_by="") & ~Q(claimed_by__in=live_workers(now=now))
    stuck = in_flight.filter(
        Q(status=Status.APPROVED, updated_at__lt=approved_before)
        | Q(status=Status.SUBMITTING, updated_at__lt=submitting_before)
        # The worker that claimed it stopped beating: hand it to another worker now, not in 15 minutes.
        | orphaned
    )
    return sweep_claim(stuck, now=now, enqueue=enqueue_submission, what="request(s)")


def sender_id_requests_requeue_own(*, worker: str, running: set[int]) -> list[int]:
    """The worker's broker connection came back: every submission or release it claimed and is not
    running now (a retry waiting on its countdown, which Celery drops with the connection; the message
    stays unacked in Redis until the visibility timeout) goes back to the queue through the outbox. The
    liveness sweep cannot see these — their worker is alive — so without this they would wait for
    SENDERIDS_SWEEP_SUBMITTING_AFTER. Re-enqueueing is always safe: both services are idempotent."""
    if not worker:
        return []
    mine = SenderIdRequest.objects.filter(claimed_by=worker[:200]).exclude(pk__in=running)
    now = timezone.now()
    ids = sweep_claim(mine.filter(status=Status.SUBMITTING), now=now, enqueue=enqueue_submission, what="own")
    ids += sweep_claim(mine.filter(status=Status.RELEASING), now=now, enqueue=enqueue_release, what="own")
    return ids


def sender_id_request_submit_gave_up(*, request_id: int, error: RetryableAwsError, retries: int) -> None:
    """The task's retry budget is spent: a request still `submitting` fails with AWS's last answer, so the
    owner sees a reason and approvers can retry, instead of "working on it" forever."""
    request = SenderIdRequest.objects.filter(pk=request_id, status=Status.SUBMITTING).first()
    if request is None:
        return
    code, message = aws_code(error), aws_message(error)
    _submission_failed(
        request, code=code, message=message, event=events.aws_unreachable(code, message, retries=retries)
    )
