"""Steps the support-case tests share: open a case the way the pipeline does, poll at a given time."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from senderids.models import SenderIdRequest
from supportcases import services
from supportcases.lifecycle import SETTLE_WINDOW
from supportcases.models import SupportCase
from tests.process_factories import approve_and_claim


def open_case(request: SenderIdRequest) -> SupportCase:
    """pending_review → approved → submitting → the process's start, as the pipeline runs it."""
    services.support_case_open(request=approve_and_claim(request))
    request.refresh_from_db()
    return SupportCase.objects.get(request=request)


def poll(at: datetime) -> services.CasePollReport:
    return services.support_cases_poll(now=at)


def poll_until_settled(start: datetime | None = None) -> datetime:
    """Two polls a settle window apart: a meaning AWS reports at both counts. Returns the second time."""
    start = start or timezone.now()
    poll(start)
    later = start + SETTLE_WINDOW + timedelta(seconds=1)
    poll(later)
    return later


def case_url(request: SenderIdRequest, name: str = "detail", **kwargs: int) -> str:
    return reverse(f"supportcases:{name}", kwargs={"pk": request.pk, **kwargs})


def owner_emails(outbox: list, owner) -> list:
    return [m for m in outbox if owner.email in m.to]
