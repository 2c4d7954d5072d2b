"""The country catalogue: per destination country, whether and how a sender ID can be had.

Also the rule calendar (``CountryRule``: what regulators and operators require of a country's sender IDs,
and from when; the built-in rules and their texts are countries/calendar.py's), and the one rule that
picks the process a request takes (``sender_id_process_for``): the catalogue
row's process, corrected by what AWS documents per Region and message type (``PROCESS_RULES``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_names

from . import calendar
from . import rules as sender_id_rules_engine
from .calendar import RuleKind, RuleMessageType, RuleSeverity
from .eta import eta_text
from .notes import user_note


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

    @property
    def keeps_case(self) -> bool:
        """Sender IDs here are registered and compared as typed (Austria), not upper-cased."""
        return bool((self.sender_id_rules or {}).get("case_sensitive"))

    @property
    def registration_time(self) -> str:
        """AWS's published estimate in words ("" when none): what users read, never the research
        column `est_registration_time`."""
        return eta_text(self.iso_code, process=self.sender_id_process)

    @property
    def user_note(self) -> str:
        """What users read about the country beyond process and rules (countries.notes); `notes` is
        the research column, for admins only."""
        return user_note(self.iso_code)

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


# --- the rule calendar -----------------------------------------------------------------------------
class CountryRule(models.Model):
    """One dated (or standing) rule of a country's regulators or operators, shown with its date on the
    catalogue and turned into checks by countries.checks. Built-in rules are seeded by load_countries
    from countries/calendar.py, which also gives their translated sentence; an admin's change to one
    marks it ``overridden`` (kept by the loader until --force). Admin-added rules carry their own text."""

    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="calendar_rules", verbose_name=_("country")
    )
    # The regulation notice's timeline kind is "rule_notice:<code>" and StatusEvent.kind has 40 characters.
    code = models.SlugField(_("code"), max_length=calendar.CODE_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=30, choices=RuleKind.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=RuleSeverity.choices, default=RuleSeverity.WARN
    )
    effective_from = models.DateField(
        _("effective from"), null=True, blank=True, help_text=_("Empty: already in force.")
    )
    message_types = models.CharField(
        _("message types"),
        max_length=20,
        choices=RuleMessageType.choices,
        blank=True,
        help_text=_("Empty: every message type."),
    )
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "The sentence users see, in English. Built-in rules leave it empty: their sentence comes "
            "translated from the portal; text here replaces it (untranslated)."
        ),
    )
    what_to_do = models.TextField(_("what to do"), blank=True, help_text=_("Same as the text."))
    source_url = models.URLField(_("source"), max_length=300, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    builtin = models.BooleanField(_("built in"), default=False, editable=False)
    overridden = models.BooleanField(
        _("changed by an admin"),
        default=False,
        help_text=_("load_countries keeps an admin's change to a built-in rule unless run with --force."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["country_id", models.F("effective_from").asc(nulls_first=True), "code"]
        verbose_name = _("country rule")
        verbose_name_plural = _("country rules")
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="countryrule_code_unique_per_country"),
            models.CheckConstraint(
                condition=models.Q(kind__in=RuleKind.values), name="countryrule_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=RuleSeverity.values), name="countryrule_severity_valid"
            ),
        ]
        indexes = [models.Index(fields=["enabled", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.code}"

    def clean(self) -> None:
        super().clean()
        if not self.text.strip() and not calendar.builtin_text(self.code)[0]:
            raise ValidationError({"text": _("A rule of your own needs the sentence users will see.")})

    @property
    def message(self) -> str:
        """The user-facing sentence in the active language (an admin's text, else the built-in one)."""
        return self.text.strip() or calendar.builtin_text(self.code)[0]

    @property
    def advice(self) -> str:
        """What the user should do, in the active language ("" when nothing is said)."""
        return self.what_to_do.strip() or calendar.builtin_text(self.code)[1]

    def applies_to(self, message_type: str) -> bool:
        """Whether the rule concerns `message_type` ("" = not chosen yet: every rule does)."""
        return not self.message_types or not message_type or self.message_types == message_type

    def in_force(self, today: dt.date) -> bool:
        return calendar.in_force(self.effective_from, today)

    def when(self, today: dt.date) -> str:
        """ "since 1 March 2026" / "from 1 October 2026" / "" (no date)."""
        return calendar.when_text(self.effective_from, today)
