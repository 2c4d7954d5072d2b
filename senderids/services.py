"""Writes and business rules for sender-ID requests: creation and the status state machine.

Every status change goes through `sender_id_request_set_status`, which checks the transition
table, moves the row with a conditional UPDATE (claim, never a lock across network I/O) and
writes the StatusEvent in the same transaction. Side effects run on commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from countries.models import Country

from .models import (
    OPEN_STATUSES,
    DriftKind,
    SenderIdDrift,
    SenderIdRequest,
    Status,
    StatusEvent,
    WorkerHeartbeat,
)

logger = logging.getLogger(__name__)

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING_REVIEW: frozenset({Status.APPROVED, Status.REJECTED}),
    Status.APPROVED: frozenset({Status.SUBMITTING, Status.REJECTED}),
    # submitting → approved: a retry gives the claim back (crash or transient error).
    Status.SUBMITTING: frozenset(
        {Status.ACTIVE, Status.REGISTRATION_DRAFT, Status.SUPPORT_CASE_OPEN, Status.FAILED, Status.APPROVED}
    ),
    Status.REGISTRATION_DRAFT: frozenset({Status.REGISTRATION_SUBMITTED, Status.ACTIVE, Status.FAILED}),
    Status.REGISTRATION_SUBMITTED: frozenset({Status.REQUIRES_UPDATES, Status.ACTIVE, Status.FAILED}),
    Status.REQUIRES_UPDATES: frozenset({Status.REGISTRATION_SUBMITTED, Status.FAILED}),
    Status.SUPPORT_CASE_OPEN: frozenset({Status.SUPPORT_CASE_RESOLVED, Status.FAILED}),
    Status.SUPPORT_CASE_RESOLVED: frozenset({Status.ACTIVE, Status.SUPPORT_CASE_OPEN}),
    Status.ACTIVE: frozenset({Status.RELEASING}),
    Status.RELEASING: frozenset({Status.RELEASED, Status.ACTIVE}),
    Status.FAILED: frozenset({Status.APPROVED}),
    Status.REJECTED: frozenset(),
    Status.RELEASED: frozenset(),
}


class IllegalTransition(Exception):
    """The state machine does not allow this move."""


class TransitionConflict(IllegalTransition):
    """The row was no longer in the expected status: someone else moved it first."""


# Hooks other apps register (e.g. owner notification) to run on commit after a transition.
_transition_listeners: list[Callable[[SenderIdRequest, StatusEvent], None]] = []


def on_transition(listener: Callable[[SenderIdRequest, StatusEvent], None]) -> Callable:
    _transition_listeners.append(listener)
    return listener


def _actor_fields(actor: AbstractBaseUser | str | None) -> dict[str, Any]:
    if actor is None:
        return {"actor": None, "actor_label": "system"}
    if isinstance(actor, str):
        return {"actor": None, "actor_label": actor[:150]}
    return {"actor": actor, "actor_label": actor.get_username()}


def sender_id_request_set_status(
    *,
    request: SenderIdRequest,
    to: str,
    actor: AbstractBaseUser | str | None = None,
    reason: str = "",
    aws_code: str = "",
    aws_message: str = "",
    expected_from: str | None = None,
    **fields: Any,
) -> StatusEvent:
    """Move `request` to `to`, writing its StatusEvent. Extra `fields` are saved in the same UPDATE.

    Raises IllegalTransition if the table forbids it, TransitionConflict if the row moved meanwhile.
    """
    current = expected_from or request.status
    if to not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(f"{current} → {to} is not allowed")
    now = timezone.now()
    with transaction.atomic():
        updated = SenderIdRequest.objects.filter(pk=request.pk, status=current).update(
            status=to, status_changed_at=now, updated_at=now, **fields
        )
        if updated != 1:
            raise TransitionConflict(f"request {request.pk} is no longer {current}")
        event = StatusEvent.objects.create(
            request=request,
            from_status=current,
            to_status=to,
            reason=reason,
            aws_code=aws_code[:100],
            aws_message=aws_message,
            **_actor_fields(actor),
        )
        request.status, request.status_changed_at = to, now
        for name, value in fields.items():
            setattr(request, name, value)
        for listener in _transition_listeners:
            transaction.on_commit(lambda listener=listener: listener(request, event))
    return event


def enqueue_submission(request_id: int) -> None:
    """Queue the AWS submission once the surrounding transaction commits."""
    from .tasks import submit_sender_id_request

    transaction.on_commit(lambda: submit_sender_id_request.delay(request_id))


@transaction.atomic
def sender_id_request_create(
    *,
    owner: AbstractBaseUser,
    country: Country,
    sender_id: str,
    message_type: str,
    sms: bool = True,
    voice: bool = False,
    monthly_volume: str = "",
    company_hq: str = "",
    registration_form_name: str = "",
    registration_choice: str = "",
    support_case_details: dict[str, Any] | None = None,
) -> SenderIdRequest:
    """Create a request (status pending_review, or approved when approval is off) with its first event."""
    request = SenderIdRequest.objects.create(
        owner=owner,
        country=country,
        sender_id=sender_id,
        process=country.sender_id_process,
        message_type=message_type,
        sms=sms,
        voice=voice,
        monthly_volume=monthly_volume,
        company_hq=company_hq,
        registration_form_name=registration_form_name,
        registration_choice=registration_choice,
        support_case_details=support_case_details or {},
    )
    StatusEvent.objects.create(
        request=request, from_status="", to_status=Status.PENDING_REVIEW, **_actor_fields(owner)
    )
    if not settings.SENDERIDS_REQUIRE_APPROVAL:
        sender_id_request_set_status(
            request=request,
            to=Status.APPROVED,
            actor="auto-approval",
            reason=gettext("Approval is not required."),
        )
        enqueue_submission(request.pk)
    return request


class DuplicateSenderIdRequest(Exception):
    """The owner already has an open request for this sender ID in this country."""

    def __init__(self, existing: SenderIdRequest):
        super().__init__(f"open request #{existing.pk} exists")
        self.existing = existing


@transaction.atomic
def sender_id_request_create_unique(
    *, owner: AbstractBaseUser, country: Country, sender_id: str, **fields: Any
) -> SenderIdRequest:
    """`sender_id_request_create`, refusing a duplicate of one of the owner's open requests.

    The owner's row is locked first, so two submissions racing (double click, two tabs) are
    serialised and the second one sees the first one's request instead of creating a twin.
    """
    from django.contrib.auth import get_user_model

    from .selectors import sender_id_request_open_duplicate

    get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk").first()
    existing = sender_id_request_open_duplicate(
        owner=owner,
        country_iso=country.iso_code,
        sender_id=sender_id,
        case_sensitive=bool((country.sender_id_rules or {}).get("case_sensitive")),
    )
    if existing is not None:
        raise DuplicateSenderIdRequest(existing)
    return sender_id_request_create(owner=owner, country=country, sender_id=sender_id, **fields)


def worker_heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker[:200], defaults={"seen_at": timezone.now()}
    )
    return heartbeat


# --- Approval and submission pipeline (admin review → Celery → AWS, exactly once) ----------------
#
# approve / reject are the admin's transitions. `sender_id_request_submit` is what the task runs: it
# claims the row (approved → submitting, conditional UPDATE), calls AWS with the request's stored
# ClientToken and records the outcome. A redelivered or re-enqueued message that finds the row still
# `submitting` (a crash after the AWS call, before our commit) repeats the call with the SAME token:
# AWS answers with the sender ID it already made, never a second one. No row lock is held while AWS
# is called. The sweeper re-enqueues requests whose message was lost.

WORKER_ACTOR = "worker"
APPROVE_PERMISSION = "senderids.approve_senderidrequest"
REJECTION_REASON_MAX_LENGTH = 2000


class SubmissionUnavailable(RuntimeError):
    """The request's process has no submit implementation in this deployment (not retried)."""


