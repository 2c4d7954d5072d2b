"""The simulator's EventBridge: `Registration Status Change` events published to an SQS queue, as AWS's
EventBridge rule with an SQS target delivers them (the message body is the event itself, as JSON).

AWS emits an event whenever a registration's status changes. The simulator's statuses change in two
ways: by a call (CreateRegistration, SubmitRegistrationVersion, DiscardRegistrationVersion,
DeleteRegistration, a released sender ID closing its registration, ``POST /_authenticate``) and by the
clock (the lazy review timeline, ``records.timeline``). So ``EventTracker.scan`` replays a
registration's timeline from its last scan to now — every phase boundary in between, each with its own
time as ``registrationStatusChangeTimestamp`` — and emits each status that differs from the last one.
The simulator scans under its lock at the start and at the end of every call (so a call's own change
is seen at the call's time, after everything the clock did before it); ``EventEmitter``, a background
thread, scans everything every 0.5 s and publishes what is due, outside the lock (SQS is a network call).

Only the nine statuses the user guide lists are emitted (``EMITTED_STATUSES``); AWS_REVIEWING, a
RegistrationStatus whose event AWS does not document, only with ``events_aws_reviewing``. Knobs
(SimConfig, ``POST /_config``): ``events_queue_url`` (None: no events), ``events_drop_rate`` (lose that
share: delivery is best effort), ``events_duplicate`` (send each twice with the same id: delivery is at
least once), ``events_delay`` (hold each a random 0–N seconds: order is not guaranteed),
``events_reorder`` (publish each batch newest first), ``events_aws_reviewing``.

Publishing uses boto3's SQS client: botocore reads ``AWS_ENDPOINT_URL_SQS`` (moto's server); the client's
Region is the one the queue URL names, else the simulator's default Region. A publish that fails is
tried again every second for ``RETRY_SECONDS`` (EventBridge itself retries for 24 h), so a queue
created after the simulator started still gets the events.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from smsvoice.simulator.records import (
    Accounts,
    RegionState,
    RegistrationRecord,
    SimConfig,
    registration_status,
    timeline,
)
from smsvoice.sqs_api import queue_region

logger = logging.getLogger(__name__)

SOURCE = "aws.sms-voice"
DETAIL_TYPE = "Registration Status Change"
# The statuses the user guide says AWS sends (monitor-event-bridge.html), exactly.
EMITTED_STATUSES = frozenset(
    {
        "CLOSED",
        "CREATED",
        "COMPLETE",
        "DELETED",
        "PROVISIONING",
        "REQUIRES_AUTHENTICATION",
        "REQUIRES_UPDATES",
        "REVIEWING",
        "SUBMITTED",
    }
)
SCAN_INTERVAL = 0.5
RETRY_SECONDS = 300.0
LOG_SIZE = 1000
_UNSEEN = object()


@dataclass
class PendingEvent:
    body: dict[str, Any]
    queue_url: str
    region: str
    due: float  # time.monotonic() from which it may be published
    seq: int
    first_due: float = 0.0

    def __post_init__(self) -> None:
        self.first_due = self.first_due or self.due


@dataclass
class EventTracker:
    """What the simulator has emitted: the last status seen per registration, the outbox, a log.
    Every method but ``publish``'s helpers runs under the simulator's lock."""

    last: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    checked: dict[tuple[str, str, str], float] = field(default_factory=dict)
    # Per registration: the generation of its (account, Region) and its next clock boundary at the last
    # scan. No call changed anything there since and the clock has not reached the boundary: its status
    # cannot have changed, so a scan of 10,000 registrations costs a couple of milliseconds.
    quiet_until: dict[tuple[str, str, str], tuple[int, float]] = field(default_factory=dict)
    # Per (account, Region): its generation, how many registrations it held and the earliest of their
    # boundaries at the last scan; until one of them moves, the whole (account, Region) is skipped.
    state_quiet: dict[tuple[str, str], tuple[int, int, float]] = field(default_factory=dict)
    published: int = 0
    lost: int = 0  # dropped on purpose (events_drop_rate); the last LOG_SIZE are in `dropped`
    since: float | None = None  # the simulator time events were switched on (older changes: none)
    outbox: list[PendingEvent] = field(default_factory=list)
    sent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LOG_SIZE))
    dropped: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LOG_SIZE))
    failed: int = 0
    _seq: Any = field(default_factory=itertools.count)
    _random: random.Random = field(default_factory=random.Random)

    def clear(self) -> None:
        self.last.clear()
        self.checked.clear()
        self.quiet_until.clear()
        self.state_quiet.clear()
        self.outbox.clear()
        self.sent.clear()
        self.dropped.clear()
        self.since, self.failed, self.published, self.lost = None, 0, 0, 0

    # scanning (under the simulator's lock) ----------------------------------------------------------
    def scan_all(
        self, accounts: Accounts, now: float, config: SimConfig, generations: dict[tuple[str, str], int]
    ) -> None:
        if not self._enabled(now, config):
            return
        for account, regions in accounts.items():
            for region, state in regions.items():
                self.scan(account, region, state, now, config, generations.get((account, region), 0))

    def scan(
        self, account: str, region: str, state: RegionState, now: float, config: SimConfig, generation: int
    ) -> None:
        """Emit every status change of that (account, Region)'s registrations up to ``now``.
        ``generation``: how many calls have changed that (account, Region) so far."""
        if not self._enabled(now, config):
            return
        summary = (generation, len(state.registrations))
        quiet_state = self.state_quiet.get((account, region))
        if quiet_state is not None and quiet_state[:2] == summary and now < quiet_state[2]:
            return
        earliest = float("inf")
        for reg in state.registrations.values():
            key = (account, region, reg.id)
            quiet = self.quiet_until.get(key)
            if quiet is None or quiet[0] != generation or now >= quiet[1]:
                quiet = self.quiet_until[key] = (generation, self._scan_registration(key, reg, now, config))
            earliest = min(earliest, quiet[1])
        self.state_quiet[(account, region)] = (*summary, earliest)

    def _enabled(self, now: float, config: SimConfig) -> bool:
        if not config.events_queue_url:
            self.since = None  # switched off: switching on again starts from then, not from here
            self.last.clear()
            self.checked.clear()
            self.quiet_until.clear()
            self.state_quiet.clear()
            return False
        if self.since is None:
            self.since = now
        return True

    def _scan_registration(
        self, key: tuple[str, str, str], reg: RegistrationRecord, now: float, config: SimConfig
    ) -> float:
        """Emit the registration's status changes since its last scan; returns its next boundary."""
        assert self.since is not None
        account, region, _id = key
        last = self.last.get(key, _UNSEEN)
        if last is _UNSEEN:
            # Made before events were on: what it was then is known, not news. Made since: all of it is.
            start = max(self.since, reg.created_at)
            last = None if reg.created_at >= self.since else registration_status(reg, self.since)
            times = [start]
        else:
            start = self.checked[key]
            times = []
        boundaries = boundaries_of(reg)
        times += sorted(t for t in boundaries if start < t <= now)
        times.append(now)
        for moment in times:
            status = registration_status(reg, moment)
            if status == last:
                continue
            last = status
            if status in EMITTED_STATUSES or (status == "AWS_REVIEWING" and config.events_aws_reviewing):
                self._emit(event_body(account, region, reg, status, moment, now), config)
        self.last[key], self.checked[key] = last, now
        return next_boundary(boundaries, now)

    def _emit(self, body: dict[str, Any], config: SimConfig) -> None:
        if self._random.random() < config.events_drop_rate:
            self.dropped.append(body)
            self.lost += 1
            return
        assert config.events_queue_url
        region = queue_region(config.events_queue_url) or config.default_region
        due = time.monotonic()
        for _copy in range(2 if config.events_duplicate else 1):
            delay = self._random.uniform(0, config.events_delay) if config.events_delay > 0 else 0.0
            self.outbox.append(
                PendingEvent(body, config.events_queue_url, region, due + delay, next(self._seq))
            )

    # publishing ------------------------------------------------------------------------------------------
    def take_due(self, reorder: bool) -> list[PendingEvent]:
        """The events due now, in the order to publish them (oldest first, or newest first)."""
        now = time.monotonic()
        due = sorted((p for p in self.outbox if p.due <= now), key=lambda p: (p.due, p.seq), reverse=reorder)
        self.outbox = [p for p in self.outbox if p.due > now]
        return due

    def settle(self, sent: Iterable[PendingEvent], failed: Iterable[PendingEvent]) -> None:
        sent = list(sent)
        self.published += len(sent)
        self.sent.extend(p.body for p in sent)
        now = time.monotonic()
        for pending in failed:
            if now - pending.first_due > RETRY_SECONDS:
                self.failed += 1
                logger.warning("simulator: event %s given up after %.0f s", pending.body["id"], RETRY_SECONDS)
            else:
                pending.due = now + 1.0
                self.outbox.append(pending)

    def describe(self) -> dict[str, Any]:
        """What ``GET /_events`` shows."""
        return {
            "since": self.since,
            "published": self.published,
            "lost": self.lost,
            "pending": len(self.outbox),
            "sent": list(self.sent),
            "dropped": list(self.dropped),
            "failed": self.failed,
        }


