"""The simulated AWS End User Messaging SMS account: state, operations, demo rules, TPS cap, call log.

State is per Region (as on AWS) and in memory, optionally persisted to a JSON file after every change.
Time is lazy: a registration's status is computed on read from its submission time and review delay,
and anything due (the sender ID created on approval) is materialised at the start of each request, so
no background thread exists and a review delay of 0 settles at once. The clock can be advanced
(``advance``) so tests and demos skip waiting.

Review timeline of a submitted version, for review delay D: SUBMITTED until 0.2·D, REVIEWING until 0.8·D,
then the decision (DENIED, or APPROVED with the registration PROVISIONING) and at D the registration is
COMPLETE and its sender ID exists (ASSOCIATE_ON_APPROVAL).

Demo rules (also listed in smsvoice/simulator/__init__.py):
- a registration whose sender ID (field ``senderIdInfo.senderId``) starts with ``DENY`` has its first
  submitted version DENIED with reasons and per-field feedback; a resubmitted version is approved;
- RequestSenderId for a sender ID starting with ``TAKEN`` answers ConflictException;
- above the TPS cap an operation answers ThrottlingException.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smsvoice.simulator import definitions as defs
from smsvoice.simulator import wire
from smsvoice.simulator.wire import ApiError, conflict, not_found, quota_exceeded, validation_error

logger = logging.getLogger(__name__)

ACCOUNT_ID = "123456789012"
STATE_FORMAT = 1
CALL_LOG_SIZE = 20_000
DEFAULT_PAGE = 100
DEFINITIONS_PAGE = 20
SUBMITTED_SHARE, DECIDED_SHARE = 0.2, 0.8
# The TPS cap forgives arrivals up to this fraction of one interval early: a client that paces itself
# exactly at the cap sees network jitter, and AWS's buckets are not that strict either.
TPS_JITTER_TOLERANCE = 0.2
MAX_ATTACHMENT_BYTES = 1_572_864
ATTACHMENT_MAGIC = (b"%PDF", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")

DENIED_REASONS = [
    {
        "Reason": "SENDER_ID_NOT_PERMITTED",
        "ShortDescription": "The sender ID could not be linked to the company.",
        "LongDescription": (
            "The reviewer could not connect the sender ID to the company name or brand. Use a sender ID "
            "that matches your company or brand, or attach a letter of authorization, then resubmit."
        ),
        "DocumentationTitle": "Sender ID registration",
        "DocumentationLink": defs.DOCS,
    }
]
SENDER_ID_DENIED_REASON = "Sender ID not permitted"


def _is_mutation(operation: str) -> bool:
    return not operation.startswith(("Describe", "List", "Get"))


# --- configuration and records -----------------------------------------------------------------------
@dataclass
class SimConfig:
    """Runtime knobs (``POST /_config`` changes them). ``tps`` ≤ 0 means no cap."""

    tps: float = 0.0
    review_delay: float = 0.0
    attachment_delay: float = 0.0
    max_registrations: int = 25
    max_sender_ids: int = 200
    default_region: str = "us-east-1"
    check_output: bool = False

    def update(self, values: dict[str, Any]) -> None:
        """Apply ``values`` all or nothing (ValueError names the first bad one)."""
        names = {f.name for f in dataclasses.fields(self)}
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name not in names:
                raise ValueError(f"unknown setting {name!r}")
            current = getattr(self, name)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
            elif isinstance(current, (int, float)):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ValueError(f"{name} must be a number ≥ 0")
                value = type(current)(value)
            elif not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string")
            checked[name] = value
        for name, value in checked.items():
            setattr(self, name, value)


@dataclass
class Fault:
    """An error to answer instead of the real result (``POST /_faults``), ``count`` times. ``after``:
    do the work first and then answer the error, as when AWS commits but the answer is lost."""

    operation: str  # an operation name, or "*" for any
    code: str
    count: int = 1
    message: str = "Injected by the simulator"
    reason: str | None = None
    status: int | None = None
    after: bool = False
    remaining: int = field(init=False)

    def __post_init__(self) -> None:
        self.remaining = self.count

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        allowed = {"operation", "code", "count", "message", "reason", "status", "after"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
        if not isinstance(data.get("operation"), str) or not isinstance(data.get("code"), str):
            raise ValueError("operation and code are required strings")
        count = data.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        status = data.get("status")
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 400 <= status < 600
        ):
            raise ValueError("status must be an HTTP error status")
        return cls(**data)

    def error(self) -> ApiError:
        server_side = self.code in (
            "InternalServerException",
            "ServiceUnavailable",
            "ServiceUnavailableException",
        )
        return ApiError(
            self.code, self.message, status=self.status or (500 if server_side else 400), Reason=self.reason
        )

    def describe(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class SenderIdRecord:
    sender_id: str
    iso: str
    arn: str
    message_types: list[str]
    created_at: float
    deletion_protection: bool = False
    registration_id: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    monthly_price: str = "0.00"

    def describe(self, *, with_protection: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "SenderIdArn": self.arn,
            "SenderId": self.sender_id,
            "IsoCountryCode": self.iso,
            "MessageTypes": list(self.message_types),
            "MonthlyLeasingPrice": self.monthly_price,
            "Registered": self.registration_id is not None,
        }
        if with_protection:
            out["DeletionProtectionEnabled"] = self.deletion_protection
        if self.registration_id:
            out["RegistrationId"] = self.registration_id
        return out


@dataclass
class VersionRecord:
    number: int
    draft_at: float
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    submitted_at: float | None = None
    review_delay: float = 0.0
    outcome: str | None = None  # APPROVED | DENIED, decided by the demo rules at submission
    aws_review: bool = False
    discarded_at: float | None = None


@dataclass
class RegistrationRecord:
    id: str
    arn: str
    type: str
    iso: str
    created_at: float
    versions: list[VersionRecord]
    tags: list[dict[str, str]] = field(default_factory=list)
    provisioned_sender_key: str | None = None
    closed_at: float | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegistrationRecord:
        data = dict(data)
        data["versions"] = [VersionRecord(**v) for v in data["versions"]]
        return cls(**data)


@dataclass
class AttachmentRecord:
    id: str
    arn: str
    created_at: float
    ready_at: float
    size: int = 0
    url: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)

    def status(self, now: float) -> str:
        return "UPLOAD_COMPLETE" if now >= self.ready_at else "UPLOAD_IN_PROGRESS"


@dataclass
class RegionState:
    sender_ids: dict[str, SenderIdRecord] = field(default_factory=dict)  # "ISO/SenderId" → record
    registrations: dict[str, RegistrationRecord] = field(default_factory=dict)
    attachments: dict[str, AttachmentRecord] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # "Operation/ClientToken" → resource key

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegionState:
        return cls(
            sender_ids={k: SenderIdRecord(**v) for k, v in data.get("sender_ids", {}).items()},
            registrations={
                k: RegistrationRecord.from_dict(v) for k, v in data.get("registrations", {}).items()
            },
            attachments={k: AttachmentRecord(**v) for k, v in data.get("attachments", {}).items()},
            tokens=dict(data.get("tokens", {})),
        )


def sender_key(iso: str, sender_id: str) -> str:
    return f"{iso}/{sender_id}"


@dataclass
class Context:
    region: str
    now: float
    state: RegionState


# --- lazy status ---------------------------------------------------------------------------------------
def version_status(version: VersionRecord, now: float, superseded: bool = False) -> str:
    """A version's status at ``now``; ``superseded`` = a later version is approved (older → ARCHIVED)."""
    if version.discarded_at is not None:
        return "DISCARDED"
    if version.submitted_at is None:
        return "DRAFT"
    elapsed, delay = now - version.submitted_at, version.review_delay
    if elapsed < SUBMITTED_SHARE * delay:
        return "SUBMITTED"
    if elapsed < DECIDED_SHARE * delay:
        return "REVIEWING"
    if version.outcome == "APPROVED" and superseded:
        return "ARCHIVED"
    return version.outcome or "APPROVED"


