"""The simulator's state: configuration, faults, records per account and Region, and the lazy review
clock.

A registration's status is computed on read from its submission time and the review delay (see
:func:`timeline`), so no background thread exists.

Every record lives in the ``RegionState`` of one (account, Region), as on AWS: ``Accounts`` maps account
→ Region → state, and :func:`accounts_from_document` reads it back from a state file of either format
(format 1 had Regions only, all of them the default account's).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from smsvoice.simulator import definitions as defs
from smsvoice.simulator.wire import ApiError

logger = logging.getLogger(__name__)


# The account of a request whose access key nothing maps elsewhere (also moto's default account), and
# of everything in a format-1 state file.
DEFAULT_ACCOUNT_ID = "123456789012"
# 2: {"accounts": {account: {region: RegionState}}}; 1: {"regions": {region: RegionState}}.
STATE_FORMAT = 2
_ACCOUNT_ID = re.compile(r"\d{12}")
CALL_LOG_SIZE = 20_000
DEFAULT_PAGE = 100
DEFINITIONS_PAGE = 20
SUBMITTED_SHARE, DECIDED_SHARE = 0.2, 0.8
# AwsReview: AWS's pre-review takes the first tenth of the review delay; an AUTH… registration waits for
# authentication until POST /_authenticate or until twice the review delay has passed since submission.
AWS_REVIEW_SHARE = 0.1
AUTH_TIMEOUT_DELAYS = 2.0
# The TPS cap forgives arrivals up to this fraction of one interval early: a client that paces itself
# exactly at the cap sees network jitter, and AWS's buckets are not that strict either.
TPS_JITTER_TOLERANCE = 0.2
# The user guide's per-file limit (CLI page and country pages: "maximum 500KB"); the API model itself
# allows 5 MB, so botocore sends bigger files and the service refuses them.
MAX_ATTACHMENT_BYTES = 500 * 1024
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


def is_account_id(value: object) -> bool:
    """True for an AWS account ID (twelve digits)."""
    return isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) is not None


# --- configuration and records -----------------------------------------------------------------------
@dataclass
class SimConfig:
    """Runtime knobs (``POST /_config`` changes any of them). ``tps`` ≤ 0 means no cap.

    Where AWS documents nothing, a knob picks between the plausible behaviours so tests can run each:

    - ``copy_values_on_new_version``: CreateRegistrationVersion (and a discard's new draft) starts from
      the previous version's values; false = an empty DRAFT.
    - ``created_after_submit`` / ``created_after_submit_seconds``: DescribeRegistrations answers CREATED
      for that long after a submission (AWS's blog shows CREATED right after submitting).
    - ``discard_creates_draft``: DiscardRegistrationVersion also opens a new DRAFT version (registration
      CREATED again); false = no new version until CreateRegistrationVersion.
    - ``discard_while_reviewing``: allow discarding during AWS_REVIEWING / REVIEWING /
      REQUIRES_AUTHENTICATION too (the user guide: "only if it's status is Submitted").
    - ``aws_review_returns_draft``: when the AwsReview pre-review has findings, the version goes back
      to DRAFT with per-field Feedback and the registration shows ``aws_review_draft_status`` (CREATED
      or REQUIRES_UPDATES); false = the findings are advisory and the review continues.
    - ``conditional_rules``: serve the simulator's modelled ConditionalBehavior for Indonesia's
      conditional documents (definitions._MODELLED_RULES); ``unruled_conditional``: what a CONDITIONAL
      field without ConditionalBehavior resolves to at submission (OPTIONAL or REQUIRED).
    - ``sender_id_disassociation``: the sender-ID types' DisassociationBehavior, served and enforced by
      DeleteRegistration (DISASSOCIATE_ALL_* = refused while the sender ID exists).
    - ``association_resource_type``: ListRegistrationAssociations' ResourceType for a sender ID.
    - ``deleted_registrations_visible``: a deleted registration stays describable as DELETED (else it
      is not found); ``delete_absent_value_error``: deleting a field value that is not set is refused.

    Events (events.py): ``events_queue_url`` — publish a `Registration Status Change` event to this SQS
    queue on every status change (None: none); ``events_drop_rate`` (0–1) loses that share of them,
    ``events_duplicate`` sends each twice with the same id, ``events_delay`` holds each a random 0–N
    seconds, ``events_reorder`` publishes each batch newest first, ``events_aws_reviewing`` also emits
    AWS_REVIEWING (the user guide does not list it).

    Which account a request belongs to (caller_account.AccountResolver): ``account_for_access_key``
    maps SigV4 access key IDs to account IDs; any other key is looked up with STS GetCallerIdentity at
    ``sts_endpoint_url`` when one is set (moto's server), else it is ``DEFAULT_ACCOUNT_ID``'s.
    """

    tps: float = 0.0
    review_delay: float = 0.0
    attachment_delay: float = 0.0
    max_registrations: int = 25
    max_sender_ids: int = 200
    max_registration_attachments: int = 1000  # simulator default; AWS's number is account-specific
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES
    default_region: str = "us-east-1"
    check_output: bool = False
    copy_values_on_new_version: bool = True
    created_after_submit: bool = False
    created_after_submit_seconds: float = 5.0
    discard_creates_draft: bool = True
    discard_while_reviewing: bool = False
    aws_review_returns_draft: bool = True
    aws_review_draft_status: str = "CREATED"
    conditional_rules: bool = False
    unruled_conditional: str = "OPTIONAL"
    sender_id_disassociation: str = "DISASSOCIATE_ALL_ALLOWS_DELETE_REGISTRATION"
    association_resource_type: str = "sender-id"
    deleted_registrations_visible: bool = False
    delete_absent_value_error: bool = False
    account_for_access_key: dict[str, str] = field(default_factory=dict)
    sts_endpoint_url: str | None = None
    events_queue_url: str | None = None
    events_drop_rate: float = 0.0
    events_duplicate: bool = False
    events_delay: float = 0.0
    events_reorder: bool = False
    events_aws_reviewing: bool = False

    OPTIONAL_URLS: ClassVar[frozenset[str]] = frozenset({"sts_endpoint_url", "events_queue_url"})
    FRACTIONS: ClassVar[frozenset[str]] = frozenset({"events_drop_rate"})
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "aws_review_draft_status": ("CREATED", "REQUIRES_UPDATES"),
        "unruled_conditional": ("OPTIONAL", "REQUIRED"),
        "sender_id_disassociation": defs.DISASSOCIATION_BEHAVIORS,
    }

    def update(self, values: dict[str, Any]) -> None:
        """Apply ``values`` all or nothing (ValueError names the first bad one)."""
        names = {f.name for f in dataclasses.fields(self)}
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name not in names:
                raise ValueError(f"unknown setting {name!r}")
            current = getattr(self, name)
            if name in self.OPTIONAL_URLS:
                if value in (None, ""):
                    value = None
                elif not isinstance(value, str) or not value.startswith(("http://", "https://")):
                    raise ValueError(f"{name} must be an http(s):// URL, or null for none")
            elif isinstance(current, dict):
                value = account_map(value, name)
            elif isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
            elif isinstance(current, (int, float)):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ValueError(f"{name} must be a number ≥ 0")
                if name in self.FRACTIONS and value > 1:
                    raise ValueError(f"{name} must be a number from 0 to 1")
                value = type(current)(value)
            elif not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string")
            elif name in self.CHOICES and value not in self.CHOICES[name]:
                raise ValueError(f"{name} must be one of {', '.join(self.CHOICES[name])}")
            checked[name] = value
        for name, value in checked.items():
            setattr(self, name, value)


def account_map(value: object, name: str = "account_for_access_key") -> dict[str, str]:
    """A checked copy of an access key ID → account ID map (ValueError says what is wrong)."""
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be an object of access key ID → account ID")
    for key, account in value.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"{name}: access key IDs must be non-empty strings")
        if not is_account_id(account):
            raise ValueError(f"{name}: {account!r} (for {key}) is not a 12-digit account ID")
    return dict(value)


@dataclass
class Fault:
    """An error to answer instead of the real result (``POST /_faults``), ``count`` times. ``after``:
    do the work first and then answer the error, as when AWS commits but the answer is lost."""

    operation: str  # an operation name, or "*" for any
    code: str
    account: str | None = None  # only this account's calls (None: anyone's)
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
        allowed = {"operation", "code", "count", "message", "reason", "status", "after", "account"}
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
        if data.get("account") is not None and not is_account_id(data["account"]):
            raise ValueError("account must be a 12-digit account ID")
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
    # AwsReview: per-field Feedback (FieldPath → text) and the version's Feedback, readable once the
    # pre-review is over; ``returns_to`` set = the findings send the version back to DRAFT and the
    # registration shows that status.
    feedback: dict[str, str] = field(default_factory=dict)
    feedback_summary: str | None = None
    returns_to: str | None = None
    auth_required: bool = False  # AUTH… sender ID: REQUIRES_AUTHENTICATION before the review
    authenticated_at: float | None = None


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
    deleted_at: float | None = None

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


Accounts = dict[str, dict[str, RegionState]]  # account ID → Region → that account's state there


def accounts_to_document(accounts: Accounts) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        account: {region: dataclasses.asdict(state) for region, state in regions.items()}
        for account, regions in accounts.items()
    }


def accounts_from_document(data: dict[str, Any]) -> Accounts:
    """The state of a state file: format 2 (``accounts``), or format 1 (``regions`` only, which were all
    the default account's, the one account the simulator had then)."""
    if "accounts" in data:
        return {
            account: {region: RegionState.from_dict(s) for region, s in regions.items()}
            for account, regions in data["accounts"].items()
        }
    regions = data.get("regions", {})
    if not regions:
        return {}
    return {DEFAULT_ACCOUNT_ID: {region: RegionState.from_dict(s) for region, s in regions.items()}}


def sender_key(iso: str, sender_id: str) -> str:
    return f"{iso}/{sender_id}"


@dataclass
class Context:
    """One request's view: the calling account, its Region, and that (account, Region)'s state."""

    account: str
    region: str
    now: float
    state: RegionState
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers (simulator-only)


# --- lazy status ---------------------------------------------------------------------------------------
def timeline(version: VersionRecord) -> tuple[list[tuple[str, float]], float | None]:
    """The version's phases as (status, start) in time order, and when its registration is COMPLETE
    (None unless it is heading for a decision). For review delay D after submission at t0:

    - AwsReview: AWS_REVIEWING until t0 + 0.1·D; with findings that send it back, DRAFT from then on;
    - SUBMITTED until t0 + 0.2·D;
    - AUTH… sender ID: REQUIRES_AUTHENTICATION from there until authenticated (POST /_authenticate) or
      t0 + 2·D, and every later step moves by that wait;
    - REVIEWING until t0 + 0.8·D, then the decision (DENIED or APPROVED; the registration PROVISIONING)
      and at t0 + D the registration is COMPLETE.
    """
    phases = [("DRAFT", version.draft_at)]
    t0, delay = version.submitted_at, version.review_delay
    if t0 is None:
        return phases, None
    if version.aws_review:
        phases.append(("AWS_REVIEWING", t0))
        if version.returns_to is not None:
            phases.append(("DRAFT", t0 + AWS_REVIEW_SHARE * delay))
            return phases, None
        phases.append(("SUBMITTED", t0 + AWS_REVIEW_SHARE * delay))
    else:
        phases.append(("SUBMITTED", t0))
    review_start = t0 + SUBMITTED_SHARE * delay
    wait = 0.0
    if version.auth_required:
        auth_end = t0 + AUTH_TIMEOUT_DELAYS * delay
        if version.authenticated_at is not None:
            auth_end = min(auth_end, version.authenticated_at)
        wait = max(auth_end, review_start) - review_start
        phases.append(("REQUIRES_AUTHENTICATION", review_start))
    phases.append(("REVIEWING", review_start + wait))
    phases.append((version.outcome or "APPROVED", t0 + DECIDED_SHARE * delay + wait))
    return phases, t0 + delay + wait


def aws_review_done(version: VersionRecord, now: float) -> bool:
    """True once an AwsReview pre-review is over (its Feedback is readable from then on)."""
    return (
        version.aws_review
        and version.submitted_at is not None
        and now >= version.submitted_at + AWS_REVIEW_SHARE * version.review_delay
    )


def version_status(version: VersionRecord, now: float, superseded: bool = False) -> str:
    """A version's status at ``now``; ``superseded`` = a later version is approved (older → ARCHIVED)."""
    if version.discarded_at is not None:
        return "DISCARDED"
    status = "DRAFT"
    for name, start in timeline(version)[0]:
        if start <= now:
            status = name
    if status == "APPROVED" and superseded:
        return "ARCHIVED"
    return status


def version_statuses(reg: RegistrationRecord, now: float) -> dict[int, str]:
    statuses: dict[int, str] = {}
    later_approved = False
    for version in reversed(reg.versions):
        status = version_status(version, now, superseded=later_approved)
        statuses[version.number] = status
        later_approved = later_approved or status == "APPROVED"
    return statuses


def _settled(statuses: list[str]) -> str:
    """The registration's status when its latest version is not under review (a draft or discarded)."""
    if "APPROVED" in statuses or "ARCHIVED" in statuses:
        return "COMPLETE"
    if "DENIED" in statuses:
        return "REQUIRES_UPDATES"
    return "CREATED"


UNDER_REVIEW = ("AWS_REVIEWING", "SUBMITTED", "REQUIRES_AUTHENTICATION", "REVIEWING")


def registration_status(reg: RegistrationRecord, now: float, statuses: dict[int, str] | None = None) -> str:
    if reg.deleted_at is not None:
        return "DELETED"
    if reg.closed_at is not None:
        return "CLOSED"
    statuses = statuses or version_statuses(reg, now)
    latest = reg.versions[-1]
    status = statuses[latest.number]
    if status == "DRAFT":
        if latest.submitted_at is not None and latest.returns_to == "REQUIRES_UPDATES":
            return "REQUIRES_UPDATES"  # sent back by the AwsReview pre-review
        return _settled(list(statuses.values()))
    if status == "DISCARDED":
        return _settled([statuses[v.number] for v in reg.versions[:-1]])
    if status in UNDER_REVIEW:
        return status
    if status == "DENIED":
        return "REQUIRES_UPDATES"
    complete_at = timeline(latest)[1]
    if status == "APPROVED" and complete_at is not None and now < complete_at:
        return "PROVISIONING"
    return "COMPLETE"


_HISTORY_NAMES = {
    "AWS_REVIEWING": "AwsReviewingTimestamp",
    "REQUIRES_AUTHENTICATION": "RequiresAuthenticationTimestamp",
    "REVIEWING": "ReviewingTimestamp",
    "APPROVED": "ApprovedTimestamp",
    "DENIED": "DeniedTimestamp",
}


def status_history(version: VersionRecord, now: float) -> dict[str, float]:
    """RegistrationVersionStatusHistory at ``now`` (a discarded version's history stops at the discard)."""
    history = {"DraftTimestamp": version.draft_at}
    if version.submitted_at is None:
        return history
    history["SubmittedTimestamp"] = version.submitted_at
    until = version.discarded_at if version.discarded_at is not None else now
    phases = timeline(version)[0]
    for (name, start), following in zip(phases, [*phases[1:], (None, None)], strict=True):
        if name not in _HISTORY_NAMES or start > until:
            continue
        if name == "REQUIRES_AUTHENTICATION" and following[1] is not None and following[1] <= start:
            continue  # authenticated before it was asked for: the step never happened
        history[_HISTORY_NAMES[name]] = start
    if version.discarded_at is not None:
        history["DiscardedTimestamp"] = version.discarded_at
    return history
