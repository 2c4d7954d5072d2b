"""The simulator's state: configuration, faults, records per Region, and the lazy review clock.

A registration's status is computed on read from its submission time and the review delay (see
backend.py for the timeline), so no background thread exists.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from smsvoice.simulator import definitions as defs
from smsvoice.simulator.wire import ApiError

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


def is_mutation(operation: str) -> bool:
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