def version_statuses(reg: RegistrationRecord, now: float) -> dict[int, str]:
    statuses: dict[int, str] = {}
    later_approved = False
    for version in reversed(reg.versions):
        status = version_status(version, now, superseded=later_approved)
        statuses[version.number] = status
        later_approved = later_approved or status == "APPROVED"
    return statuses


def registration_status(reg: RegistrationRecord, now: float, statuses: dict[int, str] | None = None) -> str:
    if reg.closed_at is not None:
        return "CLOSED"
    statuses = statuses or version_statuses(reg, now)
    latest = reg.versions[-1]
    status = statuses[latest.number]
    if status == "DRAFT":
        if "APPROVED" in statuses.values():
            return "COMPLETE"
        if "DENIED" in statuses.values():
            return "REQUIRES_UPDATES"
        return "CREATED"
    if status in ("SUBMITTED", "REVIEWING"):
        return status
    if status == "DENIED":
        return "REQUIRES_UPDATES"
    if status == "APPROVED" and latest.submitted_at is not None:
        return "PROVISIONING" if now < latest.submitted_at + latest.review_delay else "COMPLETE"
    return "COMPLETE"


def status_history(version: VersionRecord, status: str) -> dict[str, float]:
    history = {"DraftTimestamp": version.draft_at}
    if version.submitted_at is not None:
        history["SubmittedTimestamp"] = version.submitted_at
        if status != "SUBMITTED":
            history["ReviewingTimestamp"] = version.submitted_at + SUBMITTED_SHARE * version.review_delay
        decided = version.submitted_at + DECIDED_SHARE * version.review_delay
        if status in ("APPROVED", "ARCHIVED"):
            history["ApprovedTimestamp"] = decided
        if status == "DENIED":
            history["DeniedTimestamp"] = decided
    if version.discarded_at is not None:
        history["DiscardedTimestamp"] = version.discarded_at
    return history