def _require_approver(actor: AbstractBaseUser) -> None:
    from django.core.exceptions import PermissionDenied

    if not (actor.is_active and actor.is_staff and actor.has_perm(APPROVE_PERMISSION)):
        raise PermissionDenied("approving or rejecting sender ID requests needs the approve permission")


def sender_id_request_approve(*, request: SenderIdRequest, actor: AbstractBaseUser) -> StatusEvent:
    """pending_review → approved by an approver; the AWS submission is enqueued on commit."""
    _require_approver(actor)
    with transaction.atomic():
        event = sender_id_request_set_status(
            request=request, to=Status.APPROVED, actor=actor, expected_from=Status.PENDING_REVIEW
        )
        enqueue_submission(request.pk)
    return event


def rejection_reason_clean(reason: str) -> str:
    """The reason the owner will read: required, at most REJECTION_REASON_MAX_LENGTH characters."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection: the requester will read it."))
    if len(reason) > REJECTION_REASON_MAX_LENGTH:
        raise ValidationError(
            _("The reason is too long (%(length)d characters; at most %(max)d).")
            % {"length": len(reason), "max": REJECTION_REASON_MAX_LENGTH}
        )
    return reason


def sender_id_request_reject(
    *, request: SenderIdRequest, actor: AbstractBaseUser, reason: str
) -> StatusEvent:
    """pending_review (or approved, before the worker claims it) → rejected, with the reason kept."""
    _require_approver(actor)
    reason = rejection_reason_clean(reason)
    return sender_id_request_set_status(request=request, to=Status.REJECTED, actor=actor, reason=reason)


def _submit_supported(request: SenderIdRequest) -> None:
    """RequestSenderId with the stored ClientToken → ARN and monthly price recorded → active."""
    from smsvoice.gateway import get_gateway

    info = get_gateway().request_sender_id(
        sender_id=request.sender_id,
        iso_country_code=request.country_id,
        message_types=request.message_types,
        client_token=str(request.client_token),
        deletion_protection_enabled=request.deletion_protection,
        tags={"senderid-portal:request": str(request.pk)},
    )
    sender_id_request_set_status(
        request=request,
        to=Status.ACTIVE,
        actor=WORKER_ACTOR,
        expected_from=Status.SUBMITTING,
        aws_sender_id_arn=info.sender_id_arn,
        monthly_leasing_price=str(info.monthly_leasing_price or "")[:20],
        deletion_protection=info.deletion_protection_enabled,
        aws_error_code="",
        aws_error_message="",
    )


def _registrations_service(name: str) -> Callable[..., Any]:
    # Imported lazily: registrations depends on senderids, not the other way round.
    try:
        from registrations import services as registration_services
    except ImportError as exc:
        raise SubmissionUnavailable(f"registrations.services is not available ({exc})") from exc
    function = getattr(registration_services, name, None)
    if function is None:
        raise SubmissionUnavailable(f"registrations.services.{name} is not implemented yet")
    return function


def _submit_registration(request: SenderIdRequest) -> None:
    _registrations_service("registration_start")(request=request)


def _submit_support_case(request: SenderIdRequest) -> None:
    _registrations_service("support_case_open")(request=request)


_SUBMITTERS: dict[str, Callable[[SenderIdRequest], None]] = {
    "supported": _submit_supported,
    "registration": _submit_registration,
    "support_case": _submit_support_case,
}


def _claim_for_submission(request: SenderIdRequest) -> bool:
    """approved → submitting (conditional UPDATE). True if the row is ours to submit now.

    A row already `submitting` is resubmitted: its previous attempt may have reached AWS and died
    before our commit; the stored ClientToken makes the repeat safe.
    """
    if request.status == Status.APPROVED:
        try:
            sender_id_request_set_status(
                request=request, to=Status.SUBMITTING, actor=WORKER_ACTOR, expected_from=Status.APPROVED
            )
            return True
        except TransitionConflict:
            request.refresh_from_db()
    return request.status == Status.SUBMITTING


def sender_id_request_submit(*, request_id: int) -> SenderIdRequest | None:
    """Submit an approved request to AWS, once. Idempotent: safe to run for any request, any number of times.

    Raises RetryableAwsError for the task to retry (the row stays `submitting`, the error is noted on
    it); a PermanentAwsError moves the request to `failed` with AWS's code and message for the owner.
    """
    from smsvoice.gateway import PermanentAwsError, RetryableAwsError

    request = SenderIdRequest.objects.select_related("country", "owner").filter(pk=request_id).first()
    if request is None:
        logger.warning("submit: request %s does not exist", request_id)
        return None
    if not _claim_for_submission(request):
        logger.info("submit: request %s is %s, nothing to do", request.pk, request.status)
        return request
    submitter = _SUBMITTERS.get(request.process)
    try:
        if submitter is None:
            raise SubmissionUnavailable(f"no submission for process {request.process!r}")
        submitter(request)
    except PermanentAwsError as exc:
        _submission_failed(request, code=_aws_code(exc), message=_aws_message(exc))
    except RetryableAwsError as exc:
        _note_retryable_error(request, exc, status=Status.SUBMITTING)
        raise
    except TransitionConflict:
        # A concurrent delivery of the same request recorded the outcome first (same ClientToken,
        # same sender ID): nothing left to do.
        request.refresh_from_db()
        logger.info("submit: request %s was completed concurrently (%s)", request.pk, request.status)
    return request


def _note_retryable_error(request: SenderIdRequest, exc: Exception, *, status: str) -> None:
    """Not a transition: note what AWS said (support staff see it) on the row still in `status`, which
    keeps its claim for the task's retry. Touching updated_at tells the sweeper it is being worked on."""
    SenderIdRequest.objects.filter(pk=request.pk, status=status).update(
        aws_error_code=_aws_code(exc)[:100],
        aws_error_message=_aws_message(exc),
        updated_at=timezone.now(),
    )


