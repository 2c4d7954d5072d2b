"""The registration status poller: mirror AWS's registration statuses onto our rows and requests.

Beat runs `registrations_poll` every REGISTRATION_POLL_SECONDS (task `poll_registrations`; also
`manage.py poll_registrations`). It lists in pages of 100, claims rows with skip_locked, asks AWS for
details only about rows that changed, and moves each request the way registrations/lifecycle.py maps
its registration's AWS status. `registrations_refresh` (by id) is the same machinery for the rows the
listing no longer shows and for the AWS events consumer (registrations.services.events).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from countries.eta import published_eta
from senderids import lifecycle
from senderids.choices import Status
from senderids.events import Event
from senderids.models import SenderIdRequest
from smsvoice.gateway import PermanentAwsError, RetryableAwsError, SmsVoiceGateway, gateway_for
from smsvoice.models import AwsAccount

from .. import events
from ..lifecycle import (
    OPEN_AT_AWS_STATUSES,
    REVIEW_VERSION_STATUS,
    UNDER_REVIEW_STATUSES,
    VERSION_UNDER_REVIEW,
    request_status_for,
)
from ..lifecycle import AwsRegistrationStatus as Aws
from ..models import AwsEvent, Registration, RegistrationFieldValue
from .aws import LEASE, ReviewVersion, info_fields, upsert_versions
from .completion import confirm_sender_ids, note_message_type_mismatch
from .schedule import next_poll_delay

logger = logging.getLogger(__name__)

# Events seen for an account this recently: they are flowing, the poll is only the backstop.
EVENTS_FLOWING_WITHIN = timedelta(hours=1)

PAGE_SIZE = 100
MAX_IDS_PER_CALL = 5  # DescribeRegistrations takes at most 5 ids


def poll_interval() -> timedelta:
    return timedelta(seconds=settings.REGISTRATION_POLL_SECONDS)


@dataclass
class PollReport:
    """What one poll cycle did (printed by `manage.py poll_registrations`)."""

    listed: int = 0
    looked_up: int = 0
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"listed {self.listed}, looked up {self.looked_up}, {len(self.changes)} changed"


@dataclass
class _Change:
    row: Registration
    info: Any
    request_status: str
    versions: list[Any] = field(default_factory=list)
    field_values: list[Any] = field(default_factory=list)
    sender_id: Any = None  # DescribeSenderIds' answer once AWS lists the registered sender ID


def _chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def next_due(row: Registration, now: datetime, *, flowing: bool = False) -> datetime:
    """When the row is due again (registrations.services.schedule): state, age, the country's ETA."""
    eta = published_eta(row.request.country_id)
    return now + next_poll_delay(
        aws_status=row.aws_status,
        changed_at=row.aws_status_changed_at,
        submitted_at=row.submit_requested_at,
        now=now,
        eta_days=eta.max_days if eta else None,
        events_flowing=flowing,
    )


def _due(now: datetime) -> Q:
    return Q(next_poll_due__isnull=True) | Q(next_poll_due__lte=now)


def registrations_poll(*, now: datetime | None = None) -> PollReport:
    """One poll cycle: mirror AWS's registration statuses onto the portal's rows and requests.

    1. DescribeRegistrations filtered on the in-review statuses (and our registration types), in pages
       of 100: one call per 100 registrations, not one per registration.
    2. Rows we expected in review that the listing no longer shows have left review (COMPLETE,
       REQUIRES_UPDATES, CLOSED, ...): those few are asked for by id (≤5 per call).
    3. Per page: rows are claimed with select_for_update(skip_locked) — parallel workers never process a
       row twice — unchanged rows are stamped in one UPDATE, changed rows get their versions (only
       theirs, and only when the change carries version detail), then are written with bulk_update,
       with a StatusEvent for every request status they move.
    """
    now = now or timezone.now()
    report = PollReport()
    watched = Registration.objects.exclude(aws_registration_id="").filter(
        request__status__in=OPEN_AT_AWS_STATUSES
    )
    placements = watched.order_by().values_list("request__aws_account", "request__aws_region").distinct()
    accounts = {a.pk: a for a in AwsAccount.objects.filter(pk__in={pk for pk, _ in placements})}
    for account_pk, region in sorted(placements, key=lambda p: (p[0], p[1])):
        account = accounts[account_pk]
        scoped = watched.filter(request__aws_account=account_pk, request__aws_region=region)
        # AWS's events arrive as things happen: the poll is then only the backstop for a lost one.
        flowing = AwsEvent.objects.received_since(account_pk, now - EVENTS_FLOWING_WITHIN).exists()
        try:
            _poll_placement(gateway_for(account, region), scoped, now, report, flowing=flowing)
        except (RetryableAwsError, PermanentAwsError) as exc:
            # One account failing (credentials revoked, throttled) never blocks the others.
            report.errors.append(f"{account.name} {region}: {exc}")
            logger.warning("poll of %s %s failed: %s", account.name, region, exc)
    _poll_unconfirmed(now, report)
    return report


