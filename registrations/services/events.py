"""The AWS events consumer: AWS's `Registration Status Change` events, read from SQS, move a registration
within seconds of AWS moving it; the poller (registrations.services.poller) stays as the backstop.

It owns: which queue each AWS account's events arrive on (`AwsAccount.events_queue_url`, else the
`AWS_EVENTS_QUEUE_URL` setting for the default account), one consumer pass (`aws_events_consume`, run by
beat's `consume_aws_events` task and `manage.py consume_aws_events`), the deduplication record
(`AwsEvent`) and its pruning, and `events_flowing` (did an account's events arrive lately? the backstop
poll may then run less often).

Why an event is never applied as it stands: AWS delivers them best effort, at least once and in no
guaranteed order, and an event carries no denial reasons or sender ID. So an event only says "look at
this registration now": it is re-read from AWS by id through the poller's own machinery
(`poller.registrations_refresh`), and a duplicate, late or reordered event can at worst cause one
harmless re-read, never a wrong status.

What happens to each message of a pass, in this order:
1. malformed (not JSON, not an EventBridge event, no registration id or time): logged, counted and
   deleted. It can never become valid; leaving it would only cost MAX_RECEIVES receives before the DLQ
   takes it, and the backstop poll covers whatever change it may have meant. A well-formed event of
   another kind (a wider rule) is deleted as ignored.
2. seen before (an AwsEvent with its EventBridge `id`, kept AWS_EVENTS_RETENTION_DAYS): deleted.
3. a registration the portal does not know, or whose request no longer waits on AWS: recorded, deleted.
4. older than what the row knows (its time is more than CLOCK_SKEW before `aws_status_changed_at`):
   recorded, deleted, no AWS call.
5. otherwise refreshed (≤5 ids per DescribeRegistrations call), then recorded, then deleted: a message
   is deleted only after its change is committed and its id recorded, so a crash at any point means a
   redelivery that is either deduplicated or re-read. A refresh that fails (AWS or database) leaves its
   messages in the queue: SQS shows them again after VISIBILITY_TIMEOUT and the DLQ keeps them after
   MAX_RECEIVES. AWS's reads may lag its events: when the re-read still shows the row's old status while
   the event is newer than the row, the message is left for redelivery (up to LAG_RETRIES receives).
One queue or account failing never stops the others.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from smsvoice.errors import AwsError, PermanentAwsError
from smsvoice.gateway import MAX_IDS_PER_CALL, gateway_for
from smsvoice.models import AwsAccount
from smsvoice.selectors import aws_account_default, aws_accounts_enabled
from smsvoice.sqs_api import QueueMessage, queue_region

from ..lifecycle import OPEN_AT_AWS_STATUSES
from ..models import AwsEvent, AwsEventOutcome, Registration
from .poller import PollReport, registrations_refresh

logger = logging.getLogger(__name__)

SOURCE = "aws.sms-voice"
DETAIL_TYPE = "Registration Status Change"
# How long a received message stays invisible: the longest one pass may hold it. A pass starts no
# receive after PASS_SECONDS, and one batch of 10 costs at most ~30 calls at AWS's 1 request/s per
# operation (DescribeRegistrations, versions, field values, sender IDs); 120 s covers both with room.
# deploy/eventbridge-sqs.yaml gives the queue the same default.
VISIBILITY_TIMEOUT = 120
PASS_SECONDS = 45
# After a batch, the queue is drained with short long polls (1 s still asks every SQS server, which a
# 0-second receive does not).
DRAIN_WAIT_SECONDS = 1
# The DLQ's maxReceiveCount in deploy/eventbridge-sqs.yaml: a message that failed this often is kept there.
MAX_RECEIVES = 5
# A re-read that does not show a newer event's status yet is tried again on this many receives.
LAG_RETRIES = 3
# AWS's clock and ours, and AWS's read-after-event lag: only an event clearly older than the row's
# knowledge is skipped without a re-read (a re-read is always safe, a wrong skip is not).
CLOCK_SKEW = timedelta(seconds=60)
# `events_flowing`'s default window.
FLOWING_WITHIN = timedelta(hours=1)
# Two passes never overlap (they would only compete for the same messages). The lock outlives a
# crashed pass by no more than the messages it held stay invisible.
LOCK_KEY = "registrations:aws-events-pass"
LOCK_SECONDS = VISIBILITY_TIMEOUT
LOGGED_BODY_CHARS = 500
NOT_FOUND = "ResourceNotFoundException"


# --- where events arrive ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventQueue:
    """One SQS queue and the accounts whose events arrive on it; read with the first one's credentials
    (accounts sharing a queue, e.g. through a central event bus, are read once)."""

    url: str
    accounts: tuple[AwsAccount, ...]

    @property
    def account(self) -> AwsAccount:
        return self.accounts[0]

    @property
    def region(self) -> str:
        # A URL that names no Region (moto's) is taken to be in the account's default Region.
        return queue_region(self.url) or self.account.default_region or settings.AWS_REGION


def events_queue_url(account: AwsAccount, *, default: AwsAccount | None = None) -> str:
    """The queue `account`'s events arrive on: its own, else AWS_EVENTS_QUEUE_URL when it is the default
    account, else "" (no events: polling only). `default`: the default account, when already loaded."""
    if account.events_queue_url:
        return account.events_queue_url
    if not settings.AWS_EVENTS_QUEUE_URL:
        return ""
    default = default or aws_account_default()
    return settings.AWS_EVENTS_QUEUE_URL if default is not None and default.pk == account.pk else ""


def event_queues() -> list[EventQueue]:
    """Every queue to read, once each, the default account's first."""
    default = aws_account_default()
    by_url: dict[str, list[AwsAccount]] = {}
    for account in aws_accounts_enabled():
        url = events_queue_url(account, default=default)
        if url:
            by_url.setdefault(url, []).append(account)
    return [EventQueue(url=url, accounts=tuple(accounts)) for url, accounts in by_url.items()]


