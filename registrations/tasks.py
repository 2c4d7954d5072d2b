"""Celery tasks of registrations: thin — take an id, call one service, retry by the one policy.

Beat runs `poll_registrations` every REGISTRATION_POLL_SECONDS, `consume_aws_events` every 20 s (AWS's
events from SQS; nothing to do without a queue), `prune_aws_events` and `refresh_registration_definitions`
daily; `sync_registration` is enqueued (on commit) when the owner saves a registration that exists at
AWS; `refresh_registration_definition` when a request needs a form definition not cached yet.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task

from senderids.enqueue import enqueue_on_commit
from smsvoice.retry import run_with_retries

from . import definitions
from .services import aws, poller, withdrawal
from .services import events as aws_events

logger = logging.getLogger(__name__)

SYNC_MAX_RETRIES = 10
DEFINITION_MAX_RETRIES = 5


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=SYNC_MAX_RETRIES)
def sync_registration(self: Task, registration_id: int) -> None:
    run_with_retries(
        self,
        aws.registration_sync,
        what="sync registration",
        max_retries=SYNC_MAX_RETRIES,
        registration_id=registration_id,
    )


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=DEFINITION_MAX_RETRIES)
def refresh_registration_definition(self: Task, registration_type: str, force: bool = False) -> None:
    run_with_retries(
        self,
        definitions.definition_refresh,
        what="refresh registration definition",
        max_retries=DEFINITION_MAX_RETRIES,
        registration_type=registration_type,
        force=force,
    )


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=SYNC_MAX_RETRIES)
def discard_registration_version(self: Task, registration_id: int) -> None:
    run_with_retries(
        self,
        withdrawal.registration_discard,
        what="discard registration version",
        max_retries=SYNC_MAX_RETRIES,
        registration_id=registration_id,
    )


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=withdrawal.DELETE_MAX_RETRIES)
def delete_registration(self: Task, registration_id: int) -> None:
    """After a release: DeleteRegistration once AWS has closed it (retried while it has not)."""
    run_with_retries(
        self,
        withdrawal.registration_delete,
        what="delete registration",
        max_retries=withdrawal.DELETE_MAX_RETRIES,
        on_give_up=lambda exc: withdrawal.registration_delete_gave_up(
            registration_id=registration_id, message=exc.message
        ),
        registration_id=registration_id,
    )


@shared_task(acks_late=True, ignore_result=True)
def refresh_missing_registration_definitions() -> int:
    """Beat, every few minutes: a type in use whose form is not cached yet (its first fetch failed) is
    fetched again, so a "form is being fetched" page never waits for the daily refresh."""
    missing = [t for t in definitions.registration_types_awaited() if not definitions.is_cached(t)]
    for registration_type in missing:
        enqueue_on_commit(refresh_registration_definition.name, registration_type)
    return len(missing)


@shared_task(acks_late=True, ignore_result=True)
def refresh_registration_definitions() -> None:
    """Daily: every registration type in use, each its own task (retried on its own)."""
    for registration_type in definitions.registration_types_in_use():
        enqueue_on_commit(refresh_registration_definition.name, registration_type, True)


@shared_task(acks_late=True, ignore_result=True)
def poll_registrations() -> str:
    report = poller.registrations_poll()
    for line in report.changes:
        logger.info("poll: %s", line)
    for line in report.errors:
        logger.warning("poll: %s", line)
    return str(report)


@shared_task(acks_late=True, ignore_result=True)
def consume_aws_events() -> str:
    """Beat, every 20 s: one pass over the events queues (long polls; a lock keeps passes from
    overlapping). Not retried: the next pass is 20 s away, and a message not deleted comes back."""
    if not aws_events.event_queues():
        return "no events queue configured"
    report = aws_events.aws_events_consume()
    for line in report.changes:
        logger.info("events: %s", line)
    for line in report.errors:
        logger.warning("events: %s", line)
    return str(report)


@shared_task(acks_late=True, ignore_result=True)
def prune_aws_events() -> int:
    """Daily: forget event ids past AWS_EVENTS_RETENTION_DAYS."""
    return aws_events.aws_events_prune()
