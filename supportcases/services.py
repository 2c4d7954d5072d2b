"""Writes of the support-case process: open the case (the process's start), mirror it, confirm it.

* `support_case_open` — the pipeline's step for process "support_case" (request `submitting`):
  the prepared case (subject + body from the wizard's support-case details) goes to AWS Support.
* `support_cases_poll` — the beat task's cycle: DescribeCases for open cases, 100 ids per call.
* `support_case_confirm` — staff confirm a resolved case delivered the sender ID.

Every status change goes through `senderids.lifecycle.transition` with an event of supportcases/events.py.
AWS Support has no ClientToken: a marker stored before CreateCase (and written into the subject) lets
a redelivery find the case it already opened instead of opening a second one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from senderids import lifecycle
from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.permissions import require_staff
from senderids.wizard.support_case import support_case_rows
from smsvoice.gateway import PermanentAwsError, RetryableAwsError, get_gateway

from . import events
from .lifecycle import OPENED, POLLED_STATUSES, request_status_for
from .models import SupportCase

PAGE_SIZE = 100
# A claimed row is left alone by other workers for this long (the work on it takes far less).
LEASE = timedelta(minutes=10)
# Languages AWS Support answers in; any other preference gets English.
SUPPORT_LANGUAGES = {"en", "ja", "zh", "ko"}


# --- The prepared case ---------------------------------------------------------------------------
def support_case_subject(request: SenderIdRequest, marker: str) -> str:
    return f"Sender ID Registration: {request.sender_id} ({request.country_id}) [portal ref {marker}]"


def support_case_body(request: SenderIdRequest, marker: str) -> str:
    """Every field of the request's support-case details, labelled, then the request's own facts."""
    lines = [
        "Sender ID registration request",
        "",
        f"Sender ID: {request.sender_id}",
        f"Country: {request.country.name} ({request.country_id})",
        f"Message type: {request.message_type}",
        "",
    ]
    lines += [f"{label}: {value}" for label, value in _detail_rows(dict(request.support_case_details or {}))]
    lines += ["", f"Portal request #{request.pk}, reference {marker}"]
    return "\n".join(lines)


def _detail_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for every stored support-case field, in the wizard's order, in English for AWS."""
    with translation.override("en"):
        return [(str(label), str(value)) for label, value in support_case_rows(details)]


def _support_language(request: SenderIdRequest) -> str:
    details = request.support_case_details or {}
    value = str(details.get("preferred_contact_language") or details.get("contact_language") or "en").lower()
    code = value[:2]
    return code if code in SUPPORT_LANGUAGES else "en"


# --- The process's start -------------------------------------------------------------------------
def support_case_open(*, request: SenderIdRequest) -> None:
    """The submission pipeline's step for process "support_case"; the request is `submitting`.

    A marker is stored (and written into the subject) before CreateCase, and a redelivery that finds
    no case id asks DescribeCases for a case carrying the marker before it opens one. Then
    submitting → support_case_open.
    """
    case, _created = SupportCase.objects.get_or_create(request=request)
    if not case.case_id:
        marker = str(case.marker)
        found = _find_case_by_marker(case) if case.create_attempted_at else None
        if found is not None:
            case_id, status, display_id = found.case_id, found.status, found.display_id or ""
        else:
            subject = support_case_subject(request, marker)
            body = support_case_body(request, marker)
            SupportCase.objects.filter(pk=case.pk).update(
                create_attempted_at=timezone.now(), subject=subject[:300], body=body
            )
            case_id = get_gateway().create_case(
                subject=subject,
                communication_body=body,
                service_code=settings.SUPPORT_CASE_SERVICE_CODE,
                category_code=settings.SUPPORT_CASE_CATEGORY_CODE,
                severity_code=settings.SUPPORT_CASE_SEVERITY_CODE,
                language=_support_language(request),
            )
            status, display_id = OPENED, ""
        SupportCase.objects.filter(pk=case.pk).update(
            case_id=case_id,
            status=status,
            display_id=display_id,
            next_poll_due=None,
            updated_at=timezone.now(),
        )
        case.case_id, case.status = case_id, status
    lifecycle.transition(
        request,
        Status.SUPPORT_CASE_OPEN,
        event=events.support_case_opened(case.case_id),
        expected_from=Status.SUBMITTING,
        aws_status=(case.status or OPENED)[:60],
        aws_error_code="",
        aws_error_message="",
    )


