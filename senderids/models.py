"""Sender-ID requests and their status history (the audit trail senderids.lifecycle writes).

The vocabularies are in senderids/choices.py, the transition table and status sets in
senderids/lifecycle.py.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import CompanyHeadquarters, DriftKind, MessageType, MonthlyVolume, RegistrationChoice, Status


class RequestBatch(models.Model):
    """Requests made together: one multi-country wizard run, or one CSV import. Each country is its own
    SenderIdRequest (its own lifecycle, approval and AWS calls); the batch only groups them."""

    class Source(models.TextChoices):
        WIZARD = "wizard", _("Request wizard")
        IMPORT = "import", _("CSV import")

    team = models.ForeignKey(
        "teams.Team", on_delete=models.PROTECT, related_name="sender_id_batches", verbose_name=_("team")
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WIZARD)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request batch")
        verbose_name_plural = _("request batches")

    def __str__(self) -> str:
        return _("Batch #%(pk)s") % {"pk": self.pk}


class SenderIdRequest(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sender_id_requests"
    )
    # The team the request belongs to: every member sees it and acts on it as their role allows.
    team = models.ForeignKey(
        "teams.Team", on_delete=models.PROTECT, related_name="sender_id_requests", verbose_name=_("team")
    )
    country = models.ForeignKey("countries.Country", on_delete=models.PROTECT, related_name="+")
    # Where the sender ID lives at AWS: one account and one Region (routed at request time, then frozen).
    aws_account = models.ForeignKey(
        "smsvoice.AwsAccount", on_delete=models.PROTECT, related_name="+", verbose_name=_("AWS account")
    )
    aws_region = models.CharField(_("AWS Region"), max_length=30)
    # Set when the request was made with others (several countries in one wizard run, a CSV import).
    batch = models.ForeignKey(
        RequestBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("batch"),
    )
    sender_id = models.CharField(_("sender ID"), max_length=11, db_index=True)
    # Frozen at request time: a later catalogue change must not reroute a request in flight.
    process = models.CharField(_("process"), max_length=20)
    sms = models.BooleanField(_("SMS"), default=True)
    voice = models.BooleanField(_("voice"), default=False)
    message_type = models.CharField(_("message type"), max_length=20, choices=MessageType.choices)
    monthly_volume = models.CharField(
        _("estimated monthly SMS volume"), max_length=20, choices=MonthlyVolume.choices, blank=True
    )
    company_hq = models.CharField(
        _("company headquarters"), max_length=20, choices=CompanyHeadquarters.choices, blank=True
    )
    registration_form_name = models.CharField(_("registration form name"), max_length=100, blank=True)
    registration_choice = models.CharField(
        _("registration"), max_length=10, choices=RegistrationChoice.choices, blank=True
    )
    # The support-case step's answers (countries whose process is support_case).
    support_case_details = models.JSONField(_("support case details"), default=dict, blank=True)

    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.PENDING_REVIEW, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True, db_index=True)
    # AWS's raw status string beside ours: AWS adds values over time, so it is never constrained.
    aws_status = models.CharField(_("AWS status"), max_length=60, blank=True)
    # Stored before the first AWS call and reused on every retry: makes RequestSenderId /
    # CreateRegistration idempotent across redeliveries and crashes.
    client_token = models.UUIDField(_("client token"), default=uuid.uuid4, editable=False, unique=True)
    aws_sender_id_arn = models.CharField(_("sender ID ARN"), max_length=300, blank=True)
    # The MessageTypes AWS gave the sender ID (it may differ from what was asked for a registration).
    aws_message_types = models.JSONField(_("AWS message types"), default=list, blank=True)
    aws_error_code = models.CharField(_("AWS error code"), max_length=100, blank=True)
    aws_error_message = models.TextField(_("AWS error message"), blank=True)
    deletion_protection = models.BooleanField(_("deletion protection"), default=False)
    # The Celery worker (hostname) that claimed the request's submission or release: if that worker stops
    # beating (senderids.liveness), the sweeper hands the work to another one at once.
    claimed_by = models.CharField(_("claimed by worker"), max_length=200, blank=True)
    # The status in which a worker last sent AWS this request's write (RequestSenderId, ReleaseSenderId),
    # written just before the call: a worker that finds it equal to the current status knows an earlier
    # attempt may have reached AWS and reads what AWS has before writing again (no duplicate call).
    aws_write_in = models.CharField(_("AWS write sent in status"), max_length=30, blank=True, editable=False)
    monthly_leasing_price = models.CharField(_("monthly leasing price"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sender ID request")
        verbose_name_plural = _("sender ID requests")
        permissions = [
            ("approve_senderidrequest", _("Can approve or reject sender ID requests")),
            ("release_senderidrequest", _("Can release sender IDs on behalf of their owners")),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["team", "-created_at"]),
            models.Index(fields=["status", "status_changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.sender_id} ({self.country_id}) #{self.pk}"

    @property
    def message_types(self) -> list[str]:
        return [self.message_type]


class StatusEvent(models.Model):
    """One row per status transition: from, to, who, why, when, and what AWS said."""

    request = models.ForeignKey(SenderIdRequest, on_delete=models.CASCADE, related_name="events")
    # Which constructor of senderids/events.py (or of a process's) wrote it: "approved", "released"...
    kind = models.CharField(_("kind"), max_length=40, blank=True, db_index=True)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(
        _("actor"), max_length=150, blank=True, help_text=_("Who acted when not a user, e.g. the worker.")
    )
    reason = models.TextField(_("reason"), blank=True)
    # The reason as a message id and its parameters, so each reader gets it in their own language
    # (senderids.events keeps the catalogue); `reason` keeps the text as written, for old rows and search.
    reason_code = models.CharField(_("reason code"), max_length=60, blank=True)
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    aws_code = models.CharField(_("AWS code"), max_length=100, blank=True)
    aws_message = models.TextField(_("AWS message"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return Status(self.to_status).label if self.to_status in Status.values else self.to_status


class StaffNote(models.Model):
    """An internal note of support staff on a request: shown to staff only, never to the team."""

    request = models.ForeignKey(SenderIdRequest, on_delete=models.CASCADE, related_name="staff_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")

    def __str__(self) -> str:
        return f"note on #{self.request_id} by {self.author_id}"


class WorkerHeartbeat(models.Model):
    """Last time each Celery worker said it is alive (a thread in every worker, every few seconds:
    senderids.liveness): the sweeper re-enqueues the work of a worker that stopped beating."""

    worker = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class SenderIdDrift(models.Model):
    """A difference between AWS's sender IDs and ours, found by `manage.py sync_sender_ids`.

    One open row per (kind, sender ID, country) while the difference lasts; a sync that no longer
    sees it sets `resolved_at`. Staff read these in admin; nothing is changed automatically.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=DriftKind.choices, db_index=True)
    sender_id = models.CharField(_("sender ID"), max_length=64)
    iso_country_code = models.CharField(_("country"), max_length=2)
    # Where AWS has (or lost) it: drift is per account and Region, like sender IDs.
    aws_account = models.ForeignKey(
        "smsvoice.AwsAccount",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("AWS account"),
    )
    aws_region = models.CharField(_("AWS Region"), max_length=30, blank=True)
    # Our request, for "active here, gone in AWS".
    request = models.ForeignKey(
        SenderIdRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="drifts"
    )
    # What AWS said about it, for "in AWS, unknown here" (ARN, message types, registered...).
    aws_details = models.JSONField(_("AWS details"), default=dict, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-last_seen_at", "pk"]
        verbose_name = _("sender ID drift")
        verbose_name_plural = _("sender ID drifts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "sender_id", "iso_country_code", "aws_account", "aws_region"],
                condition=models.Q(resolved_at__isnull=True),
                name="senderids_one_open_drift_per_placement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.sender_id} ({self.iso_country_code})"


class OutboxMessage(models.Model):
    """A task to send to the broker, written in the transaction that decided it (the transactional outbox).

    `senderids.enqueue` writes the row with the change and sends the task once the transaction commits;
    a sent message's row is deleted. If the broker is down the row stays, and `outbox_drain` (beat, and
    the sweeper) sends it when the broker is back: a saved change never loses its follow-up, and the web
    request that made it never fails because the broker did.
    """

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"


# --- Notifications (senderids.notifications) and webhooks (senderids.webhooks) ----------------------
class EmailPreference(models.TextChoices):
    EVERY_CHANGE = "every_change", _("Every change")
    MUST_ACT = "must_act", _("Only when my team must act")
    DAILY_DIGEST = "daily_digest", _("One daily digest")
    NONE = "none", _("No email")


def default_language() -> str:
    """A user who never chose gets emails in the site's language."""
    return settings.LANGUAGE_CODE


class NotificationPreference(models.Model):
    """How a user hears about their teams' requests, and in which language. No row: every change, in
    the site's language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(
        _("email"), max_length=20, choices=EmailPreference.choices, default=EmailPreference.EVERY_CHANGE
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=default_language
    )
    # The last daily digest covered the changes up to here (the next one starts from it).
    digest_sent_at = models.DateTimeField(_("last digest"), null=True, blank=True, editable=False)
    # The same for support staff's daily digest of requests that need attention.
    staff_digest_sent_at = models.DateTimeField(_("last staff digest"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_display()} ({self.language})"


class NotificationSent(models.Model):
    """An email sent to one user about one StatusEvent: the task never sends it twice, and a quick
    repeat of the same news to the same person is recognised (senderids.notifications)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(StatusEvent, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="senderids_one_email_per_user_event")
        ]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} ← event {self.event_id}"


class Webhook(models.Model):
    """An integrator's HTTPS endpoint: every user-visible status change of the team's requests is
    POSTed to it, signed with `secret` (HMAC-SHA256). The secret is shown once, on creation and on
    rotation; it is kept because signing needs it, and never logged or shown again."""

    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("team")
    )
    url = models.CharField(_("URL"), max_length=2000)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    secret_rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)
    # The endpoint's health: after a transient failure, one probe at a time until `paused_until`, so a
    # dead endpoint costs one attempt per backoff period instead of one per event.
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:  # never the secret
        return f"<Webhook {self.pk} {self.url}>"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One StatusEvent to one webhook: its attempts, the endpoint's last answer, when it is tried next."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(StatusEvent, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # `attempts` when the current round began (a resend starts a new round with its own retry budget).
    round_started_at_attempt = models.PositiveIntegerField(default=0, editable=False)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # An attempt is under way until then (a worker that died mid-attempt frees it when it passes).
    leased_until = models.DateTimeField(null=True, blank=True, editable=False)
    # A task for it was enqueued then: the retry sweep does not enqueue it again meanwhile.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="senderids_one_delivery_per_event")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"event {self.event_id} → webhook {self.webhook_id}: {self.status}"
