"""AWS calls registrations needs that the smsvoice gateway has no public method for yet.

Each goes through the gateway's own `_call` (shared rate budget, call log, error mapping), so nothing
bypasses the one-gateway rule; move them into `smsvoice.gateway` when it grows these methods.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from smsvoice.gateway import SUPPORT_SERVICE, get_gateway
from smsvoice.types import SupportCaseInfo


def list_support_cases(
    *, after: datetime | None = None, include_resolved: bool = True
) -> Iterator[SupportCaseInfo]:
    """DescribeCases without case ids: every case of the account (since `after`), page by page."""
    gateway = get_gateway()
    public = getattr(gateway, "list_cases", None)
    if public is not None:
        yield from public(after=after, include_resolved=include_resolved)
        return
    params: dict[str, Any] = {"includeResolvedCases": include_resolved, "includeCommunications": False}
    if after is not None:
        params["afterTime"] = after.isoformat()
    while True:
        page = gateway._call(SUPPORT_SERVICE, "DescribeCases", params)
        for case in page.get("cases", []):
            yield SupportCaseInfo.from_aws(case)
        token = page.get("nextToken")
        if not token:
            return
        params = {**params, "nextToken": token}
