"""The timeline entries of the support-case process: one constructor per kind (senderids/events.py).

Who acted is the entry's actor (the worker, the poller, or the staff member / owner); a staff
member's note follows the entry's sentence, as they wrote it. Every sentence is an entry of senderids'
one reason catalogue (senderids/reasons.py), rendered in each reader's language.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from senderids.events import POLLER_ACTOR, WORKER_ACTOR, Actor, Event, with_reason
from senderids.reasons import NOTE


def support_case_prepared(previous_case_id: str = "") -> Event:
    """Assisted mode's start: the case text is ready for staff to open in the Support Center (staff are
    alerted: nothing happens until one of them does)."""
    if previous_case_id:
        code, params = "support_case_prepared_after_refusal", {"id": previous_case_id}
    else:
        code, params = "support_case_prepared", {}
    return with_reason("support_case_prepared", WORKER_ACTOR, code, params, alert_staff=True)


def support_case_opened(case_id: str) -> Event:
    """CreateCase answered (or the case of an interrupted attempt was found): → support_case_open."""
    return with_reason("support_case_opened", WORKER_ACTOR, "support_case_opened", {"id": case_id})


def support_case_recorded(staff: AbstractBaseUser, reference: str, *, corrected: bool) -> Event:
    """Assisted mode: staff opened the case in the Support Center and recorded its id."""
    code = "support_case_recorded_corrected" if corrected else "support_case_recorded"
    return with_reason("support_case_recorded", staff, code, {"id": reference})


def support_case_reply_needed(actor: Actor, aws_status: str = "", note: str = "") -> Event:
    return with_reason(
        "support_case_reply_needed",
        actor or POLLER_ACTOR,
        "support_case_reply_needed",
        {NOTE: (note or "").strip()},
        aws_status,
    )


def support_case_in_progress(actor: Actor, aws_status: str = "", note: str = "") -> Event:
    return with_reason(
        "support_case_in_progress",
        actor or POLLER_ACTOR,
        "support_case_in_progress",
        {NOTE: (note or "").strip()},
        aws_status,
    )


def support_case_resolved(
    case_id: str, aws_status: str, *, actor: Actor = POLLER_ACTOR, note: str = ""
) -> Event:
    return with_reason(
        "support_case_resolved",
        actor,
        "support_case_resolved",
        {"id": case_id, NOTE: (note or "").strip()},
        aws_status,
    )


def support_case_reopened(
    case_id: str, aws_status: str, *, actor: Actor = POLLER_ACTOR, note: str = ""
) -> Event:
    return with_reason(
        "support_case_reopened",
        actor,
        "support_case_reopened",
        {"id": case_id, NOTE: (note or "").strip()},
        aws_status,
    )


def support_case_refused(staff: AbstractBaseUser, case_id: str, note: str) -> Event:
    """Staff read AWS's answer as a refusal: the request fails with their note as the reason."""
    return with_reason(
        "support_case_refused",
        staff,
        "support_case_refused",
        {"id": case_id, NOTE: (note or "").strip()},
        "SupportCaseRefused",
    )


def support_case_answered(author: AbstractBaseUser, *, by_api: bool) -> Event:
    code = "support_case_answered_by_api" if by_api else "support_case_answered"
    return with_reason("support_case_answered", author, code)


def support_case_answer_pasted(staff: AbstractBaseUser) -> Event:
    return with_reason("support_case_answer_pasted", staff, "support_case_answer_pasted")


def support_case_answer_failed(code: str, message: str) -> Event:
    """AddCommunicationToCase refused the team's answer (support staff are alerted)."""
    return with_reason(
        "support_case_answer_failed",
        WORKER_ACTOR,
        "support_case_answer_failed",
        {},
        code,
        message,
        alert_staff=True,
    )


def support_case_confirmed(staff: AbstractBaseUser) -> Event:
    """Staff confirmed the resolved case delivered the sender ID: → active."""
    return with_reason("support_case_confirmed", staff, "support_case_confirmed")
