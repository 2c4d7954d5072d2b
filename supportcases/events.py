"""The timeline entries of the support-case process: one constructor per kind (senderids/events.py).

Who acted is the entry's actor (the worker, the poller, or the staff member / owner); a staff
member's note follows the entry's sentence.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from senderids.events import POLLER_ACTOR, WORKER_ACTOR, Actor, Event


def _with_note(reason: str, note: str) -> str:
    note = (note or "").strip()
    return f"{reason} {note}" if note else reason


def support_case_prepared(previous_case_id: str = "") -> Event:
    """Assisted mode's start: the case text is ready for staff to open in the Support Center (staff are
    alerted: nothing happens until one of them does)."""
    reason = _("The AWS Support case is prepared: waiting for staff to open it in the AWS Support Center.")
    if previous_case_id:
        reason = f"{reason} " + _("The previous case %(id)s was refused.") % {"id": previous_case_id}
    return Event("support_case_prepared", WORKER_ACTOR, reason, alert_staff=True)


def support_case_opened(case_id: str) -> Event:
    """CreateCase answered (or the case of an interrupted attempt was found): → support_case_open."""
    return Event("support_case_opened", WORKER_ACTOR, _("AWS Support case %(id)s opened.") % {"id": case_id})


def support_case_recorded(staff: AbstractBaseUser, reference: str, *, corrected: bool) -> Event:
    """Assisted mode: staff opened the case in the Support Center and recorded its id."""
    if corrected:
        reason = _("The AWS Support case is now recorded as %(id)s.") % {"id": reference}
    else:
        reason = _("AWS Support case %(id)s opened in the AWS Support Center.") % {"id": reference}
    return Event("support_case_recorded", staff, reason)


def support_case_reply_needed(actor: Actor, aws_status: str = "", note: str = "") -> Event:
    return Event(
        "support_case_reply_needed",
        actor or POLLER_ACTOR,
        _with_note(_("AWS Support is waiting for your reply."), note),
        aws_status,
    )


def support_case_in_progress(actor: Actor, aws_status: str = "", note: str = "") -> Event:
    return Event(
        "support_case_in_progress",
        actor or POLLER_ACTOR,
        _with_note(_("AWS Support is working on the case."), note),
        aws_status,
    )


def support_case_resolved(
    case_id: str, aws_status: str, *, actor: Actor = POLLER_ACTOR, note: str = ""
) -> Event:
    return Event(
        "support_case_resolved",
        actor,
        _with_note(_("AWS Support resolved case %(id)s.") % {"id": case_id}, note),
        aws_status,
    )


def support_case_reopened(
    case_id: str, aws_status: str, *, actor: Actor = POLLER_ACTOR, note: str = ""
) -> Event:
    return Event(
        "support_case_reopened",
        actor,
        _with_note(_("AWS Support case %(id)s was reopened.") % {"id": case_id}, note),
        aws_status,
    )


def support_case_refused(staff: AbstractBaseUser, case_id: str, note: str) -> Event:
    """Staff read AWS's answer as a refusal: the request fails with their note as the reason."""
    return Event(
        "support_case_refused",
        staff,
        _with_note(_("AWS Support refused the sender ID (case %(id)s).") % {"id": case_id}, note),
        "SupportCaseRefused",
    )


def support_case_answered(author: AbstractBaseUser, *, by_api: bool) -> Event:
    if by_api:
        reason = _("The team answered AWS Support; the answer is being sent to the case.")
    else:
        reason = _("The team answered AWS Support; staff will paste the answer into the case.")
    return Event("support_case_answered", author, reason)


def support_case_answer_pasted(staff: AbstractBaseUser) -> Event:
    return Event(
        "support_case_answer_pasted", staff, _("Staff pasted the team's answer into the AWS Support case.")
    )


def support_case_answer_failed(code: str, message: str) -> Event:
    """AddCommunicationToCase refused the team's answer (support staff are alerted)."""
    return Event(
        "support_case_answer_failed",
        WORKER_ACTOR,
        _("The answer could not be sent to AWS Support."),
        code,
        message,
        alert_staff=True,
    )


def support_case_confirmed(staff: AbstractBaseUser) -> Event:
    """Staff confirmed the resolved case delivered the sender ID: → active."""
    return Event("support_case_confirmed", staff, _("Staff confirmed the sender ID is provisioned."))
