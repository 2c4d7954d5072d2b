"""Celery tasks for sender-ID requests: thin wrappers that load, call one service, done."""

from celery import Task, shared_task

from . import services


@shared_task(bind=True, acks_late=True, ignore_result=True)
def worker_heartbeat(self: Task) -> None:
    services.worker_heartbeat_record(worker=self.request.hostname or "unknown")
