"""The AWS Support API half of the gateway: a mixin of SmsVoiceGateway.

Cases (CreateCase, DescribeCases, AddCommunicationToCase), attachment sets (AddAttachmentsToSet) and
what `manage.py check_aws` asks about the account's plan and codes (DescribeServices,
DescribeSeverityLevels). Same call path as the SMS API (rate budget, error mapping, call log) through
the gateway's `_call`. The Support API lives in us-east-1 only and needs a Business (or higher) support
plan: without one every call fails with SubscriptionRequiredException.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smsvoice.types import SupportCaseInfo

SUPPORT_SERVICE = "support"
# DescribeCases takes at most this many case ids per call.
CASES_PER_CALL = 100
# AddAttachmentsToSet: at most 3 attachments per set, 5 MB each (botocore's support model).
ATTACHMENTS_PER_SET = 3
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
# Without a Business (or higher) plan every Support API call answers this.
SUBSCRIPTION_REQUIRED = "SubscriptionRequiredException"


@dataclass(frozen=True)
class SupportCategoryInfo:
    code: str
    name: str


@dataclass(frozen=True)
class SupportServiceInfo:
    """One service of DescribeServices: the only source of valid serviceCode / categoryCode pairs."""

    code: str
    name: str
    categories: list[SupportCategoryInfo] = field(default_factory=list)

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> SupportServiceInfo:
        return cls(
            code=data.get("code", ""),
            name=data.get("name", ""),
            categories=[
                SupportCategoryInfo(code=c.get("code", ""), name=c.get("name", ""))
                for c in data.get("categories") or []
            ],
        )

    def category(self, code: str) -> SupportCategoryInfo | None:
        return next((c for c in self.categories if c.code == code), None)


@dataclass(frozen=True)
class SeverityLevelInfo:
    code: str
    name: str


class SupportOperations:
    """Requires `self._call(service, operation, params, resource_id)` (SmsVoiceGateway provides it)."""

    _call: Any

    def create_case(
        self,
        *,
        subject: str,
        communication_body: str,
        service_code: str,
        category_code: str,
        severity_code: str = "low",
        language: str = "en",
        cc_emails: list[str] | None = None,
        issue_type: str = "customer-service",
        attachment_set_id: str | None = None,
    ) -> str:
        """CreateCase; returns the case id."""
        params: dict[str, Any] = {
            "subject": subject,
            "communicationBody": communication_body,
            "serviceCode": service_code,
            "categoryCode": category_code,
            "severityCode": severity_code,
            "language": language,
            "issueType": issue_type,
        }
        if cc_emails:
            params["ccEmailAddresses"] = list(cc_emails)
        if attachment_set_id:
            params["attachmentSetId"] = attachment_set_id
        return self._call(SUPPORT_SERVICE, "CreateCase", params)["caseId"]

    def add_attachments_to_set(
        self, *, attachments: list[tuple[str, bytes]], attachment_set_id: str | None = None
    ) -> str:
        """AddAttachmentsToSet: (file name, content) pairs into a new set (or the given one); returns
        the set id. A set holds at most 3 attachments of 5 MB and expires an hour after it is made."""
        if not 1 <= len(attachments) <= ATTACHMENTS_PER_SET:
            raise ValueError(f"an attachment set takes 1 to {ATTACHMENTS_PER_SET} attachments")
        params: dict[str, Any] = {
            "attachments": [{"fileName": name, "data": data} for name, data in attachments]
        }
        if attachment_set_id:
            params["attachmentSetId"] = attachment_set_id
        return self._call(SUPPORT_SERVICE, "AddAttachmentsToSet", params)["attachmentSetId"]

    def add_communication_to_case(
        self,
        *,
        case_id: str,
        communication_body: str,
        cc_emails: list[str] | None = None,
        attachment_set_id: str | None = None,
    ) -> bool:
        """AddCommunicationToCase (1–8,000 characters); True when AWS accepted it."""
        params: dict[str, Any] = {"caseId": case_id, "communicationBody": communication_body}
        if cc_emails:
            params["ccEmailAddresses"] = list(cc_emails)
        if attachment_set_id:
            params["attachmentSetId"] = attachment_set_id
        return bool(
            self._call(SUPPORT_SERVICE, "AddCommunicationToCase", params, case_id).get("result", True)
        )

    def describe_cases(self, *, case_ids: list[str], include_resolved: bool = True) -> list[SupportCaseInfo]:
        """DescribeCases for the given ids (resolved ones included by default), following nextToken."""
        cases = []
        for chunk in _chunks(list(case_ids), CASES_PER_CALL):
            params: dict[str, Any] = {
                "caseIdList": chunk,
                "includeResolvedCases": include_resolved,
                "includeCommunications": True,
            }
            cases += self._case_pages(params, chunk[0])
        return cases

    def describe_case_by_display_id(self, *, display_id: str) -> SupportCaseInfo | None:
        """The case the Support Center shows under this (numeric) display id, if the account has it."""
        params: dict[str, Any] = {
            "displayId": display_id,
            "includeResolvedCases": True,
            "includeCommunications": True,
        }
        # An endpoint that ignores displayId (moto) answers every case: keep the one that matches.
        return next((c for c in self._case_pages(params, display_id) if c.display_id == display_id), None)

    def list_cases(
        self, *, after: datetime | None = None, include_resolved: bool = True
    ) -> Iterator[SupportCaseInfo]:
        """Every case of the account (created after ``after``), page by page, without communications."""
        params: dict[str, Any] = {"includeResolvedCases": include_resolved, "includeCommunications": False}
        if after is not None:
            params["afterTime"] = after.isoformat()
        yield from self._case_pages(params)

    def describe_services(
        self, *, service_codes: list[str] | None = None, language: str = "en"
    ) -> list[SupportServiceInfo]:
        """DescribeServices: the services and categories CreateCase accepts in this account."""
        params: dict[str, Any] = {"language": language}
        if service_codes:
            params["serviceCodeList"] = list(service_codes)
        return [
            SupportServiceInfo.from_aws(s)
            for s in self._call(SUPPORT_SERVICE, "DescribeServices", params).get("services", [])
        ]

    def describe_severity_levels(self, *, language: str = "en") -> list[SeverityLevelInfo]:
        """DescribeSeverityLevels: the severities the account's plan offers."""
        answer = self._call(SUPPORT_SERVICE, "DescribeSeverityLevels", {"language": language})
        return [
            SeverityLevelInfo(code=level.get("code", ""), name=level.get("name", ""))
            for level in answer.get("severityLevels", [])
        ]

    def _case_pages(self, params: dict[str, Any], resource_id: str = "") -> Iterator[SupportCaseInfo]:
        while True:
            page = self._call(SUPPORT_SERVICE, "DescribeCases", params, resource_id)
            yield from (SupportCaseInfo.from_aws(c) for c in page.get("cases", []))
            token = page.get("nextToken")
            if not token or token == params.get("nextToken"):  # moto echoes the token it was given
                return
            params = {**params, "nextToken": token}


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