def events_flowing(
    account: AwsAccount, *, within: timedelta = FLOWING_WITHIN, now: datetime | None = None
) -> bool:
    """Whether AWS events for `account` arrived within `within`: then its fixed backstop poll may run less
    often. A quiet account (nothing changed at AWS) reads as not flowing, which only costs the normal
    poll cadence; a broken EventBridge rule or queue stops the flow, and polling returns by itself."""
    if not events_queue_url(account):
        return False
    since = (now or timezone.now()) - within
    return AwsEvent.objects.received_since(account.pk, since).exists()


# --- the event -------------------------------------------------------------------------------------------
class MalformedEvent(ValueError):
    """A message body that is not the documented EventBridge → SQS body of an event."""


@dataclass(frozen=True)
class RegistrationEvent:
    """What the portal reads of one `Registration Status Change` event (the user guide's payload)."""

    event_id: str
    account: str
    region: str
    registration_id: str
    status: str
    version_number: int | None
    event_time: datetime


def parse_event(body: str) -> RegistrationEvent | None:
    """The event of an SQS message body: an EventBridge rule's SQS target sends the event itself as JSON.
    None for a well-formed event of another kind; MalformedEvent for anything else."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise MalformedEvent("not JSON") from exc
    if not isinstance(data, dict):
        raise MalformedEvent("not a JSON object")
    detail = data.get("detail")
    if not all(_text(data.get(key)) for key in ("id", "source", "detail-type")) or not isinstance(
        detail, dict
    ):
        raise MalformedEvent("not an EventBridge event (id, source, detail-type, detail)")
    if data["source"] != SOURCE or data["detail-type"] != DETAIL_TYPE:
        return None
    details = detail.get("registrationDetails")
    if not isinstance(details, dict):
        raise MalformedEvent("no detail.registrationDetails")
    registration_id, status = details.get("registrationId"), details.get("currentStatus")
    if not _text(registration_id) or not _text(status):
        raise MalformedEvent("no registrationId or currentStatus")
    version = details.get("registrationVersionNumber")
    return RegistrationEvent(
        event_id=data["id"][:100],
        account=str(data.get("account") or "")[:12],
        region=str(data.get("region") or "")[:30],
        registration_id=registration_id[:100],
        status=status[:60],
        version_number=version if isinstance(version, int) and not isinstance(version, bool) else None,
        event_time=_event_time(details.get("registrationStatusChangeTimestamp"), data.get("time")),
    )


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _event_time(millis: Any, iso: Any) -> datetime:
    """registrationStatusChangeTimestamp (epoch ms: when the status changed), else the envelope's time."""
    if isinstance(millis, (int, float)) and not isinstance(millis, bool) and millis > 0:
        try:
            return datetime.fromtimestamp(millis / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            pass
    parsed = parse_datetime(iso) if isinstance(iso, str) else None
    if parsed is None:
        raise MalformedEvent("no registrationStatusChangeTimestamp or time")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


# --- one pass --------------------------------------------------------------------------------------------
@dataclass
class ConsumeReport:
    """What one pass did (printed by `manage.py consume_aws_events`, logged by the task)."""

    queues: int = 0
    received: int = 0
    applied: int = 0
    unchanged: int = 0
    stale: int = 0
    duplicates: int = 0
    unknown: int = 0
    closed: int = 0
    not_found: int = 0
    ignored: int = 0
    malformed: int = 0
    retried: int = 0
    deleted: int = 0
    skipped: bool = False  # another pass held the lock
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.skipped:
            return "another pass is running: skipped"
        return (
            f"{self.queues} queue(s): received {self.received} (applied {self.applied}, unchanged "
            f"{self.unchanged}, stale {self.stale}, duplicate {self.duplicates}, unknown {self.unknown}, "
            f"closed {self.closed}, not found {self.not_found}, ignored {self.ignored}, malformed "
            f"{self.malformed}); deleted {self.deleted}, left for redelivery {self.retried}, "
            f"{len(self.errors)} error(s)"
        )

    def count(self, outcome: str) -> None:
        # The counters are named after the outcomes' values.
        setattr(self, outcome, getattr(self, outcome) + 1)


def aws_events_consume(
    *,
    now: datetime | None = None,
    wait_seconds: int | None = None,
    visibility_timeout: int = VISIBILITY_TIMEOUT,
    pass_seconds: float = PASS_SECONDS,
) -> ConsumeReport:
    """One pass over every events queue: receive (long polling), apply, delete; bounded by `pass_seconds`
    (no receive starts after it). `now`: the time changes are stamped with (default: the clock, per
    batch). `wait_seconds`: the longest long poll (default AWS_EVENTS_WAIT_SECONDS)."""
    report = ConsumeReport()
    queues = event_queues()
    if not queues:
        return report
    wait = settings.AWS_EVENTS_WAIT_SECONDS if wait_seconds is None else wait_seconds
    with _pass_lock() as held:
        if not held:
            report.skipped = True
            return report
        deadline = time.monotonic() + pass_seconds
        report.queues = len(queues)
        for index, queue in enumerate(queues):
            # The queues left share what remains of the pass: one quiet queue's long poll never uses up
            # the others' time.
            share = len(queues) - index
            try:
                _consume_queue(queue, deadline, share, wait, visibility_timeout, now, report)
            except AwsError as exc:
                report.errors.append(f"{queue.account.name} {queue.url}: {exc}")
                logger.warning("AWS events: %s %s: %s", queue.account.name, queue.url, exc)
    return report


@contextmanager
def _pass_lock() -> Iterator[bool]:
    # The cache is Redis when REDIS_URL is set (shared by every worker), else process-local (embedded
    # mode has one worker).
    token = uuid.uuid4().hex
    held = cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS)
    try:
        yield held
    finally:
        if held and cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def _consume_queue(
    queue: EventQueue,
    deadline: float,
    share: int,
    wait: int,
    visibility: int,
    now: datetime | None,
    report: ConsumeReport,
) -> None:
    gateway = gateway_for(queue.account, queue.region)
    first = True
    handled: set[str] = set()
    while (remaining := deadline - time.monotonic()) > 0:
        seconds = (
            min(wait, int(remaining / share)) if first else min(wait, DRAIN_WAIT_SECONDS, int(remaining))
        )
        messages = gateway.receive_messages(
            queue_url=queue.url, wait_seconds=seconds, visibility_timeout=visibility
        )
        if not messages or all(m.message_id in handled for m in messages):
            # Empty, or only messages this pass left for redelivery (a visibility timeout shorter than
            # the pass): the next pass takes them.
            return
        report.received += len(messages)
        first = False
        handled.update(m.message_id for m in messages)
        try:
            handles = _handle_batch(queue, messages, now or timezone.now(), report)
        except Exception as exc:
            # The database (or a bug) failed the whole batch: nothing was deleted, SQS shows the
            # messages again after the visibility timeout. Stop reading this queue for this pass.
            report.errors.append(f"{queue.account.name} {queue.url}: {exc!r}")
            logger.exception("AWS events: a batch of %s failed; its messages stay queued", queue.url)
            return
        if handles:
            failed = gateway.delete_messages(queue_url=queue.url, receipt_handles=handles)
            # A handle SQS refuses (its message came back meanwhile): the redelivery is a duplicate.
            report.deleted += len(handles) - len(failed)


