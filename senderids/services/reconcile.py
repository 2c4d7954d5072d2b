"""Reconciliation with AWS: drift between AWS's sender IDs and our requests."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from smsvoice import gateway
from smsvoice.errors import AwsError
from smsvoice.models import AwsAccount
from smsvoice.selectors import aws_accounts_enabled

from ..choices import DriftKind, Status
from ..lifecycle import OPEN_STATUSES
from ..models import SenderIdDrift, SenderIdRequest

logger = logging.getLogger(__name__)


# --- sync_sender_ids: DescribeSenderIds (all pages) against our requests -------------------------


@dataclass
class SyncReport:
    aws_count: int = 0
    active_count: int = 0
    refreshed: list[int] = field(default_factory=list)  # active requests whose AWS-owned fields changed
    drifts: list[SenderIdDrift] = field(default_factory=list)  # open after this run
    new: list[SenderIdDrift] = field(default_factory=list)
    resolved: list[SenderIdDrift] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # (account, Region) pairs AWS could not be read in


def _describe_for_drift(info: Any) -> dict[str, Any]:
    return {
        "sender_id_arn": info.sender_id_arn,
        "message_types": list(info.message_types),
        "monthly_leasing_price": str(info.monthly_leasing_price or ""),
        "deletion_protection_enabled": info.deletion_protection_enabled,
        "registered": info.registered,
        "registration_id": info.registration_id or "",
    }


# One sync at a time (command and beat may overlap): a cache lock, Redis-backed when REDIS_URL is set.
SYNC_LOCK_KEY = "senderids:sync-sender-ids"
SYNC_LOCK_SECONDS = 15 * 60


class SyncInProgress(Exception):
    """Another sync_sender_ids is running; try again once it has finished."""


def sender_ids_sync(*, now: datetime | None = None) -> SyncReport:
    """Run `_sender_ids_sync` unless another sync holds the lock (then raise SyncInProgress)."""
    if not cache.add(SYNC_LOCK_KEY, "1", SYNC_LOCK_SECONDS):
        raise SyncInProgress
    try:
        return _sender_ids_sync_all(now=now or timezone.now())
    finally:
        cache.delete(SYNC_LOCK_KEY)


def _sender_ids_sync_all(*, now: datetime) -> SyncReport:
    """Every enabled Region of every enabled account, one after the other. One (account, Region) that
    cannot be read is reported and skipped (its drift rows stay as they were); when none can be read,
    the last error is raised."""
    report = SyncReport()
    last_error: AwsError | None = None
    placements = [(a, r) for a in aws_accounts_enabled() for r in a.enabled_regions]
    for account, region in placements:
        try:
            _sender_ids_sync(account=account, region=region, now=now, report=report)
        except AwsError as exc:
            last_error = exc
            report.errors.append(f"{account.name} {region}: {exc}")
            logger.warning("sync of %s %s failed: %s", account.name, region, exc)
    if last_error is not None and len(report.errors) == len(placements):
        raise last_error
    return report


def _sender_ids_sync(*, account: AwsAccount, region: str, now: datetime, report: SyncReport) -> None:
    """Reconcile AWS's sender IDs with our requests; record drift (SenderIdDrift), change no status.

    Drift is a sender ID in AWS that no open request of ours accounts for ("unknown here": made by
    hand in the console, or released here but not at AWS), or an active request whose sender ID AWS
    no longer lists ("gone in AWS"). Matching active requests get AWS's deletion protection and
    monthly price. Our active set is read before AWS's list and re-checked after, our open set after
    it, so a request created, activated or released while the sync runs is never flagged.
    Raises RetryableAwsError / PermanentAwsError when AWS cannot be read (nothing is recorded then).
    """
    here = SenderIdRequest.objects.filter(aws_account=account, aws_region=region)
    active_before = {
        (sender_id, iso): pk
        for pk, sender_id, iso in here.filter(status=Status.ACTIVE).values_list(
            "pk", "sender_id", "country_id"
        )
    }
    in_aws = {
        (info.sender_id, info.iso_country_code): info
        for info in gateway.gateway_for(account, region).describe_sender_ids()
    }
    report.aws_count += len(in_aws)
    known = set(here.filter(status__in=OPEN_STATUSES).values_list("sender_id", "country_id"))
    unknown = {key: info for key, info in in_aws.items() if key not in known}
    gone = list(
        SenderIdRequest.objects.filter(
            pk__in=[pk for key, pk in active_before.items() if key not in in_aws], status=Status.ACTIVE
        )
        .select_related("owner")
        .order_by("pk")
    )
    matched = SenderIdRequest.objects.filter(
        pk__in=[pk for key, pk in active_before.items() if key in in_aws], status=Status.ACTIVE
    ).only(
        "pk", "sender_id", "country_id", "deletion_protection", "monthly_leasing_price", "aws_sender_id_arn"
    )
    for request in matched:
        info = in_aws[(request.sender_id, request.country_id)]
        fresh = {
            "deletion_protection": info.deletion_protection_enabled,
            "monthly_leasing_price": str(info.monthly_leasing_price or "")[:20],
            "aws_sender_id_arn": info.sender_id_arn,
        }
        if any(getattr(request, name) != value for name, value in fresh.items()):
            SenderIdRequest.objects.filter(pk=request.pk, status=Status.ACTIVE).update(**fresh)
            report.refreshed.append(request.pk)
    report.active_count += len(active_before)

    # The latest request of ours (released, failed...) for each unknown sender ID, for staff's context.
    previous: dict[tuple[str, str], SenderIdRequest] = {}
    if unknown:
        for request in here.filter(
            sender_id__in={s for s, _iso in unknown}, country_id__in={iso for _s, iso in unknown}
        ).order_by("created_at", "pk"):
            previous[(request.sender_id, request.country_id)] = request

    seen: list[tuple[str, str, str, dict[str, Any]]] = [
        (
            DriftKind.UNKNOWN_HERE,
            sender_id,
            iso,
            {"request": previous.get((sender_id, iso)), "aws_details": _describe_for_drift(info)},
        )
        for (sender_id, iso), info in sorted(unknown.items())
    ]
    seen += [
        (DriftKind.GONE_IN_AWS, r.sender_id, r.country_id, {"request": r, "aws_details": {}}) for r in gone
    ]
    with transaction.atomic():
        open_rows = {
            (d.kind, d.sender_id, d.iso_country_code): d
            for d in SenderIdDrift.objects.select_for_update(of=("self",))
            .select_related("request")
            .filter(resolved_at__isnull=True, aws_account=account, aws_region=region)
        }
        for kind, sender_id, iso, values in seen:
            drift = open_rows.pop((kind, sender_id, iso), None)
            if drift is None:
                drift = SenderIdDrift.objects.create(
                    kind=kind,
                    sender_id=sender_id,
                    iso_country_code=iso,
                    aws_account=account,
                    aws_region=region,
                    first_seen_at=now,
                    last_seen_at=now,
                    **values,
                )
                report.new.append(drift)
            else:
                for name, value in values.items():
                    setattr(drift, name, value)
                drift.last_seen_at = now
                drift.save(update_fields=["request", "aws_details", "last_seen_at"])
            report.drifts.append(drift)
        for drift in open_rows.values():
            drift.resolved_at = now
            drift.save(update_fields=["resolved_at"])
            report.resolved.append(drift)
    if report.new:
        logger.warning("sync: %d new drift(s): %s", len(report.new), [str(d) for d in report.new[:20]])
