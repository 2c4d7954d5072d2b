"""The country catalogue: per destination country, whether and how a sender ID can be had."""

import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _

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
