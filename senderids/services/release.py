"""Release of an active sender ID, and turning its deletion protection off first.

Release is two steps, like submission: `sender_id_request_release` (owner, or staff on their behalf)
moves active → releasing and enqueues the task on commit; the conditional UPDATE in the choke point
makes a double submit one transition and so one message, one AWS call. The task runs
`sender_id_request_release_execute`: ReleaseSenderId → released. AWS answering "not found" means the
sender ID is already gone, which is what we wanted: released. Any other refusal (Conflict: deletion
protection) puts the request back to active with AWS's reason on the timeline. A redelivered message
finds the row released (nothing to do) or still releasing (a crash after the AWS call, before our
commit): the repeat call answers "not found" and also ends released.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from smsvoice import gateway
from smsvoice.errors import PermanentAwsError, RetryableAwsError

from .. import events, lifecycle, registry
from ..choices import Status
from ..enqueue import enqueue_on_commit
from ..events import Event
from ..liveness import live_workers
from ..models import SenderIdRequest, StatusEvent
from ..permissions import require_releaser
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

logger = logging.getLogger(__name__)

RELEASE_CONFIRMATION_WORD = "release"
DELETION_PROTECTION_REASON = "DELETION_PROTECTION_ENABLED"
NOT_FOUND_CODE = "ResourceNotFoundException"
RELEASE_TASK = "senderids.tasks.release_sender_id"


class DeletionProtectionOn(Exception):
    """The sender ID has deletion protection on: AWS would refuse to release it. Turn it off first."""


def release_confirmation_matches(typed: object) -> bool:
    """True when `typed` is exactly the word "release" once surrounding whitespace is trimmed."""
    return isinstance(typed, str) and typed.strip() == RELEASE_CONFIRMATION_WORD


def enqueue_release(request_id: int) -> None:
    """Queue ReleaseSenderId once the surrounding transaction commits."""
    enqueue_on_commit(RELEASE_TASK, request_id)


def sender_id_request_release(
    *, request: SenderIdRequest, actor: AbstractBaseUser, note: str = ""
) -> StatusEvent:
    """active → releasing by its owner (or staff on the owner's behalf); the AWS call is enqueued on commit.

    Raises DeletionProtectionOn when the sender ID is protected (turn it off first), IllegalTransition
    when the request is not active, TransitionConflict when a concurrent release won (a double submit).
    """
    require_releaser(request, actor)
    if request.status == Status.ACTIVE and request.deletion_protection:
        raise DeletionProtectionOn(f"request {request.pk} has deletion protection on")
    event = events.release_requested(actor, by_owner=actor.pk == request.owner_id, note=note)
    with transaction.atomic():
        status_event = lifecycle.transition(
            request, Status.RELEASING, event=event, expected_from=Status.ACTIVE
        )
        enqueue_release(request.pk)
    return status_event


def _release_outcome(request: SenderIdRequest, to: str, *, event: Event, **fields: Any) -> None:
    try:
        with transaction.atomic():
            lifecycle.transition(request, to, event=event, expected_from=Status.RELEASING, **fields)
            process = registry.find(request.process)
            if to == Status.RELEASED and process is not None and process.after_release is not None:
                process.after_release(request)
    except lifecycle.TransitionConflict:
        # A concurrent delivery recorded the outcome first.
        request.refresh_from_db()
        logger.info("release: request %s moved on concurrently (%s)", request.pk, request.status)


def sender_id_request_release_execute(*, request_id: int, worker: str = "") -> SenderIdRequest | None:
    """ReleaseSenderId for a `releasing` request, and record the outcome. Safe to run any number of times.

    Raises RetryableAwsError for the task to retry (the row stays `releasing`, the error noted on it).
    """
    request = (
        SenderIdRequest.objects.select_related("country", "owner", "aws_account")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        logger.warning("release: request %s does not exist", request_id)
        return None
    if request.status != Status.RELEASING:
        logger.info("release: request %s is %s, nothing to do", request.pk, request.status)
        return request
    take_over_claim(request, worker=worker)
    cleared = {"deletion_protection": False, "aws_error_code": "", "aws_error_message": ""}
    try:
        with gateway.serving(request.pk):
            if aws_write_may_have_reached_aws(request) and _gone_at_aws(request):
                # An earlier attempt's ReleaseSenderId reached AWS and died before our commit.
                _release_outcome(request, Status.RELEASED, event=events.released(), **cleared)
                return request
            note_aws_write(request)
            gateway_of(request).release_sender_id(
                sender_id=request.sender_id, iso_country_code=request.country_id
            )
    except RetryableAwsError as exc:
        note_retryable_error(request, exc, status=Status.RELEASING)
        raise
    except PermanentAwsError as exc:
        code, message = aws_code(exc), aws_message(exc)
        if code == NOT_FOUND_CODE:
            _release_outcome(
                request, Status.RELEASED, event=events.released_already_gone(code, message), **cleared
            )
            return request
        protected = exc.reason == DELETION_PROTECTION_REASON
        if exc.reason:
            message = f"{message} (reason: {exc.reason})"
        extra = {"deletion_protection": True} if protected else {}
        _release_outcome(
            request,
            Status.ACTIVE,
            event=events.release_refused(code, message, protected=protected),
            aws_error_code=code[:100],
            aws_error_message=message,
            **extra,
        )
        return request
    _release_outcome(request, Status.RELEASED, event=events.released(), **cleared)
    return request


def _gone_at_aws(request: SenderIdRequest) -> bool:
    """DescribeSenderIds no longer lists the sender ID in the request's account and Region."""
    held = gateway_of(request).get_sender_id(sender_id=request.sender_id, iso_country_code=request.country_id)
    return held is None


def sender_id_deletion_protection_disable(*, request: SenderIdRequest, actor: AbstractBaseUser) -> bool:
    """UpdateSenderId(DeletionProtectionEnabled=false) for an active sender ID; noted on its timeline.

    Returns the protection AWS now reports (False). A sender ID AWS no longer has has nothing to
    protect: the flag is cleared too (releasing it then ends as released). Other AWS errors are raised
    (RetryableAwsError: try again later; PermanentAwsError: AWS's message for the user).
    """
    require_releaser(request, actor)
    if request.status != Status.ACTIVE:
        raise lifecycle.IllegalTransition(
            f"deletion protection can only be changed on an active sender ID ({request.status})"
        )
    code = message = ""
    try:
        # The owner is waiting on the page: a busy rate budget answers "try again" in seconds.
        with gateway.interactive(), gateway.serving(request.pk):
            info = gateway_of(request).update_sender_id(
                sender_id=request.sender_id,
                iso_country_code=request.country_id,
                deletion_protection_enabled=False,
            )
        protected, gone = info.deletion_protection_enabled, False
    except PermanentAwsError as exc:
        if aws_code(exc) != NOT_FOUND_CODE:
            raise
        protected, gone, code, message = False, True, aws_code(exc), aws_message(exc)
    event = events.deletion_protection_off(
        actor, by_owner=actor.pk == request.owner_id, already_gone=gone, aws_code=code, aws_message=message
    )
    with transaction.atomic():
        SenderIdRequest.objects.filter(pk=request.pk).update(
            deletion_protection=protected, updated_at=timezone.now()
        )
        request.deletion_protection = protected
        lifecycle.note(request, event=event)
    return protected


def sender_id_requests_sweep_releasing(*, now: datetime | None = None) -> list[int]:
    """Re-enqueue releases stuck in `releasing` (lost message, worker gone) for longer than the
    submitting threshold; each is touched so it waits a full threshold before the next nudge."""
    now = now or timezone.now()
    before = now - timedelta(seconds=settings.SENDERIDS_SWEEP_SUBMITTING_AFTER)
    orphaned = ~Q(claimed_by="") & ~Q(claimed_by__in=live_workers(now=now))
    stuck = SenderIdRequest.objects.filter(status=Status.RELEASING).filter(
        Q(updated_at__lt=before) | orphaned
    )
    return sweep_claim(stuck, now=now, enqueue=enqueue_release, what="release(s)")


def sender_id_request_release_gave_up(*, request_id: int, error: RetryableAwsError, retries: int) -> None:
    """The release task's retry budget is spent: the sender ID is still leased, so it is active again
    with the reason (and can be released again), not `releasing` forever."""
    request = SenderIdRequest.objects.filter(pk=request_id, status=Status.RELEASING).first()
    if request is None:
        return
    code, message = aws_code(error), aws_message(error)
    _release_outcome(
        request,
        Status.ACTIVE,
        event=events.release_unreachable(code, message, retries=retries),
        aws_error_code=code[:100],
        aws_error_message=message,
    )
