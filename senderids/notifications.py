"""Email to the owner on every user-visible status transition, sent by a worker, never inline.

`enqueue_status_email` is a lifecycle listener (SenderidsConfig.ready): on commit of every transition
it enqueues the `send_status_email` task for a user-visible one, so no web request (an admin's bulk
approve, the owner's release) ever waits on SMTP. The task renders and sends; a notification never
breaks or undoes the transition it reports.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .choices import Status
from .enqueue import enqueue_on_commit
from .lifecycle import is_user_visible
from .models import SenderIdRequest, StatusEvent

logger = logging.getLogger(__name__)

SEND_TASK = "senderids.tasks.send_status_email"
# The Django group of support staff (created by seed_demo; DESIGN: Business users, Support staff, Approvers).
SUPPORT_GROUP = "Support staff"

# What each user-visible status means for the owner (the email's first paragraph).
STATUS_MESSAGES = {
    Status.APPROVED: _("Your request was approved. We are now submitting it to AWS."),
    Status.REJECTED: _("Your request was rejected."),
    Status.REGISTRATION_DRAFT: _(
        "Your registration was created at AWS. Complete and submit the registration form to continue."
    ),
    Status.REGISTRATION_SUBMITTED: _("Your registration was submitted to AWS for review."),
    Status.REQUIRES_UPDATES: _("AWS asks for changes to your registration before it can be approved."),
    Status.ACTION_REQUIRED: _(
        "AWS needs you to act before it can continue reviewing your registration: follow the instructions "
        "on the request's page (for example confirm the email address AWS wrote to)."
    ),
    Status.SUPPORT_CASE_OPEN: _(
        "An AWS Support case for your sender ID is prepared; the request's page shows when AWS answers."
    ),
    Status.SUPPORT_CASE_RESOLVED: _("The AWS support case for your sender ID was resolved."),
    Status.ACTIVE: _("Your sender ID is active: you can send messages with it."),
    Status.RELEASED: _("Your sender ID was released."),
    Status.FAILED: _("AWS could not complete your request."),
}


def detail_url(request: SenderIdRequest) -> str:
    return f"{settings.PORTAL_BASE_URL}{reverse('senderids:detail', args=[request.pk])}"


def enqueue_status_email(request: SenderIdRequest, event: StatusEvent) -> None:
    """Lifecycle listener: queue the owner's email for a user-visible transition."""
    if is_user_visible(event.from_status, event.to_status):
        enqueue_on_commit(SEND_TASK, event.pk)


def status_email_send(*, event_id: int) -> bool:
    """Send the owner the status-change email of one StatusEvent. True if an email went out.

    Failures are logged, never raised: the task is not retried into a second email.
    """
    event = (
        StatusEvent.objects.select_related("request__owner", "request__country").filter(pk=event_id).first()
    )
    if event is None or not is_user_visible(event.from_status, event.to_status):
        return False
    request = event.request
    owner = request.owner
    if not owner.email:
        return False
    context = {
        "request": request,
        "event": event,
        "owner": owner,
        "status_label": event.to_label,
        "status_message": STATUS_MESSAGES.get(event.to_status, ""),
        "detail_url": detail_url(request),
    }
    try:
        # The owner's language is not stored: write in the site's language, whatever the actor's is.
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(
                render_to_string("senderids/email/status_changed_subject.txt", context).split()
            )
            body = render_to_string("senderids/email/status_changed_body.txt", context)
        send_mail(subject, body, None, [owner.email], fail_silently=False)
    except Exception:
        logger.exception("could not email the owner of request %s about %s", request.pk, event)
        return False
    return True


def staff_alert_send(*, event_id: int) -> int:
    """Email support staff (the Support staff group, and superusers) about a timeline entry only they can
    sort out. Returns how many were emailed; failures are logged, never raised."""
    event = (
        StatusEvent.objects.select_related("request__owner", "request__country").filter(pk=event_id).first()
    )
    if event is None:
        return 0
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=SUPPORT_GROUP))
    )
    recipients = sorted({u.email for u in users if u.email})
    if not recipients:
        return 0
    request = event.request
    context = {"request": request, "event": event, "detail_url": detail_url(request)}
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string("senderids/email/staff_alert_subject.txt", context).split())
            body = render_to_string("senderids/email/staff_alert_body.txt", context)
        send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception:
        logger.exception("could not alert staff about event %s", event_id)
        return 0
    return len(recipients)
