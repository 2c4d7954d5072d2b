"""Enqueueing a Celery task on commit, by its name, through a transactional outbox.

Services decide that work must happen in a worker (submit, release, sync a registration, notify the
owner) but may not import the tasks modules that call them back: that would be an import cycle and
would turn the layering upside down. They name the task instead; the worker resolves the name.

Every enqueue writes an OutboxMessage row in the surrounding transaction and sends the task once that
transaction commits (a worker never sees a row that is not there); the row is deleted once the broker
took the message. A broker that is down leaves the row for `outbox_drain` (beat, every few seconds)
instead of failing the request that made the change.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# A message younger than this is still being sent by the transaction that wrote it: the drain leaves it.
DRAIN_AFTER = timedelta(seconds=5)
DRAIN_BATCH = 500


def _send(task_name: str, args: tuple[Any, ...]) -> None:
    current_app.send_task(task_name, args=args)


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Send `task_name(*args)` to the broker once the current transaction commits (at once outside one);
    kept in the outbox until the broker has it."""
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args))
    transaction.on_commit(lambda: _deliver(message.pk, task_name, tuple(args)))


def _deliver(pk: int, task_name: str, args: tuple[Any, ...]) -> bool:
    try:
        _send(task_name, args)
    except Exception as exc:  # the broker is down or unreachable: the drain sends it later
        logger.warning("outbox: %s%s not sent yet (%s); it stays queued", task_name, args, exc)
        OutboxMessage.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:500])
        return False
    OutboxMessage.objects.filter(pk=pk).delete()
    return True


def outbox_drain(*, now: Any = None) -> int:
    """Send the messages a down broker left behind, oldest first; stop at the first failure (the broker is
    still down). Rows are claimed with skip_locked, so two drains never send one twice. Returns how many
    were sent."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        pending = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(created_at__lt=now - DRAIN_AFTER)
            .order_by("pk")[:DRAIN_BATCH]
        )
        for message in pending:
            if not _deliver(message.pk, message.task_name, tuple(message.args)):
                break
            sent += 1
    if sent:
        logger.warning("outbox: sent %d message(s) a broker outage had held back", sent)
    return sent


def outbox_pending() -> int:
    """How many messages wait for the broker (health check, operators)."""
    return OutboxMessage.objects.filter(created_at__lt=timezone.now() - DRAIN_AFTER).count()
