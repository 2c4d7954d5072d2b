"""The country catalogue: per destination country, whether and how a sender ID can be had.

Also the one rule that picks the process a request takes (``sender_id_process_for``): the catalogue
row's process, corrected by what AWS documents per Region and message type (``PROCESS_RULES``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_names

from . import rules as sender_id_rules_engine


class SenderIdProcess(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    REGISTRATION = "registration", _("Registration required")
    SUPPORT_CASE = "support_case", _("Support case required")
    NOT_SUPPORTED = "not_supported", _("Not supported")


class Country(models.Model):
    iso_code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    # Accent- and case-folded name ("reunion (france)"): sorting and search that behave the same on
    # SQLite and on PostgreSQL's C collation, where "Réunion" would sort after "Rwanda".
    name_folded = models.CharField(max_length=100, db_index=True, editable=False, default="")
    dialing_code = models.CharField(_("dialing code"), max_length=20, blank=True)
    sender_id_process = models.CharField(
        _("sender ID process"), max_length=20, choices=SenderIdProcess.choices, db_index=True
    )
    registration_type = models.CharField(
        _("AWS registration type"),
        max_length=100,
        blank=True,
        help_text=_(
            "RegistrationType the API offers in the configured Region, e.g. IN_SENDER_ID_REGISTRATION."
        ),
    )
    registration_form_in_console = models.BooleanField(_("registration form in console"), default=False)
    two_way = models.BooleanField(_("two-way SMS"), default=False)
    est_registration_time = models.CharField(_("estimated registration time"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Country-specific sender-ID rules as data, read by countries.rules (one engine, no per-country code):
    # {"min_length": int, "max_length": int, "charset": "A-Za-z0-9_-", "letters_only": bool,
    #  "forbidden_chars": "-", "forbidden_from": "YYYY-MM-DD", "case_sensitive": bool, "note": str}
    sender_id_rules = models.JSONField(
        _("sender ID rules"),
        default=dict,
        blank=True,
        validators=[sender_id_rules_engine.validate_rules],
        help_text=sender_id_rules_engine.RULES_HELP,
    )
    # Set when an admin changes the process by hand: load_countries keeps it unless --force.
    process_overridden = models.BooleanField(_("process set by an admin"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name_folded", "name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sender_id_process__in=SenderIdProcess.values),
                name="country_sender_id_process_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso_code})"

    def save(self, *args, **kwargs):
        self.name_folded = fold_name(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_folded"}
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """The country's name in the reader's language: django-countries' translated name (a
        maintained catalogue), else the catalogue's own English name (territories it does not know)."""
        if (get_language() or "en").split("-")[0] != "en":
            translated = str(country_names.name(self.iso_code) or "")
            if translated:
                return translated
        return self.name

    def sender_id_errors(self, sender_id: str) -> list[str]:
        """What this country's rules (plus the base rule) say about a sender ID; [] = valid."""
        return sender_id_rules_engine.sender_id_errors(sender_id, self.sender_id_rules)

    @property
    def dialing_codes_display(self) -> str:
        """ "1-809, 1-829" -> "+1-809, +1-829" (some countries have several)."""
        return ", ".join(f"+{code.strip()}" for code in self.dialing_code.split(",") if code.strip())

    @property
    def supports_sender_id(self) -> bool:
        return self.sender_id_process != SenderIdProcess.NOT_SUPPORTED


def fold_name(text: str) -> str:
    """Lower-case, accents removed: "São Tomé" -> "sao tome". Used for sorting and search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# --- which process a request takes ----------------------------------------------------------------
# AWS's MessageType values (the wizard's MessageType choices use the same strings).
PROMOTIONAL = "PROMOTIONAL"
TRANSACTIONAL = "TRANSACTIONAL"


@dataclass(frozen=True)
class ProcessRule:
    """What AWS documents about a country's registration form beyond "offered in the Region or not"."""

    # Regions whose registration form gives the sender ID local routes; elsewhere a support case.
    registration_regions: frozenset[str]
    # Message types the registration form is not for: they go through a support case.
    support_case_message_types: frozenset[str]
    region_reason: Promise  # formatted with %(region)s
    message_type_reason: Promise
    source: str

    def gates(self, region: str) -> bool:
        """True when a registration in `region` would not give the sender ID local routes."""
        return bool(self.registration_regions) and region not in self.registration_regions


PROCESS_RULES: dict[str, ProcessRule] = {
    "IN": ProcessRule(
        registration_regions=frozenset({"ap-south-1", "ap-south-2"}),
        support_case_message_types=frozenset({PROMOTIONAL}),
        region_reason=_(
            "India's registration form is only available in ap-south-1 and ap-south-2, the AWS Regions "
            "with local routes to India. This portal sends from %(region)s, so India sender IDs are "
            "requested through an AWS Support case."
        ),
        message_type_reason=_(
            "India's registration form is for transactional sender IDs: promotional India sender IDs "
            "are registered through an AWS Support case."
        ),
        source="https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid-india-support.html",
    ),
}
# The processes a ProcessRule can correct; the others (supported, not supported) stand as they are.
_FORM_PROCESSES = frozenset({SenderIdProcess.REGISTRATION, SenderIdProcess.SUPPORT_CASE})


@dataclass(frozen=True)
class ProcessChoice:
    """The process a sender-ID request takes, and why when the catalogue row alone does not say it."""

    process: str
    reason: str = ""

    @property
    def label(self) -> str:
        return str(SenderIdProcess(self.process).label)


def portal_region() -> str:
    """The AWS Region the portal sends from (one Region today: settings.AWS_REGION)."""
    return settings.AWS_REGION


def region_gated_iso_codes(region: str) -> list[str]:
    """Countries whose registration form does not give local routes in `region`."""
    return sorted(iso for iso, rule in PROCESS_RULES.items() if rule.gates(region))


def sender_id_process_for(
    country: Country, *, message_type: str = "", region: str | None = None
) -> ProcessChoice:
    """The process a request for `country` takes in `region` (default: the portal's) for `message_type`.

    The catalogue row's process, then AWS's documented limits of the registration form:
    - a Region without local routes (India outside ap-south-1/2): support case;
    - a message type the form is not for (promotional India): support case.
    ``message_type`` "" means not chosen yet (catalogue, country step): the process for a
    transactional request, and the reason says what a promotional one would take. Pure: no query.
    A request stores what this returns when it is created, so a request in flight never changes.
    """
    region = region or portal_region()
    base = country.sender_id_process
    rule = PROCESS_RULES.get(country.iso_code)
    if rule is None or base not in _FORM_PROCESSES:
        return ProcessChoice(base)
    if rule.gates(region):
        return ProcessChoice(SenderIdProcess.SUPPORT_CASE, str(rule.region_reason) % {"region": region})
    if base == SenderIdProcess.SUPPORT_CASE:
        return ProcessChoice(base)  # an admin's (or the Region's) choice: nothing to correct
    if message_type in rule.support_case_message_types:
        return ProcessChoice(SenderIdProcess.SUPPORT_CASE, str(rule.message_type_reason))
    if not message_type and rule.support_case_message_types:
        return ProcessChoice(base, str(rule.message_type_reason))
    return ProcessChoice(base)