def _poll_placement(
    gateway: SmsVoiceGateway, watched: QuerySet, now: datetime, report: PollReport, *, flowing: bool = False
) -> None:
    """Steps 1–3 for one (account, Region): its listing, its missing rows.

    Adaptive (registrations.services.schedule): only rows that are due are looked at. When asking for
    the due ones by id (≤5 per call) costs no more than the listing (≤100 per page), they are asked
    for by id and the listing is skipped; with AWS's events flowing most cycles ask for nothing.
    """
    due = watched.filter(_due(now)).filter(
        Q(request__status__in=UNDER_REVIEW_STATUSES) | Q(aws_status__in=Aws.IN_FLIGHT)
    )
    due_count = due.count()
    if not due_count:
        return
    pages = -(-watched.count() // PAGE_SIZE)
    if due_count <= MAX_IDS_PER_CALL * pages:
        ids = list(due.values_list("aws_registration_id", flat=True))
        registrations_refresh(gateway, ids, now=now, report=report, watched=watched, flowing=flowing)
        return
    types = sorted(set(watched.values_list("registration_type", flat=True).distinct()))
    if not types:
        return
    seen: set[str] = set()
    listing = gateway.describe_registrations(
        statuses=list(Aws.IN_FLIGHT), registration_types=types if len(types) <= 20 else None
    )
    for page in _chunked(listing, PAGE_SIZE):
        report.listed += len(page)
        seen.update(info.registration_id for info in page)
        _poll_page(gateway, watched, page, now, report, flowing=flowing)
    expected = (
        watched.filter(request__status__in=UNDER_REVIEW_STATUSES)
        .filter(_due(now))
        .exclude(aws_status=Aws.COMPLETE)
        .filter(Q(aws_status_changed_at__isnull=True) | Q(aws_status_changed_at__lt=now))
        .values_list("aws_registration_id", flat=True)
    )
    missing = [rid for rid in expected.iterator(chunk_size=2000) if rid not in seen]
    if missing:
        registrations_refresh(gateway, missing, now=now, report=report, watched=watched, flowing=flowing)


def registrations_refresh(
    gateway: SmsVoiceGateway,
    registration_ids: Iterable[str],
    *,
    now: datetime,
    report: PollReport,
    watched: QuerySet | None = None,
    scheduled: bool = True,
    flowing: bool = False,
) -> None:
    """Re-read these registrations from AWS by id (DescribeRegistrations, ≤5 ids per call) and apply
    what changed exactly as a poll cycle does (versions, denials, sender ID, request transitions).

    Shared by the poller (rows that left its in-review listing) and the events consumer
    (registrations.services.events), which passes ``scheduled=False``: an event says the row moved, so
    it is re-read now, however far away its next scheduled poll is. Rows outside ``watched`` (default:
    every registration whose request is open at AWS) are left alone. Raises the gateway's errors (e.g.
    ResourceNotFoundException for an id AWS no longer knows: the whole call of ≤5 fails)."""
    if watched is None:
        watched = Registration.objects.exclude(aws_registration_id="").filter(
            request__status__in=OPEN_AT_AWS_STATUSES
        )
    ids = list(dict.fromkeys(registration_ids))
    for page in _chunked(gateway.describe_registrations(registration_ids=ids), PAGE_SIZE):
        report.looked_up += len(page)
        _poll_page(gateway, watched, page, now, report, scheduled=scheduled, flowing=flowing)


# What the poller reads of a row: a page of 100 must stay cheap to load (no unneeded columns).
_POLL_FIELDS = (
    "aws_registration_id",
    "aws_status",
    "current_version_number",
    "approved_version_number",
    "latest_denied_version_number",
    "submitted_version_number",
    "aws_status_changed_at",
    "request__status",
    "request__sender_id",
    "request__country",
    "request__aws_status",
    "request__aws_account",
    "request__aws_region",
    "submit_requested_at",
)


def _poll_page(
    gateway: SmsVoiceGateway,
    watched: QuerySet,
    infos: list[Any],
    now: datetime,
    report: PollReport,
    *,
    scheduled: bool = True,
    flowing: bool = False,
) -> None:
    by_id = {info.registration_id: info for info in infos}
    with transaction.atomic():
        rows = list(
            watched.select_for_update(skip_locked=True, of=("self",))
            .select_related("request")
            .only(*_POLL_FIELDS)
            .filter(aws_registration_id__in=list(by_id), request__status__in=OPEN_AT_AWS_STATUSES)
            # Unscheduled (an event): a row another worker holds is skipped by skip_locked above, and
            # one it is asking AWS about is re-checked by _apply_changes before anything is written.
            .filter(_due(now) if scheduled else Q())
        )
        changes, unchanged = [], []
        for row in rows:
            info = by_id[row.aws_registration_id]
            if _differs(row, info) or _request_lags(row.request.status, info.status):
                changes.append(_Change(row=row, info=info, request_status=row.request.status))
            else:
                unchanged.append(row)
        if unchanged:
            # Each row's next poll from its state and age (one UPDATE per group of equal due times).
            for row in unchanged:
                row.last_polled_at, row.next_poll_due = now, next_due(row, now, flowing=flowing)
            bulk_write(Registration, unchanged, ["last_polled_at", "next_poll_due"])
        if changes:
            # Leased: no other worker touches these while we ask AWS about them (lock released now).
            Registration.objects.filter(pk__in=[c.row.pk for c in changes]).update(next_poll_due=now + LEASE)
    if changes:
        _fetch_details(gateway, changes, report)
        _apply_changes(changes, now, report)


def bulk_write(model: type, rows: list[Any], fields: list[str], max_groups: int = 5) -> None:
    """Write `fields` of `rows` in a bounded number of queries.

    Rows a poll changes mostly get the same values (a page moving SUBMITTED → REVIEWING): grouped by
    value, that is one plain UPDATE … WHERE pk IN (…) per group. Django's bulk_update (one CASE per
    field and row) is only used when the values are too varied (more than `max_groups` groups);
    either way a page costs at most `max_groups` queries, whatever N.
    """
    if not rows:
        return
    groups: dict[tuple, list[int]] = {}
    for row in rows:
        groups.setdefault(tuple(getattr(row, name) for name in fields), []).append(row.pk)
    if len(groups) > max_groups:
        model.objects.bulk_update(rows, fields)
        return
    for values, pks in groups.items():
        model.objects.filter(pk__in=pks).update(**dict(zip(fields, values, strict=True)))


def _differs(row: Registration, info: Any) -> bool:
    return (
        row.aws_status != info.status
        or row.current_version_number != info.current_version_number
        or row.approved_version_number != info.approved_version_number
        or row.latest_denied_version_number != info.latest_denied_version_number
    )


def _request_lags(request_status: str, aws_status: str) -> bool:
    target = request_status_for(aws_status)
    return target is not None and target != request_status and target != Status.ACTIVE


def _fetch_details(gateway: SmsVoiceGateway, changes: list[_Change], report: PollReport) -> None:
    """Versions (and per-field feedback after a denial) for changed rows only; sender IDs for COMPLETE."""
    completes = []
    for change in changes:
        info, row = change.info, change.row
        review_move = info.status in REVIEW_VERSION_STATUS and info.current_version_number == (
            row.current_version_number
        )
        try:
            if not review_move:
                numbers = sorted(
                    {
                        n
                        for n in (
                            info.current_version_number,
                            info.latest_denied_version_number,
                            info.approved_version_number,
                            row.submitted_version_number,
                        )
                        if n
                    }
                )
                change.versions = gateway.describe_registration_versions(
                    registration_id=info.registration_id, version_numbers=numbers
                )
            if info.status == Aws.REQUIRES_UPDATES and info.latest_denied_version_number:
                change.field_values = gateway.describe_registration_field_values(
                    registration_id=info.registration_id, version_number=info.latest_denied_version_number
                )
            elif row.aws_status == Aws.AWS_REVIEWING and info.status != Aws.AWS_REVIEWING:
                # AWS's pre-review is over: its per-field Feedback is on the version it reviewed.
                change.field_values = gateway.describe_registration_field_values(
                    registration_id=info.registration_id,
                    version_number=row.submitted_version_number or info.current_version_number,
                )
        except (RetryableAwsError, PermanentAwsError) as exc:
            report.errors.append(f"{info.registration_id}: {exc}")
            change.info = None  # retried next cycle (its lease expires)
            continue
        if info.status == Aws.COMPLETE:
            completes.append(change)
    confirm_sender_ids(gateway, completes, report)


def _apply_changes(changes: list[_Change], now: datetime, report: PollReport) -> None:
    changes = [c for c in changes if c.info is not None]
    if not changes:
        return
    with transaction.atomic():
        fresh = {
            r.pk: r
            for r in Registration.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request")
            .only(*_POLL_FIELDS)
            .filter(pk__in=[c.row.pk for c in changes])
        }
        applied, versions, denials = [], [], []
        for change in changes:
            row = fresh.get(change.row.pk)
            if (
                row is None
                or row.aws_status != change.row.aws_status
                or row.request.status != change.request_status
            ):
                continue  # moved meanwhile (e.g. the owner resubmitted): next cycle sees the new state
            info = change.info
            for name, value in info_fields(info).items():
                setattr(row, name, value)
            if change.row.aws_status != info.status:
                row.aws_status_changed_at = now
            row.last_polled_at = now
            row.next_poll_due = next_due(row, now)
            applied.append((row, change))
            versions += [(row, v) for v in change.versions]
            if not change.versions and info.status in REVIEW_VERSION_STATUS:
                versions.append(
                    (row, ReviewVersion(info.current_version_number, REVIEW_VERSION_STATUS[info.status]))
                )
            if change.field_values:
                denials.append((row, change.field_values))
        bulk_write(
            Registration,
            [row for row, _c in applied],
            [
                "aws_status",
                "current_version_number",
                "approved_version_number",
                "latest_denied_version_number",
                "aws_status_changed_at",
                "last_polled_at",
                "next_poll_due",
            ],
        )
        upsert_versions(versions)
        _store_denials(denials)
        _mirror_requests(applied, report)


def _store_denials(denials: list[tuple[Registration, list[Any]]]) -> None:
    """Per-field DeniedReason/Feedback from DescribeRegistrationFieldValues onto our value rows."""
    if not denials:
        return
    feedback = {(registration.pk, fv.field_path): fv for registration, values in denials for fv in values}
    rows = list(RegistrationFieldValue.objects.filter(registration__in=[r.pk for r, _v in denials]))
    for row in rows:
        fv = feedback.get((row.registration_id, row.field_path))
        row.denied_reason = (fv.denied_reason or "") if fv else ""
        row.feedback = (fv.feedback or "") if fv else ""
    RegistrationFieldValue.objects.bulk_update(rows, ["denied_reason", "feedback"])
    # A denied field the portal never stored (AWS-side value): keep its feedback visible too.
    known = {(r.registration_id, r.field_path) for r in rows}
    extra = [
        RegistrationFieldValue(
            registration_id=registration_pk,
            field_path=path,
            text_value=fv.text_value or "",
            select_choices=list(fv.select_choices or []),
            denied_reason=fv.denied_reason or "",
            feedback=fv.feedback or "",
        )
        for (registration_pk, path), fv in feedback.items()
        if (registration_pk, path) not in known and (fv.denied_reason or fv.feedback)
    ]
    RegistrationFieldValue.objects.bulk_create(extra)


def denial_summary(versions: Iterable[Any]) -> str:
    reasons = [
        (d.get("short_description") or d.get("reason") or "")
        for v in versions
        for d in (v.denied_reasons or [])
    ]
    return "; ".join(r for r in reasons if r)


def _mirror_requests(applied: list[tuple[Registration, _Change]], report: PollReport) -> None:
    """Move each request to the status its registration's AWS status means; raw AWS status beside it."""
    quiet: list[SenderIdRequest] = []
    # Requests that change status are loaded whole (one query): notifications read owner and country.
    moving = [
        row.request_id
        for row, change in applied
        if (target := request_status_for(change.info.status)) is not None
        and target != row.request.status
        and (target != Status.ACTIVE or change.sender_id is not None)
    ]
    full = SenderIdRequest.objects.select_related("owner", "country").in_bulk(moving) if moving else {}
    for row, change in applied:
        request, info = full.get(row.request_id, row.request), change.info
        target = request_status_for(info.status)
        if target == Status.ACTIVE and change.sender_id is None:
            target = None  # COMPLETE, sender ID not listed yet: confirmed on a later cycle
        if target == Status.REGISTRATION_DRAFT and _submitted_version_still_in_review(row, change):
            target = None  # CREATED while the submitted version is in review: AWS's listing lags
        label = f"{row.aws_registration_id} {change.row.aws_status or '∅'} → {info.status}"
        if target is None or target == request.status:
            request.aws_status = info.status
            quiet.append(request)
            report.changes.append(label)
            continue
        event, extra = _move(target, change, row)
        try:
            lifecycle.transition(request, target, event=event, expected_from=change.request_status, **extra)
        except lifecycle.IllegalTransition as exc:  # TransitionConflict included
            report.errors.append(f"request {request.pk}: {exc}")
            continue
        if target == Status.REGISTRATION_DRAFT:
            # Its submitted version is over (discarded): the next Submit sends a version again.
            Registration.objects.filter(pk=row.pk).update(
                submitted_version_number=None, submit_requested=False
            )
        report.changes.append(f"{label}; request #{request.pk} {change.request_status} → {target}")
        if target == Status.ACTIVE:
            note_message_type_mismatch(request, change.sender_id)
    if quiet:
        bulk_write(SenderIdRequest, quiet, ["aws_status"])


def _submitted_version_still_in_review(row: Registration, change: _Change) -> bool:
    """Whether the version we submitted is still with AWS although the registration says CREATED."""
    number = row.submitted_version_number or row.current_version_number
    version = next((v for v in change.versions if v.version_number == number), None)
    return version is not None and version.status in VERSION_UNDER_REVIEW


def _move(target: str, change: _Change, row: Registration) -> tuple[Event, dict[str, Any]]:
    """The timeline entry and the request columns of a move the poller makes to `target`."""
    info = change.info
    extra: dict[str, Any] = {"aws_status": info.status}
    if target == Status.ACTION_REQUIRED:
        current = next((v for v in change.versions if v.version_number == info.current_version_number), None)
        event = events.registration_action_required(info.status, (current.feedback or "") if current else "")
    elif target == Status.REGISTRATION_DRAFT:
        number = row.submitted_version_number or info.current_version_number
        version = next((v for v in change.versions if v.version_number == number), None)
        if change.row.aws_status == Aws.AWS_REVIEWING:
            event = events.registration_pre_review_feedback(number, info.status)
        else:
            event = events.registration_back_to_draft(number, version.status if version else "", info.status)
        extra.update(aws_error_code="", aws_error_message="")
    elif target == Status.REQUIRES_UPDATES:
        denied = [v for v in change.versions if v.version_number == info.latest_denied_version_number]
        event = events.registration_requires_updates(
            info.latest_denied_version_number, denial_summary(denied), info.status
        )
    elif target == Status.ACTIVE:
        event = events.registration_approved()
        extra.update(
            aws_sender_id_arn=change.sender_id.sender_id_arn,
            monthly_leasing_price=str(change.sender_id.monthly_leasing_price or "")[:20],
            aws_message_types=list(change.sender_id.message_types),
        )
    elif target == Status.FAILED:
        revoked = any(v.status == "REVOKED" for v in change.versions)
        event = (
            events.registration_revoked(info.status) if revoked else events.registration_ended(info.status)
        )
        extra.update(aws_error_code=info.status, aws_error_message=event.reason)
    else:
        event = events.registration_status_mirrored(info.status)
    return event, extra


def _poll_unconfirmed(now: datetime, report: PollReport) -> None:
    """COMPLETE registrations whose sender ID AWS did not list yet: only DescribeSenderIds again."""
    while _poll_unconfirmed_page(now, report):
        pass


def _poll_unconfirmed_page(now: datetime, report: PollReport) -> bool:
    with transaction.atomic():
        rows = list(
            Registration.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request")
            .filter(aws_status=Aws.COMPLETE, request__status__in=UNDER_REVIEW_STATUSES)
            .filter(_due(now))[:PAGE_SIZE]
        )
        if not rows:
            return False
        Registration.objects.filter(pk__in=[r.pk for r in rows]).update(next_poll_due=now + LEASE)
    changes = [_Change(row=row, info=_Unchanged(row), request_status=row.request.status) for row in rows]
    by_placement: dict[tuple[int, str], list[_Change]] = {}
    for change in changes:
        request = change.row.request
        by_placement.setdefault((request.aws_account_id, request.aws_region), []).append(change)
    for (account_pk, region), group in by_placement.items():
        account = AwsAccount.objects.get(pk=account_pk)
        confirm_sender_ids(gateway_for(account, region), group, report)
    _apply_changes(changes, now, report)
    return True


@dataclass
class _Unchanged:
    """A RegistrationInfo-like view of a row as stored (used to re-apply a COMPLETE not yet confirmed)."""

    row: Registration

    @property
    def registration_id(self) -> str:
        return self.row.aws_registration_id

    @property
    def status(self) -> str:
        return self.row.aws_status

    @property
    def current_version_number(self) -> int | None:
        return self.row.current_version_number

    @property
    def approved_version_number(self) -> int | None:
        return self.row.approved_version_number

    @property
    def latest_denied_version_number(self) -> int | None:
        return self.row.latest_denied_version_number
