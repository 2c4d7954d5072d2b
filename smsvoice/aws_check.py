"""What `manage.py check_aws` and the admin's "Test connection" find out about each AWS account.

One read-only pass through the gateway: who we are (STS GetCallerIdentity), the Region, the
registration types the Region offers (DescribeRegistrationTypeDefinitions), the account's quotas
(DescribeAccountLimits), and whether the account's support plan includes the Support API with the
service / category / severity codes the portal would open cases with (DescribeServices,
DescribeSeverityLevels: AWS says its codes come only from DescribeServices).

smsvoice knows no app: the report is announced with the `aws_checked` signal, and the apps that care
(supportcases stores the Support confirmation api mode needs) connect to it in their ready().
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

from smsvoice.errors import AwsError
from smsvoice.support_api import SUBSCRIPTION_REQUIRED, SeverityLevelInfo, SupportServiceInfo
from smsvoice.types import AccountLimitInfo

# Sent by `check_aws` after each account's check with `report=AwsCheckReport`; a receiver may return a
# line for the command to print (what it did with the report).
aws_checked = Signal()

# Services worth showing when the configured codes are not found: where a sender-ID case could go.
_RELEVANT = re.compile(r"pinpoint|sms|end user messaging|service.limit|quota", re.IGNORECASE)


_TAGS = re.compile(r"<[^>]+>")


def _error(exc: AwsError) -> str:
    """AWS's code and message on one line (an endpoint's HTML error page reduced to its words)."""
    message = " ".join(_TAGS.sub(" ", exc.message or "").split())
    return f"{exc.code}: {message}"[:300]


@dataclass
class SupportCheck:
    """The Support API half of the check. ``available``: True (DescribeServices answered), False (AWS
    said the plan has no Support API), None (no definitive answer: an error worth retrying later)."""

    service_code: str
    category_code: str
    severity_code: str
    available: bool | None = None
    error_code: str = ""
    error: str = ""
    services: list[SupportServiceInfo] = field(default_factory=list)
    severity_levels: list[SeverityLevelInfo] = field(default_factory=list)
    severity_error: str = ""

    @property
    def service(self) -> SupportServiceInfo | None:
        return next((s for s in self.services if s.code == self.service_code), None)

    @property
    def category(self) -> Any:
        service = self.service
        return service.category(self.category_code) if service else None

    @property
    def severity_found(self) -> bool:
        return any(level.code == self.severity_code for level in self.severity_levels)

    @property
    def confirmed(self) -> bool:
        """The plan has the Support API and DescribeServices / DescribeSeverityLevels list the codes."""
        return bool(self.available and self.category is not None and self.severity_found)

    def relevant_services(self) -> list[SupportServiceInfo]:
        return [
            s
            for s in self.services
            if _RELEVANT.search(s.code) or _RELEVANT.search(s.name) or s.code == self.service_code
        ]


@dataclass
class AwsCheckReport:
    account_label: str
    region: str
    account_id: str = ""
    arn: str = ""
    identity_error: str = ""
    registration_types: list[str] = field(default_factory=list)
    registration_types_error: str = ""
    account_limits: dict[str, AccountLimitInfo] = field(default_factory=dict)
    account_limits_error: str = ""
    support: SupportCheck | None = None

    @property
    def reachable(self) -> bool:
        """The account answered who it is and the SMS API answered (the portal can work)."""
        return not self.identity_error and not self.registration_types_error

    def lines(self) -> list[str]:
        """The report as `check_aws` prints it."""
        out = [f"Account {self.account_label} — {self.region}"]
        if self.identity_error:
            out.append(f"  identity (STS GetCallerIdentity): FAILED {self.identity_error}")
        else:
            out.append(f"  identity (STS GetCallerIdentity): account {self.account_id}, {self.arn}")
        out.append(f"  Region: {self.region}")
        if self.registration_types_error:
            out.append(
                "  registration types (DescribeRegistrationTypeDefinitions): FAILED "
                f"{self.registration_types_error}"
            )
        else:
            names = ", ".join(self.registration_types) or "none"
            out.append(
                f"  registration types (DescribeRegistrationTypeDefinitions): {len(self.registration_types)}"
                f" — {names}"
            )
        if self.account_limits_error:
            out.append(f"  account limits (DescribeAccountLimits): FAILED {self.account_limits_error}")
        else:
            limits = ", ".join(f"{n} {lim.used}/{lim.max}" for n, lim in sorted(self.account_limits.items()))
            out.append(f"  account limits (DescribeAccountLimits): {limits or 'none'}")
        if self.support is not None:
            out += _support_lines(self.support)
        return out


def _support_lines(support: SupportCheck) -> list[str]:
    out = []
    if support.available is False:
        out.append(
            f"  Support API (DescribeServices): not in this account's plan ({support.error}). The Support "
            "API needs a Business (or higher) support plan; cases are opened in the console (assisted)."
        )
        return out
    if support.available is None:
        out.append(f"  Support API (DescribeServices): no answer ({support.error}): nothing confirmed.")
        return out
    out.append(
        f"  Support API (DescribeServices): available, {len(support.services)} services "
        "(the plan is Business or higher)"
    )
    service = support.service
    if service is None:
        out.append(f"  service code {support.service_code}: NOT FOUND in DescribeServices")
    else:
        out.append(f"  service code {support.service_code}: found ({service.name})")
        category = support.category
        if category is None:
            known = ", ".join(c.code for c in service.categories) or "none"
            out.append(
                f"  category code {support.category_code}: NOT FOUND under it (its categories: {known})"
            )
        else:
            out.append(f"  category code {support.category_code}: found ({category.name})")
    if support.severity_error:
        out.append(f"  severity levels (DescribeSeverityLevels): FAILED {support.severity_error}")
    else:
        levels = ", ".join(level.code for level in support.severity_levels) or "none"
        found = "found" if support.severity_found else "NOT FOUND"
        out.append(f"  severity code {support.severity_code}: {found} (the plan offers: {levels})")
    if not support.confirmed:
        for s in support.relevant_services():
            categories = ", ".join(f"{c.code} ({c.name})" for c in s.categories) or "no categories"
            out.append(f"    candidate: service {s.code} ({s.name}): {categories}")
    verdict = "CONFIRMED" if support.confirmed else "NOT confirmed"
    out.append(
        f"  codes for CreateCase: {verdict} (service {support.service_code}, category "
        f"{support.category_code}, severity {support.severity_code})"
    )
    return out


def aws_check(
    *,
    gateway: Any,
    service_code: str,
    category_code: str,
    severity_code: str,
    account_label: str = "default",
    with_support: bool = True,
) -> AwsCheckReport:
    """Ask AWS, read-only, everything `check_aws` reports; every failure is recorded, none raised."""
    report = AwsCheckReport(account_label=account_label, region=gateway.region)
    try:
        identity = gateway.get_caller_identity()
        report.account_id, report.arn = identity.account, identity.arn
    except AwsError as exc:
        report.identity_error = _error(exc)
    try:
        report.registration_types = sorted(
            t.registration_type for t in gateway.describe_registration_type_definitions()
        )
    except AwsError as exc:
        report.registration_types_error = _error(exc)
    try:
        report.account_limits = gateway.describe_account_limits()
    except AwsError as exc:
        report.account_limits_error = _error(exc)
    if with_support:
        report.support = _support_check(gateway, service_code, category_code, severity_code)
    return report


def _support_check(gateway: Any, service_code: str, category_code: str, severity_code: str) -> SupportCheck:
    support = SupportCheck(
        service_code=service_code, category_code=category_code, severity_code=severity_code
    )
    try:
        support.services = gateway.describe_services()
    except AwsError as exc:
        support.error_code, support.error = exc.code, _error(exc)
        support.available = False if exc.code == SUBSCRIPTION_REQUIRED else None
        return support
    support.available = True
    try:
        support.severity_levels = gateway.describe_severity_levels()
    except AwsError as exc:
        support.severity_error = _error(exc)
    return support


def account_check(
    *, account: Any, gateway_for: Any, service_code: str, category_code: str, severity_code: str
) -> list[AwsCheckReport]:
    """`aws_check` in every enabled Region of `account` (the Support API, global, only in the first)."""
    reports = []
    for index, region in enumerate(account.enabled_regions):
        report = aws_check(
            gateway=gateway_for(account, region),
            service_code=service_code,
            category_code=category_code,
            severity_code=severity_code,
            account_label=account.name,
            with_support=index == 0,
        )
        reports.append(report)
    return reports


def account_check_summary(reports: list[AwsCheckReport]) -> tuple[str, str, str]:
    """(account id, identity ARN, first error) of an account's reports, for its admin page."""
    identity = next((r for r in reports if r.account_id), None)
    errors = [
        f"{r.region}: {e}"
        for r in reports
        for e in (r.identity_error, r.registration_types_error, r.account_limits_error)
        if e
    ]
    return (
        identity.account_id if identity else "",
        identity.arn if identity else "",
        errors[0] if errors else "",
    )
