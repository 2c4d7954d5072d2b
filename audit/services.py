"""Writes of the audit log: one entry per human action, from the lifecycle's events and admin's log."""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import AbstractBaseUser

from .models import AuditEntry, Source

ADMIN_ACTIONS = {ADDITION: "admin_added", CHANGE: "admin_changed", DELETION: "admin_deleted"}


def audit_record(
    *,
    actor: AbstractBaseUser,
    source: str,
    action: str,
    object_type: str,
    object_id: object = "",
    object_repr: str = "",
    detail: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor_id=actor.pk,
        actor_username=actor.get_username()[:150],
        source=source,
        action=action[:60],
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        detail=detail,
    )


def audit_request_event(event: object) -> AuditEntry | None:
    """A StatusEvent that a person caused (its actor is a user): approved, rejected, release requested,
    support case confirmed… The worker's, the poller's and AWS's own events are not human actions."""
    actor = getattr(event, "actor", None)
    if actor is None:
        return None
    request = event.request  # type: ignore[attr-defined]
    transition = f"{event.from_status or '∅'} → {event.to_status}"  # type: ignore[attr-defined]
    reason = event.reason  # type: ignore[attr-defined]
    return audit_record(
        actor=actor,
        source=Source.PORTAL,
        action=event.kind or f"to_{event.to_status}",  # type: ignore[attr-defined]
        object_type="senderids.senderidrequest",
        object_id=request.pk,
        object_repr=f"{request.sender_id} ({request.country_id})",
        detail=f"{transition}. {reason}".strip() if reason else transition,
    )


def audit_admin_change(entry: LogEntry) -> AuditEntry | None:
    """An add, change or delete made in Django admin (AWS accounts, Region routes, countries…), with
    admin's own description of what changed."""
    if entry.user_id is None:
        return None
    content_type = entry.content_type
    return audit_record(
        actor=entry.user,
        source=Source.ADMIN,
        action=ADMIN_ACTIONS.get(entry.action_flag, f"admin_{entry.action_flag}"),
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=entry.object_id or "",
        object_repr=entry.object_repr,
        detail=entry.get_change_message(),
    )
