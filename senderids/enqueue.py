"""Enqueueing a Celery task on commit, by its name.

Services decide that work must happen in a worker (submit, release, sync a registration, notify the
owner) but may not import the tasks modules that call them back: that would be an import cycle and
would turn the layering upside down. They name the task instead; the worker resolves the name. Every
enqueue waits for the surrounding transaction to commit, so a worker never sees a row that is not there.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def _send(task_name: str, args: tuple[Any, ...]) -> None:
    current_app.send_task(task_name, args=args)


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Send `task_name(*args)` to the broker once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _send(task_name, args))
