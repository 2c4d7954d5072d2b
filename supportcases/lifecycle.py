"""What an AWS Support case's status means for its sender-ID request.

AWS Support reports a raw status (opened, pending-customer-action, reopened, resolved, ...); for the
request only "resolved or not" matters: support_case_open ⇄ support_case_resolved. Staff then confirm
the sender ID is provisioned (support_case_resolved → active).
"""

from __future__ import annotations

from senderids.choices import Status

# The status a case has the moment CreateCase answers (DescribeCases says the same).
OPENED = "opened"
# Request statuses whose case the poller mirrors.
POLLED_STATUSES = frozenset({Status.SUPPORT_CASE_OPEN, Status.SUPPORT_CASE_RESOLVED})


def request_status_for(*, is_resolved: bool, request_status: str) -> str | None:
    """Where the request moves when AWS reports the case (resolved or not); None: it stays."""
    if is_resolved and request_status == Status.SUPPORT_CASE_OPEN:
        return Status.SUPPORT_CASE_RESOLVED
    if not is_resolved and request_status == Status.SUPPORT_CASE_RESOLVED:
        return Status.SUPPORT_CASE_OPEN
    return None
