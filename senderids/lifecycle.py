"""The lifecycle of a sender-ID request: its one transition table, its status sets, its choke point.

`TRANSITIONS` says, for every status, where a request may go next and which of its columns that
move may write (nothing else may be written "as part of a transition"). `transition()` is the only
code that changes `SenderIdRequest.status`: it checks the table, moves the row with a conditional
UPDATE (a claim, never a lock held across network I/O) and writes the StatusEvent in the same
transaction. `record_creation()` and `note()` write the other two kinds of timeline entries, so
every StatusEvent is written here and the timeline is complete by construction. What an entry says
comes from one constructor per event kind (senderids/events.py, and each process's own).

How AWS's statuses map onto ours lives with the app that reads them (registrations/lifecycle.py,
supportcases/lifecycle.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .choices import Status
from .enqueue import enqueue_on_commit
from .events import SYSTEM_ACTOR, Event
from .models import SenderIdRequest, StatusEvent

STAFF_ALERT_TASK = "senderids.tasks.send_staff_alert"

# --- What a transition may write ------------------------------------------------------------------
_NOTHING: frozenset[str] = frozenset()
_AWS_ERROR = frozenset({"aws_error_code", "aws_error_message"})
_AWS_STATUS = frozenset({"aws_status"})
# What AWS tells us about a sender ID it made.
_SENDER_ID = frozenset(
    {"aws_sender_id_arn", "monthly_leasing_price", "deletion_protection", "aws_message_types"}
)

# {from: {to: the columns that move may write}}. Anything missing is not allowed.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Status.PENDING_REVIEW: {Status.APPROVED: _NOTHING, Status.REJECTED: _NOTHING},
    # The worker's claim records which worker holds it (senderids.liveness).
    Status.APPROVED: {Status.SUBMITTING: frozenset({"claimed_by"}), Status.REJECTED: _NOTHING},
    Status.SUBMITTING: {
        Status.ACTIVE: _SENDER_ID | _AWS_ERROR,
        Status.REGISTRATION_DRAFT: _AWS_STATUS | _AWS_ERROR,
        Status.SUPPORT_CASE_OPEN: _AWS_STATUS | _AWS_ERROR,
        Status.FAILED: _AWS_ERROR,
        # A retry gives the claim back (crash or transient error).
        Status.APPROVED: _NOTHING,
    },
    Status.REGISTRATION_DRAFT: {
        Status.REGISTRATION_SUBMITTED: _AWS_STATUS | _AWS_ERROR,
        Status.ACTIVE: _AWS_STATUS | _SENDER_ID,
        Status.FAILED: _AWS_STATUS | _AWS_ERROR,
    },
    Status.REGISTRATION_SUBMITTED: {
        Status.REQUIRES_UPDATES: _AWS_STATUS,
        Status.ACTION_REQUIRED: _AWS_STATUS,
        Status.ACTIVE: _AWS_STATUS | _SENDER_ID,
        Status.FAILED: _AWS_STATUS | _AWS_ERROR,
        # AWS reports CREATED again: the submitted version was discarded (by the owner, or at AWS).
        Status.REGISTRATION_DRAFT: _AWS_STATUS | _AWS_ERROR,
    },
    Status.ACTION_REQUIRED: {
        # The owner did what AWS asked (e.g. email authentication): the review goes on.
        Status.REGISTRATION_SUBMITTED: _AWS_STATUS,
        Status.REQUIRES_UPDATES: _AWS_STATUS,
        Status.ACTIVE: _AWS_STATUS | _SENDER_ID,
        Status.FAILED: _AWS_STATUS | _AWS_ERROR,
        Status.REGISTRATION_DRAFT: _AWS_STATUS | _AWS_ERROR,
    },
    Status.REQUIRES_UPDATES: {
        Status.REGISTRATION_SUBMITTED: _AWS_STATUS | _AWS_ERROR,
        Status.FAILED: _AWS_STATUS | _AWS_ERROR,
    },
    Status.SUPPORT_CASE_OPEN: {
        Status.SUPPORT_CASE_RESOLVED: _AWS_STATUS,
        Status.FAILED: _AWS_STATUS | _AWS_ERROR,
    },
    Status.SUPPORT_CASE_RESOLVED: {
        Status.ACTIVE: _NOTHING,
        Status.SUPPORT_CASE_OPEN: _AWS_STATUS,
        # AWS resolved the case by refusing the sender ID (staff record it).
        Status.FAILED: _AWS_STATUS | _AWS_ERROR,
    },
    Status.ACTIVE: {Status.RELEASING: _NOTHING},
    Status.RELEASING: {
        Status.RELEASED: frozenset({"deletion_protection"}) | _AWS_ERROR,
        # AWS refused: back to active with its reason (and what it says of deletion protection).
        Status.ACTIVE: frozenset({"deletion_protection"}) | _AWS_ERROR,
    },
    # A retry starts over with a fresh ClientToken: the old token's request failed.
    Status.FAILED: {Status.APPROVED: frozenset({"client_token"}) | _AWS_ERROR},
    Status.REJECTED: {},
    Status.RELEASED: {},
}

# --- Status sets ----------------------------------------------------------------------------------
# A sender ID + country pair counts as taken by its owner (duplicate check).
OPEN_STATUSES = frozenset(Status) - {Status.RELEASED, Status.REJECTED, Status.FAILED}
# A worker is acting right now: pages showing them refresh themselves.
WORKING_STATUSES = frozenset({Status.APPROVED, Status.SUBMITTING, Status.RELEASING})
# Nothing will ever happen to the request again.
TERMINAL_STATUSES = frozenset({Status.RELEASED, Status.REJECTED})
# Sender IDs held at AWS: leased (and charged) until released.
HELD_STATUSES = frozenset({Status.ACTIVE, Status.RELEASING})
# The owner may still change what the request's process will send (e.g. the registration form).
EDITABLE_STATUSES = frozenset(
    {Status.PENDING_REVIEW, Status.APPROVED, Status.REGISTRATION_DRAFT, Status.REQUIRES_UPDATES}
)
# A "Register later" request still needs its registration; afterwards it was sent (or is over).
REGISTRATION_PENDING_STATUSES = frozenset(
    {Status.PENDING_REVIEW, Status.APPROVED, Status.SUBMITTING, Status.REGISTRATION_DRAFT}
)
# Internal steps the owner need not hear about: the worker's claim, a claim given back, the start of
# a release the owner asked for themselves. Every other transition is user-visible (email).
SILENT_TRANSITIONS = frozenset(
    {
        (Status.APPROVED, Status.SUBMITTING),
        (Status.SUBMITTING, Status.APPROVED),
        (Status.ACTIVE, Status.RELEASING),
    }
)


def is_user_visible(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) not in SILENT_TRANSITIONS and to_status != Status.SUBMITTING


def allowed_targets(from_status: str) -> frozenset[str]:
    return frozenset(TRANSITIONS.get(from_status, {}))


class IllegalTransition(Exception):
    """The state machine does not allow this move."""


class TransitionConflict(IllegalTransition):
    """The row was no longer in the expected status: someone else moved it first."""


class FieldNotAllowed(TypeError):
    """A caller tried to write a column the transition table does not give that move (a bug)."""


# --- Listeners (on commit of every transition) ----------------------------------------------------
_transition_listeners: list[Callable[[SenderIdRequest, StatusEvent], None]] = []


def on_transition(listener: Callable[[SenderIdRequest, StatusEvent], None]) -> None:
    """Run `listener(request, event)` on commit of every transition (registered once, in ready())."""
    if listener not in _transition_listeners:
        _transition_listeners.append(listener)


# --- The choke point ------------------------------------------------------------------------------
def transition(
    request: SenderIdRequest,
    to: str,
    *,
    event: Event,
    expected_from: str | None = None,
    **fields: Any,
) -> StatusEvent:
    """Move `request` to `to` and write `event` on its timeline; `fields` are saved in the same UPDATE.

    Raises IllegalTransition if the table forbids the move, TransitionConflict if the row moved
    meanwhile, FieldNotAllowed if `fields` names a column this move may not write.
    """
    current = expected_from or request.status
    targets = TRANSITIONS.get(current, {})
    if to not in targets:
        raise IllegalTransition(f"{current} → {to} is not allowed")
    extra = set(fields) - targets[to]
    if extra:
        raise FieldNotAllowed(f"{current} → {to} may not write {sorted(extra)}")
    now = timezone.now()
    with transaction.atomic():
        updated = SenderIdRequest.objects.filter(pk=request.pk, status=current).update(
            status=to, status_changed_at=now, updated_at=now, **fields
        )
        if updated != 1:
            raise TransitionConflict(f"request {request.pk} is no longer {current}")
        status_event = _write(request, event, from_status=current, to_status=to)
        request.status, request.status_changed_at = to, now
        for name, value in fields.items():
            setattr(request, name, value)
        for listener in _transition_listeners:
            transaction.on_commit(lambda listener=listener: listener(request, status_event))
    return status_event


def record_creation(request: SenderIdRequest, *, event: Event) -> StatusEvent:
    """The first timeline entry of a new request (from nothing to its initial status)."""
    return _write(request, event, from_status="", to_status=request.status)


def note(request: SenderIdRequest, *, event: Event) -> StatusEvent:
    """A timeline entry for something that happened without a status change."""
    return _write(request, event, from_status=request.status, to_status=request.status)


def _write(request: SenderIdRequest, event: Event, *, from_status: str, to_status: str) -> StatusEvent:
    actor = event.actor
    if actor is None:
        actor_fields: dict[str, Any] = {"actor": None, "actor_label": SYSTEM_ACTOR}
    elif isinstance(actor, str):
        actor_fields = {"actor": None, "actor_label": actor[:150]}
    else:
        actor_fields = {"actor": actor, "actor_label": actor.get_username()}
    row = StatusEvent.objects.create(
        request=request,
        kind=event.kind,
        from_status=from_status,
        to_status=to_status,
        # The English text (search, admin, old readers) and the catalogue entry each reader's language
        # renders (senderids.reasons.reason_text).
        reason=str(event.reason),
        reason_code=event.reason_code[:60],
        reason_params=dict(event.reason_params),
        aws_code=event.aws_code[:100],
        aws_message=event.aws_message,
        **actor_fields,
    )
    if event.alert_staff:
        enqueue_on_commit(STAFF_ALERT_TASK, row.pk)
    return row
