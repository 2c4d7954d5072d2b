"""The timeline entries of the support-case process: one constructor per kind (senderids/events.py).

The texts are the ones the timeline has always shown (translated).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from senderids.events import POLLER_ACTOR, WORKER_ACTOR, Event


def support_case_opened(case_id: str) -> Event:
    """CreateCase answered (or the case of an interrupted attempt was found): → support_case_open."""
    return Event("support_case_opened", WORKER_ACTOR, _("AWS Support case %(id)s opened.") % {"id": case_id})


def support_case_resolved(case_id: str, aws_status: str) -> Event:
    return Event(
        "support_case_resolved",
        POLLER_ACTOR,
        _("AWS Support resolved case %(id)s.") % {"id": case_id},
        aws_status,
    )


def support_case_reopened(case_id: str, aws_status: str) -> Event:
    return Event(
        "support_case_reopened",
        POLLER_ACTOR,
        _("AWS Support case %(id)s was reopened.") % {"id": case_id},
        aws_status,
    )


def support_case_confirmed(staff: AbstractBaseUser) -> Event:
    """Staff confirmed the resolved case delivered the sender ID: → active."""
    return Event("support_case_confirmed", staff, _("Staff confirmed the sender ID is provisioned."))
