"""What `manage.py check_aws` found about the Support API, stored (models.SupportApiCheck).

`support_api_check_record` is connected to smsvoice's `aws_checked` signal (apps.py): one row per
account and codes checked, replaced by each check of them that got a definitive answer (the plan's
answer reaches the account's other rows too). A check that got no definitive answer (a timeout, a
5xx, an endpoint that does not implement DescribeServices) changes nothing: a stored confirmation is
not lost to a passing error.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ..models import SupportApiCheck


def _services(support: Any) -> list[dict[str, Any]]:
    return [
        {
            "code": s.code,
            "name": s.name,
            "categories": [{"code": c.code, "name": c.name} for c in s.categories],
        }
        for s in support.relevant_services()
    ]


def support_api_check_record(*, report: Any) -> str:
    """Store the Support half of a check_aws report; returns the line check_aws prints about it."""
    support = report.support
    if support is None or support.available is None:
        return "supportcases: Support API check not stored (no definitive answer); nothing changed."
    service, category = support.service, support.category
    row, _created = SupportApiCheck.objects.update_or_create(
        account_id=report.account_id or "",
        service_code=support.service_code,
        category_code=support.category_code,
        severity_code=support.severity_code,
        defaults={
            "arn": report.arn,
            "region": report.region,
            "checked_at": timezone.now(),
            "available": bool(support.available),
            "error_code": support.error_code,
            "error_message": support.error,
            "service_name": service.name if service else "",
            "category_name": category.name if category else "",
            "severity_levels": [level.code for level in support.severity_levels],
            "services": _services(support),
            "confirmed": support.confirmed,
        },
    )
    # The plan answers for every code: the account's other rows learn it too.
    others = SupportApiCheck.objects.filter(account_id=row.account_id).exclude(pk=row.pk)
    others.update(available=row.available, **({} if row.available else {"confirmed": False}))
    if support.confirmed:
        return (
            f"supportcases: confirmation stored for account {report.account_id or '?'}: "
            "SUPPORT_CASE_MODE=api may open cases with these codes."
        )
    if support.available:
        return (
            f"supportcases: stored for account {report.account_id or '?'}: the Support API is available "
            "(assisted cases are followed with DescribeCases), but the codes are not confirmed: api mode "
            "stays refused."
        )
    return (
        f"supportcases: stored for account {report.account_id or '?'}: no Support API in this plan; "
        "staff set the state of assisted cases by hand."
    )