def next_boundary(boundaries: Iterable[float], now: float) -> float:
    """The first moment after ``now`` the clock may change a registration's status (inf: never)."""
    return min((t for t in boundaries if t > now), default=float("inf"))


def boundaries_of(reg: RegistrationRecord) -> list[float]:
    """Every moment the registration's status may have changed at."""
    times = [reg.created_at, *(t for t in (reg.closed_at, reg.deleted_at) if t is not None)]
    for version in reg.versions:
        times += [t for t in (version.draft_at, version.submitted_at, version.discarded_at) if t is not None]
        phases, complete_at = timeline(version)
        times += [start for _status, start in phases]
        if complete_at is not None:
            times.append(complete_at)
    return times


def event_body(
    account: str, region: str, reg: RegistrationRecord, status: str, changed_at: float, now: float
) -> dict[str, Any]:
    """The event exactly as the user guide's example has it (keys in its order)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": account,
        "time": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [reg.arn],
        "detail": {
            "registrationDetails": {
                "registrationId": reg.id,
                "registrationVersionNumber": reg.versions[-1].number,
                "registrationType": reg.type,
                "registrationStatusChangeTimestamp": int(changed_at * 1000),
                "currentStatus": status,
            },
            "registrationArn": reg.arn,
        },
    }


class EventPublisher:
    """SendMessage of each event to its queue (boto3; one session, clients per Region)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: Any = None
        self._clients: dict[str, Any] = {}

    def _client(self, region: str) -> Any:
        import boto3  # noqa: PLC0415 (only a simulator with events configured needs boto3 loaded)
        from botocore.config import Config  # noqa: PLC0415

        with self._lock:
            if self._session is None:
                self._session = boto3.session.Session()
            if region not in self._clients:
                config = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10)
                self._clients[region] = self._session.client("sqs", region_name=region, config=config)
            return self._clients[region]

    def send(self, pending: PendingEvent) -> bool:
        try:
            self._client(pending.region).send_message(
                QueueUrl=pending.queue_url, MessageBody=json.dumps(pending.body)
            )
        except Exception as exc:  # botocore's errors and transport failures alike: retried later
            logger.warning(
                "simulator: could not publish event %s to %s: %s", pending.body["id"], pending.queue_url, exc
            )
            return False
        return True


class EventEmitter:
    """The background thread: every SCAN_INTERVAL (or when a call woke it) the simulator scans and
    publishes what is due (``Simulator.flush_events``)."""

    def __init__(self, simulator: Any, interval: float = SCAN_INTERVAL) -> None:
        self.simulator = simulator
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> EventEmitter:
        self._thread = threading.Thread(target=self._run, name="sms-simulator-events", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.simulator.events_wakeup.set()
        if self._thread:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.simulator.events_wakeup.wait(self.interval)
            self.simulator.events_wakeup.clear()
            try:
                self.simulator.flush_events()
            except Exception:  # the emitter must outlive any one bad scan
                logger.exception("simulator: event scan failed")
