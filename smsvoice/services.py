"""Writes of the smsvoice app: the AWS call log (record, prune), the AWS accounts (the default one a
fresh install gets, what a connection test or a failing call learnt) and the default Region routes."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from smsvoice.models import AwsAccount, AwsCall, RegionRoute
from smsvoice.redaction import redact_aws

logger = logging.getLogger(__name__)

ERROR_MESSAGE_MAX = 2000


def aws_call_record(
    *,
    service: str,
    operation: str,
    ok: bool,
    latency_ms: int,
    resource_id: str = "",
    error_code: str = "",
    error_message: str = "",
    http_status: int | None = None,
    request_id: str = "",
    portal_request_id: int | None = None,
) -> None:
    """Store one AwsCall row. Never raises: a failure to record must not break the AWS call it records.

    AWS's message is stored without credentials: a SigV4 failure repeats the request's canonical string,
    session token included (smsvoice.redaction)."""
    try:
        row = AwsCall(
            service=service,
            operation=operation,
            ok=ok,
            latency_ms=max(0, latency_ms),
            resource_id=(resource_id or "")[:256],
            error_code=(error_code or "")[:128],
            error_message=redact_aws(error_message or "")[:ERROR_MESSAGE_MAX],
            http_status=http_status,
            request_id=(request_id or "")[:128],
            portal_request_id=portal_request_id,
        )
        if connection.in_atomic_block:
            # Inside the caller's transaction a failed INSERT would poison it (PostgreSQL aborts the
            # whole transaction); a savepoint confines the failure to this row.
            with transaction.atomic():
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)
    except Exception as exc:
        # Message only: this also fires in every test that has no database, and a traceback per call
        # would bury the log. The call itself has already succeeded or failed on its own.
        logger.warning("could not record AWS call %s %s: %r", operation, resource_id, exc)


def aws_call_prune(*, older_than: timedelta = timedelta(days=90)) -> int:
    """Delete call records older than ``older_than``; returns how many went."""
    deleted, _ = AwsCall.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


# --- AWS accounts -----------------------------------------------------------------------------------
DEFAULT_ACCOUNT_NAME = "Default"
# India's local routes exist only in ap-south-1 and ap-south-2 (DESIGN.md, AWS facts).
DEFAULT_ROUTES = {
    "IN": (["ap-south-1", "ap-south-2"], "India's local routes exist only in ap-south-1 and ap-south-2."),
}


def aws_account_ensure_default(*, region: str | None = None) -> AwsAccount | None:
    """A fresh install's one account: the environment's credentials in ``AWS_REGION``. Only when there
    is no account at all, so an admin's accounts are never touched. Returns the account it made."""
    if AwsAccount.objects.exists():
        return None
    region = region or settings.AWS_REGION
    return AwsAccount.objects.create(
        name=DEFAULT_ACCOUNT_NAME, regions=[region], default_region=region, is_default=True
    )


def region_routes_ensure_defaults() -> int:
    """The routes every install starts with (India → ap-south-1, ap-south-2); existing rows are kept."""
    made = 0
    for iso, (regions, note) in DEFAULT_ROUTES.items():
        _, created = RegionRoute.objects.get_or_create(
            iso_country_code=iso, defaults={"regions": regions, "note": note}
        )
        made += created
    return made


def aws_account_record_error(*, pk: int, message: str) -> None:
    """Remember an account-level failure (credentials, permissions, throttling). Never raises."""
    try:
        AwsAccount.objects.filter(pk=pk).update(
            # A credentials error is exactly the one whose message may repeat them (SignatureDoesNotMatch).
            last_error=redact_aws(message)[:ERROR_MESSAGE_MAX],
            last_error_at=timezone.now(),
        )
    except Exception as exc:
        logger.warning("could not record the error of AWS account %s: %r", pk, exc)


def aws_account_record_check(
    *, account: AwsAccount, account_id: str, arn: str, error: str, report: str = ""
) -> AwsAccount:
    """What a connection test learnt: the account id STS answered (never typed), or why it failed."""
    now = timezone.now()
    # The report and the error carry AWS's messages: kept without credentials, as the call log's are.
    fields: dict[str, Any] = {"last_checked_at": now, "last_check_report": redact_aws(report)[:20000]}
    if account_id:
        fields.update(account_id=account_id[:12], identity_arn=arn[:2048])
    if error:
        fields.update(last_error=redact_aws(error)[:ERROR_MESSAGE_MAX], last_error_at=now)
    else:
        fields.update(last_error="", last_error_at=None)
    AwsAccount.objects.filter(pk=account.pk).update(**fields)
    for name, value in fields.items():
        setattr(account, name, value)
    return account
