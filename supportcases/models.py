"""The AWS Support case of a sender-ID request (process "support_case"), what was said on it, the
documents that go with it, and what `manage.py check_aws` confirmed about the account's Support API.

The SupportCase table was created by the registrations app and moved here with its rows (migrations
0001/0002). AWS's case status is stored raw (`status`); what it means for a person is `state`
(supportcases/lifecycle.py maps one onto the other and debounces it).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SupportCaseMode(models.TextChoices):
    """How the case reaches AWS Support (settings.SUPPORT_CASE_MODE, frozen on the case when it starts)."""

    ASSISTED = "assisted", _("Opened by staff in the Support Center")
    API = "api", _("Opened through the Support API")


class CaseState(models.TextChoices):
    """What the case means for a person, whatever AWS's raw status says."""

    AWAITING_STAFF = "awaiting_staff", _("Waiting for staff to open it")
    OPEN = "open", _("Open")
    CUSTOMER_ACTION = "customer_action", _("AWS is waiting for your reply")
    RESOLVED = "resolved", _("Resolved")
    REFUSED = "refused", _("Refused")


class SupportCase(models.Model):
    """The AWS Support case opened for a sender-ID request whose country needs one.

    Defaults describe the rows this table held before assisted mode existed: cases opened through the
    API. Both starts (supportcases/services/opening.py) set mode and state explicitly.
    """

    request = models.OneToOneField(
        "senderids.SenderIdRequest", on_delete=models.CASCADE, related_name="support_case"
    )
    mode = models.CharField(
        _("mode"), max_length=10, choices=SupportCaseMode.choices, default=SupportCaseMode.API
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.OPEN, db_index=True
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    # Debounce (lifecycle.settle): a meaning AWS reported that differs from `state`, and since when it has
    # been reported without interruption. It becomes the state once it has held for SETTLE_WINDOW.
    pending_state = models.CharField(_("pending state"), max_length=20, choices=CaseState.choices, blank=True)
    pending_since = models.DateTimeField(_("pending since"), null=True, blank=True)
    # Written before CreateCase and quoted in the subject: a redelivery finds the case it already
    # opened (DescribeCases) instead of opening a second one. AWS Support has no ClientToken.
    marker = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    create_attempted_at = models.DateTimeField(_("create attempted"), null=True, blank=True)
    case_id = models.CharField(_("case ID"), max_length=200, blank=True, db_index=True)
    # The number the Support Center shows; DescribeCases(displayId) finds the case id from it.
    display_id = models.CharField(_("display ID"), max_length=100, blank=True)
    # The language the case is written and answered in (a Support API language code).
    language = models.CharField(_("case language"), max_length=5, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(_("AWS status"), max_length=60, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    next_poll_due = models.DateTimeField(_("next poll due"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Assisted mode: the staff member who opened the case in the Support Center and recorded its id.
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Cases refused before a retry prepared this one (newest last).
    previous_case_ids = models.JSONField(_("previous case IDs"), default=list, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("support case")
        verbose_name_plural = _("support cases")
        permissions = [
            ("confirm_supportcase", _("Can confirm that a resolved support case delivered the sender ID")),
            (
                "manage_supportcase",
                _("Can record AWS case IDs, set support case states and mark answers as pasted"),
            ),
        ]

    def __str__(self) -> str:
        return self.case_id or self.display_id or f"(pending) {self.marker}"

    @property
    def reference(self) -> str:
        """What identifies the case at AWS: its case id, else the Support Center's display id."""
        return self.case_id or self.display_id


class Direction(models.TextChoices):
    FROM_AWS = "from_aws", _("AWS Support")
    TO_AWS = "to_aws", _("Your team")


class Delivery(models.TextChoices):
    """How far a message written in the portal got to AWS ("" for what AWS's case already holds)."""

    NONE = "", _("In the AWS case")
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent to AWS Support")
    PASTED = "pasted", _("Pasted into the case by staff")
    FAILED = "failed", _("Could not be sent")


class SupportCaseCommunication(models.Model):
    """One message on the case: AWS's (mirrored from DescribeCases, or copied in by staff) or the team's."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="communications")
    direction = models.CharField(_("from"), max_length=10, choices=Direction.choices)
    body = models.TextField(_("message"))
    # AWS's submittedBy ("Amazon Web Services", or the customer's IAM identity and email).
    submitted_by = models.CharField(_("submitted by"), max_length=300, blank=True)
    # The portal user who wrote it (the owner's answer) or copied it in (staff transcribing AWS).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    time_created = models.DateTimeField(_("time"), db_index=True)
    # Identifies a communication AWS reported (digest of time, author, body): mirrored once.
    aws_key = models.CharField(max_length=64, blank=True)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.TextField(_("AWS error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-time_created", "-pk"]
        verbose_name = _("support case message")
        verbose_name_plural = _("support case messages")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "aws_key"],
                condition=~models.Q(aws_key=""),
                name="supportcases_one_aws_message",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.time_created:%Y-%m-%d %H:%M}"


class SupportCaseDocument(models.Model):
    """A document for the case (letter of authorization, company registration...): attached with
    AddAttachmentsToSet in api mode, downloaded by staff to attach in the Support Center otherwise."""

    request = models.ForeignKey(
        "senderids.SenderIdRequest", on_delete=models.CASCADE, related_name="support_case_documents"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    body = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("support case document")
        verbose_name_plural = _("support case documents")

    def __str__(self) -> str:
        return self.file_name


class SupportApiCheck(models.Model):
    """What `manage.py check_aws` last found about an account's Support API for the codes it checked: the
    plan (DescribeServices answered or SubscriptionRequiredException) and whether those codes exist there.

    SUPPORT_CASE_MODE=api starts only with a confirmed row for the configured codes (supportcases/checks.py);
    assisted cases are followed with DescribeCases when the plan has the API.
    """

    account_id = models.CharField(_("AWS account"), max_length=20)
    arn = models.CharField(_("identity"), max_length=300, blank=True)
    region = models.CharField(_("Region"), max_length=30, blank=True)
    checked_at = models.DateTimeField(_("checked"))
    available = models.BooleanField(_("Support API available"), default=False)
    error_code = models.CharField(_("AWS error code"), max_length=100, blank=True)
    error_message = models.TextField(_("AWS error message"), blank=True)
    service_code = models.CharField(_("service code"), max_length=100, blank=True)
    service_name = models.CharField(_("service name"), max_length=200, blank=True)
    category_code = models.CharField(_("category code"), max_length=100, blank=True)
    category_name = models.CharField(_("category name"), max_length=200, blank=True)
    severity_code = models.CharField(_("severity code"), max_length=50, blank=True)
    severity_levels = models.JSONField(_("severity levels"), default=list, blank=True)
    # The services worth knowing for a sender-ID case: [{"code", "name", "categories": [{"code", "name"}]}].
    services = models.JSONField(_("relevant services"), default=list, blank=True)
    confirmed = models.BooleanField(_("codes confirmed"), default=False)

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("Support API check")
        verbose_name_plural = _("Support API checks")
        # One row per account and codes checked: trying other codes never drops a confirmation.
        constraints = [
            models.UniqueConstraint(
                fields=["account_id", "service_code", "category_code", "severity_code"],
                name="supportcases_one_check_per_codes",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id or '?'} @ {self.checked_at:%Y-%m-%d %H:%M}"