def _aws_code(exc: Exception) -> str:
    return str(getattr(exc, "code", "") or type(exc).__name__)


def _aws_message(exc: Exception) -> str:
    return str(getattr(exc, "message", "") or exc)


def _submission_failed(request: SenderIdRequest, *, code: str, message: str) -> None:
    from django.utils.translation import gettext as _

    try:
        sender_id_request_set_status(
            request=request,
            to=Status.FAILED,
            actor=WORKER_ACTOR,
            reason=_("AWS refused the request."),
            aws_code=code,
            aws_message=message,
            expected_from=Status.SUBMITTING,
            aws_error_code=code[:100],
            aws_error_message=message,
        )
    except TransitionConflict:
        request.refresh_from_db()
        logger.info("submit: request %s moved on concurrently (%s)", request.pk, request.status)


def sender_id_requests_sweep_stuck(*, now: Any = None) -> list[int]:
    """Re-enqueue requests stuck in approved/submitting (lost broker message, crashed worker).

    "Stuck" = untouched for longer than the status's threshold plus the time the current backlog
    needs at the AWS budget (a burst of approvals legitimately waits its turn). Each re-enqueued row
    is touched, so it waits a full threshold again before the next nudge. Re-enqueueing is always
    safe: the submit service is idempotent. Returns the ids re-enqueued.
    """
    from datetime import timedelta

    from django.db.models import Q

    now = now or timezone.now()
    in_flight = SenderIdRequest.objects.filter(status__in=(Status.APPROVED, Status.SUBMITTING))
    tps = float(settings.AWS_SMS_TPS)
    drain = in_flight.count() / tps if tps > 0 else 0.0
    approved_before = now - timedelta(seconds=settings.SENDERIDS_SWEEP_APPROVED_AFTER + drain)
    submitting_before = now - timedelta(seconds=settings.SENDERIDS_SWEEP_SUBMITTING_AFTER + drain)
    stuck = in_flight.filter(
        Q(status=Status.APPROVED, updated_at__lt=approved_before)
        | Q(status=Status.SUBMITTING, updated_at__lt=submitting_before)
    )
    return _sweep_claim(stuck, now=now, enqueue=enqueue_submission, what="request(s)")


