"""Registrations (AWS's API-defined sender-ID registration forms), their versions and field values,
and the cached form definitions; the AWS events that moved them (AwsEvent, for deduplication). (AWS
Support cases are the supportcases app's.)

AWS status strings are stored raw (never constrained to today's list): AWS adds values over time;
what they mean is registrations/lifecycle.py's.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationDefinition(models.Model):
    """Cache of one registration type's definitions (type, sections, fields) as AWS describes them.

    Filled and refreshed by the `refresh_registration_definition` task (and daily by beat) or by
    `manage.py refresh_registration_definitions`; pages read it, never AWS (registrations.definitions).
    """

    registration_type = models.CharField(_("registration type"), max_length=64, unique=True)
    # The normalised definition (registrations.definitions.FormDefinition.to_json()).
    definition = models.JSONField(_("definition"), default=dict)
    fetched_at = models.DateTimeField(_("fetched"))

    class Meta:
        verbose_name = _("registration definition")
        verbose_name_plural = _("registration definitions")

    def __str__(self) -> str:
        return self.registration_type


class Registration(models.Model):
    """The AWS registration behind one sender-ID request (process "registration")."""

    request = models.OneToOneField(
        "senderids.SenderIdRequest", on_delete=models.CASCADE, related_name="registration"
    )
    registration_type = models.CharField(_("registration type"), max_length=64)
    form_name = models.CharField(_("registration form name"), max_length=100, blank=True)
    # Stored before the first CreateRegistration call and reused on every retry (idempotency).
    client_token = models.UUIDField(_("client token"), default=uuid.uuid4, unique=True, editable=False)
    aws_registration_id = models.CharField(
        _("AWS registration ID"), max_length=100, blank=True, db_index=True
    )
    aws_registration_arn = models.CharField(_("AWS registration ARN"), max_length=300, blank=True)
    aws_status = models.CharField(_("AWS status"), max_length=60, blank=True, db_index=True)
    current_version_number = models.PositiveIntegerField(_("current version"), null=True, blank=True)
    approved_version_number = models.PositiveIntegerField(_("approved version"), null=True, blank=True)
    latest_denied_version_number = models.PositiveIntegerField(
        _("latest denied version"), null=True, blank=True
    )
    # The version the portal last submitted (SubmitRegistrationVersion is not repeated for it).
    submitted_version_number = models.PositiveIntegerField(_("submitted version"), null=True, blank=True)
    # The user pressed "Submit" on a complete form: the worker submits once the values are pushed.
    submit_requested = models.BooleanField(_("submit requested"), default=False)
    submit_requested_at = models.DateTimeField(_("submit requested at"), null=True, blank=True)
    # Set just before the first CreateRegistration: a retry after it must not be refused by the quota
    # check (the registration it created counts in Used).
    create_attempted_at = models.DateTimeField(_("create attempted"), null=True, blank=True)
    # The owner asked for AWS's pre-review (SubmitRegistrationVersion AwsReview: status AWS_REVIEWING,
    # per-field Feedback) with their Submit.
    aws_review_requested = models.BooleanField(_("AWS pre-review requested"), default=False)
    # The owner asked to withdraw the submitted version (DiscardRegistrationVersion, done by a worker).
    discard_requested_at = models.DateTimeField(_("discard requested at"), null=True, blank=True)
    last_error = models.TextField(_("last AWS error"), blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    # The poller skips rows not yet due; a worker processing a changed row pushes this into the
    # future first (a lease), so a parallel worker never handles the same row twice.
    next_poll_due = models.DateTimeField(_("next poll due"), null=True, blank=True, db_index=True)
    aws_status_changed_at = models.DateTimeField(_("AWS status changed"), null=True, blank=True)
    # Lease of the worker pushing values / submitting (registration_sync): one at a time per row.
    busy_until = models.DateTimeField(_("busy until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [models.Index(fields=["aws_status", "next_poll_due"])]

    def __str__(self) -> str:
        return f"{self.registration_type} for request #{self.request_id}"

    @property
    def is_created_at_aws(self) -> bool:
        return bool(self.aws_registration_id)


class RegistrationVersion(models.Model):
    """Snapshot of one AWS registration version: status, history, denial reasons, feedback."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="versions")
    version_number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("AWS status"), max_length=60, blank=True)
    # {"DraftTimestamp": iso, "SubmittedTimestamp": iso, ...} as AWS reports it.
    status_history = models.JSONField(_("status history"), default=dict, blank=True)
    # [{"Reason", "ShortDescription", "LongDescription", "DocumentationTitle", "DocumentationLink"}]
    denied_reasons = models.JSONField(_("denied reasons"), default=list, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["registration", "-version_number"]
        verbose_name = _("registration version")
        verbose_name_plural = _("registration versions")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "version_number"], name="uniq_registration_version"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version_number} {self.status}"


