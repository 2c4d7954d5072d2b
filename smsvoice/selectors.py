"""Reads of the smsvoice app: the AWS call log as support staff look at it."""

from __future__ import annotations

from django.db.models import QuerySet

from smsvoice.models import AwsCall


def aws_calls_for_resource(*, resource_id: str, limit: int = 50) -> QuerySet[AwsCall]:
    """The latest calls about one sender ID, registration or support case, newest first."""
    return AwsCall.objects.filter(resource_id=resource_id).order_by("-created_at", "-id")[:limit]


def aws_calls_for_request(*, request_id: int, limit: int = 50) -> QuerySet[AwsCall]:
    """The latest calls made for one portal request (gateway.serving), newest first."""
    return AwsCall.objects.filter(portal_request_id=request_id).order_by("-created_at", "-id")[:limit]


def aws_calls_failed(*, limit: int = 100) -> QuerySet[AwsCall]:
    """The latest failed calls, newest first."""
    return AwsCall.objects.filter(ok=False).order_by("-created_at", "-id")[:limit]
