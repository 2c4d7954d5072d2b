"""The simulated AWS End User Messaging SMS accounts: state, operations, demo rules, TPS cap, call log.

State is per calling account and Region (as on AWS: the account is the credentials' owner, see
caller_account.py; two accounts asking for the same sender ID get two independent ones) and in memory,
optionally persisted to a JSON file after every change. The TPS cap is per account, Region and
operation, as AWS's quota is.

Time is lazy: a registration's status is computed on read from its submission time and review delay,
and anything due (the sender ID created on approval) is materialised at the start of each request, so a
review delay of 0 settles at once. The one background thread is the events emitter (events.py), which
publishes `Registration Status Change` events to SQS when ``events_queue_url`` is set. The clock can be
advanced (``advance``) so tests and demos skip waiting.

Review timeline of a submitted version, for review delay D (records.timeline): with AwsReview,
AWS_REVIEWING until 0.1·D (findings may send it back to DRAFT); SUBMITTED until 0.2·D; an ``AUTH…``
sender ID then waits in REQUIRES_AUTHENTICATION (until ``POST /_authenticate`` or 2·D); REVIEWING until
0.8·D, then the decision (DENIED, or APPROVED with the registration PROVISIONING) and at D the
registration is COMPLETE and its sender ID exists (ASSOCIATE_ON_APPROVAL).

Demo rules (also listed in smsvoice/simulator/__init__.py):
- a registration whose sender ID (field ``senderIdInfo.senderId``) starts with ``DENY`` has its first
  submitted version DENIED with reasons and per-field feedback; a resubmitted version is approved;
- ``AUTH…`` sender ID → the registration waits in REQUIRES_AUTHENTICATION after submission;
- AwsReview flags a ``DENY…`` sender ID and an opt-in description under 40 characters;
- RequestSenderId for a sender ID starting with ``TAKEN`` answers ConflictException;
- above the TPS cap an operation answers ThrottlingException.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smsvoice.simulator import definitions as defs
from smsvoice.simulator import wire
from smsvoice.simulator.account_ops import AccountOperations
from smsvoice.simulator.caller_account import AccountResolver
from smsvoice.simulator.events import EventPublisher, EventTracker, boundaries_of, next_boundary
from smsvoice.simulator.records import (
    CALL_LOG_SIZE,
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PAGE,
    DENIED_REASONS,
    STATE_FORMAT,
    TPS_JITTER_TOLERANCE,
    Accounts,
    Context,
    Fault,
    RegionState,
    RegistrationRecord,
    SenderIdRecord,
    SimConfig,
    VersionRecord,
    accounts_from_document,
    accounts_to_document,
    aws_review_done,
    is_mutation,
    registration_status,
    sender_key,
    status_history,
    version_statuses,
)
from smsvoice.simulator.registration_ops import RegistrationOperations
from smsvoice.simulator.registration_values_ops import RegistrationValueOperations
from smsvoice.simulator.sender_id_ops import SenderIdOperations
from smsvoice.simulator.wire import ApiError, not_found, validation_error

logger = logging.getLogger(__name__)


# --- the simulator --------------------------------------------------------------------------------------
class Simulator(SenderIdOperations, RegistrationOperations, RegistrationValueOperations, AccountOperations):
    """Simulated AWS accounts, each with its Regions. Thread-safe: every request runs under one lock
    (requests are tiny); only the account lookup (:meth:`resolve_account`) runs outside it."""

    def __init__(self, config: SimConfig | None = None, state_file: str | os.PathLike[str] | None = None):
        self.config = config or SimConfig()
        self.state_file = Path(state_file) if state_file else None
        self._lock = threading.RLock()
        self.accounts: Accounts = {}
        self.account_resolver = AccountResolver(self.config)
        self.clock_offset = 0.0
        self.calls: deque[dict[str, Any]] = deque(maxlen=CALL_LOG_SIZE)
        self._tat: dict[tuple[str, str, str], float] = {}  # (account, Region, operation) → GCRA's TAT
        self.faults: list[Fault] = []
        # Registration Status Change events (events.py): tracked under the lock, published outside it.
        self.events = EventTracker()
        self.events_wakeup = threading.Event()
        # How many calls changed each (account, Region): a registration seen since the last change and
        # before its next clock boundary cannot have a new status (the event scans and _settle skip it).
        self.generations: dict[tuple[str, str], int] = {}
        self._settle_quiet: dict[tuple[str, str, str], tuple[int, float]] = {}
        self._settle_state_quiet: dict[tuple[str, str], tuple[int, int, float]] = {}
        self._publisher = EventPublisher()
        self._publish_lock = threading.Lock()
        self._operations: dict[str, Callable[[Context, dict[str, Any]], dict[str, Any]]] = {
            name: getattr(self, f"op_{name}") for name in OPERATIONS
        }
        if self.state_file and self.state_file.exists():
            self._load()

    @property
    def regions(self) -> dict[str, RegionState]:
        """The default account's Regions: what a caller that knows of one account (unsigned requests,
        unmapped access keys) sees, and where in-process seeding puts records for it."""
        return self.accounts.setdefault(DEFAULT_ACCOUNT_ID, {})

    def region_state(self, account: str, region: str, *, create: bool = True) -> RegionState:
        """That account's state in that Region. Call under the lock. Without ``create``, an account and
        Region that hold nothing get a throwaway empty state: reads by any access key leave no trace
        in ``/_state`` or the state file."""
        regions = self.accounts.get(account, {})
        state = regions.get(region)
        if state is None:
            state = RegionState()
            if create:
                self.accounts.setdefault(account, {})[region] = state
        return state

    def resolve_account(
        self, access_key_id: str | None, *, region: str | None = None, session_token: str | None = None
    ) -> str:
        """The account of a request signed with this access key (caller_account.py). Never call it
        under the lock: it may ask STS over the network."""
        return self.account_resolver.resolve(access_key_id, region=region, session_token=session_token)

    # clock, control ------------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.clock_offset += seconds
            self._save()

    def reset(self) -> None:
        with self._lock:
            self.accounts.clear()
            self.account_resolver.clear()
            self.calls.clear()
            self._tat.clear()
            self.faults.clear()
            self.events.clear()
            self.generations.clear()
            self._settle_quiet.clear()
            self._settle_state_quiet.clear()
            self.clock_offset = 0.0
            self._save()

    def authenticate(self, registration_id: str) -> dict[str, Any]:
        """Complete the email authentication an ``AUTH…`` registration waits for (``POST /_authenticate``),
        in whichever account and Region it is. Raises LookupError (unknown registration) or ValueError
        (not waiting for authentication)."""
        with self._lock:
            now = self.now()
            found = (
                (account, region, state.registrations.get(registration_id))
                for account, regions in self.accounts.items()
                for region, state in regions.items()
            )
            for account, region, reg in found:
                if reg is None or reg.deleted_at is not None:
                    continue
                version = reg.versions[-1]
                status = registration_status(reg, now)
                if not version.auth_required or status not in ("SUBMITTED", "REQUIRES_AUTHENTICATION"):
                    raise ValueError(f"{registration_id} is {status}, not waiting for authentication")
                state = self.accounts[account][region]
                self._scan_events(account, region, state, now)  # what the clock did before
                if version.authenticated_at is None:
                    version.authenticated_at = now
                self._changed(account, region)
                self._scan_events(account, region, state, now)
                self.events_wakeup.set()
                self._save()
                return {
                    "registration_id": reg.id,
                    "account": account,
                    "region": region,
                    "status": registration_status(reg, now),
                }
            raise LookupError(f"no registration {registration_id}")

    def flush_events(self) -> int:
        """Scan every account and Region, then publish the events that are due (outside the simulator's
        lock; one flush at a time, so a batch keeps its order). Returns how many were published."""
        with self._publish_lock:
            with self._lock:
                self.events.scan_all(self.accounts, self.now(), self.config, self.generations)
                due = self.events.take_due(self.config.events_reorder)
            results = [(pending, self._publisher.send(pending)) for pending in due]
            with self._lock:
                self.events.settle([p for p, ok in results if ok], [p for p, ok in results if not ok])
            return sum(ok for _p, ok in results)

    def events_log(self) -> dict[str, Any]:
        """What ``GET /_events`` shows: the events sent, dropped (``events_drop_rate``) and pending."""
        with self._lock:
            return {"queue_url": self.config.events_queue_url, **self.events.describe()}

    def inject_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def _take_fault(self, operation: str, after: bool, account: str) -> Fault | None:
        for fault in self.faults:
            if (
                fault.operation in (operation, "*")
                and fault.after == after
                and fault.account in (None, account)
                and fault.remaining > 0
            ):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def call_log(self, operation: str | None = None, account: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(c)
                for c in self.calls
                if (operation is None or c["operation"] == operation)
                and (account is None or c["account"] == account)
            ]

    def snapshot(self) -> dict[str, Any]:
        """What ``GET /_state`` shows: the state file's document, plus ``regions``, the default
        account's Regions as format 1 had them (for readers that know of one account)."""
        with self._lock:
            document = self._document()
            default = document["accounts"].get(DEFAULT_ACCOUNT_ID, {})
            return {**document, "regions": default}

    def _document(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "clock_offset": self.clock_offset,
            "accounts": accounts_to_document(self.accounts),
        }

    def _load(self) -> None:
        assert self.state_file is not None
        try:
            data = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            logger.warning(
                "simulator: state file %s unreadable, starting empty", self.state_file, exc_info=True
            )
            return
        self.clock_offset = float(data.get("clock_offset", 0.0))
        self.accounts = accounts_from_document(data)

    def _save(self) -> None:
        if not self.state_file:
            return
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self._document()))
            os.replace(tmp, self.state_file)  # atomic: a crash never leaves half a file
        except OSError:
            logger.warning("simulator: could not write state file %s", self.state_file, exc_info=True)

    # the request path ----------------------------------------------------------------------------------
    def dispatch(
        self, target: str | None, raw_body: bytes, region: str | None, account: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Serve one API request of ``account`` (None: the default account) in ``region`` (None: the
        configured default): (HTTP status, JSON body). Never raises."""
        status, body, _headers = self.dispatch_with_headers(target, raw_body, region, account)
        return status, body

    def dispatch_with_headers(
        self, target: str | None, raw_body: bytes, region: str | None, account: str | None = None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """:meth:`dispatch` plus the simulator-only response headers (``x-simulator-stand-in``)."""
        region = region or self.config.default_region
        account = account or DEFAULT_ACCOUNT_ID
        headers: dict[str, str] = {}
        request_id = str(uuid.uuid4())
        operation = (target or "").rpartition(".")[2] or "?"
        params: dict[str, Any] = {}
        with self._lock:
            now = self.now()
            try:
                op_model = wire.operation_for_target(target)
                operation = op_model.name
                fault = self._take_fault(operation, after=False, account=account)
                if fault:
                    raise fault.error()
                self._throttle(account, region, operation, time.monotonic())
                params = wire.parse_input(op_model, wire.decode_body(raw_body))
                handler = self._operations.get(operation)
                if handler is None:
                    raise wire.unknown_operation(f"The simulator does not implement {operation}")
                state = self.region_state(account, region, create=is_mutation(operation))
                context = Context(account=account, region=region, now=now, state=state)
                self._settle(context)
                # Events: what the clock changed up to now first, then what this call changes, at now.
                self._scan_events(account, region, state, now)
                body = handler(context, params)
                if is_mutation(operation):
                    self._changed(account, region)
                self._scan_events(account, region, state, now)
                headers = context.headers
                if self.config.check_output:
                    problems = wire.check_output(op_model, body)
                    if problems:
                        logger.error("simulator: invalid %s answer: %s", operation, problems)
                        raise wire.internal_error(request_id)
                if is_mutation(operation):
                    self._save()
                fault = self._take_fault(operation, after=True, account=account)
                if fault:
                    raise fault.error()  # the work is done, the answer is lost (AWS's 5xx-after-commit)
                status = 200
            except ApiError as exc:
                status, body, headers = exc.status, exc.body(), {}
            except Exception:
                logger.exception("simulator: %s failed", operation)
                error = wire.internal_error(request_id)
                status, body, headers = error.status, error.body(), {}
            self.calls.append(
                {
                    "time": now,
                    "operation": operation,
                    "account": account,
                    "region": region,
                    "params": _loggable(params),
                    "status": status,
                    "outcome": "ok" if status == 200 else body.get("__type", "").rpartition("#")[2],
                    "reason": body.get("Reason") if status != 200 else None,
                    "request_id": request_id,
                }
            )
        if self.events.outbox:
            self.events_wakeup.set()  # the emitter publishes now, not at its next tick
        return status, body, headers

    def _throttle(self, account: str, region: str, operation: str, now: float) -> None:
        """GCRA per account, Region and operation (AWS's quota is per account, Region and operation)."""
        tps = self.config.tps
        if tps <= 0:
            return
        interval = 1.0 / tps
        burst = max(1.0, tps)
        tolerance = (burst - 1 + TPS_JITTER_TOLERANCE) * interval
        key = (account, region, operation)
        tat = max(self._tat.get(key, now), now)
        if tat - now > tolerance:
            raise wire.throttling()
        self._tat[key] = tat + interval

    def _changed(self, account: str, region: str) -> None:
        key = (account, region)
        self.generations[key] = self.generations.get(key, 0) + 1

    def _scan_events(self, account: str, region: str, state: RegionState, now: float) -> None:
        self.events.scan(account, region, state, now, self.config, self.generations.get((account, region), 0))

    def _settle(self, ctx: Context) -> None:
        """Materialise what became due: approved sender-ID registrations create their sender ID."""
        # Skipped while no call changed this (account, Region) and the clock reached none of its
        # registrations' next steps (10,000 registrations must not cost 10,000 status reads per call).
        summary = (self.generations.get((ctx.account, ctx.region), 0), len(ctx.state.registrations))
        quiet_state = self._settle_state_quiet.get((ctx.account, ctx.region))
        if quiet_state is not None and quiet_state[:2] == summary and ctx.now < quiet_state[2]:
            return
        earliest = float("inf")
        for reg in ctx.state.registrations.values():
            if reg.provisioned_sender_key is not None:
                continue
            key = (ctx.account, ctx.region, reg.id)
            quiet = self._settle_quiet.get(key)
            if quiet is None or quiet[0] != summary[0] or ctx.now >= quiet[1]:
                if registration_status(reg, ctx.now) == "COMPLETE":
                    self._provision(ctx, reg)
                    if reg.provisioned_sender_key is None:
                        earliest = ctx.now  # no sender ID to make: looked at again on every call
                    continue
                quiet = self._settle_quiet[key] = (summary[0], next_boundary(boundaries_of(reg), ctx.now))
            earliest = min(earliest, quiet[1])
        self._settle_state_quiet[(ctx.account, ctx.region)] = (*summary, earliest)

    def _provision(self, ctx: Context, reg: RegistrationRecord) -> None:
        statuses = version_statuses(reg, ctx.now)
        approved = max(n for n, s in statuses.items() if s == "APPROVED")
        values = reg.versions[approved - 1].values
        sender = (values.get(defs.SENDER_ID_FIELD) or {}).get("TextValue")
        if not sender:
            return
        key = sender_key(reg.iso, sender)
        record = ctx.state.sender_ids.get(key)
        if record is None:
            category = (values.get("messagingUseCase.useCaseCategory") or {}).get("SelectChoices") or []
            record = SenderIdRecord(
                sender_id=sender,
                iso=reg.iso,
                arn=self._arn(ctx, "sender-id", f"{sender}/{reg.iso}"),
                message_types=["PROMOTIONAL" if defs.PROMOTIONAL_USE_CASE in category else "TRANSACTIONAL"],
                created_at=ctx.now,
            )
            ctx.state.sender_ids[key] = record
        record.registration_id = reg.id
        reg.provisioned_sender_key = key
        self._save()

    # helpers ---------------------------------------------------------------------------------------------
    def _arn(self, ctx: Context, kind: str, name: str) -> str:
        return f"arn:aws:sms-voice:{ctx.region}:{ctx.account}:{kind}/{name}"

    @staticmethod
    def _new_id(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex}"

    @staticmethod
    def _page(items: list[Any], params: dict[str, Any], operation: str, default: int = DEFAULT_PAGE):
        """(this page, NextToken or None). Tokens are opaque to clients; a forged one is refused."""
        offset = 0
        token = params.get("NextToken")
        if token:
            try:
                data = json.loads(base64.urlsafe_b64decode(token.encode()))
                if data["op"] != operation or not isinstance(data["o"], int) or data["o"] < 0:
                    raise ValueError
                offset = data["o"]
            except (ValueError, KeyError, TypeError, binascii.Error):
                raise validation_error("The NextToken is not valid.", reason="INVALID_NEXT_TOKEN") from None
        size = params.get("MaxResults") or default
        page = items[offset : offset + size]
        if offset + size < len(items):
            next_token = base64.urlsafe_b64encode(json.dumps({"op": operation, "o": offset + size}).encode())
            return page, next_token.decode()
        return page, None

    @staticmethod
    def _with_token(body: dict[str, Any], token: str | None) -> dict[str, Any]:
        if token:
            body["NextToken"] = token
        return body

    @staticmethod
    def _filters(params: dict[str, Any]) -> dict[str, set[str]]:
        merged: dict[str, set[str]] = {}
        for f in params.get("Filters", []):
            merged.setdefault(f["Name"], set()).update(f["Values"])
        return merged

    @staticmethod
    def _bool_filter(name: str, values: set[str]) -> set[bool]:
        if not values <= {"true", "false"}:
            raise validation_error(f"Filter {name} takes true or false.", reason="INVALID_FILTER_VALUES")
        return {v == "true" for v in values}

    def _sender(self, ctx: Context, sender_or_arn: str, iso: str) -> SenderIdRecord:
        sender = sender_or_arn
        if sender_or_arn.startswith("arn:"):
            # arn:aws:sms-voice:<region>:<account>:sender-id/<SenderId>/<ISO>
            resource = sender_or_arn.rpartition(":")[2]
            parts = resource.split("/")
            if len(parts) != 3 or parts[0] != "sender-id":
                raise validation_error(f"{sender_or_arn} is not a sender ID ARN.", reason="INVALID_ARN")
            sender, iso = parts[1], parts[2]
        record = ctx.state.sender_ids.get(sender_key(iso, sender))
        if record is None or (sender_or_arn.startswith("arn:") and record.arn != sender_or_arn):
            # Another account's or Region's ARN names nothing here, even if the name is taken here too.
            raise not_found("sender-id", sender_or_arn)
        return record

    def _registration(
        self, ctx: Context, registration_id: str, *, include_deleted: bool = False
    ) -> RegistrationRecord:
        """The registration by id or ARN; a deleted one is not found (``include_deleted``: unless the
        config keeps deleted registrations visible)."""
        reg_id = registration_id.rpartition("/")[2] if registration_id.startswith("arn:") else registration_id
        reg = ctx.state.registrations.get(reg_id)
        visible = include_deleted and self.config.deleted_registrations_visible
        if reg is None or (reg.deleted_at is not None and not visible):
            raise not_found("registration", registration_id)
        return reg

    @staticmethod
    def _live_registrations(ctx: Context) -> list[RegistrationRecord]:
        """Registrations that exist (CLOSED ones too: they count against the quota until deleted)."""
        return [r for r in ctx.state.registrations.values() if r.deleted_at is None]

    def _registration_type(self, ctx: Context, registration_type: str) -> str:
        iso = defs.country_of_type(registration_type)
        if iso is None or not defs.offered_in_region(iso, ctx.region):
            raise validation_error(
                f"Registration type {registration_type} is not available in {ctx.region}.",
                reason="UNKNOWN_REGISTRATION_TYPE",
            )
        return iso

    def _describe_registration(
        self, ctx: Context, reg: RegistrationRecord, status: str | None = None
    ) -> dict[str, Any]:
        statuses = version_statuses(reg, ctx.now)
        out: dict[str, Any] = {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "RegistrationType": reg.type,
            "RegistrationStatus": status or registration_status(reg, ctx.now, statuses),
            "CurrentVersionNumber": reg.versions[-1].number,
            "CreatedTimestamp": reg.created_at,
        }
        approved = [n for n, s in statuses.items() if s == "APPROVED"]
        denied = [n for n, s in statuses.items() if s == "DENIED"]
        if approved:
            out["ApprovedVersionNumber"] = max(approved)
        if denied:
            out["LatestDeniedVersionNumber"] = max(denied)
        return out

    def _describe_version(
        self, ctx: Context, reg: RegistrationRecord, version: VersionRecord, status: str
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "VersionNumber": version.number,
            "RegistrationVersionStatus": status,
            "RegistrationVersionStatusHistory": status_history(version, ctx.now),
        }
        if version.feedback_summary and aws_review_done(version, ctx.now):
            out["Feedback"] = version.feedback_summary
        if status == "DENIED":
            sender = (version.values.get(defs.SENDER_ID_FIELD) or {}).get("TextValue", "")
            out["DeniedReasons"] = [dict(r) for r in DENIED_REASONS]
            out["Feedback"] = (
                f"Sender ID {sender} could not be verified for this company. Change the sender ID or attach "
                "a letter of authorization, then create a new version and resubmit."
            )
        return out


OPERATIONS = (
    "RequestSenderId",
    "ReleaseSenderId",
    "UpdateSenderId",
    "DescribeSenderIds",
    "CreateRegistration",
    "PutRegistrationFieldValue",
    "SubmitRegistrationVersion",
    "CreateRegistrationVersion",
    "DescribeRegistrations",
    "DescribeRegistrationVersions",
    "DescribeRegistrationFieldValues",
    "DescribeRegistrationTypeDefinitions",
    "DescribeRegistrationSectionDefinitions",
    "DescribeRegistrationFieldDefinitions",
    "CreateRegistrationAttachment",
    "DescribeRegistrationAttachments",
    "CreateRegistrationAssociation",
    "DeleteRegistrationFieldValue",
    "DiscardRegistrationVersion",
    "DeleteRegistration",
    "ListRegistrationAssociations",
    "DescribeAccountLimits",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
)


def _loggable(value: Any) -> Any:
    """Parameters as the call log shows them: blobs become their size (never megabytes of base64)."""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {k: _loggable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_loggable(v) for v in value]
    return value