class RegistrationAttachment(models.Model):
    """A file for an ATTACHMENT field: kept locally; the worker uploads it (CreateRegistrationAttachment)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attachments")
    field_path = models.CharField(_("field path"), max_length=100)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    body = models.BinaryField(_("content"))
    # Reused on retries so a redelivered upload never creates a second attachment.
    client_token = models.UUIDField(_("client token"), default=uuid.uuid4, unique=True, editable=False)
    aws_attachment_id = models.CharField(_("AWS attachment ID"), max_length=256, blank=True)
    aws_status = models.CharField(_("AWS status"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("registration attachment")
        verbose_name_plural = _("registration attachments")

    def __str__(self) -> str:
        return self.file_name


class RegistrationFieldValue(models.Model):
    """The portal's value for one FieldPath, with what was last pushed to AWS and AWS's feedback."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="field_values")
    field_path = models.CharField(_("field path"), max_length=100)
    text_value = models.TextField(_("text"), blank=True)
    select_choices = models.JSONField(_("choices"), default=list, blank=True)
    attachment = models.ForeignKey(
        RegistrationAttachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Digest of the value as it is now and as it was last accepted by PutRegistrationFieldValue:
    # a save pushes only rows where they differ.
    value_digest = models.CharField(max_length=64, blank=True)
    pushed_digest = models.CharField(max_length=64, blank=True)
    pushed_at = models.DateTimeField(_("pushed"), null=True, blank=True)
    push_error = models.TextField(_("AWS error"), blank=True)
    # From DescribeRegistrationFieldValues after a denial.
    denied_reason = models.TextField(_("denied reason"), blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["registration", "field_path"]
        verbose_name = _("registration field value")
        verbose_name_plural = _("registration field values")
        constraints = [
            models.UniqueConstraint(fields=["registration", "field_path"], name="uniq_registration_field")
        ]

    def __str__(self) -> str:
        return self.field_path

    @property
    def is_pushed(self) -> bool:
        return bool(self.value_digest) and self.value_digest == self.pushed_digest

    @property
    def display_value(self) -> str:
        if self.attachment_id:
            return self.attachment.file_name if self.attachment else ""
        if self.select_choices:
            return ", ".join(self.select_choices)
        return self.text_value


class AwsEventOutcome(models.TextChoices):
    """What the events consumer did with one AWS event (registrations.services.events)."""

    APPLIED = "applied", _("Applied: the registration was refreshed and moved")
    UNCHANGED = "unchanged", _("Refreshed: AWS showed nothing new")
    STALE = "stale", _("Ignored: older than what the portal already knew")
    UNKNOWN = "unknown", _("Ignored: not a registration of the portal")
    CLOSED = "closed", _("Ignored: the request is no longer waiting on AWS")
    NOT_FOUND = "not_found", _("Ignored: AWS no longer knows the registration")


class AwsEventQuerySet(models.QuerySet):
    def received_since(self, aws_account_id: int, since: datetime) -> AwsEventQuerySet:
        """Events of that AwsAccount (pk) received at or after `since`: are events flowing for it?"""
        return self.filter(aws_account_id=aws_account_id, received_at__gte=since)


class AwsEvent(models.Model):
    """One `Registration Status Change` event AWS delivered (through EventBridge and SQS), kept
    AWS_EVENTS_RETENTION_DAYS so a redelivered or duplicated event (same EventBridge `id`) is dropped,
    and as the trace of what events did. Written by registrations.services.events only."""

    event_id = models.CharField(_("event ID"), max_length=100, unique=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    # When AWS says the status changed (registrationStatusChangeTimestamp, else the envelope's time).
    event_time = models.DateTimeField(_("status changed at AWS"))
    # The envelope's account and Region, raw; `aws_account` is the portal's account they belong to.
    account = models.CharField(_("AWS account"), max_length=12, blank=True)
    region = models.CharField(_("Region"), max_length=30, blank=True)
    aws_account = models.ForeignKey(
        "smsvoice.AwsAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("portal AWS account"),
    )
    registration_id = models.CharField(_("AWS registration ID"), max_length=100, db_index=True)
    status = models.CharField(_("AWS status"), max_length=60)
    version_number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AwsEventOutcome.choices)

    objects = AwsEventQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("AWS event")
        verbose_name_plural = _("AWS events")
        indexes = [models.Index(fields=["aws_account", "received_at"])]

    def __str__(self) -> str:
        return f"{self.registration_id} → {self.status}"
