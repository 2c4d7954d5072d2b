"""Signal receivers: every StatusEvent a person caused and every admin LogEntry become audit entries,
in the same transaction as the change they record (post_save runs inside it)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

from senderids.models import StatusEvent

from .services import audit_admin_change, audit_request_event


@receiver(post_save, sender=StatusEvent, dispatch_uid="audit.status_event")
def _status_event_saved(sender: type, instance: StatusEvent, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        audit_request_event(instance)


@receiver(post_save, sender=LogEntry, dispatch_uid="audit.admin_log_entry")
def _admin_log_entry_saved(sender: type, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        audit_admin_change(instance)
