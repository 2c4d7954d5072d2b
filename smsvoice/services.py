"""Writes of the smsvoice app: recording and pruning the AWS call log."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from smsvoice.models import AwsCall

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
    """Store one AwsCall row. Never raises: a failure to record must not break the AWS call it records."""
    try:
        row = AwsCall(
            service=service,
            operation=operation,
            ok=ok,
            latency_ms=max(0, latency_ms),
            resource_id=(resource_id or "")[:256],
            error_code=(error_code or "")[:128],
            error_message=(error_message or "")[:ERROR_MESSAGE_MAX],
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