def _sweep_claim(stale: QuerySet, *, now: Any, enqueue: Callable[[int], None], what: str) -> list[int]:
    """Claim up to SENDERIDS_SWEEP_BATCH of the `stale` rows, oldest first, and re-enqueue them.

    `skip_locked` lets two sweepers share the work instead of queueing behind each other; each
    claimed row is touched (updated_at=now) so it waits a full threshold before the next nudge, and
    `enqueue` runs its task on commit. Returns the ids re-enqueued.
    """
    with transaction.atomic():
        ids = list(
            stale.order_by("updated_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: settings.SENDERIDS_SWEEP_BATCH]
        )
        if ids:
            SenderIdRequest.objects.filter(pk__in=ids).update(updated_at=now)
            for pk in ids:
                enqueue(pk)
    if ids:
        logger.warning("sweeper: re-enqueued %d stuck %s: %s", len(ids), what, ids[:20])
    return ids


# --- Release, deletion protection, reconciliation with AWS ---------------------------------------
#
# Release is two steps, like submission: `sender_id_request_release` (owner, or staff on their
# behalf) moves active → releasing and enqueues the task on commit; the conditional UPDATE in the
# choke point makes a double submit one transition and so one message, one AWS call. The task runs
# `sender_id_request_release_execute`: ReleaseSenderId → released. AWS answering "not found" means
# the sender ID is already gone, which is what we wanted: released. Any other refusal (Conflict:
# deletion protection) puts the request back to active with AWS's reason on the timeline.
# A redelivered message finds the row released (nothing to do) or still releasing (a crash after
# the AWS call, before our commit): the repeat call answers "not found" and also ends released.

RELEASE_PERMISSION = "senderids.release_senderidrequest"
RELEASE_CONFIRMATION_WORD = "release"
DELETION_PROTECTION_REASON = "DELETION_PROTECTION_ENABLED"
NOT_FOUND_CODE = "ResourceNotFoundException"


class DeletionProtectionOn(Exception):
    """The sender ID has deletion protection on: AWS would refuse to release it. Turn it off first."""


def release_confirmation_matches(typed: object) -> bool:
    """True when `typed` is exactly the word "release" once surrounding whitespace is trimmed."""
    return isinstance(typed, str) and typed.strip() == RELEASE_CONFIRMATION_WORD


def _require_releaser(request: SenderIdRequest, actor: AbstractBaseUser) -> None:
    """The owner, or staff with the release permission (acting on the owner's behalf)."""
    from django.core.exceptions import PermissionDenied

    if not actor.is_active:
        raise PermissionDenied("inactive users cannot release sender IDs")
    if actor.pk == request.owner_id:
        return
    if not (actor.is_staff and actor.has_perm(RELEASE_PERMISSION)):
        raise PermissionDenied("releasing another user's sender ID needs the release permission")


def _display_name(user: AbstractBaseUser) -> str:
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    username = user.get_username()
    return f"{full_name} ({username})" if full_name else username


def enqueue_release(request_id: int) -> None:
    """Queue ReleaseSenderId once the surrounding transaction commits."""
    from .tasks import release_sender_id

    transaction.on_commit(lambda: release_sender_id.delay(request_id))


def sender_id_request_release(
    *, request: SenderIdRequest, actor: AbstractBaseUser, note: str = ""
) -> StatusEvent:
    """active → releasing by its owner (or staff on the owner's behalf); the AWS call is enqueued on commit.

    Raises DeletionProtectionOn when the sender ID is protected (turn it off first), IllegalTransition
    when the request is not active, TransitionConflict when a concurrent release won (a double submit).
    """
    from django.utils.translation import gettext as _

    _require_releaser(request, actor)
    if request.status == Status.ACTIVE and request.deletion_protection:
        raise DeletionProtectionOn(f"request {request.pk} has deletion protection on")
    if actor.pk == request.owner_id:
        reason = _("Release requested by the owner.")
    else:
        reason = _("Released by staff member %(name)s on behalf of the owner.") % {
            "name": _display_name(actor)
        }
    note = (note or "").strip()
    if note:
        reason = f"{reason} {note}"
    with transaction.atomic():
        event = sender_id_request_set_status(
            request=request, to=Status.RELEASING, actor=actor, reason=reason, expected_from=Status.ACTIVE
        )
        enqueue_release(request.pk)
    return event


def _release_outcome(request: SenderIdRequest, *, to: str, **kwargs: Any) -> None:
    try:
        sender_id_request_set_status(
            request=request, to=to, actor=WORKER_ACTOR, expected_from=Status.RELEASING, **kwargs
        )
    except TransitionConflict:
        # A concurrent delivery recorded the outcome first.
        request.refresh_from_db()
        logger.info("release: request %s moved on concurrently (%s)", request.pk, request.status)


def sender_id_request_release_execute(*, request_id: int) -> SenderIdRequest | None:
    """ReleaseSenderId for a `releasing` request, and record the outcome. Safe to run any number of times.

    Raises RetryableAwsError for the task to retry (the row stays `releasing`, the error noted on it).
    """
    from django.utils.translation import gettext as _

    from smsvoice.gateway import PermanentAwsError, RetryableAwsError, get_gateway

    request = SenderIdRequest.objects.select_related("country", "owner").filter(pk=request_id).first()
    if request is None:
        logger.warning("release: request %s does not exist", request_id)
        return None
    if request.status != Status.RELEASING:
        logger.info("release: request %s is %s, nothing to do", request.pk, request.status)
        return request
    try:
        get_gateway().release_sender_id(sender_id=request.sender_id, iso_country_code=request.country_id)
    except RetryableAwsError as exc:
        _note_retryable_error(request, exc, status=Status.RELEASING)
        raise
    except PermanentAwsError as exc:
        code, message = _aws_code(exc), _aws_message(exc)
        if code == NOT_FOUND_CODE:
            _release_outcome(
                request,
                to=Status.RELEASED,
                reason=_("AWS no longer has this sender ID: it counts as released."),
                aws_code=code,
                aws_message=message,
                deletion_protection=False,
                aws_error_code="",
                aws_error_message="",
            )
            return request
        protected = getattr(exc, "reason", None) == DELETION_PROTECTION_REASON
        if protected:
            reason = _(
                "AWS refused to release the sender ID because its deletion protection is on. "
                "Turn deletion protection off, then release it again."
            )
        else:
            reason = _("AWS refused to release the sender ID: it stays active.")
        if getattr(exc, "reason", None):
            message = f"{message} (reason: {exc.reason})"
        extra = {"deletion_protection": True} if protected else {}
        _release_outcome(
            request,
            to=Status.ACTIVE,
            reason=reason,
            aws_code=code,
            aws_message=message,
            aws_error_code=code[:100],
            aws_error_message=message,
            **extra,
        )
        return request
    _release_outcome(
        request,
        to=Status.RELEASED,
        reason=_("AWS released the sender ID. Lease charges stop from the next calendar month."),
        deletion_protection=False,
        aws_error_code="",
        aws_error_message="",
    )
    return request


def status_event_note(
    *,
    request: SenderIdRequest,
    actor: AbstractBaseUser | str | None,
    reason: str,
    aws_code: str = "",
    aws_message: str = "",
) -> StatusEvent:
    """A timeline entry for an action that does not change the status (e.g. deletion protection off)."""
    return StatusEvent.objects.create(
        request=request,
        from_status=request.status,
        to_status=request.status,
        reason=reason,
        aws_code=aws_code[:100],
        aws_message=aws_message,
        **_actor_fields(actor),
    )


def sender_id_deletion_protection_disable(*, request: SenderIdRequest, actor: AbstractBaseUser) -> bool:
    """UpdateSenderId(DeletionProtectionEnabled=false) for an active sender ID; noted on its timeline.

    Returns the protection AWS now reports (False). A sender ID AWS no longer has has nothing to
    protect: the flag is cleared too (releasing it then ends as released). Other AWS errors are raised
    (RetryableAwsError: try again later; PermanentAwsError: AWS's message for the user).
    """
    from django.utils.translation import gettext as _

    from smsvoice.gateway import PermanentAwsError, get_gateway, interactive

    _require_releaser(request, actor)
    if request.status != Status.ACTIVE:
        raise IllegalTransition(
            f"deletion protection can only be changed on an active sender ID ({request.status})"
        )
    aws_code = aws_message = ""
    try:
        with interactive():  # the owner is waiting on the page
            info = get_gateway().update_sender_id(
                sender_id=request.sender_id,
                iso_country_code=request.country_id,
                deletion_protection_enabled=False,
            )
        protected = info.deletion_protection_enabled
        reason = _("Deletion protection turned off at AWS.")
    except PermanentAwsError as exc:
        if _aws_code(exc) != NOT_FOUND_CODE:
            raise
        protected, aws_code, aws_message = False, _aws_code(exc), _aws_message(exc)
        reason = _("AWS no longer has this sender ID: there is no deletion protection to turn off.")
    if actor.pk != request.owner_id:
        reason = f"{reason} " + _("By staff member %(name)s on behalf of the owner.") % {
            "name": _display_name(actor)
        }
    with transaction.atomic():
        SenderIdRequest.objects.filter(pk=request.pk).update(
            deletion_protection=protected, updated_at=timezone.now()
        )
        request.deletion_protection = protected
        status_event_note(
            request=request, actor=actor, reason=reason, aws_code=aws_code, aws_message=aws_message
        )
    return protected


def sender_id_request_retry(*, request: SenderIdRequest, actor: AbstractBaseUser) -> StatusEvent:
    """failed → approved with a fresh ClientToken (the old token's request failed), resubmitted on commit.

    Only for sender IDs requested directly (process "supported"): registrations and support cases have
    their own records at AWS and are retried from their own pages.
    """
    from django.utils.translation import gettext as _

    _require_approver(actor)
    if request.process != "supported":
        raise IllegalTransition(
            f"retry is only offered for directly requested sender IDs ({request.process})"
        )
    with transaction.atomic():
        event = sender_id_request_set_status(
            request=request,
            to=Status.APPROVED,
            actor=actor,
            reason=_("Retried by %(name)s after the failure.") % {"name": _display_name(actor)},
            expected_from=Status.FAILED,
            client_token=uuid.uuid4(),
            aws_error_code="",
            aws_error_message="",
        )
        enqueue_submission(request.pk)
    return event


def sender_id_requests_sweep_releasing(*, now: Any = None) -> list[int]:
    """Re-enqueue releases stuck in `releasing` (lost message, worker gone) for longer than the
    submitting threshold; each is touched so it waits a full threshold before the next nudge."""
    from datetime import timedelta

    now = now or timezone.now()
    before = now - timedelta(seconds=settings.SENDERIDS_SWEEP_SUBMITTING_AFTER)
    stuck = SenderIdRequest.objects.filter(status=Status.RELEASING, updated_at__lt=before)
    return _sweep_claim(stuck, now=now, enqueue=enqueue_release, what="release(s)")


# --- sync_sender_ids: DescribeSenderIds (all pages) against our requests -------------------------


@dataclass
class SyncReport:
    aws_count: int = 0
    active_count: int = 0
    refreshed: list[int] = field(default_factory=list)  # active requests whose AWS-owned fields changed
    drifts: list[SenderIdDrift] = field(default_factory=list)  # open after this run
    new: list[SenderIdDrift] = field(default_factory=list)
    resolved: list[SenderIdDrift] = field(default_factory=list)


def _describe_for_drift(info: Any) -> dict[str, Any]:
    return {
        "sender_id_arn": info.sender_id_arn,
        "message_types": list(info.message_types),
        "monthly_leasing_price": str(info.monthly_leasing_price or ""),
        "deletion_protection_enabled": info.deletion_protection_enabled,
        "registered": info.registered,
        "registration_id": info.registration_id or "",
    }


# One sync at a time (command and beat may overlap): a cache lock, Redis-backed when REDIS_URL is set.
SYNC_LOCK_KEY = "senderids:sync-sender-ids"
SYNC_LOCK_SECONDS = 15 * 60


class SyncInProgress(Exception):
    """Another sync_sender_ids is running; try again once it has finished."""


def sender_ids_sync(*, now: Any = None) -> SyncReport:
    """Run `_sender_ids_sync` unless another sync holds the lock (then raise SyncInProgress)."""
    from django.core.cache import cache

    if not cache.add(SYNC_LOCK_KEY, "1", SYNC_LOCK_SECONDS):
        raise SyncInProgress
    try:
        return _sender_ids_sync(now=now)
    finally:
        cache.delete(SYNC_LOCK_KEY)


def _sender_ids_sync(*, now: Any = None) -> SyncReport:
    """Reconcile AWS's sender IDs with our requests; record drift (SenderIdDrift), change no status.

    Drift is a sender ID in AWS that no open request of ours accounts for ("unknown here": made by
    hand in the console, or released here but not at AWS), or an active request whose sender ID AWS
    no longer lists ("gone in AWS"). Matching active requests get AWS's deletion protection and
    monthly price. Our active set is read before AWS's list and re-checked after, our open set after
    it, so a request created, activated or released while the sync runs is never flagged.
    Raises RetryableAwsError / PermanentAwsError when AWS cannot be read (nothing is recorded then).
    """
    from smsvoice.gateway import get_gateway

    now = now or timezone.now()
    active_before = {
        (sender_id, iso): pk
        for pk, sender_id, iso in SenderIdRequest.objects.filter(status=Status.ACTIVE).values_list(
            "pk", "sender_id", "country_id"
        )
    }
    in_aws = {(info.sender_id, info.iso_country_code): info for info in get_gateway().describe_sender_ids()}
    report = SyncReport(aws_count=len(in_aws))
    known = set(
        SenderIdRequest.objects.filter(status__in=OPEN_STATUSES).values_list("sender_id", "country_id")
    )
    unknown = {key: info for key, info in in_aws.items() if key not in known}
    gone = list(
        SenderIdRequest.objects.filter(
            pk__in=[pk for key, pk in active_before.items() if key not in in_aws], status=Status.ACTIVE
        )
        .select_related("owner")
        .order_by("pk")
    )
    matched = SenderIdRequest.objects.filter(
        pk__in=[pk for key, pk in active_before.items() if key in in_aws], status=Status.ACTIVE
    ).only(
        "pk", "sender_id", "country_id", "deletion_protection", "monthly_leasing_price", "aws_sender_id_arn"
    )
    for request in matched:
        info = in_aws[(request.sender_id, request.country_id)]
        fresh = {
            "deletion_protection": info.deletion_protection_enabled,
            "monthly_leasing_price": str(info.monthly_leasing_price or "")[:20],
            "aws_sender_id_arn": info.sender_id_arn,
        }
        if any(getattr(request, name) != value for name, value in fresh.items()):
            SenderIdRequest.objects.filter(pk=request.pk, status=Status.ACTIVE).update(**fresh)
            report.refreshed.append(request.pk)
    report.active_count = len(active_before)

    # The latest request of ours (released, failed...) for each unknown sender ID, for staff's context.
    previous: dict[tuple[str, str], SenderIdRequest] = {}
    if unknown:
        for request in SenderIdRequest.objects.filter(
            sender_id__in={s for s, _iso in unknown}, country_id__in={iso for _s, iso in unknown}
        ).order_by("created_at", "pk"):
            previous[(request.sender_id, request.country_id)] = request

    seen: list[tuple[str, str, str, dict[str, Any]]] = [
        (
            DriftKind.UNKNOWN_HERE,
            sender_id,
            iso,
            {"request": previous.get((sender_id, iso)), "aws_details": _describe_for_drift(info)},
        )
        for (sender_id, iso), info in sorted(unknown.items())
    ]
    seen += [
        (DriftKind.GONE_IN_AWS, r.sender_id, r.country_id, {"request": r, "aws_details": {}}) for r in gone
    ]
    with transaction.atomic():
        open_rows = {
            (d.kind, d.sender_id, d.iso_country_code): d
            for d in SenderIdDrift.objects.select_for_update(of=("self",))
            .select_related("request")
            .filter(resolved_at__isnull=True)
        }
        for kind, sender_id, iso, values in seen:
            drift = open_rows.pop((kind, sender_id, iso), None)
            if drift is None:
                drift = SenderIdDrift.objects.create(
                    kind=kind,
                    sender_id=sender_id,
                    iso_country_code=iso,
                    first_seen_at=now,
                    last_seen_at=now,
                    **values,
                )
                report.new.append(drift)
            else:
                for name, value in values.items():
                    setattr(drift, name, value)
                drift.last_seen_at = now
                drift.save(update_fields=["request", "aws_details", "last_seen_at"])
            report.drifts.append(drift)
        for drift in open_rows.values():
            drift.resolved_at = now
            drift.save(update_fields=["resolved_at"])
            report.resolved.append(drift)
    if report.new:
        logger.warning("sync: %d new drift(s): %s", len(report.new), [str(d) for d in report.new[:20]])
    return report
