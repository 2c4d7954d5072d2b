"""Writes and business rules for sender-ID requests."""

from django.utils import timezone

from .models import WorkerHeartbeat


def worker_heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker[:200], defaults={"seen_at": timezone.now()}
    )
    return heartbeat
