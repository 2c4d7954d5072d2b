"""Tasks of the profiles app (thin: each calls one service)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def document_expiry_reminders() -> int:
    """Daily (beat): email team admins about documents expiring in 30 and 7 days (each reminder once)."""
    return services.document_expiry_reminders_send()