@dataclass
class _Item:
    message: QueueMessage
    event: RegistrationEvent | None = None
    outcome: str = ""  # an AwsEventOutcome once decided; "" = nothing to record
    aws_account_id: int | None = None
    keep: bool = False  # leave in the queue: redelivered after the visibility timeout


@dataclass(frozen=True)
class _Row:
    """What the consumer reads of a registration (before and after its refresh)."""

    pk: int
    registration_id: str
    aws_status: str
    changed_at: datetime | None
    request_status: str
    aws_account_id: int
    aws_account_number: str
    region: str


def _handle_batch(
    queue: EventQueue, messages: list[QueueMessage], now: datetime, report: ConsumeReport
) -> list[str]:
    """Steps 1–5 of the module docstring for one received batch; returns the receipt handles to delete."""
    items = [_Item(message) for message in messages]
    fresh = _parse(queue, items, report)
    rows = _rows([item.event.registration_id for item in fresh if item.event])
    groups: dict[tuple[int, str], list[_Item]] = {}
    for item in fresh:
        event = item.event
        assert event is not None
        row = rows.get(event.registration_id)
        if row is None or not _same_placement(row, event):
            item.outcome, item.aws_account_id = AwsEventOutcome.UNKNOWN, _account_of(queue, event)
        elif row.request_status not in OPEN_AT_AWS_STATUSES:
            item.outcome, item.aws_account_id = AwsEventOutcome.CLOSED, row.aws_account_id
        elif row.changed_at is not None and event.event_time < row.changed_at - CLOCK_SKEW:
            item.outcome, item.aws_account_id = AwsEventOutcome.STALE, row.aws_account_id
        else:
            item.aws_account_id = row.aws_account_id
            groups.setdefault((row.aws_account_id, row.region), []).append(item)
    accounts = AwsAccount.objects.in_bulk({account_pk for account_pk, _region in groups})
    for (account_pk, region), group in groups.items():
        _refresh_group(accounts[account_pk], region, group, rows, now, report)
    decided = [item for item in items if item.outcome]
    for item in decided:
        report.count(item.outcome)
    _record(decided, now)
    return [item.message.receipt_handle for item in items if not item.keep]


