"""The Celery application. Broker: Redis (REDIS_URL) or, in embedded mode, Kombu's filesystem transport."""

import logging
import os

from celery import Celery, bootsteps
from celery.schedules import crontab
from celery.signals import worker_ready
from django.conf import settings

from config import log_redaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("senderid_portal")
# A worker's log handlers are Celery's own: they redact secrets too (config/log_redaction.py).
log_redaction.redact_celery_logging()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _start_liveness(sender: object = None, **kwargs: object) -> None:
    # Imported here: models load only once Django is set up, which a worker does before it is ready.
    from senderids import liveness  # noqa: PLC0415

    liveness.start_beating(getattr(sender, "hostname", None) or "unknown")


class RequeueOwnClaimsOnReconnect(bootsteps.StartStopStep):
    """A consumer bootstep: each time the worker's connection to the broker comes back (every consumer
    start after the first), the submissions and releases it claimed but is not running — retries
    waiting on a countdown, which Celery drops with the connection — go back to the queue at once
    (senderids.services.submission.sender_id_requests_requeue_own), instead of after the sweeper's
    threshold or Redis's visibility timeout."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent: object, **kwargs: object) -> None:
        self.starts = 0

    def start(self, parent: object) -> None:
        self.starts += 1
        if self.starts == 1:
            return
        # Imported here: models load only once Django is set up, which a worker does before consuming.
        from celery.worker import state  # noqa: PLC0415

        from senderids.services.submission import sender_id_requests_requeue_own  # noqa: PLC0415

        running = {int(r.args[0]) for r in list(state.active_requests) if r.args and str(r.args[0]).isdigit()}
        worker = getattr(parent, "hostname", "") or ""
        try:
            ids = sender_id_requests_requeue_own(worker=worker, running=running)
        except Exception:  # the database may be what is down: the sweeper remains the backstop
            logger.exception("reconnect: could not re-queue this worker's claimed requests")
            return
        if ids:
            logger.warning("reconnect: re-queued %d claimed request(s) the broker dropped", len(ids))


app.steps["consumer"].add(RequeueOwnClaimsOnReconnect)


@app.on_after_configure.connect
def _ensure_embedded_folders(sender: Celery, **kwargs: object) -> None:
    # The filesystem transport fails if its folders are missing; create them once.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


# Publishing fails fast when the broker is down (the outbox keeps the message) instead of blocking the web
# request that made the change for kombu's default retries.
app.conf.task_publish_retry_policy = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

app.conf.beat_schedule = {
    # What a broker outage held back (senderids.enqueue's transactional outbox).
    "drain-outbox": {"task": "senderids.tasks.drain_outbox", "schedule": 10.0, "options": {"expires": 10.0}},
    # Registrations and support cases: one listing per cycle in pages of 100 (registrations.services.poller,
    # supportcases.services).
    "poll-registrations": {
        "task": "registrations.tasks.poll_registrations",
        "schedule": float(settings.REGISTRATION_POLL_SECONDS),
        "options": {"expires": float(settings.REGISTRATION_POLL_SECONDS)},
    },
    "poll-support-cases": {
        "task": "supportcases.tasks.poll_support_cases",
        "schedule": float(settings.REGISTRATION_POLL_SECONDS),
        "options": {"expires": float(settings.REGISTRATION_POLL_SECONDS)},
    },
    # AWS's Registration Status Change events from SQS (registrations.services.events): a change shows
    # within seconds; the poll above is the backstop. Each pass long-polls for up to 20 s, so one pass
    # follows another; a lock keeps two from overlapping, and a pass finds nothing to do without a queue.
    "consume-aws-events": {
        "task": "registrations.tasks.consume_aws_events",
        "schedule": 20.0,
        "options": {"expires": 20.0},
    },
    # Event ids are kept AWS_EVENTS_RETENTION_DAYS to drop duplicates, then pruned.
    "prune-aws-events": {
        "task": "registrations.tasks.prune_aws_events",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    # A form definition a new request needs and whose first fetch failed (pages only read the cache).
    "refresh-missing-definitions": {
        "task": "registrations.tasks.refresh_missing_registration_definitions",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
    # AWS's registration form definitions, re-read daily (pages only read the cache).
    "refresh-definitions": {
        "task": "registrations.tasks.refresh_registration_definitions",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    # Lost broker messages / crashed workers: re-enqueue requests stuck in approved or submitting.
    "sweep-stuck-requests": {
        "task": "senderids.tasks.sweep_stuck_requests",
        "schedule": settings.SENDERIDS_SWEEP_INTERVAL,
        "options": {"expires": settings.SENDERIDS_SWEEP_INTERVAL},
    },
    # The AWS call log keeps AWS_CALL_RETENTION_DAYS.
    "prune-aws-calls": {
        "task": "smsvoice.tasks.prune_aws_calls",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    # Drift between AWS's sender IDs and ours (also `manage.py sync_sender_ids`).
    "sync-sender-ids": {
        "task": "senderids.tasks.sync_sender_ids",
        "schedule": settings.SENDERIDS_SYNC_INTERVAL,
        "options": {"expires": settings.SENDERIDS_SYNC_INTERVAL},
    },
    # Webhook deliveries whose next attempt is due (senderids.webhooks: backoff waits in the database).
    "retry-webhook-deliveries": {
        "task": "senderids.tasks.retry_webhook_deliveries",
        "schedule": settings.SENDERIDS_WEBHOOK_SWEEP_INTERVAL,
        "options": {"expires": settings.SENDERIDS_WEBHOOK_SWEEP_INTERVAL},
    },
    # Daily digests at 07:00 (CELERY_TIMEZONE): members who chose it, and support staff's list of requests
    # that need attention (senderids.notifications). A second run the same day sends nothing.
    "send-daily-digests": {
        "task": "senderids.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 3600.0},
    },
    "send-staff-digest": {
        "task": "senderids.tasks.send_staff_digest",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 3600.0},
    },
    # Company-profile documents expiring in 30 or 7 days: their team admins are emailed, each reminder once.
    "document-expiry-reminders": {
        "task": "profiles.tasks.document_expiry_reminders",
        "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 3600.0},
    },
    # Country rules starting within 30 days, told once per rule and request to the teams of active sender
    # IDs (senderids.services.regulation; its timeline entries make a second run silent).
    "rule-notices": {
        "task": "senderids.tasks.rule_notices",
        "schedule": crontab(hour=7, minute=45),
        "options": {"expires": 3600.0},
    },
}

# Webhook deliveries on a queue of their own when SENDERIDS_WEBHOOK_QUEUE names one (a worker must consume
# it): slow integrators' endpoints then never share a worker with submissions.
if settings.SENDERIDS_WEBHOOK_QUEUE:
    app.conf.task_routes = {
        **(app.conf.task_routes or {}),
        "senderids.tasks.deliver_webhook": {"queue": settings.SENDERIDS_WEBHOOK_QUEUE},
    }
