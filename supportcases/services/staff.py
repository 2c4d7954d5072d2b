"""What staff do to a support case, each behind its permission (supportcases/permissions.py):

* `support_case_record` (manage) — assisted mode: the case is open in the Support Center; its case id
  (or Support Center number) is recorded, the case is open. Again later: a correction.
* `support_case_set_state` (manage) — open / AWS asked for information / resolved / refused, with a
  note. Open and resolved only for a case the API does not follow; refused (a verdict AWS never gives
  as a status) always. What AWS asked for becomes AWS's message on the case.
* `support_case_answer_pasted` (manage) — the team's queued answer is in the case now.
* `support_case_confirm` (confirm) — the resolved case delivered the sender ID: → active.
* `support_case_retry` (senderids' approve permission) — a failed request (refused case, or CreateCase
  refused) is approved again; its start prepares a new case.

Each raises PermissionDenied for anyone else, ValidationError for bad input, IllegalTransition when
the request is not where the action makes sense; nothing is written then.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from senderids import lifecycle as request_lifecycle
from senderids.choices import Status
from senderids.models import SenderIdRequest, StatusEvent
from senderids.services.requests import sender_id_request_retry

from .. import events
from ..lifecycle import API_OWNED_STATES, MANUAL_STATES
from ..models import CaseState, Delivery, Direction, SupportCase, SupportCaseCommunication
from ..permissions import require_confirmer, require_manager
from ..references import invalid_case_id, parse_case_reference
from .poller import is_followed
from .states import case_state_apply

NOTE_MAX_LENGTH = 8000


def _case(request: SenderIdRequest) -> SupportCase:
    case = SupportCase.objects.select_for_update().filter(request=request).first()
    if case is None or request.status not in (Status.SUPPORT_CASE_OPEN, Status.SUPPORT_CASE_RESOLVED):
        raise request_lifecycle.IllegalTransition(f"request {request.pk} has no open support case")
    return case


def support_case_record(*, request: SenderIdRequest, actor: AbstractBaseUser, reference: str) -> SupportCase:
    """Record the AWS case id (or the Support Center's number) of the case staff opened in the console."""
    require_manager(actor)
    parsed = parse_case_reference(reference)
    if parsed is None:
        raise invalid_case_id()
    with transaction.atomic():
        case = _case(request)
        if case.state not in (CaseState.AWAITING_STAFF, CaseState.OPEN, CaseState.CUSTOMER_ACTION):
            raise request_lifecycle.IllegalTransition(f"case of request {request.pk} is {case.state}")
        if (case.case_id, case.display_id) == (parsed.case_id, parsed.display_id):
            return case
        corrected = case.state != CaseState.AWAITING_STAFF
        now = timezone.now()
        fields = {
            "case_id": parsed.case_id,
            "display_id": parsed.display_id,
            "state": CaseState.OPEN if case.state == CaseState.AWAITING_STAFF else case.state,
            "state_changed_at": now if not corrected else case.state_changed_at,
            "opened_at": case.opened_at or now,
            "opened_by": case.opened_by or actor,
            "next_poll_due": None,
        }
        SupportCase.objects.filter(pk=case.pk).update(**fields, updated_at=now)
        for name, value in fields.items():
            setattr(case, name, value)
        request_lifecycle.note(
            request, event=events.support_case_recorded(actor, str(parsed), corrected=corrected)
        )
    return case


def support_case_set_state(
    *, request: SenderIdRequest, actor: AbstractBaseUser, state: str, note: str
) -> SupportCase:
    """Set the case's state by hand (what AWS said, read in the Support Center), with a note."""
    require_manager(actor)
    note = (note or "").strip()
    if state not in MANUAL_STATES:
        raise ValidationError(_("Choose what AWS Support said."), code="invalid_state")
    if not note:
        raise ValidationError(_("Add a note: what AWS Support said, in a few words."), code="note_required")
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("The note is too long: at most %(max)d characters.") % {"max": NOTE_MAX_LENGTH},
            code="note_too_long",
        )
    with transaction.atomic():
        case = _case(request)
        if case.state == CaseState.AWAITING_STAFF or not case.reference:
            raise ValidationError(_("Record the AWS case ID first."), code="no_case_id")
        if state in API_OWNED_STATES and is_followed(case):
            raise ValidationError(
                _("AWS reports this case's status to the portal: only “refused” can be set by hand."),
                code="followed_by_api",
            )
        if state == case.state:
            raise ValidationError(_("The case is already in this state."), code="same_state")
        now = timezone.now()
        if state == CaseState.CUSTOMER_ACTION:
            SupportCaseCommunication.objects.create(
                case=case, direction=Direction.FROM_AWS, body=note, author=actor, time_created=now
            )
        case_state_apply(case=case, request=request, state=state, actor=actor, now=now, note=note)
    return case


def support_case_answer_pasted(
    *, request: SenderIdRequest, actor: AbstractBaseUser, communication_id: int
) -> SupportCaseCommunication:
    """Staff pasted the team's queued answer into the case; a case waiting for that reply is open again."""
    require_manager(actor)
    with transaction.atomic():
        case = _case(request)
        answer = (
            SupportCaseCommunication.objects.select_for_update()
            .filter(pk=communication_id, case=case, direction=Direction.TO_AWS, delivery=Delivery.QUEUED)
            .first()
        )
        if answer is None:
            raise ValidationError(_("This answer is not waiting to be pasted."), code="not_queued")
        now = timezone.now()
        SupportCaseCommunication.objects.filter(pk=answer.pk).update(
            delivery=Delivery.PASTED, delivered_at=now, delivered_by=actor
        )
        request_lifecycle.note(request, event=events.support_case_answer_pasted(actor))
        if case.state == CaseState.CUSTOMER_ACTION and not is_followed(case):
            case_state_apply(case=case, request=request, state=CaseState.OPEN, actor=actor, now=now)
    answer.delivery = Delivery.PASTED
    return answer


def support_case_confirm(*, request: SenderIdRequest, actor: AbstractBaseUser) -> None:
    """Staff confirm that the resolved case delivered the sender ID: support_case_resolved → active.

    Raises PermissionDenied without the confirm permission, IllegalTransition unless the case is resolved.
    """
    require_confirmer(actor)
    with transaction.atomic():
        request_lifecycle.transition(
            request,
            Status.ACTIVE,
            event=events.support_case_confirmed(actor),
            expected_from=Status.SUPPORT_CASE_RESOLVED,
        )
        SupportCase.objects.filter(request=request).update(
            confirmed_at=timezone.now(), confirmed_by=actor, updated_at=timezone.now()
        )


def support_case_retry(*, request: SenderIdRequest, actor: AbstractBaseUser) -> StatusEvent:
    """failed → approved (fresh ClientToken, errors cleared), resubmitted on commit: the process's start
    then prepares a new case (a refused one is kept in previous_case_ids) or calls CreateCase again."""
    return sender_id_request_retry(request=request, actor=actor)