def _parse(queue: EventQueue, items: list[_Item], report: ConsumeReport) -> list[_Item]:
    """Steps 1–2: parse each message; the ones left are new events (first of their id in this batch)."""
    events: dict[str, _Item] = {}
    for item in items:
        try:
            item.event = parse_event(item.message.body)
        except MalformedEvent as exc:
            report.malformed += 1
            logger.warning(
                "AWS events: malformed message %s on %s (%s), deleted: %r",
                item.message.message_id,
                queue.url,
                exc,
                item.message.body[:LOGGED_BODY_CHARS],
            )
            continue
        if item.event is None:
            report.ignored += 1
        elif item.event.event_id in events:
            report.duplicates += 1  # twice in one batch: the first is handled, both are deleted
        else:
            events[item.event.event_id] = item
    seen = set(AwsEvent.objects.filter(event_id__in=list(events)).values_list("event_id", flat=True))
    report.duplicates += len(seen)
    return [item for event_id, item in events.items() if event_id not in seen]


def _rows(registration_ids: Iterable[str]) -> dict[str, _Row]:
    ids = sorted(set(registration_ids))
    if not ids:
        return {}
    rows: dict[str, _Row] = {}
    values = Registration.objects.filter(aws_registration_id__in=ids).values_list(
        "pk",
        "aws_registration_id",
        "aws_status",
        "aws_status_changed_at",
        "request__status",
        "request__aws_account_id",
        "request__aws_account__account_id",
        "request__aws_region",
    )
    for value in values:
        row = _Row(*value)
        # Ids are AWS's and unique; should two rows ever share one, the open one is the one to move.
        if row.registration_id not in rows or row.request_status in OPEN_AT_AWS_STATUSES:
            rows[row.registration_id] = row
    return rows


def _same_placement(row: _Row, event: RegistrationEvent) -> bool:
    """The event's account and Region are the row's (when the event and the account say which)."""
    if event.region and event.region != row.region:
        return False
    return not (event.account and row.aws_account_number and event.account != row.aws_account_number)


def _account_of(queue: EventQueue, event: RegistrationEvent) -> int:
    """The portal account an event about no known registration belongs to (for events_flowing)."""
    match = next((a for a in queue.accounts if a.account_id and a.account_id == event.account), None)
    return (match or queue.account).pk


