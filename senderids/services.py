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


def worker_heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker[:200], defaults={"seen_at": timezone.now()}
    )
    return heartbeat
