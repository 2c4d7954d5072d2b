"""The timeline entries of the registration process: one constructor per kind (senderids/events.py).

The worker's steps (create, submit) are written as `senderids.events.WORKER_ACTOR`; what the poller
mirrors from AWS as POLLER_ACTOR. The texts are the ones the timeline has always shown (translated).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from senderids.events import POLLER_ACTOR, WORKER_ACTOR, Event

from .lifecycle import AwsRegistrationStatus as Aws


def registration_created(aws_id: str) -> Event:
    """CreateRegistration answered: submitting → registration_draft."""
    return Event("registration_created", WORKER_ACTOR, _("AWS registration %(id)s created.") % {"id": aws_id})


def registration_submitted(version_number: int | None) -> Event:
    """SubmitRegistrationVersion answered: → registration_submitted."""
    return Event(
        "registration_submitted",
        WORKER_ACTOR,
        _("Registration version %(n)s submitted to AWS for review.") % {"n": version_number},
    )


def registration_requires_updates(version_number: int | None, summary: str, aws_status: str) -> Event:
    """AWS denied a version: `summary` is its denial reasons, for the owner and support staff."""
    return Event(
        "registration_requires_updates",
        POLLER_ACTOR,
        _("AWS asks for changes to the registration (version %(n)s was denied).") % {"n": version_number},
        aws_status,
        summary,
    )


def registration_approved() -> Event:
    """COMPLETE and the sender ID is listed: → active."""
    return Event(
        "registration_approved",
        POLLER_ACTOR,
        _("Registration approved; AWS created the sender ID."),
        Aws.COMPLETE,
    )


def registration_ended(aws_status: str) -> Event:
    """CLOSED or DELETED at AWS: → failed."""
    return Event(
        "registration_ended",
        POLLER_ACTOR,
        _("The registration was %(status)s at AWS.") % {"status": aws_status},
        aws_status,
    )


def registration_status_mirrored(aws_status: str) -> Event:
    """Any other move AWS made (e.g. a registration submitted outside the portal)."""
    return Event("registration_status_mirrored", POLLER_ACTOR, "", aws_status)


def registration_action_required(aws_status: str, feedback: str = "") -> Event:
    """REQUIRES_AUTHENTICATION: AWS waits for the owner to act outside its review (e.g. confirm an email)."""
    return Event(
        "registration_action_required",
        POLLER_ACTOR,
        _(
            "AWS needs you to complete an authentication step before it can continue the review (for "
            "example confirming the email address AWS wrote to). Follow AWS's instructions; the review "
            "continues once it is done."
        ),
        aws_status,
        feedback,
    )


def registration_back_to_draft(version_number: int | None, version_status: str, aws_status: str) -> Event:
    """AWS reports the registration CREATED again: the submitted version was discarded."""
    return Event(
        "registration_back_to_draft",
        POLLER_ACTOR,
        _(
            "AWS reports the registration as a draft again (version %(n)s is %(status)s): it is no longer "
            "under review. Check the form and submit it again."
        )
        % {"n": version_number, "status": version_status or _("no longer submitted")},
        aws_status,
    )


def registration_discarded(version_number: int | None) -> Event:
    """DiscardRegistrationVersion answered: the owner withdrew the version; back to the draft."""
    return Event(
        "registration_discarded",
        WORKER_ACTOR,
        _(
            "Version %(n)s was withdrawn from AWS's review at your request. You can change the form "
            "and submit it again."
        )
        % {"n": version_number},
        "DISCARDED",
    )


def registration_discard_refused(code: str, message: str) -> Event:
    return Event(
        "registration_discard_refused",
        WORKER_ACTOR,
        _("AWS did not withdraw the version (it may have been decided meanwhile)."),
        code,
        message,
    )


def registration_deleted(aws_id: str) -> Event:
    """DeleteRegistration answered after the release: the registration no longer counts against the quota."""
    return Event(
        "registration_deleted",
        WORKER_ACTOR,
        _("AWS registration %(id)s was deleted with the sender ID's release.") % {"id": aws_id},
        Aws.DELETED,
    )


def registration_delete_failed(code: str, message: str) -> Event:
    return Event(
        "registration_delete_failed",
        WORKER_ACTOR,
        _(
            "The registration could not be deleted at AWS after the release; support staff should delete "
            "it in the AWS console (a closed registration counts against the account's quota)."
        ),
        code,
        message,
        alert_staff=True,
    )


def registration_message_types_differ(asked: str, given: list[str]) -> Event:
    """AWS made the sender ID for other message types than the request asked for: staff should check."""
    return Event(
        "registration_message_types_differ",
        POLLER_ACTOR,
        _(
            "AWS registered the sender ID for %(given)s messages, but the request asked for %(asked)s. "
            "Check with support staff before sending other kinds of messages."
        )
        % {"given": ", ".join(given), "asked": asked},
        "MessageTypes",
        ", ".join(given),
        alert_staff=True,
    )


def registration_pre_review_feedback(version_number: int | None, aws_status: str) -> Event:
    """AWS's pre-review (AwsReview) sent the version back with feedback per field."""
    return Event(
        "registration_pre_review_feedback",
        POLLER_ACTOR,
        _(
            "AWS pre-reviewed version %(n)s and suggests changes: see the feedback next to the fields, "
            "then submit again."
        )
        % {"n": version_number},
        aws_status,
    )


def registration_revoked(aws_status: str) -> Event:
    """AWS revoked the registration's approved version: the sender ID may no longer be used."""
    return Event(
        "registration_revoked",
        POLLER_ACTOR,
        _(
            "AWS revoked this registration, so the sender ID can no longer be used as registered. Support "
            "staff have been told and will contact you about what AWS needs."
        ),
        aws_status,
        alert_staff=True,
    )
