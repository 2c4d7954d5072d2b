"""Typed results of the AWS gateway: frozen dataclasses mirroring AWS's response shapes in snake_case.

Each class has a ``from_aws`` constructor that takes the dict boto3 returns, so the rest of the portal
never touches raw AWS dicts. Status strings are kept exactly as AWS sends them (AWS adds new values over
time; callers map them, they are not constrained here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """``DocumentationLink`` → ``documentation_link``, ``AwsReviewingTimestamp`` →
    ``aws_reviewing_timestamp``."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def snake_keys(value: Any) -> Any:
    """Recursively snake_case the keys of AWS dicts (for the nested, rarely read parts of a response)."""
    if isinstance(value, dict):
        return {snake(k): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


def _tags(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or []}


@dataclass(frozen=True)
class SenderIdInfo:
    sender_id: str
    iso_country_code: str
    sender_id_arn: str
    message_types: list[str]
    monthly_leasing_price: str
    deletion_protection_enabled: bool
    registered: bool
    registration_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> SenderIdInfo:
        return cls(
            sender_id=data["SenderId"],
            iso_country_code=data["IsoCountryCode"],
            sender_id_arn=data["SenderIdArn"],
            message_types=list(data.get("MessageTypes") or []),
            monthly_leasing_price=data.get("MonthlyLeasingPrice", ""),
            # ReleaseSenderId's answer has no DeletionProtectionEnabled: a released ID had it off.
            deletion_protection_enabled=bool(data.get("DeletionProtectionEnabled", False)),
            registered=bool(data.get("Registered", False)),
            registration_id=data.get("RegistrationId"),
            tags=_tags(data.get("Tags")),
        )


@dataclass(frozen=True)
class RegistrationInfo:
    registration_id: str
    registration_arn: str
    registration_type: str
    status: str
    current_version_number: int
    approved_version_number: int | None
    latest_denied_version_number: int | None
    created_at: datetime
    additional_attributes: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> RegistrationInfo:
        return cls(
            registration_id=data["RegistrationId"],
            registration_arn=data["RegistrationArn"],
            registration_type=data["RegistrationType"],
            status=data["RegistrationStatus"],
            current_version_number=int(data["CurrentVersionNumber"]),
            approved_version_number=data.get("ApprovedVersionNumber"),
            latest_denied_version_number=data.get("LatestDeniedVersionNumber"),
            created_at=data["CreatedTimestamp"],
            additional_attributes=dict(data.get("AdditionalAttributes") or {}),
            tags=_tags(data.get("Tags")),
        )


@dataclass(frozen=True)
class RegistrationVersionInfo:
    """One version of a registration.

    ``status_history`` maps snake_cased AWS keys (``draft_timestamp``, ``submitted_timestamp``,
    ``reviewing_timestamp``, ``approved_timestamp``, ``denied_timestamp`` …) to datetimes.
    ``denied_reasons`` holds dicts with ``reason``, ``short_description``, ``long_description``,
    ``documentation_title``, ``documentation_link``.
    """

    version_number: int
    status: str
    status_history: dict[str, datetime]
    denied_reasons: list[dict[str, str]] = field(default_factory=list)
    feedback: str | None = None
    registration_id: str | None = None
    aws_review: bool | None = None

    @classmethod
    def from_aws(cls, data: dict[str, Any], registration_id: str | None = None) -> RegistrationVersionInfo:
        return cls(
            version_number=int(data["VersionNumber"]),
            status=data["RegistrationVersionStatus"],
            status_history=snake_keys(data.get("RegistrationVersionStatusHistory") or {}),
            denied_reasons=snake_keys(data.get("DeniedReasons") or []),
            feedback=data.get("Feedback"),
            registration_id=data.get("RegistrationId", registration_id),
            aws_review=data.get("AwsReview"),
        )


@dataclass(frozen=True)
class RegistrationAssociationInfo:
    """One resource a registration is associated with (ListRegistrationAssociations)."""

    resource_arn: str
    resource_id: str
    resource_type: str
    iso_country_code: str | None = None
    phone_number: str | None = None

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> RegistrationAssociationInfo:
        return cls(
            resource_arn=data["ResourceArn"],
            resource_id=data["ResourceId"],
            resource_type=data["ResourceType"],
            iso_country_code=data.get("IsoCountryCode"),
            phone_number=data.get("PhoneNumber"),
        )


@dataclass(frozen=True)
class AccountLimitInfo:
    """One quota of the account in this Region (DescribeAccountLimits): what is used of how many."""

    name: str
    used: int
    max: int

    @property
    def reached(self) -> bool:
        return self.used >= self.max

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> AccountLimitInfo:
        return cls(name=data["Name"], used=int(data["Used"]), max=int(data["Max"]))


@dataclass(frozen=True)
class FieldValueInfo:
    field_path: str
    text_value: str | None = None
    select_choices: list[str] = field(default_factory=list)
    registration_attachment_id: str | None = None
    denied_reason: str | None = None
    feedback: str | None = None

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> FieldValueInfo:
        return cls(
            field_path=data["FieldPath"],
            text_value=data.get("TextValue"),
            select_choices=list(data.get("SelectChoices") or []),
            registration_attachment_id=data.get("RegistrationAttachmentId"),
            denied_reason=data.get("DeniedReason"),
            feedback=data.get("Feedback"),
        )


@dataclass(frozen=True)
class RegistrationTypeInfo:
    """A registration type. ``supported_associations`` holds snake_cased dicts (resource_type,
    iso_country_code, association_behavior, disassociation_behavior); the convenience fields below
    describe the first association (sender-ID types have exactly one)."""

    registration_type: str
    display_name: str
    supported_iso_countries: list[str]
    association_behavior: str | None
    disassociation_behavior: str | None
    resource_types: list[str]
    short_description: str | None = None
    long_description: str | None = None
    documentation_title: str | None = None
    documentation_link: str | None = None
    supported_associations: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> RegistrationTypeInfo:
        associations = data.get("SupportedAssociations") or []
        hints = data.get("DisplayHints") or {}
        first = associations[0] if associations else {}
        return cls(
            registration_type=data["RegistrationType"],
            display_name=hints.get("Title", data["RegistrationType"]),
            supported_iso_countries=sorted(
                {a["IsoCountryCode"] for a in associations if a.get("IsoCountryCode")}
            ),
            association_behavior=first.get("AssociationBehavior"),
            disassociation_behavior=first.get("DisassociationBehavior"),
            resource_types=sorted({a["ResourceType"] for a in associations}),
            short_description=hints.get("ShortDescription"),
            long_description=hints.get("LongDescription"),
            documentation_title=hints.get("DocumentationTitle"),
            documentation_link=hints.get("DocumentationLink"),
            supported_associations=snake_keys(associations),
        )


@dataclass(frozen=True)
class SectionDefinitionInfo:
    section_path: str
    display_name: str
    description: str
    long_description: str | None = None
    documentation_title: str | None = None
    documentation_link: str | None = None

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> SectionDefinitionInfo:
        hints = data.get("DisplayHints") or {}
        return cls(
            section_path=data["SectionPath"],
            display_name=hints.get("Title", data["SectionPath"]),
            description=hints.get("ShortDescription", ""),
            long_description=hints.get("LongDescription"),
            documentation_title=hints.get("DocumentationTitle"),
            documentation_link=hints.get("DocumentationLink"),
        )


@dataclass(frozen=True)
class SelectOptions:
    min_choices: int
    max_choices: int
    options: list[str]


@dataclass(frozen=True)
class TextValidation:
    min_length: int
    max_length: int
    pattern: str


@dataclass(frozen=True)
class FieldDefinitionInfo:
    """One form field. ``conditional_behavior`` (for CONDITIONAL fields) is AWS's ConditionalBehavior with
    snake_cased keys: ``{"rules": [{"conditions": [{"depends_on_field_path", "operator", "values"}],
    "rule_behavior", "conditional_validation"}], "default_behavior"}``; behaviours are REQUIRED, OPTIONAL,
    DISALLOWED. ``select_option_descriptions`` holds dicts with option, title, description."""

    section_path: str
    field_path: str
    field_type: str
    field_requirement: str
    display_name: str
    short_description: str
    select_options: SelectOptions | None = None
    text_validation: TextValidation | None = None
    long_description: str | None = None
    example_text_value: str | None = None
    text_validation_description: str | None = None
    documentation_title: str | None = None
    documentation_link: str | None = None
    select_option_descriptions: list[dict[str, str]] = field(default_factory=list)
    conditional_behavior: dict[str, Any] | None = None

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> FieldDefinitionInfo:
        hints = data.get("DisplayHints") or {}
        select = data.get("SelectValidation")
        text = data.get("TextValidation")
        conditional = data.get("ConditionalBehavior")
        return cls(
            section_path=data["SectionPath"],
            field_path=data["FieldPath"],
            field_type=data["FieldType"],
            field_requirement=data["FieldRequirement"],
            display_name=hints.get("Title", data["FieldPath"]),
            short_description=hints.get("ShortDescription", ""),
            select_options=(
                SelectOptions(select["MinChoices"], select["MaxChoices"], list(select["Options"]))
                if select
                else None
            ),
            text_validation=(
                TextValidation(text["MinLength"], text["MaxLength"], text["Pattern"]) if text else None
            ),
            long_description=hints.get("LongDescription"),
            example_text_value=hints.get("ExampleTextValue"),
            text_validation_description=hints.get("TextValidationDescription"),
            documentation_title=hints.get("DocumentationTitle"),
            documentation_link=hints.get("DocumentationLink"),
            select_option_descriptions=snake_keys(hints.get("SelectOptionDescriptions") or []),
            conditional_behavior=snake_keys(conditional) if conditional else None,
        )


@dataclass(frozen=True)
class AttachmentInfo:
    attachment_id: str
    status: str
    attachment_arn: str | None = None
    created_at: datetime | None = None
    upload_error_reason: str | None = None
    attachment_url: str | None = None

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> AttachmentInfo:
        return cls(
            attachment_id=data["RegistrationAttachmentId"],
            status=data["AttachmentStatus"],
            attachment_arn=data.get("RegistrationAttachmentArn"),
            created_at=data.get("CreatedTimestamp"),
            upload_error_reason=data.get("AttachmentUploadErrorReason"),
            attachment_url=data.get("AttachmentUrl"),
        )


@dataclass(frozen=True)
class SupportCaseInfo:
    """An AWS Support case. ``status`` is AWS's raw value (opened, pending-customer-action,
    customer-action-completed, reopened, resolved, unassigned, work-in-progress). ``recent_communications``
    holds dicts with body, submitted_by, time_created."""

    case_id: str
    status: str
    subject: str
    display_id: str | None = None
    service_code: str | None = None
    category_code: str | None = None
    severity_code: str | None = None
    submitted_by: str | None = None
    time_created: str | None = None
    language: str | None = None
    cc_email_addresses: list[str] = field(default_factory=list)
    recent_communications: list[dict[str, str]] = field(default_factory=list)

    @property
    def is_resolved(self) -> bool:
        return self.status == "resolved"

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> SupportCaseInfo:
        communications = (data.get("recentCommunications") or {}).get("communications") or []
        return cls(
            case_id=data["caseId"],
            status=data.get("status", ""),
            subject=data.get("subject", ""),
            display_id=data.get("displayId"),
            service_code=data.get("serviceCode"),
            category_code=data.get("categoryCode"),
            severity_code=data.get("severityCode"),
            submitted_by=data.get("submittedBy"),
            time_created=data.get("timeCreated"),
            language=data.get("language"),
            cc_email_addresses=list(data.get("ccEmailAddresses") or []),
            recent_communications=[
                {
                    "body": c.get("body", ""),
                    "submitted_by": c.get("submittedBy", ""),
                    "time_created": c.get("timeCreated", ""),
                }
                for c in communications
            ],
        )
