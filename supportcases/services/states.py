"""One way a support case changes meaning (models.CaseState), whoever noticed it: the poller (after
the debounce, lifecycle.settle) or a staff member setting it by hand.

The request follows through `senderids.lifecycle.transition` when its status changes (open ⇄ resolved,
→ failed when refused); otherwise the change is a timeline note ("AWS is waiting for your reply" is a
sub-state of support_case_open, kept on the case). Either way one timeline entry, and at most one email:
the status email of a transition, or this app's "AWS is waiting for your reply" email for the note.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from senderids import lifecycle as request_lifecycle
from senderids.choices import Status
from senderids.enqueue import enqueue_on_commit
from senderids.events import Actor, Event
from senderids.models import SenderIdRequest, StatusEvent

from .. import events
from ..lifecycle import request_status_for
from ..models import CaseState, SupportCase

REPLY_NEEDED_EMAIL_TASK = "supportcases.tasks.send_reply_needed_email"
REFUSED_CODE = "SupportCaseRefused"


def _event(case: SupportCase, old: str, new: str, actor: Actor, aws_status: str, note: str) -> Event:
    reference = case.reference
    if new == CaseState.CUSTOMER_ACTION:
        return events.support_case_reply_needed(actor, aws_status, note)
    if new == CaseState.RESOLVED:
        return events.support_case_resolved(reference, aws_status, actor=actor, note=note)
    if new == CaseState.REFUSED:
        return events.support_case_refused(actor, reference, note)  # type: ignore[arg-type]
    if old == CaseState.RESOLVED:
        return events.support_case_reopened(reference, aws_status, actor=actor, note=note)
    return events.support_case_in_progress(actor, aws_status, note)


def _fields(target: str, aws_status: str, note: str) -> dict[str, str]:
    fields = {"aws_status": aws_status[:60]}
    if target == Status.FAILED:
        fields.update(aws_error_code=REFUSED_CODE, aws_error_message=note)
    return fields


def _move(
    request: SenderIdRequest, target: str, event: Event, *, reference: str, aws_status: str, note: str
) -> StatusEvent:
    """The request's transition; resolved → failed goes through open while the table lacks that edge
    (requested from senderids/lifecycle.py: SUPPORT_CASE_RESOLVED → FAILED with _AWS_STATUS | _AWS_ERROR)."""
    current = request.status
    if target not in request_lifecycle.allowed_targets(current) and current == Status.SUPPORT_CASE_RESOLVED:
        reopened = events.support_case_reopened(reference, aws_status, actor=event.actor)
        request_lifecycle.transition(
            request,
            Status.SUPPORT_CASE_OPEN,
            event=reopened,
            expected_from=current,
            aws_status=aws_status[:60],
        )
        current = Status.SUPPORT_CASE_OPEN
    return request_lifecycle.transition(
        request, target, event=event, expected_from=current, **_fields(target, aws_status, note)
    )


def case_state_apply(
    *,
    case: SupportCase,
    request: SenderIdRequest,
    state: str,
    actor: Actor,
    now: datetime,
    aws_status: str = "",
    note: str = "",
) -> StatusEvent | None:
    """Make `state` the case's state; the request follows. None when it already is.

    Raises IllegalTransition (TransitionConflict included) when the request moved meanwhile (e.g. staff
    confirmed it): nothing is written then.
    """
    old = case.state
    if state == old:
        return None
    event = _event(case, old, state, actor, aws_status or case.status, note)
    target = request_status_for(state)
    with transaction.atomic():
        if target != request.status:
            row = _move(
                request,
                target,
                event,
                reference=case.reference,
                aws_status=aws_status or case.status,
                note=note,
            )
        else:
            row = request_lifecycle.note(request, event=event)
            if aws_status and request.aws_status != aws_status[:60]:
                SenderIdRequest.objects.filter(pk=request.pk).update(aws_status=aws_status[:60])
                request.aws_status = aws_status[:60]
            if state == CaseState.CUSTOMER_ACTION:
                enqueue_on_commit(REPLY_NEEDED_EMAIL_TASK, row.pk)
        fields = {"state": state, "state_changed_at": now, "pending_state": "", "pending_since": None}
        if state == CaseState.RESOLVED:
            fields["resolved_at"] = now
        SupportCase.objects.filter(pk=case.pk).update(**fields, updated_at=now)
        for name, value in fields.items():
            setattr(case, name, value)
    return row
