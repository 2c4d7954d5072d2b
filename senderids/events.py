"""What a timeline entry says: one constructor per kind of event (saleor's pattern).

Services never write a StatusEvent themselves: they build an `Event` with the constructor of what
happened and hand it to `lifecycle.transition()` / `record_creation()` / `note()`. The kind is stored
on the row, so the timeline, the notifications and support staff can tell entries apart without
parsing their text. Processes (registrations, supportcases) define their own kinds the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

Actor = AbstractBaseUser | str | None

# Who acted when not a person.
WORKER_ACTOR = "worker"
AUTO_APPROVAL_ACTOR = "auto-approval"
# The processes' pollers (registrations, support cases) mirroring what AWS says.
POLLER_ACTOR = "registration-poller"


@dataclass(frozen=True)
class Event:
    kind: str
    actor: Actor = None
    reason: str = ""
    aws_code: str = ""
    aws_message: str = ""
    # Support staff are emailed about it (something only they can sort out: a revoked registration...).
    alert_staff: bool = False


def display_name(user: AbstractBaseUser) -> str:
    """How a staff member is named on a timeline: "Full Name (username)", or the username."""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    username = user.get_username()
    return f"{full_name} ({username})" if full_name else username


# --- The request ----------------------------------------------------------------------------------
def requested(owner: AbstractBaseUser) -> Event:
    return Event("requested", owner)


def auto_approved() -> Event:
    return Event("approved", AUTO_APPROVAL_ACTOR, _("Approval is not required."))


def approved(approver: AbstractBaseUser) -> Event:
    return Event("approved", approver)


def rejected(approver: AbstractBaseUser, reason: str) -> Event:
    return Event("rejected", approver, reason)


def retried(approver: AbstractBaseUser) -> Event:
    return Event(
        "retried", approver, _("Retried by %(name)s after the failure.") % {"name": display_name(approver)}
    )


# --- Submission (every process) -------------------------------------------------------------------
def submission_claimed() -> Event:
    return Event("submission_claimed", WORKER_ACTOR)


def sender_id_created() -> Event:
    """RequestSenderId answered: the sender ID exists at AWS."""
    return Event("sender_id_created", WORKER_ACTOR)


def aws_refused(code: str, message: str, *, actor: Actor = WORKER_ACTOR) -> Event:
    return Event("aws_refused", actor, _("AWS refused the request."), code, message)


def process_refused(code: str, reason: str) -> Event:
    """The process stopped before AWS saw the request, for a reason the owner can act on."""
    return Event("process_refused", WORKER_ACTOR, reason, code)


def aws_unreachable(code: str, message: str, *, retries: int) -> Event:
    """The retry budget ran out on a transient AWS error: the request fails with AWS's last answer."""
    return Event(
        "aws_unreachable",
        WORKER_ACTOR,
        _(
            "AWS kept answering with a temporary error (%(retries)d attempts), so the portal stopped "
            "trying. Retry the request once AWS answers again."
        )
        % {"retries": retries},
        code,
        message,
    )


def release_unreachable(code: str, message: str, *, retries: int) -> Event:
    return Event(
        "release_unreachable",
        WORKER_ACTOR,
        _(
            "AWS kept answering with a temporary error (%(retries)d attempts): the sender ID was not "
            "released and stays active. Release it again later."
        )
        % {"retries": retries},
        code,
        message,
    )


# --- Release --------------------------------------------------------------------------------------
def release_requested(actor: AbstractBaseUser, *, by_owner: bool, note: str = "") -> Event:
    if by_owner:
        reason = _("Release requested by the owner.")
    else:
        reason = _("Released by staff member %(name)s on behalf of the owner.") % {
            "name": display_name(actor)
        }
    note = (note or "").strip()
    return Event("release_requested", actor, f"{reason} {note}" if note else reason)


def released() -> Event:
    return Event(
        "released",
        WORKER_ACTOR,
        _("AWS released the sender ID. Lease charges stop from the next calendar month."),
    )


def released_already_gone(code: str, message: str) -> Event:
    return Event(
        "released", WORKER_ACTOR, _("AWS no longer has this sender ID: it counts as released."), code, message
    )


def release_refused(code: str, message: str, *, protected: bool) -> Event:
    if protected:
        reason = _(
            "AWS refused to release the sender ID because its deletion protection is on. "
            "Turn deletion protection off, then release it again."
        )
    else:
        reason = _("AWS refused to release the sender ID: it stays active.")
    return Event("release_refused", WORKER_ACTOR, reason, code, message)


def deletion_protection_off(
    actor: AbstractBaseUser, *, by_owner: bool, already_gone: bool, aws_code: str = "", aws_message: str = ""
) -> Event:
    if already_gone:
        reason = _("AWS no longer has this sender ID: there is no deletion protection to turn off.")
    else:
        reason = _("Deletion protection turned off at AWS.")
    if not by_owner:
        reason = f"{reason} " + _("By staff member %(name)s on behalf of the owner.") % {
            "name": display_name(actor)
        }
    return Event("deletion_protection_off", actor, reason, aws_code, aws_message)


# --- The rule calendar (senderids.services.regulation) ---------------------------------------------
RULE_NOTICE_PREFIX = "rule_notice:"


def rule_notice(code: str, message: str) -> Event:
    """The team was told that a country rule starts soon (or today). The kind carries the rule's code
    (countries.CountryRule.code, at most 28 characters: the kind has 40), so the next daily run finds
    the entry and says nothing twice."""
    return Event(f"{RULE_NOTICE_PREFIX}{code}", WORKER_ACTOR, message)
