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
