"""What a timeline entry says: one constructor per kind of event (saleor's pattern).

Services never write a StatusEvent themselves: they build an `Event` with the constructor of what
happened and hand it to `lifecycle.transition()` / `record_creation()` / `note()`. The kind is stored
on the row, so the timeline, the notifications and support staff can tell entries apart without
parsing their text. Processes (registrations, supportcases) define their own kinds the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from . import reasons

Actor = AbstractBaseUser | str | None

# Who acted when not a person.
WORKER_ACTOR = "worker"
AUTO_APPROVAL_ACTOR = "auto-approval"
# The processes' pollers (registrations, support cases) mirroring what AWS says.
POLLER_ACTOR = "registration-poller"
# What lifecycle writes when an event names no actor at all.
SYSTEM_ACTOR = "system"

# How the technical actors are named for people (actor_display): the portal's own work, or AWS's word.
PORTAL_ACTORS = frozenset({WORKER_ACTOR, AUTO_APPROVAL_ACTOR, SYSTEM_ACTOR, ""})
AWS_ACTORS = frozenset({POLLER_ACTOR, "support-case-poller", "supportcase-poller", "event-consumer"})


@dataclass(frozen=True)
class Event:
    kind: str
    actor: Actor = None
    # The reason in English (what StatusEvent.reason keeps); `reason_code` names its catalogue entry
    # (senderids/reasons.py) and `reason_params` fills it, so each reader gets it in their language.
    reason: str = ""
    aws_code: str = ""
    aws_message: str = ""
    # Support staff are emailed about it (something only they can sort out: a revoked registration...).
    alert_staff: bool = False
    reason_code: str = ""
    reason_params: Mapping[str, Any] = field(default_factory=dict)


def with_reason(
    kind: str,
    actor: Actor,
    code: str = "",
    params: Mapping[str, Any] | None = None,
    aws_code: str = "",
    aws_message: str = "",
    *,
    alert_staff: bool = False,
) -> Event:
    """An Event whose reason is the catalogue entry `code` (every constructor builds its Event here).

    The English text is kept as `reason`; `params` must be JSON (they are stored on the row).
    """
    params = {k: v for k, v in (params or {}).items() if not (k == reasons.NOTE and not v)}
    return Event(
        kind,
        actor,
        reasons.english(code, params) if code else "",
        aws_code,
        aws_message,
        alert_staff=alert_staff,
        reason_code=code,
        reason_params=params,
    )


def display_name(user: AbstractBaseUser) -> str:
    """How a staff member is named on a timeline: "Full Name (username)", or the username."""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    username = user.get_username()
    return f"{full_name} ({username})" if full_name else username


class ActorName(NamedTuple):
    """Who acted, for people (`name`), and for staff the portal's technical label too (`technical`,
    empty when it says nothing more than the name)."""

    name: str
    technical: str = ""

    def __str__(self) -> str:
        return self.name


def actor_display(entry: Any, *, staff: bool) -> ActorName:
    """How a timeline entry's actor is named: a person by their username, the portal's own work
    (worker, auto-approval) as "the portal", what a poller mirrors from AWS as "AWS" (translated).
    Staff also get the technical label (shown in a title attribute or the details)."""
    label = getattr(entry, "actor_label", "") or ""
    if getattr(entry, "actor_id", None) is not None or label not in PORTAL_ACTORS | AWS_ACTORS:
        return ActorName(label)  # a person: their username, as written when they acted
    name = _("AWS") if label in AWS_ACTORS else _("the portal")
    return ActorName(name, (label or SYSTEM_ACTOR) if staff else "")


# --- The request ----------------------------------------------------------------------------------
def requested(owner: AbstractBaseUser) -> Event:
    return Event("requested", owner)


def auto_approved() -> Event:
    return with_reason("approved", AUTO_APPROVAL_ACTOR, "auto_approved")


def approved(approver: AbstractBaseUser) -> Event:
    return Event("approved", approver)


def rejected(approver: AbstractBaseUser, reason: str) -> Event:
    """The approver's own words: stored as written, never translated."""
    return Event("rejected", approver, reason)


def retried(approver: AbstractBaseUser) -> Event:
    return with_reason("retried", approver, "retried", {"name": display_name(approver)})


# --- Submission (every process) -------------------------------------------------------------------
def submission_claimed() -> Event:
    return Event("submission_claimed", WORKER_ACTOR)


def sender_id_created() -> Event:
    """RequestSenderId answered: the sender ID exists at AWS."""
    return Event("sender_id_created", WORKER_ACTOR)


def aws_refused(code: str, message: str, *, actor: Actor = WORKER_ACTOR) -> Event:
    return with_reason("aws_refused", actor, "aws_refused", {}, code, message)


def process_refused(code: str, reason: str) -> Event:
    """The process stopped before AWS saw the request, for a reason the owner can act on (the
    process wrote the sentence: stored as written)."""
    return Event("process_refused", WORKER_ACTOR, reason, code)


def aws_unreachable(code: str, message: str, *, retries: int) -> Event:
    """The retry budget ran out on a transient AWS error: the request fails with AWS's last answer."""
    return with_reason(
        "aws_unreachable", WORKER_ACTOR, "aws_unreachable", {"retries": retries}, code, message
    )


def release_unreachable(code: str, message: str, *, retries: int) -> Event:
    return with_reason(
        "release_unreachable", WORKER_ACTOR, "release_unreachable", {"retries": retries}, code, message
    )


# --- Release --------------------------------------------------------------------------------------
def release_requested(actor: AbstractBaseUser, *, by_owner: bool, note: str = "") -> Event:
    note = (note or "").strip()
    if by_owner:
        return with_reason("release_requested", actor, "release_requested_by_owner", {reasons.NOTE: note})
    return with_reason(
        "release_requested",
        actor,
        "release_requested_by_staff",
        {"name": display_name(actor), reasons.NOTE: note},
    )


def released() -> Event:
    return with_reason("released", WORKER_ACTOR, "released")


def released_already_gone(code: str, message: str) -> Event:
    return with_reason("released", WORKER_ACTOR, "released_already_gone", {}, code, message)


def release_refused(code: str, message: str, *, protected: bool) -> Event:
    reason = "release_refused_protected" if protected else "release_refused"
    return with_reason("release_refused", WORKER_ACTOR, reason, {}, code, message)


def deletion_protection_off(
    actor: AbstractBaseUser, *, by_owner: bool, already_gone: bool, aws_code: str = "", aws_message: str = ""
) -> Event:
    reason = "deletion_protection_already_gone" if already_gone else "deletion_protection_off"
    params: dict[str, Any] = {}
    if not by_owner:
        reason, params = f"{reason}_by_staff", {"name": display_name(actor)}
    return with_reason("deletion_protection_off", actor, reason, params, aws_code, aws_message)


# --- The rule calendar (senderids.services.regulation) ---------------------------------------------
RULE_NOTICE_PREFIX = "rule_notice:"


def rule_notice(code: str, message: str) -> Event:
    """The team was told that a country rule starts soon (or today). The kind carries the rule's code
    (countries.CountryRule.code, at most 28 characters: the kind has 40), so the next daily run finds
    the entry and says nothing twice."""
    return Event(f"{RULE_NOTICE_PREFIX}{code}", WORKER_ACTOR, message)
