"""The closed vocabularies of sender-ID requests: statuses, message types, the wizard's choices.

Models, forms, the lifecycle table and the pages all read their choices from here, so a value and
its translated label are defined once. Which statuses group together (open, working, terminal...)
is the lifecycle's business: see senderids/lifecycle.py.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("Pending review")
    APPROVED = "approved", _("Approved")
    SUBMITTING = "submitting", _("Submitting to AWS")
    REGISTRATION_DRAFT = "registration_draft", _("Registration draft")
    REGISTRATION_SUBMITTED = "registration_submitted", _("Registration submitted")
    REQUIRES_UPDATES = "requires_updates", _("Registration requires updates")
    # AWS's REQUIRES_AUTHENTICATION: the owner must act outside AWS's review (e.g. email authentication).
    ACTION_REQUIRED = "action_required", _("Action required")
    SUPPORT_CASE_OPEN = "support_case_open", _("Support case open")
    SUPPORT_CASE_RESOLVED = "support_case_resolved", _("Support case resolved")
    ACTIVE = "active", _("Active")
    RELEASING = "releasing", _("Releasing")
    RELEASED = "released", _("Released")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class MessageType(models.TextChoices):
    TRANSACTIONAL = "TRANSACTIONAL", _("Transactional")
    PROMOTIONAL = "PROMOTIONAL", _("Promotional")


class MonthlyVolume(models.TextChoices):
    # The console's "Estimated monthly SMS volume" ranges.
    UP_TO_10K = "0-10000", _("Up to 10,000")
    UP_TO_100K = "10001-100000", _("10,001 – 100,000")
    UP_TO_1M = "100001-1000000", _("100,001 – 1,000,000")
    UP_TO_10M = "1000001-10000000", _("1,000,001 – 10,000,000")
    OVER_10M = "10000001+", _("More than 10,000,000")


class CompanyHeadquarters(models.TextChoices):
    LOCAL = "local", _("Local")
    INTERNATIONAL = "international", _("International")


class RegistrationChoice(models.TextChoices):
    COMPLETE_NOW = "now", _("Complete registration")
    LATER = "later", _("Register later")


class Capability(models.TextChoices):
    SMS = "SMS", _("SMS")
    VOICE = "VOICE", _("Voice")


class SenderType(models.TextChoices):
    SENDER_ID = "sender_id", _("Sender ID")


class SupportMessageType(models.TextChoices):
    ONE_TIME_PASSWORD = "one_time_password", _("One-time password")
    PROMOTIONAL = "promotional", _("Promotional")
    TRANSACTIONAL = "transactional", _("Transactional")


class DriftKind(models.TextChoices):
    UNKNOWN_HERE = "unknown_here", _("In AWS, unknown here")
    GONE_IN_AWS = "gone_in_aws", _("Active here, gone in AWS")
