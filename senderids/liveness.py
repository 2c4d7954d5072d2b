"""Which Celery workers are alive: every worker beats every few seconds from a thread of its own.

A worker killed mid-task (SIGKILL, OOM, a lost machine) leaves its requests `submitting` or `releasing`
and its message unacknowledged until the broker's visibility timeout (an hour, so that long retry
countdowns are never delivered twice). The sweeper does not wait for that: a request whose claiming
worker has not beaten for DEAD_AFTER seconds is re-enqueued at once, and the submission/release it then
runs is idempotent (stored ClientToken; "not found" on a repeated release).

The beat is a daemon thread started by the `worker_ready` signal (config/celery.py connects it), so it
keeps beating while a task waits on AWS or on the rate budget, and stops with the process.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

BEAT_EVERY = 5.0
# Three missed beats: the worker is gone (a busy worker still beats: the thread does not wait on tasks).
DEAD_AFTER = timedelta(seconds=15)

_stop = threading.Event()


def beat(worker: str) -> None:
    WorkerHeartbeat.objects.update_or_create(worker=worker[:200], defaults={"seen_at": timezone.now()})


def start_beating(worker: str) -> threading.Thread:
    """Beat for `worker` every BEAT_EVERY seconds until the process ends (or `stop_beating`)."""
    _stop.clear()

    def run() -> None:
        while not _stop.is_set():
            try:
                beat(worker)
            except Exception as exc:  # the database is down: beat again when it is back
                logger.warning("liveness: could not beat for %s: %s", worker, exc)
            finally:
                close_old_connections()
            _stop.wait(BEAT_EVERY)

    thread = threading.Thread(target=run, name="senderids-liveness", daemon=True)
    thread.start()
    return thread


def stop_beating() -> None:
    _stop.set()


def live_workers(*, now: datetime | None = None) -> set[str]:
    now = now or timezone.now()
    return set(WorkerHeartbeat.objects.filter(seen_at__gte=now - DEAD_AFTER).values_list("worker", flat=True))