def _refresh_group(
    account: AwsAccount,
    region: str,
    group: list[_Item],
    before: dict[str, _Row],
    now: datetime,
    report: ConsumeReport,
) -> None:
    """Step 5 for the events of one (account, Region): re-read, then decide each message's fate."""
    ids = list(dict.fromkeys(item.event.registration_id for item in group if item.event))
    poll_report = PollReport()
    try:
        not_found = _refresh(account, region, ids, now, poll_report)
    except Exception as exc:
        # AWS refused or the database failed: these messages stay queued (redelivered after the
        # visibility timeout); the other accounts' are handled as usual.
        for item in group:
            item.keep, item.outcome = True, ""
        report.retried += len(group)
        report.errors.append(f"{account.name} {region}: {exc}")
        logger.warning("AWS events: refresh in %s %s failed: %s", account.name, region, exc)
        return
    report.changes += poll_report.changes
    report.errors += poll_report.errors
    after = _rows(ids)
    for item in group:
        event = item.event
        assert event is not None
        old, new = before[event.registration_id], after.get(event.registration_id)
        if event.registration_id in not_found:
            item.outcome = AwsEventOutcome.NOT_FOUND
        elif new is not None and (new.aws_status, new.changed_at) != (old.aws_status, old.changed_at):
            item.outcome = AwsEventOutcome.APPLIED
        elif (
            new is not None
            and event.status != new.aws_status
            and (old.changed_at is None or event.event_time > old.changed_at)
            and item.message.receive_count < LAG_RETRIES
        ):
            # Newer than the row, yet AWS's read does not show it (read lag, or a detail call failed).
            item.keep, item.outcome = True, ""
            report.retried += 1
        else:
            item.outcome = AwsEventOutcome.UNCHANGED


def _refresh(account: AwsAccount, region: str, ids: list[str], now: datetime, report: PollReport) -> set[str]:
    """poller.registrations_refresh for the open rows of that (account, Region), ≤5 ids per call as AWS
    takes them. An id AWS no longer knows fails its whole call (ResourceNotFoundException): that call's
    ids are then re-read one by one. Returns the ids AWS does not know."""
    gateway = gateway_for(account, region)
    watched = Registration.objects.exclude(aws_registration_id="").filter(
        request__status__in=OPEN_AT_AWS_STATUSES, request__aws_account=account, request__aws_region=region
    )
    not_found: set[str] = set()
    for start in range(0, len(ids), MAX_IDS_PER_CALL):
        chunk = ids[start : start + MAX_IDS_PER_CALL]
        try:
            registrations_refresh(gateway, chunk, now=now, report=report, watched=watched, scheduled=False)
            continue
        except PermanentAwsError as exc:
            if exc.code != NOT_FOUND:
                raise
        for rid in chunk if len(chunk) > 1 else []:
            try:
                registrations_refresh(
                    gateway, [rid], now=now, report=report, watched=watched, scheduled=False
                )
            except PermanentAwsError as exc:
                if exc.code != NOT_FOUND:
                    raise
                not_found.add(rid)
        if len(chunk) == 1:
            not_found.add(chunk[0])
    return not_found


def _record(items: list[_Item], now: datetime) -> None:
    """Every decided event, before its message is deleted: a redelivery is then a known duplicate."""
    AwsEvent.objects.bulk_create(
        [
            AwsEvent(
                event_id=item.event.event_id,
                received_at=now,
                event_time=item.event.event_time,
                account=item.event.account,
                region=item.event.region,
                aws_account_id=item.aws_account_id,
                registration_id=item.event.registration_id,
                status=item.event.status,
                version_number=item.event.version_number,
                outcome=item.outcome,
            )
            for item in items
            if item.event is not None
        ],
        ignore_conflicts=True,  # a parallel pass recorded it first: the same event, the same outcome
    )


# --- upkeep ----------------------------------------------------------------------------------------------
def aws_events_prune(*, now: datetime | None = None) -> int:
    """Forget event ids older than AWS_EVENTS_RETENTION_DAYS (by then no duplicate can arrive: SQS keeps a
    message ≤14 days, EventBridge retries a delivery for 24 h). Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AWS_EVENTS_RETENTION_DAYS)
    deleted, _by_model = AwsEvent.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def queue_depths() -> list[tuple[EventQueue, dict[str, str] | str]]:
    """Each queue and SQS's approximate counts (waiting, in flight), or the error reading them."""
    depths: list[tuple[EventQueue, dict[str, str] | str]] = []
    for queue in event_queues():
        try:
            depths.append(
                (queue, gateway_for(queue.account, queue.region).queue_attributes(queue_url=queue.url))
            )
        except AwsError as exc:
            depths.append((queue, str(exc)))
    return depths
