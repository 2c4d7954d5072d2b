"""The support-case poller (`support_cases_poll`, beat's `poll_support_cases`): DescribeCases for the
cases AWS can tell us about, 100 ids per call, rows claimed with skip_locked (a lease), never locked
across the AWS call.

Which cases: those opened through the API, and assisted ones once staff recorded their id, when
`check_aws` found the Support API in the plan (otherwise staff set their state by hand). A case
recorded by its Support Center number is looked up once by display id to learn its case id.

Per case: the raw status is stored for staff, AWS's recent communications are mirrored (each once),
and the status's meaning goes through the debounce (lifecycle.settle) before it changes anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from senderids import lifecycle as request_lifecycle
from senderids.events import POLLER_ACTOR
from senderids.models import SenderIdRequest
from smsvoice.errors import AwsError
from smsvoice.gateway import gateway_for
from smsvoice.models import AwsAccount

from .. import selectors
from ..lifecycle import FOLLOWED_STATES, POLLED_STATUSES, SETTLE_WINDOW, meaning_of, settle
from ..models import Direction, SupportCase, SupportCaseCommunication, SupportCaseMode
from .states import case_state_apply

PAGE_SIZE = 100
# A claimed row is left alone by other workers for this long (the work on it takes far less).
LEASE = timedelta(minutes=10)
# AWS signs its own messages so ("Entries from the Amazon Web Services Support team display "Amazon
# Web Services"", support model's Communication.submittedBy).
AWS_AUTHOR = "amazon web services"


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


def followed_cases() -> QuerySet[SupportCase]:
    """The cases DescribeCases can follow now (see the module docstring)."""
    qs = SupportCase.objects.filter(request__status__in=POLLED_STATUSES, state__in=FOLLOWED_STATES)
    if not selectors.support_api_available():
        qs = qs.filter(mode=SupportCaseMode.API)
    return qs


def is_followed(case: SupportCase) -> bool:
    """DescribeCases follows this case (staff do not set its open/resolved state by hand)."""
    return case.mode == SupportCaseMode.API or selectors.support_api_available()


def support_cases_poll(*, now: datetime | None = None) -> CasePollReport:
    now = now or timezone.now()
    report = CasePollReport()
    due = Q(next_poll_due__isnull=True) | Q(next_poll_due__lte=now)
    candidates = followed_cases().filter(due)
    if not candidates.exists():
        return report
    # The Support API is per AWS account: each account's cases are asked with its credentials, and one
    # account failing never blocks the others.
    accounts = AwsAccount.objects.filter(
        pk__in=candidates.order_by().values_list("request__aws_account", flat=True).distinct()
    )
    for account in accounts:
        _poll_account(gateway_for(account), candidates.filter(request__aws_account=account), now, report)
    return report


def _poll_account(
    gateway: Any, candidates: QuerySet[SupportCase], now: datetime, report: CasePollReport
) -> None:
    _learn_case_ids(gateway, candidates.filter(case_id="").exclude(display_id=""), now, report)
    while True:
        with transaction.atomic():
            cases = list(
                candidates.exclude(case_id="")
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("request")
                .order_by("pk")[:PAGE_SIZE]
            )
            if not cases:
                return
            SupportCase.objects.filter(pk__in=[c.pk for c in cases]).update(next_poll_due=now + LEASE)
        try:
            infos = {i.case_id: i for i in gateway.describe_cases(case_ids=[c.case_id for c in cases])}
        except AwsError as exc:
            report.errors.append(str(exc))
            return
        report.listed += len(infos)
        for case in cases:
            _observe(case, infos.get(case.case_id), now, report)


def _learn_case_ids(
    gateway: Any, cases: QuerySet[SupportCase], now: datetime, report: CasePollReport
) -> None:
    """Cases staff recorded by their Support Center number: DescribeCases(displayId) gives the case id."""
    for case in cases[:PAGE_SIZE]:
        try:
            info = gateway.describe_case_by_display_id(display_id=case.display_id)
        except AwsError as exc:
            report.errors.append(str(exc))
            return
        if info is None:
            SupportCase.objects.filter(pk=case.pk).update(next_poll_due=now + poll_interval())
            report.errors.append(f"case {case.display_id}: AWS has no case with this display id")
        else:
            SupportCase.objects.filter(pk=case.pk).update(case_id=info.case_id)


def _observe(case: SupportCase, info: Any, now: datetime, report: CasePollReport) -> None:
    """Apply one DescribeCases answer to one case (its own transaction: one bad row spoils no other)."""
    case.last_polled_at, case.next_poll_due = now, now + poll_interval() / 2
    if info is None:
        SupportCase.objects.filter(pk=case.pk).update(last_polled_at=now, next_poll_due=case.next_poll_due)
        return
    raw = (info.status or "")[:60]
    if raw != case.status:
        report.changes.append(f"case {case.case_id} {case.status or '∅'} → {raw}")
    decision = settle(
        state=case.state,
        pending_state=case.pending_state,
        pending_since=case.pending_since,
        observed=meaning_of(raw),
        now=now,
    )
    if decision.pending_since is not None:
        case.next_poll_due = min(case.next_poll_due, decision.pending_since + SETTLE_WINDOW)
    request = case.request
    try:
        with transaction.atomic():
            _mirror_communications(case, info.recent_communications, now)
            case.status, case.display_id = raw, info.display_id or case.display_id
            case.pending_state, case.pending_since = decision.pending_state, decision.pending_since
            SupportCase.objects.filter(pk=case.pk).update(
                status=case.status,
                display_id=case.display_id,
                pending_state=case.pending_state,
                pending_since=case.pending_since,
                last_polled_at=now,
                next_poll_due=case.next_poll_due,
            )
            if decision.apply is not None:
                case_state_apply(
                    case=case,
                    request=request,
                    state=decision.apply,
                    actor=POLLER_ACTOR,
                    now=now,
                    aws_status=raw,
                )
            elif request.aws_status != raw:
                SenderIdRequest.objects.filter(pk=request.pk).update(aws_status=raw)
    except request_lifecycle.IllegalTransition as exc:  # TransitionConflict included
        report.errors.append(f"request {request.pk}: {exc}")


def _aws_time(value: str, now: datetime) -> datetime:
    parsed = parse_datetime(value or "")
    if parsed is None:
        return now
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def _mirror_communications(case: SupportCase, communications: list[dict[str, str]], now: datetime) -> None:
    """Store AWS's recent communications not seen yet. The case text itself and the team's answers
    sent from the portal come back as the customer's: they are linked, not stored twice."""
    for item in communications:
        body = (item.get("body") or "").strip()
        author = item.get("submitted_by") or ""
        if not body:
            continue
        key = hashlib.sha256(f"{item.get('time_created')}|{author}|{body}".encode()).hexdigest()
        if case.communications.filter(aws_key=key).exists():
            continue
        direction = Direction.FROM_AWS if AWS_AUTHOR in author.lower() else Direction.TO_AWS
        if direction == Direction.TO_AWS:
            if body == (case.body or "").strip():
                continue
            mine = case.communications.filter(direction=Direction.TO_AWS, aws_key="", body=body).first()
            if mine is not None:
                SupportCaseCommunication.objects.filter(pk=mine.pk).update(aws_key=key)
                continue
        SupportCaseCommunication.objects.create(
            case=case,
            direction=direction,
            body=body,
            submitted_by=author[:300],
            time_created=_aws_time(item.get("time_created") or "", now),
            aws_key=key,
        )
