"""Writes and business rules for sender-ID requests: creation and the status state machine.

Every status change goes through `sender_id_request_set_status`, which checks the transition
table, moves the row with a conditional UPDATE (claim, never a lock across network I/O) and
writes the StatusEvent in the same transaction. Side effects run on commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from countries.models import Country

from .models import SenderIdRequest, Status, StatusEvent, WorkerHeartbeat

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
            request=request, to=Status.APPROVED, actor="auto-approval", reason="Approval is not required."
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
        # Not a transition: note what AWS said (support staff see it) and keep the claim for the retry.
        # Touching updated_at also tells the sweeper this request is being worked on.
        SenderIdRequest.objects.filter(pk=request.pk, status=Status.SUBMITTING).update(
            aws_error_code=_aws_code(exc)[:100],
            aws_error_message=_aws_message(exc),
            updated_at=timezone.now(),
        )
        raise
    except TransitionConflict:
        # A concurrent delivery of the same request recorded the outcome first (same ClientToken,
        # same sender ID): nothing left to do.
        request.refresh_from_db()
        logger.info("submit: request %s was completed concurrently (%s)", request.pk, request.status)
    return request


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
    tps = float(getattr(settings, "AWS_SMS_TPS", 1.0))
    drain = in_flight.count() / tps if tps > 0 else 0.0
    approved_before = now - timedelta(seconds=settings.SENDERIDS_SWEEP_APPROVED_AFTER + drain)
    submitting_before = now - timedelta(seconds=settings.SENDERIDS_SWEEP_SUBMITTING_AFTER + drain)
    with transaction.atomic():
        ids = list(
            in_flight.filter(
                Q(status=Status.APPROVED, updated_at__lt=approved_before)
                | Q(status=Status.SUBMITTING, updated_at__lt=submitting_before)
            )
            .order_by("updated_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: settings.SENDERIDS_SWEEP_BATCH]
        )
        if ids:
            SenderIdRequest.objects.filter(pk__in=ids).update(updated_at=now)
            for pk in ids:
                enqueue_submission(pk)
    if ids:
        logger.warning("sweeper: re-enqueued %d stuck request(s): %s", len(ids), ids[:20])
    return ids
