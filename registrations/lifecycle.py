"""What AWS's registration statuses mean for a sender-ID request.

AWS reports a registration's status (RegistrationStatus); the request has its own lifecycle
(senderids/lifecycle.py). This module is the one translation between the two: the statuses the
portal knows, which of them mean "AWS is working", "the owner must act" or "over", and the request
status each one moves the request to. AWS adds values over time: an unknown status is stored raw and
moves nothing.
"""

from __future__ import annotations

from senderids.choices import Status


class AwsRegistrationStatus:
    """The RegistrationStatus values the portal knows; anything else is stored and shown as-is."""

    CREATED = "CREATED"
    SUBMITTED = "SUBMITTED"
    AWS_REVIEWING = "AWS_REVIEWING"
    REVIEWING = "REVIEWING"
    REQUIRES_AUTHENTICATION = "REQUIRES_AUTHENTICATION"
    PROVISIONING = "PROVISIONING"
    COMPLETE = "COMPLETE"
    REQUIRES_UPDATES = "REQUIRES_UPDATES"
    CLOSED = "CLOSED"
    DELETED = "DELETED"

    # AWS is working on these: the poller lists them with a status filter.
    IN_FLIGHT = (SUBMITTED, AWS_REVIEWING, REVIEWING, REQUIRES_AUTHENTICATION, PROVISIONING)
    # Only a user action (ours) moves a registration out of these: nothing to poll.
    AWAITING_USER = (CREATED, REQUIRES_UPDATES)
    TERMINAL = (COMPLETE, CLOSED, DELETED)
    KNOWN = IN_FLIGHT + AWAITING_USER + TERMINAL


Aws = AwsRegistrationStatus

# Request statuses in which the registration exists at AWS and is not finished (the poller watches them).
OPEN_AT_AWS_STATUSES = frozenset(
    {
        Status.REGISTRATION_DRAFT,
        Status.REGISTRATION_SUBMITTED,
        Status.ACTION_REQUIRED,
        Status.REQUIRES_UPDATES,
    }
)
# Request statuses in which a version is with AWS: the poller expects it in its in-review listing.
UNDER_REVIEW_STATUSES = frozenset({Status.REGISTRATION_SUBMITTED, Status.ACTION_REQUIRED})
# Version statuses in which a submitted version is still with AWS (the registration may lag behind:
# AWS's own blog shows a registration CREATED right after its version was submitted).
VERSION_UNDER_REVIEW = frozenset({"SUBMITTED", "AWS_REVIEWING", "REVIEWING", "REQUIRES_AUTHENTICATION"})
# Version statuses after which the version can no longer be edited or submitted: a new one is needed.
VERSION_FINISHED = frozenset({"DISCARDED", "DENIED", "REVOKED", "ARCHIVED", "APPROVED"})
# Request statuses in which a save by the owner is pushed to AWS at once (the `sync_registration` task).
SYNCABLE_STATUSES = frozenset({Status.REGISTRATION_DRAFT, Status.REQUIRES_UPDATES})

# For review-stage moves, the current version's status is the registration's (no call needed).
REVIEW_VERSION_STATUS = {
    Aws.SUBMITTED: "SUBMITTED",
    Aws.AWS_REVIEWING: "AWS_REVIEWING",
    Aws.REVIEWING: "REVIEWING",
    Aws.REQUIRES_AUTHENTICATION: "REQUIRES_AUTHENTICATION",
}


def request_status_for(aws_status: str) -> str | None:
    """The request status a registration in `aws_status` means; None for a status AWS added later."""
    if aws_status == Aws.CREATED:
        return Status.REGISTRATION_DRAFT
    if aws_status == Aws.REQUIRES_AUTHENTICATION:
        return Status.ACTION_REQUIRED  # the owner must act outside AWS's review
    if aws_status in Aws.IN_FLIGHT:
        return Status.REGISTRATION_SUBMITTED
    if aws_status == Aws.REQUIRES_UPDATES:
        return Status.REQUIRES_UPDATES
    if aws_status == Aws.COMPLETE:
        return Status.ACTIVE  # once DescribeSenderIds confirms the sender ID
    if aws_status in (Aws.CLOSED, Aws.DELETED):
        return Status.FAILED
    return None  # a status AWS added after this code: stored raw, the request stays where it is
