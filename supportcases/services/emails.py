"""The owner's email for the one change of a case that is not a status transition: "AWS is waiting for
your reply" (the status emails of senderids cover the others). Sent by a task, never inline."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from senderids.models import StatusEvent

from .. import selectors
from ..models import SupportCase

logger = logging.getLogger(__name__)


def reply_needed_email_send(*, event_id: int) -> bool:
    """Email the owner that AWS Support waits for their reply, with AWS's last message. True if sent;
    failures are logged, never raised (the task is not retried into a second email)."""
    event = (
        StatusEvent.objects.select_related("request__owner", "request__country").filter(pk=event_id).first()
    )
    if event is None:
        return False
    request = event.request
    owner = request.owner
    case = SupportCase.objects.filter(request=request).first()
    if not owner.email or case is None:
        return False
    context = {
        "request": request,
        "case": case,
        "last_aws": selectors.last_aws_communication(selectors.support_case_communications(case=case)),
        "case_url": f"{settings.PORTAL_BASE_URL}{reverse('supportcases:detail', args=[request.pk])}",
    }
    try:
        # The owner's language is not stored: the site's language (as senderids' status emails).
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(
                render_to_string("supportcases/email/reply_needed_subject.txt", context).split()
            )
            body = render_to_string("supportcases/email/reply_needed_body.txt", context)
        send_mail(subject, body, None, [owner.email], fail_silently=False)
    except Exception:
        logger.exception("could not email the owner of request %s that AWS waits for a reply", request.pk)
        return False
    return True