# --- the simulator --------------------------------------------------------------------------------------
class Simulator:
    """One simulated AWS account. Thread-safe: every request runs under one lock (requests are tiny)."""

    def __init__(self, config: SimConfig | None = None, state_file: str | os.PathLike[str] | None = None):
        self.config = config or SimConfig()
        self.state_file = Path(state_file) if state_file else None
        self._lock = threading.RLock()
        self.regions: dict[str, RegionState] = {}
        self.clock_offset = 0.0
        self.calls: deque[dict[str, Any]] = deque(maxlen=CALL_LOG_SIZE)
        self._tat: dict[tuple[str, str], float] = {}
        self.faults: list[Fault] = []
        self._operations: dict[str, Callable[[Context, dict[str, Any]], dict[str, Any]]] = {
            name: getattr(self, f"op_{name}") for name in OPERATIONS
        }
        if self.state_file and self.state_file.exists():
            self._load()

    # clock, control ------------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.clock_offset += seconds
            self._save()

    def reset(self) -> None:
        with self._lock:
            self.regions.clear()
            self.calls.clear()
            self._tat.clear()
            self.faults.clear()
            self.clock_offset = 0.0
            self._save()

    def inject_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def _take_fault(self, operation: str, after: bool) -> Fault | None:
        for fault in self.faults:
            if fault.operation in (operation, "*") and fault.after == after and fault.remaining > 0:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def call_log(self, operation: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self.calls if operation is None or c["operation"] == operation]

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "format": STATE_FORMAT,
                "clock_offset": self.clock_offset,
                "regions": {name: dataclasses.asdict(state) for name, state in self.regions.items()},
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
        self.regions = {name: RegionState.from_dict(s) for name, s in data.get("regions", {}).items()}

    def _save(self) -> None:
        if not self.state_file:
            return
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self.snapshot()))
            os.replace(tmp, self.state_file)  # atomic: a crash never leaves half a file
        except OSError:
            logger.warning("simulator: could not write state file %s", self.state_file, exc_info=True)

    # the request path ----------------------------------------------------------------------------------
    def dispatch(self, target: str | None, raw_body: bytes, region: str | None) -> tuple[int, dict[str, Any]]:
        """Serve one API request: (HTTP status, JSON body). Never raises."""
        region = region or self.config.default_region
        request_id = str(uuid.uuid4())
        operation = (target or "").rpartition(".")[2] or "?"
        params: dict[str, Any] = {}
        with self._lock:
            now = self.now()
            try:
                op_model = wire.operation_for_target(target)
                operation = op_model.name
                fault = self._take_fault(operation, after=False)
                if fault:
                    raise fault.error()
                self._throttle(region, operation, time.monotonic())
                params = wire.parse_input(op_model, wire.decode_body(raw_body))
                handler = self._operations.get(operation)
                if handler is None:
                    raise wire.unknown_operation(f"The simulator does not implement {operation}")
                state = self.regions.setdefault(region, RegionState())
                context = Context(region=region, now=now, state=state)
                self._settle(context)
                body = handler(context, params)
                if self.config.check_output:
                    problems = wire.check_output(op_model, body)
                    if problems:
                        logger.error("simulator: invalid %s answer: %s", operation, problems)
                        raise wire.internal_error(request_id)
                if _is_mutation(operation):
                    self._save()
                fault = self._take_fault(operation, after=True)
                if fault:
                    raise fault.error()  # the work is done, the answer is lost (AWS's 5xx-after-commit)
                status = 200
            except ApiError as exc:
                status, body = exc.status, exc.body()
            except Exception:
                logger.exception("simulator: %s failed", operation)
                error = wire.internal_error(request_id)
                status, body = error.status, error.body()
            self.calls.append(
                {
                    "time": now,
                    "operation": operation,
                    "region": region,
                    "params": _loggable(params),
                    "status": status,
                    "outcome": "ok" if status == 200 else body.get("__type", "").rpartition("#")[2],
                    "reason": body.get("Reason") if status != 200 else None,
                    "request_id": request_id,
                }
            )
            return status, body

    def _throttle(self, region: str, operation: str, now: float) -> None:
        """GCRA per Region and operation (AWS's quota is per operation and account)."""
        tps = self.config.tps
        if tps <= 0:
            return
        interval = 1.0 / tps
        burst = max(1.0, tps)
        tolerance = (burst - 1 + TPS_JITTER_TOLERANCE) * interval
        tat = max(self._tat.get((region, operation), now), now)
        if tat - now > tolerance:
            raise wire.throttling()
        self._tat[(region, operation)] = tat + interval

    def _settle(self, ctx: Context) -> None:
        """Materialise what became due: approved sender-ID registrations create their sender ID."""
        for reg in ctx.state.registrations.values():
            if reg.provisioned_sender_key is None and registration_status(reg, ctx.now) == "COMPLETE":
                self._provision(ctx, reg)

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
        return f"arn:aws:sms-voice:{ctx.region}:{ACCOUNT_ID}:{kind}/{name}"

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
        if record is None:
            raise not_found("sender-id", sender_or_arn)
        return record

    def _registration(self, ctx: Context, registration_id: str) -> RegistrationRecord:
        reg_id = registration_id.rpartition("/")[2] if registration_id.startswith("arn:") else registration_id
        reg = ctx.state.registrations.get(reg_id)
        if reg is None:
            raise not_found("registration", registration_id)
        return reg

    def _registration_type(self, ctx: Context, registration_type: str) -> str:
        iso = defs.country_of_type(registration_type)
        if iso is None or not defs.offered_in_region(iso, ctx.region):
            raise validation_error(
                f"Registration type {registration_type} is not available in {ctx.region}.",
                reason="UNKNOWN_REGISTRATION_TYPE",
            )
        return iso

    def _describe_registration(self, ctx: Context, reg: RegistrationRecord) -> dict[str, Any]:
        statuses = version_statuses(reg, ctx.now)
        out: dict[str, Any] = {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "RegistrationType": reg.type,
            "RegistrationStatus": registration_status(reg, ctx.now, statuses),
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
        self, reg: RegistrationRecord, version: VersionRecord, status: str
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "VersionNumber": version.number,
            "RegistrationVersionStatus": status,
            "RegistrationVersionStatusHistory": status_history(version, status),
        }
        if status == "DENIED":
            sender = (version.values.get(defs.SENDER_ID_FIELD) or {}).get("TextValue", "")
            out["DeniedReasons"] = [dict(r) for r in DENIED_REASONS]
            out["Feedback"] = (
                f"Sender ID {sender} could not be verified for this company. Change the sender ID or attach "
                "a letter of authorization, then create a new version and resubmit."
            )
        return out

    # sender IDs ------------------------------------------------------------------------------------------
    def op_RequestSenderId(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        sender, iso = p["SenderId"], p["IsoCountryCode"]
        token_key = f"RequestSenderId/{p['ClientToken']}" if p.get("ClientToken") else None
        if token_key and token_key in ctx.state.tokens:
            existing = ctx.state.sender_ids.get(ctx.state.tokens[token_key])
            if existing is not None:
                return {**existing.describe(), "Tags": existing.tags}
        if iso in defs.SENDER_ID_NOT_SUPPORTED_COUNTRIES:
            raise validation_error(
                f"Sender IDs are not supported in {iso}.", reason="SENDER_ID_NOT_SUPPORTED"
            )
        if iso in defs.REGISTRATION_REQUIRED_COUNTRIES:
            raise validation_error(
                f"Sender IDs in {iso} require a registration: create a registration of type "
                f"{defs.registration_type_name(iso)}.",
                reason="SENDER_ID_REQUIRES_REGISTRATION",
            )
        if sender.upper().startswith("TAKEN"):
            raise conflict(
                f"Sender ID {sender} is already in use in {iso}.",
                reason="RESOURCE_ALREADY_EXISTS",
                resource_type="sender-id",
                resource_id=sender,
            )
        key = sender_key(iso, sender)
        if key in ctx.state.sender_ids:
            raise conflict(
                f"Sender ID {sender} already exists in {iso} in this account.",
                reason="RESOURCE_ALREADY_EXISTS",
                resource_type="sender-id",
                resource_id=sender,
            )
        if len(ctx.state.sender_ids) >= self.config.max_sender_ids:
            raise quota_exceeded("The account has reached its sender ID quota.", "SENDER_IDS_PER_ACCOUNT")
        record = SenderIdRecord(
            sender_id=sender,
            iso=iso,
            arn=self._arn(ctx, "sender-id", f"{sender}/{iso}"),
            message_types=list(dict.fromkeys(p.get("MessageTypes") or ["TRANSACTIONAL"])),
            created_at=ctx.now,
            deletion_protection=p.get("DeletionProtectionEnabled", False),
            tags=p.get("Tags", []),
        )
        ctx.state.sender_ids[key] = record
        if token_key:
            ctx.state.tokens[token_key] = key
        return {**record.describe(), "Tags": record.tags}

    def op_ReleaseSenderId(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        record = self._sender(ctx, p["SenderId"], p["IsoCountryCode"])
        if record.deletion_protection:
            raise conflict(
                f"Sender ID {record.sender_id} has deletion protection enabled.",
                reason="DELETION_PROTECTION_ENABLED",
                resource_type="sender-id",
                resource_id=record.sender_id,
            )
        del ctx.state.sender_ids[sender_key(record.iso, record.sender_id)]
        if record.registration_id and record.registration_id in ctx.state.registrations:
            # AWS: once the sender ID is gone its registration is CLOSED.
            ctx.state.registrations[record.registration_id].closed_at = ctx.now
        return record.describe(with_protection=False)

    def op_UpdateSenderId(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        record = self._sender(ctx, p["SenderId"], p["IsoCountryCode"])
        if "DeletionProtectionEnabled" in p:
            record.deletion_protection = p["DeletionProtectionEnabled"]
        return record.describe()

    def op_DescribeSenderIds(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("Owner") == "SHARED":
            return {"SenderIds": []}
        if "SenderIds" in p:
            records = [self._sender(ctx, s["SenderId"], s["IsoCountryCode"]) for s in p["SenderIds"]]
        else:
            records = list(ctx.state.sender_ids.values())
        for name, values in self._filters(p).items():
            # Boolean filter values are checked even when there is nothing to filter.
            if name == "deletion-protection-enabled":
                wanted = self._bool_filter(name, values)
                records = [r for r in records if r.deletion_protection in wanted]
            elif name == "registered":
                wanted = self._bool_filter(name, values)
                records = [r for r in records if (r.registration_id is not None) in wanted]
            elif name == "sender-id":
                records = [r for r in records if r.sender_id in values]
            elif name == "iso-country-code":
                records = [r for r in records if r.iso in values]
            elif name == "message-type":
                records = [r for r in records if values & set(r.message_types)]
        page, token = self._page(records, p, "DescribeSenderIds")
        return self._with_token({"SenderIds": [r.describe() for r in page]}, token)

    # registrations ---------------------------------------------------------------------------------------
    def op_CreateRegistration(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        token_key = f"CreateRegistration/{p['ClientToken']}" if p.get("ClientToken") else None
        if token_key and token_key in ctx.state.tokens:
            reg = ctx.state.registrations.get(ctx.state.tokens[token_key])
            if reg is not None:
                return {**self._created(ctx, reg), "Tags": reg.tags}
        iso = self._registration_type(ctx, p["RegistrationType"])
        active = [r for r in ctx.state.registrations.values() if r.closed_at is None]
        if len(active) >= self.config.max_registrations:
            raise quota_exceeded(
                "The account has reached its registration quota.", "REGISTRATIONS_PER_ACCOUNT"
            )
        reg_id = self._new_id("registration")
        reg = RegistrationRecord(
            id=reg_id,
            arn=self._arn(ctx, "registration", reg_id),
            type=p["RegistrationType"],
            iso=iso,
            created_at=ctx.now,
            versions=[VersionRecord(number=1, draft_at=ctx.now)],
            tags=p.get("Tags", []),
        )
        ctx.state.registrations[reg_id] = reg
        if token_key:
            ctx.state.tokens[token_key] = reg_id
        return {**self._created(ctx, reg), "Tags": reg.tags}

    def _created(self, ctx: Context, reg: RegistrationRecord) -> dict[str, Any]:
        out = self._describe_registration(ctx, reg)
        out.pop("ApprovedVersionNumber", None)
        out.pop("LatestDeniedVersionNumber", None)
        out["AdditionalAttributes"] = {}
        return out

    def op_PutRegistrationFieldValue(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        version = reg.versions[-1]
        if version_status(version, ctx.now) != "DRAFT":
            raise conflict(
                "Field values can only be changed while the latest version is a DRAFT.",
                reason="EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        path = p["FieldPath"]
        definition = defs.field_index(reg.type).get(path)
        if definition is None:
            raise validation_error(
                f"{path} is not a field of {reg.type}.", reason="UNKNOWN_REGISTRATION_FIELD"
            )
        given = [k for k in ("TextValue", "SelectChoices", "RegistrationAttachmentId") if k in p]
        if len(given) > 1:
            raise validation_error(
                "Give only one of TextValue, SelectChoices, RegistrationAttachmentId.",
                reason="PARAMETERS_CANNOT_BE_USED_TOGETHER",
            )
        expected = {"TEXT": "TextValue", "SELECT": "SelectChoices", "ATTACHMENT": "RegistrationAttachmentId"}[
            definition["FieldType"]
        ]
        if given != [expected]:
            raise validation_error(
                f"{path} is a {definition['FieldType']} field: give {expected}.", reason="MISSING_PARAMETER"
            )
        self._check_field_value(ctx, definition, p[expected])
        version.values[path] = {expected: p[expected]}
        return {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": version.number,
            "FieldPath": path,
            expected: p[expected],
        }

    def _check_field_value(self, ctx: Context, definition: dict[str, Any], value: Any) -> None:
        path = definition["FieldPath"]

        def invalid(message: str) -> ApiError:
            return validation_error(
                f"{path}: {message}",
                reason="FIELD_VALIDATION_FAILED",
                fields=[{"Name": path, "Message": message}],
            )

        if definition["FieldType"] == "TEXT":
            rule = definition["TextValidation"]
            if not rule["MinLength"] <= len(value) <= rule["MaxLength"]:
                raise invalid(f"length must be {rule['MinLength']} to {rule['MaxLength']}")
            compiled = wire._compiled(rule["Pattern"])
            if compiled is not None and not compiled.fullmatch(value):
                hint = definition["DisplayHints"].get("TextValidationDescription") or rule["Pattern"]
                raise invalid(f"must match {hint}")
        elif definition["FieldType"] == "SELECT":
            rule = definition["SelectValidation"]
            if not rule["MinChoices"] <= len(value) <= rule["MaxChoices"]:
                raise invalid(f"choose {rule['MinChoices']} to {rule['MaxChoices']} options")
            unknown = [v for v in value if v not in rule["Options"]]
            if unknown:
                raise invalid(f"not an option: {', '.join(unknown)}")
        else:
            attachment_id = value.rpartition("/")[2] if value.startswith("arn:") else value
            attachment = ctx.state.attachments.get(attachment_id)
            if attachment is None:
                raise not_found("registration-attachment", value)
            if attachment.status(ctx.now) != "UPLOAD_COMPLETE":
                raise invalid("the attachment is not UPLOAD_COMPLETE yet")

    def op_SubmitRegistrationVersion(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        version = reg.versions[-1]
        if reg.closed_at is not None or version_status(version, ctx.now) != "DRAFT":
            raise conflict(
                f"Version {version.number} of {reg.id} is not a DRAFT.",
                reason="SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        problems = []
        for definition in defs.form(reg.type)[1]:
            path = definition["FieldPath"]
            requirement = defs.resolved_requirement(definition, version.values)
            if requirement == "REQUIRED" and path not in version.values:
                problems.append({"Name": path, "Message": "A value is required."})
            elif requirement == "DISALLOWED" and path in version.values:
                problems.append({"Name": path, "Message": "This field must be empty."})
        if problems:
            raise validation_error(
                f"The registration is incomplete: {', '.join(f['Name'] for f in problems)}.",
                reason="FIELD_VALIDATION_FAILED",
                fields=problems,
            )
        sender = (version.values.get(defs.SENDER_ID_FIELD) or {}).get("TextValue", "")
        denied_before = any(v.outcome == "DENIED" for v in reg.versions[:-1])
        version.outcome = "DENIED" if sender.upper().startswith("DENY") and not denied_before else "APPROVED"
        version.submitted_at = ctx.now
        version.review_delay = self.config.review_delay
        version.aws_review = p.get("AwsReview", False)
        status = version_status(version, ctx.now)
        return {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": version.number,
            "RegistrationVersionStatus": status,
            "RegistrationVersionStatusHistory": status_history(version, status),
            "AwsReview": version.aws_review,
        }

    def op_CreateRegistrationVersion(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        status = registration_status(reg, ctx.now)
        if (
            status not in ("REQUIRES_UPDATES", "COMPLETE")
            or version_status(reg.versions[-1], ctx.now) == "DRAFT"
        ):
            raise conflict(
                f"A new version can't be created while the registration is {status}.",
                reason="CREATE_REGISTRATION_VERSION_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        previous = reg.versions[-1]
        # The new draft starts from the previous version's values, as on AWS.
        version = VersionRecord(
            number=previous.number + 1,
            draft_at=ctx.now,
            values={k: dict(v) for k, v in previous.values.items()},
        )
        reg.versions.append(version)
        return {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": version.number,
            "RegistrationVersionStatus": "DRAFT",
            "RegistrationVersionStatusHistory": status_history(version, "DRAFT"),
        }

    def op_DescribeRegistrations(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        if "RegistrationIds" in p:
            regs = [self._registration(ctx, r) for r in p["RegistrationIds"]]
        else:
            regs = list(ctx.state.registrations.values())
        filters = self._filters(p)
        statuses = filters.get("registration-status")
        if statuses is not None:
            valid = set(wire.service_model().shape_for("RegistrationStatus").enum)
            if not statuses <= valid:
                raise validation_error(
                    f"Unknown registration status: {', '.join(sorted(statuses - valid))}.",
                    reason="INVALID_FILTER_VALUES",
                )
            regs = [r for r in regs if registration_status(r, ctx.now) in statuses]
        types = filters.get("registration-type")
        if types is not None:
            regs = [r for r in regs if r.type in types]
        page, token = self._page(regs, p, "DescribeRegistrations")
        return self._with_token({"Registrations": [self._describe_registration(ctx, r) for r in page]}, token)

    def op_DescribeRegistrationVersions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        statuses = version_statuses(reg, ctx.now)
        if "VersionNumbers" in p:
            unknown = [n for n in p["VersionNumbers"] if n not in statuses]
            if unknown:
                raise validation_error(
                    f"Unknown version {unknown[0]} of {reg.id}.", reason="UNKNOWN_REGISTRATION_VERSION"
                )
            versions = [reg.versions[n - 1] for n in p["VersionNumbers"]]
        else:
            versions = list(reversed(reg.versions))  # newest first, as AWS lists them
        wanted = self._filters(p).get("registration-version-status")
        if wanted is not None:
            versions = [v for v in versions if statuses[v.number] in wanted]
        page, token = self._page(versions, p, "DescribeRegistrationVersions")
        body = {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "RegistrationVersions": [self._describe_version(reg, v, statuses[v.number]) for v in page],
        }
        return self._with_token(body, token)

    def op_DescribeRegistrationFieldValues(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        number = p.get("VersionNumber", reg.versions[-1].number)
        if not 1 <= number <= len(reg.versions):
            raise validation_error(
                f"Unknown version {number} of {reg.id}.", reason="UNKNOWN_REGISTRATION_VERSION"
            )
        version = reg.versions[number - 1]
        denied = version_statuses(reg, ctx.now)[number] == "DENIED"
        order = [f["FieldPath"] for f in defs.form(reg.type)[1]]
        paths = [path for path in order if path in version.values]
        if "SectionPath" in p:
            paths = [path for path in paths if path.split(".")[0] == p["SectionPath"]]
        if "FieldPaths" in p:
            paths = [path for path in paths if path in p["FieldPaths"]]
        page, token = self._page(paths, p, "DescribeRegistrationFieldValues")
        values = []
        for path in page:
            item = {"FieldPath": path, **version.values[path]}
            if denied and path == defs.SENDER_ID_FIELD:
                item["DeniedReason"] = SENDER_ID_DENIED_REASON
                item["Feedback"] = (
                    "This sender ID does not match the company name or brand. Use a matching sender ID or "
                    "attach a letter of authorization."
                )
            values.append(item)
        body = {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": number,
            "RegistrationFieldValues": values,
        }
        return self._with_token(body, token)

    def op_DescribeRegistrationTypeDefinitions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        types = defs.type_definitions(ctx.region)
        if "RegistrationTypes" in p:
            types = [t for t in types if t["RegistrationType"] in p["RegistrationTypes"]]
        filters = self._filters(p)
        if "supported-association-resource-type" in filters:
            wanted = filters["supported-association-resource-type"]
            types = [t for t in types if any(a["ResourceType"] in wanted for a in t["SupportedAssociations"])]
        if "supported-association-iso-country-code" in filters:
            wanted = filters["supported-association-iso-country-code"]
            types = [
                t for t in types if any(a["IsoCountryCode"] in wanted for a in t["SupportedAssociations"])
            ]
        page, token = self._page(types, p, "DescribeRegistrationTypeDefinitions", DEFINITIONS_PAGE)
        return self._with_token({"RegistrationTypeDefinitions": page}, token)

    def op_DescribeRegistrationSectionDefinitions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        self._registration_type(ctx, p["RegistrationType"])
        sections = defs.form(p["RegistrationType"])[0]
        if "SectionPaths" in p:
            sections = [s for s in sections if s["SectionPath"] in p["SectionPaths"]]
        page, token = self._page(sections, p, "DescribeRegistrationSectionDefinitions", DEFINITIONS_PAGE)
        body = {"RegistrationType": p["RegistrationType"], "RegistrationSectionDefinitions": page}
        return self._with_token(body, token)

    def op_DescribeRegistrationFieldDefinitions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        self._registration_type(ctx, p["RegistrationType"])
        fields = defs.form(p["RegistrationType"])[1]
        if "SectionPath" in p:
            fields = [f for f in fields if f["SectionPath"] == p["SectionPath"]]
        if "FieldPaths" in p:
            fields = [f for f in fields if f["FieldPath"] in p["FieldPaths"]]
        page, token = self._page(fields, p, "DescribeRegistrationFieldDefinitions", DEFINITIONS_PAGE)
        body = {"RegistrationType": p["RegistrationType"], "RegistrationFieldDefinitions": page}
        return self._with_token(body, token)

    def op_CreateRegistrationAttachment(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        token_key = f"CreateRegistrationAttachment/{p['ClientToken']}" if p.get("ClientToken") else None
        if token_key and token_key in ctx.state.tokens:
            existing = ctx.state.attachments.get(ctx.state.tokens[token_key])
            if existing is not None:
                return self._describe_attachment(ctx, existing, created=True)
        body, url = p.get("AttachmentBody"), p.get("AttachmentUrl")
        if (body is None) == (url is None):
            raise validation_error(
                "Give exactly one of AttachmentBody or AttachmentUrl.",
                reason="PARAMETERS_CANNOT_BE_USED_TOGETHER" if body is not None else "MISSING_PARAMETER",
            )
        if body is not None:
            if len(body) > MAX_ATTACHMENT_BYTES:
                raise validation_error(
                    f"The attachment is larger than {MAX_ATTACHMENT_BYTES} bytes.",
                    reason="MAXIMUM_SIZE_EXCEEDED",
                )
            if not body.startswith(ATTACHMENT_MAGIC):
                raise validation_error(
                    "Attachments must be PDF, PNG or JPEG files.", reason="ATTACHMENT_TYPE_NOT_SUPPORTED"
                )
        elif not url.startswith("s3://"):
            raise validation_error("AttachmentUrl must be an s3:// URL.", reason="INVALID_PARAMETER")
        attachment_id = self._new_id("attachment")
        attachment = AttachmentRecord(
            id=attachment_id,
            arn=self._arn(ctx, "registration-attachment", attachment_id),
            created_at=ctx.now,
            ready_at=ctx.now + self.config.attachment_delay,
            size=len(body) if body is not None else 0,
            url=url,
            tags=p.get("Tags", []),
        )
        ctx.state.attachments[attachment_id] = attachment
        if token_key:
            ctx.state.tokens[token_key] = attachment_id
        return self._describe_attachment(ctx, attachment, created=True)

    def _describe_attachment(
        self, ctx: Context, a: AttachmentRecord, *, created: bool = False
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "RegistrationAttachmentArn": a.arn,
            "RegistrationAttachmentId": a.id,
            "AttachmentStatus": a.status(ctx.now),
            "CreatedTimestamp": a.created_at,
        }
        if created:
            out["Tags"] = a.tags
        elif a.url:
            out["AttachmentUrl"] = a.url
        return out

    def op_DescribeRegistrationAttachments(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        if "RegistrationAttachmentIds" in p:
            attachments = []
            for given in p["RegistrationAttachmentIds"]:
                attachment_id = given.rpartition("/")[2] if given.startswith("arn:") else given
                if attachment_id not in ctx.state.attachments:
                    raise not_found("registration-attachment", given)
                attachments.append(ctx.state.attachments[attachment_id])
        else:
            attachments = list(ctx.state.attachments.values())
        wanted = self._filters(p).get("attachment-status")
        if wanted is not None:
            attachments = [a for a in attachments if a.status(ctx.now) in wanted]
        page, token = self._page(attachments, p, "DescribeRegistrationAttachments")
        return self._with_token(
            {"RegistrationAttachments": [self._describe_attachment(ctx, a) for a in page]}, token
        )

    def op_CreateRegistrationAssociation(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        resource = p["ResourceId"]
        record = next(
            (r for r in ctx.state.sender_ids.values() if resource in (r.arn, r.sender_id)),
            None,
        )
        if record is None:
            raise not_found("sender-id", resource)
        if record.registration_id == reg.id:
            raise conflict(
                f"{resource} is already associated with {reg.id}.",
                reason="RESOURCE_ALREADY_ASSOCIATED",
                resource_type="sender-id",
                resource_id=resource,
            )
        # Every type the simulator offers is a sender-ID type, and those associate on approval only.
        raise validation_error(
            f"Registrations of type {reg.type} are {defs.ASSOCIATION_BEHAVIOR}: the sender ID is created and "
            "associated when the registration is approved.",
            reason="INVALID_REGISTRATION_ASSOCIATION",
        )


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
