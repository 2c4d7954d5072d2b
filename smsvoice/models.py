"""smsvoice's data: the AWS accounts the portal works in, where each country's requests go (Region
routes), and the record of every outbound AWS call, so support staff can see what AWS said and when."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# \Z, not $: "$" also matches before a trailing newline, which would then reach a request header.
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d\Z")
MAX_REGIONS = 40  # more than AWS has Regions


class AwsCall(models.Model):
    """One AWS API call made through the gateway (written by ``smsvoice.services.aws_call_record``).

    Deliberately flat and foreign-key free: one cheap INSERT per call, never a join. ``resource_id`` is
    the sender ID, registration or case the call was about, so a request's calls can be found by it.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    service = models.CharField(_("service"), max_length=32)
    operation = models.CharField(_("operation"), max_length=64, db_index=True)
    resource_id = models.CharField(_("resource"), max_length=256, blank=True, db_index=True)
    ok = models.BooleanField(_("succeeded"))
    error_code = models.CharField(_("error code"), max_length=128, blank=True)
    error_message = models.TextField(_("error message"), blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    request_id = models.CharField(_("AWS request ID"), max_length=128, blank=True)
    # The portal's sender-ID request the call served (set by gateway.serving()); an integer, not a
    # foreign key: smsvoice depends on no app, and the log outlives nothing it points at.
    portal_request_id = models.PositiveBigIntegerField(
        _("portal request"), null=True, blank=True, db_index=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("AWS call")
        verbose_name_plural = _("AWS calls")

    def __str__(self) -> str:
        outcome = "ok" if self.ok else self.error_code
        return f"{self.operation} {self.resource_id} → {outcome}"


class CredentialSource(models.TextChoices):
    DEFAULT_CHAIN = "default", _("The default boto3 credential chain")
    ASSUME_ROLE = "assume_role", _("Assume an IAM role through STS")


ROLE_ARN_VALIDATOR = RegexValidator(
    r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}\Z",
    _("Enter an IAM role ARN such as arn:aws:iam::210987654321:role/SenderIdPortal."),
)
REGION_VALIDATOR = RegexValidator(REGION_PATTERN, _("Enter an AWS Region code such as eu-west-1."))
# An SQS queue URL: https://sqs.<region>.amazonaws.com/<account>/<name> at AWS (moto's server answers
# http://host:port/<account>/<name>). Queue names: 1–80 of [A-Za-z0-9_-], ".fifo" for a FIFO queue.
QUEUE_URL_VALIDATOR = RegexValidator(
    r"^https?://[^/\s]+/\d{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?$",
    _("Enter an SQS queue URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/sms-voice-events."),
)
# STS AssumeRole's ExternalId: 2–1224 characters of [\w+=,.@:/-].
EXTERNAL_ID_VALIDATOR = RegexValidator(
    r"^[\w+=,.@:/-]{2,1224}\Z", _("2 to 1224 letters, digits or + = , . @ : / - _ (AWS's ExternalId rule).")
)


class AwsAccount(models.Model):
    """An AWS account the portal works in, and how it gets credentials there (admin-managed data).

    End User Messaging is per account and Region: sender IDs, registrations and quotas live in one
    (account, Region). ``account_id`` is never typed: it is what STS GetCallerIdentity answers with the
    account's credentials ("Test connection", ``check_aws``). A fresh install has one account built from
    the environment (``smsvoice.services.aws_account_ensure_default``).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    account_id = models.CharField(_("AWS account id"), max_length=12, blank=True, editable=False)
    identity_arn = models.CharField(_("identity"), max_length=2048, blank=True, editable=False)
    credential_source = models.CharField(
        _("credentials"),
        max_length=20,
        choices=CredentialSource.choices,
        default=CredentialSource.DEFAULT_CHAIN,
    )
    role_arn = models.CharField(_("role ARN"), max_length=2048, blank=True, validators=[ROLE_ARN_VALIDATOR])
    external_id = models.CharField(
        _("external id"), max_length=1224, blank=True, validators=[EXTERNAL_ID_VALIDATOR]
    )
    regions = models.JSONField(
        _("enabled Regions"), default=list, help_text=_("Region codes, e.g. eu-west-1, ap-south-1.")
    )
    default_region = models.CharField(_("default Region"), max_length=30, validators=[REGION_VALIDATOR])
    is_default = models.BooleanField(
        _("default account"), default=False, help_text=_("Used by teams that have no account of their own.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Where AWS's Registration Status Change events for this account arrive (deploy/eventbridge-sqs.yaml);
    # empty: AWS_EVENTS_QUEUE_URL for the default account, no events (polling only) for the others.
    events_queue_url = models.CharField(
        _("events queue URL"),
        max_length=1024,
        blank=True,
        validators=[QUEUE_URL_VALIDATOR],
        help_text=_(
            "The SQS queue the EventBridge rule of deploy/eventbridge-sqs.yaml feeds with this account's "
            "registration status changes. Empty: the AWS_EVENTS_QUEUE_URL setting for the default account, "
            "polling only for the others."
        ),
    )
    last_checked_at = models.DateTimeField(_("last connection test"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)
    # What the last connection test printed (smsvoice.aws_check report lines, per Region).
    last_check_report = models.TextField(_("last connection test report"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("AWS account")
        verbose_name_plural = _("AWS accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_aws_account",
                violation_error_message=_(
                    "Another account is already the default account: untick “default account” on it first."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})" if self.account_id else self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        regions = self.regions if isinstance(self.regions, list) else None
        if not regions or not all(isinstance(r, str) for r in regions):
            errors["regions"] = _("List at least one Region code.")
        else:
            bad = [r for r in regions if not REGION_PATTERN.match(r)]
            if bad:
                errors["regions"] = _("Not AWS Region codes: %(codes)s.") % {"codes": ", ".join(bad[:5])}
            elif len(set(regions)) != len(regions):
                errors["regions"] = _("List each Region once.")
            elif len(regions) > MAX_REGIONS:
                errors["regions"] = _("List at most %(max)d Regions.") % {"max": MAX_REGIONS}
            elif self.default_region and self.default_region not in regions:
                errors["default_region"] = _("The default Region must be one of the enabled Regions.")
        if self.credential_source == CredentialSource.ASSUME_ROLE and not self.role_arn:
            errors["role_arn"] = _("An assumed-role account needs the role ARN.")
        if self.credential_source == CredentialSource.DEFAULT_CHAIN and (self.role_arn or self.external_id):
            errors["role_arn"] = _("Leave the role ARN and external id empty for the default chain.")
        if errors:
            raise ValidationError(errors)

    @property
    def enabled_regions(self) -> list[str]:
        """The enabled Regions, the default first (the order every picker shows them in)."""
        rest = [r for r in self.regions or [] if r != self.default_region]
        return [self.default_region, *rest] if self.default_region else rest


class RegionRoute(models.Model):
    """Where requests for one destination country go: the first of ``regions`` the account has enabled,
    else the account's default Region (India's local routes exist only in ap-south-1 / ap-south-2).

    Keyed by ISO code, not a foreign key: smsvoice depends on no app (countries sits above it).
    """

    iso_country_code = models.CharField(_("country (ISO code)"), max_length=2, unique=True)
    regions = models.JSONField(_("Regions, in order of preference"), default=list)
    note = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        ordering = ["iso_country_code"]
        verbose_name = _("Region route")
        verbose_name_plural = _("Region routes")

    def __str__(self) -> str:
        return f"{self.iso_country_code} → {', '.join(self.regions or [])}"

    def clean(self) -> None:
        self.iso_country_code = (self.iso_country_code or "").upper()
        if not re.fullmatch(r"[A-Z]{2}", self.iso_country_code):
            raise ValidationError({"iso_country_code": _("Enter a two-letter ISO country code.")})
        regions = self.regions if isinstance(self.regions, list) else None
        if not regions or not all(isinstance(r, str) and REGION_PATTERN.match(r) for r in regions):
            raise ValidationError({"regions": _("List one or more AWS Region codes, e.g. ap-south-1.")})
        if len(set(regions)) != len(regions) or len(regions) > MAX_REGIONS:
            raise ValidationError({"regions": _("List each Region once.")})