def _find_case_by_marker(case: SupportCase) -> Any | None:
    """The case a previous, interrupted attempt opened: DescribeCases since then, matched on the marker."""
    after = (case.create_attempted_at or timezone.now()) - timedelta(hours=1)
    marker = str(case.marker)
    for info in get_gateway().list_cases(after=after):
        if marker in (info.subject or ""):
            return info
    return None


# --- The poller ----------------------------------------------------------------------------------
@dataclass
class CasePollReport:
    """What one support-case poll cycle did (printed by `manage.py poll_support_cases`)."""

    listed: int = 0
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"listed {self.listed}, {len(self.changes)} changed"


def poll_interval() -> timedelta:
    return timedelta(seconds=settings.REGISTRATION_POLL_SECONDS)


def support_cases_poll(*, now: datetime | None = None) -> CasePollReport:
    """Mirror open support cases (DescribeCases, 100 ids per call): resolved → support_case_resolved,
    reopened → support_case_open. Rows are claimed with skip_locked (a lease), never locked across AWS."""
    now = now or timezone.now()
    report = CasePollReport()
    gateway = get_gateway()
    while True:
        with transaction.atomic():
            cases = list(
                SupportCase.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("request")
                .exclude(case_id="")
                .filter(request__status__in=POLLED_STATUSES)
                .filter(Q(next_poll_due__isnull=True) | Q(next_poll_due__lte=now))
                .order_by("pk")[:PAGE_SIZE]
            )
            if not cases:
                return report
            SupportCase.objects.filter(pk__in=[c.pk for c in cases]).update(next_poll_due=now + LEASE)
        try:
            infos = {i.case_id: i for i in gateway.describe_cases(case_ids=[c.case_id for c in cases])}
        except (RetryableAwsError, PermanentAwsError) as exc:
            report.errors.append(str(exc))
            return report
        report.listed += len(infos)
        _apply_cases(cases, infos, now, report)


def _apply_cases(
    cases: list[SupportCase], infos: dict[str, Any], now: datetime, report: CasePollReport
) -> None:
    with transaction.atomic():
        for case in cases:
            info = infos.get(case.case_id)
            case.last_polled_at, case.next_poll_due = now, now + poll_interval() / 2
            if info is None:
                continue
            request = case.request
            if info.status != case.status:
                report.changes.append(f"case {case.case_id} {case.status or '∅'} → {info.status}")
            case.status = info.status[:60]
            case.display_id = info.display_id or case.display_id
            target = request_status_for(is_resolved=info.is_resolved, request_status=request.status)
            if target is None:
                if request.aws_status != case.status:
                    SenderIdRequest.objects.filter(pk=request.pk).update(aws_status=case.status)
                continue
            if target == Status.SUPPORT_CASE_RESOLVED:
                case.resolved_at = now
                event = events.support_case_resolved(case.case_id, info.status)
            else:
                event = events.support_case_reopened(case.case_id, info.status)
            try:
                lifecycle.transition(
                    request, target, event=event, expected_from=request.status, aws_status=case.status
                )
            except lifecycle.IllegalTransition as exc:  # TransitionConflict included
                report.errors.append(f"request {request.pk}: {exc}")
        SupportCase.objects.bulk_update(
            cases, ["status", "display_id", "resolved_at", "last_polled_at", "next_poll_due"]
        )


# --- Staff ---------------------------------------------------------------------------------------
def support_case_confirm(*, request: SenderIdRequest, actor: AbstractBaseUser) -> None:
    """Staff confirm that the resolved case delivered the sender ID: support_case_resolved → active.

    Raises PermissionDenied for anyone but active staff, IllegalTransition unless the case is resolved.
    """
    require_staff(actor)
    with transaction.atomic():
        lifecycle.transition(
            request,
            Status.ACTIVE,
            event=events.support_case_confirmed(actor),
            expected_from=Status.SUPPORT_CASE_RESOLVED,
        )
        SupportCase.objects.filter(request=request).update(
            confirmed_at=timezone.now(), confirmed_by=actor, updated_at=timezone.now()
        )
