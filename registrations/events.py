"""The timeline entries of the registration process: one constructor per kind (senderids/events.py).

The worker's steps (create, submit) are written as `senderids.events.WORKER_ACTOR`; what the poller
mirrors from AWS as POLLER_ACTOR (people read both as "the portal" / "AWS"). Every sentence is an entry
of senderids' one reason catalogue (senderids/reasons.py), rendered in each reader's language; AWS's own
words (its status, its feedback) stay in aws_code / aws_message, as AWS wrote them.
"""

from __future__ import annotations

from senderids.events import POLLER_ACTOR, WORKER_ACTOR, Event, with_reason

from .lifecycle import AwsRegistrationStatus as Aws


def registration_created(aws_id: str) -> Event:
    """CreateRegistration answered: submitting → registration_draft."""
    return with_reason("registration_created", WORKER_ACTOR, "registration_created", {"id": aws_id})


def registration_submitted(version_number: int | None) -> Event:
    """SubmitRegistrationVersion answered: → registration_submitted."""
    return with_reason(
        "registration_submitted", WORKER_ACTOR, "registration_submitted", {"n": version_number}
    )


def registration_requires_updates(version_number: int | None, summary: str, aws_status: str) -> Event:
    """AWS denied a version: `summary` is its denial reasons, for the owner and support staff."""
    return with_reason(
        "registration_requires_updates",
        POLLER_ACTOR,
        "registration_requires_updates",
        {"n": version_number},
        aws_status,
        summary,
    )


def registration_approved() -> Event:
    """COMPLETE and the sender ID is listed: → active."""
    return with_reason("registration_approved", POLLER_ACTOR, "registration_approved", {}, Aws.COMPLETE)


def registration_ended(aws_status: str) -> Event:
    """CLOSED or DELETED at AWS: → failed."""
    return with_reason(
        "registration_ended", POLLER_ACTOR, "registration_ended", {"status": aws_status}, aws_status
    )


def registration_status_mirrored(aws_status: str) -> Event:
    """Any other move AWS made (e.g. a registration submitted outside the portal)."""
    return Event("registration_status_mirrored", POLLER_ACTOR, "", aws_status)


def registration_action_required(aws_status: str, feedback: str = "") -> Event:
    """REQUIRES_AUTHENTICATION: AWS waits for the owner to act outside its review (e.g. confirm an email)."""
    return with_reason(
        "registration_action_required",
        POLLER_ACTOR,
        "registration_action_required",
        {},
        aws_status,
        feedback,
    )


def registration_back_to_draft(version_number: int | None, version_status: str, aws_status: str) -> Event:
    """AWS reports the registration CREATED again: the submitted version was discarded."""
    if version_status:
        code, params = "registration_back_to_draft", {"n": version_number, "status": version_status}
    else:
        code, params = "registration_back_to_draft_withdrawn", {"n": version_number}
    return with_reason("registration_back_to_draft", POLLER_ACTOR, code, params, aws_status)


def registration_discarded(version_number: int | None) -> Event:
    """DiscardRegistrationVersion answered: the owner withdrew the version; back to the draft."""
    return with_reason(
        "registration_discarded", WORKER_ACTOR, "registration_discarded", {"n": version_number}, "DISCARDED"
    )


def registration_discard_refused(code: str, message: str) -> Event:
    return with_reason(
        "registration_discard_refused", WORKER_ACTOR, "registration_discard_refused", {}, code, message
    )


def registration_deleted(aws_id: str) -> Event:
    """DeleteRegistration answered after the release: the registration no longer counts against the quota."""
    return with_reason(
        "registration_deleted", WORKER_ACTOR, "registration_deleted", {"id": aws_id}, Aws.DELETED
    )


def registration_delete_failed(code: str, message: str) -> Event:
    return with_reason(
        "registration_delete_failed",
        WORKER_ACTOR,
        "registration_delete_failed",
        {},
        code,
        message,
        alert_staff=True,
    )


def registration_message_types_differ(asked: str, given: list[str]) -> Event:
    """AWS made the sender ID for other message types than the request asked for: staff should check."""
    return with_reason(
        "registration_message_types_differ",
        POLLER_ACTOR,
        "registration_message_types_differ",
        {"given": ", ".join(given), "asked": asked},
        "MessageTypes",
        ", ".join(given),
        alert_staff=True,
    )


def registration_pre_review_feedback(version_number: int | None, aws_status: str) -> Event:
    """AWS's pre-review (AwsReview) sent the version back with feedback per field."""
    return with_reason(
        "registration_pre_review_feedback",
        POLLER_ACTOR,
        "registration_pre_review_feedback",
        {"n": version_number},
        aws_status,
    )


def registration_revoked(aws_status: str) -> Event:
    """AWS revoked the registration's approved version: the sender ID may no longer be used."""
    return with_reason(
        "registration_revoked", POLLER_ACTOR, "registration_revoked", {}, aws_status, alert_staff=True
    )
