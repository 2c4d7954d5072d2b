"""Email to the owner on every user-visible status transition.

Registered as a `services.on_transition` listener (SenderidsConfig.ready), so it runs on commit of
every transition, in the web process or the worker that made it. A notification must never break
or undo the transition it reports: failures are logged, never raised.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import services
from .models import SenderIdRequest, Status, StatusEvent

logger = logging.getLogger(__name__)

# What each user-visible status means for the owner (the email's first paragraph).
STATUS_MESSAGES = {
    Status.APPROVED: _("Your request was approved. We are now submitting it to AWS."),
    Status.REJECTED: _("Your request was rejected."),
    Status.REGISTRATION_DRAFT: _(
        "Your registration was created at AWS. Complete and submit the registration form to continue."
    ),
    Status.REGISTRATION_SUBMITTED: _("Your registration was submitted to AWS for review."),
    Status.REQUIRES_UPDATES: _("AWS asks for changes to your registration before it can be approved."),
    Status.SUPPORT_CASE_OPEN: _("We opened an AWS support case for your sender ID."),
    Status.SUPPORT_CASE_RESOLVED: _("The AWS support case for your sender ID was resolved."),
    Status.ACTIVE: _("Your sender ID is active: you can send messages with it."),
    Status.RELEASED: _("Your sender ID was released."),
    Status.FAILED: _("AWS could not complete your request."),
}

# Internal steps the owner need not hear about: the worker's claim, a claim given back, the start of
# a release the owner asked for themselves.
SILENT_TRANSITIONS = frozenset(
    {
        (Status.APPROVED, Status.SUBMITTING),
        (Status.SUBMITTING, Status.APPROVED),
        (Status.ACTIVE, Status.RELEASING),
    }
)


def is_user_visible(event: StatusEvent) -> bool:
    return (
        event.from_status,
        event.to_status,
    ) not in SILENT_TRANSITIONS and event.to_status != Status.SUBMITTING


def detail_url(request: SenderIdRequest) -> str:
    return f"{settings.PORTAL_BASE_URL}/sender-ids/{request.pk}/"


def notify_owner(request: SenderIdRequest, event: StatusEvent) -> None:
    """Send the owner the status-change email for `event` (if user-visible). Never raises."""
    try:
        if not is_user_visible(event):
            return
        owner = request.owner
        if not owner.email:
            return
        context = {
            "request": request,
            "event": event,
            "owner": owner,
            "status_label": event.to_label,
            "status_message": STATUS_MESSAGES.get(event.to_status, ""),
            "detail_url": detail_url(request),
        }
        # The owner's language is not stored: write in the site's language, whatever the actor's is.
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(
                render_to_string("senderids/email/status_changed_subject.txt", context).split()
            )
            body = render_to_string("senderids/email/status_changed_body.txt", context)
        send_mail(subject, body, None, [owner.email], fail_silently=False)
    except Exception:
        logger.exception("could not email the owner of request %s about %s", request.pk, event)


def connect() -> None:
    """Register the listener once (ready() may run more than once in some test setups)."""
    if notify_owner not in services._transition_listeners:
        services.on_transition(notify_owner)
