"""What an AWS Support case's status means for a person, and for its sender-ID request.

AWS reports a raw status (opened, unassigned, work-in-progress, pending-customer-action,
customer-action-completed, reopened, resolved; more may come). People read four meanings
(models.CaseState): open, "AWS is waiting for your reply", resolved, and refused (a staff verdict: AWS
has no such status). The request follows the meaning: support_case_open while the case is open or
waiting for a reply, support_case_resolved once resolved, failed when refused; staff then confirm a
resolved case delivered the sender ID (support_case_resolved → active).

Debounce: a case can flap (moto cycles opened → pending-customer-action → reopened → resolved on every
DescribeCases; AWS reopens a resolved case when anyone writes on it). A new meaning becomes the case's
state only once the poller has seen it without interruption for SETTLE_WINDOW; a flip back before that
cancels it. So a flapping case makes no entry, and one real change makes one timeline entry and at
most one email, once it has held for the window. Staff setting a state by hand are not debounced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from senderids.choices import Status

from .models import CaseState

# How long a new meaning must hold before it counts (a constant, not a setting: it is about how AWS
# behaves, not about a deployment). Cases take days to weeks; ten minutes of delay costs nothing.
SETTLE_WINDOW = timedelta(minutes=10)

# The status a case has the moment CreateCase answers (DescribeCases says the same).
OPENED = "opened"
# AWS's statuses that mean something else than "open"; every other value, known or new, reads as open.
_MEANINGS = {
    "pending-customer-action": CaseState.CUSTOMER_ACTION,
    "resolved": CaseState.RESOLVED,
}
# Request statuses whose case the poller mirrors.
POLLED_STATUSES = frozenset({Status.SUPPORT_CASE_OPEN, Status.SUPPORT_CASE_RESOLVED})
# States from which the case still changes (refused is final; awaiting_staff has no case at AWS yet).
FOLLOWED_STATES = frozenset({CaseState.OPEN, CaseState.CUSTOMER_ACTION, CaseState.RESOLVED})
# States in which the team may write to AWS Support from the portal.
REPLYABLE_STATES = frozenset({CaseState.AWAITING_STAFF, CaseState.OPEN, CaseState.CUSTOMER_ACTION})
# What staff may set by hand, and what needs the case to be unfollowed by the API (the poller would
# overrule a hand-set open/resolved; "refused" is a verdict AWS's statuses never give).
MANUAL_STATES = (CaseState.OPEN, CaseState.CUSTOMER_ACTION, CaseState.RESOLVED, CaseState.REFUSED)
API_OWNED_STATES = frozenset({CaseState.OPEN, CaseState.CUSTOMER_ACTION, CaseState.RESOLVED})


def meaning_of(aws_status: str) -> str:
    """The CaseState an AWS status means (unknown statuses mean open: map, never constrain)."""
    return _MEANINGS.get((aws_status or "").strip().lower(), CaseState.OPEN)


def request_status_for(state: str) -> str:
    """The request status that goes with a case state."""
    if state == CaseState.RESOLVED:
        return Status.SUPPORT_CASE_RESOLVED
    if state == CaseState.REFUSED:
        return Status.FAILED
    return Status.SUPPORT_CASE_OPEN


@dataclass(frozen=True)
class Settled:
    """What one observation does: `apply` the new state (None: nothing to apply), and the debounce
    bookkeeping to store."""

    apply: str | None
    pending_state: str
    pending_since: datetime | None


def settle(
    *, state: str, pending_state: str, pending_since: datetime | None, observed: str, now: datetime
) -> Settled:
    """Debounce one observation of the case's meaning (see the module docstring)."""
    if observed == state:
        return Settled(None, "", None)  # back to what it was (or never left): any pending change is off
    if observed != pending_state or pending_since is None:
        return Settled(None, observed, now)  # a new meaning: start its clock
    if now - pending_since >= SETTLE_WINDOW:
        return Settled(observed, "", None)
    return Settled(None, pending_state, pending_since)
