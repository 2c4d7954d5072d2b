"""The AWS Support API half of the gateway (CreateCase, DescribeCases): a mixin of SmsVoiceGateway.

Same call path as the SMS API (rate budget, error mapping, call log) through the gateway's `_call`.
The Support API lives in us-east-1 only and needs a Business (or higher) support plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from smsvoice.types import SupportCaseInfo

SUPPORT_SERVICE = "support"
# DescribeCases takes at most this many case ids per call.
CASES_PER_CALL = 100


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
        return self._call(SUPPORT_SERVICE, "CreateCase", params)["caseId"]

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

    def list_cases(
        self, *, after: datetime | None = None, include_resolved: bool = True
    ) -> Iterator[SupportCaseInfo]:
        """Every case of the account (created after ``after``), page by page, without communications."""
        params: dict[str, Any] = {"includeResolvedCases": include_resolved, "includeCommunications": False}
        if after is not None:
            params["afterTime"] = after.isoformat()
        yield from self._case_pages(params)

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
