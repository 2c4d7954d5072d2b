"""Reads of the smsvoice app: the AWS call log as support staff look at it, the AWS accounts, and the
Region a country's requests go to in an account (the routing table)."""

from __future__ import annotations

from django.db.models import QuerySet

from smsvoice.models import AwsAccount, AwsCall, RegionRoute


def aws_calls_for_resource(*, resource_id: str, limit: int = 50) -> QuerySet[AwsCall]:
    """The latest calls about one sender ID, registration or support case, newest first."""
    return AwsCall.objects.filter(resource_id=resource_id).order_by("-created_at", "-id")[:limit]


def aws_calls_for_request(*, request_id: int, limit: int = 50) -> QuerySet[AwsCall]:
    """The latest calls made for one portal request (gateway.serving), newest first."""
    return AwsCall.objects.filter(portal_request_id=request_id).order_by("-created_at", "-id")[:limit]


def aws_calls_failed(*, limit: int = 100) -> QuerySet[AwsCall]:
    """The latest failed calls, newest first."""
    return AwsCall.objects.filter(ok=False).order_by("-created_at", "-id")[:limit]


def aws_account_default() -> AwsAccount | None:
    """The account teams without accounts of their own use (the fresh install's one account)."""
    return AwsAccount.objects.filter(enabled=True).order_by("-is_default", "pk").first()


def aws_accounts_enabled() -> QuerySet[AwsAccount]:
    return AwsAccount.objects.filter(enabled=True).order_by("-is_default", "name")


def region_preferences(iso_country_code: str) -> list[str]:
    """The Regions the routing table prefers for a country, best first ([] when it has no route)."""
    route = RegionRoute.objects.filter(iso_country_code=iso_country_code.upper()).first()
    return list(route.regions) if route else []


def region_for(iso_country_code: str, account: AwsAccount, *, preferences: list[str] | None = None) -> str:
    """Where a request for the country goes in `account`: the first preferred Region the account has
    enabled, else the account's default Region."""
    if preferences is None:
        preferences = region_preferences(iso_country_code)
    enabled = set(account.regions or [])
    return next((r for r in preferences if r in enabled), account.default_region)


def region_routes() -> dict[str, list[str]]:
    """The whole routing table, {ISO code: Regions in order} (a handful of rows: one query)."""
    return {r.iso_country_code: list(r.regions or []) for r in RegionRoute.objects.all()}
