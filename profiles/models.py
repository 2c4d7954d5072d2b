"""A team's company profile and its document vault.

`CompanyProfile` holds what registration forms ask about the company, once per team (profiles.mapping
says which FieldPath each attribute answers). Field lengths are AWS's ranges for the matching FieldPaths
(the generated country pages: companyName 1–100, companyId 1–30, website 4–100, email 5–100, phone 3–30,
state 1–50, postal code 1–20, descriptions ≤500, message samples ≤306), so a stored value always fits.

`Document` is one file of the vault, stored in the database like registrations' RegistrationAttachment
(a BinaryField: files are at most 500 KB), with its kind, the country it is for (blank: any), and its
validity dates.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

ISO_COUNTRY = RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. GB or IN."))


class CompanyProfile(models.Model):
    # A TextField's max_length only sizes the form's textarea: the validators enforce AWS's limits.
    team = models.OneToOneField(
        "teams.Team", on_delete=models.CASCADE, related_name="company_profile", verbose_name=_("team")
    )
    legal_name = models.CharField(_("legal company name"), max_length=100, blank=True)
    trading_name = models.CharField(_("trading name (DBA)"), max_length=100, blank=True)
    company_id = models.CharField(_("company registration number"), max_length=30, blank=True)
    tax_id = models.CharField(_("tax ID"), max_length=30, blank=True)
    website = models.CharField(_("website"), max_length=100, blank=True, validators=[MinLengthValidator(4)])
    address1 = models.CharField(_("address line 1"), max_length=100, blank=True)
    address2 = models.CharField(_("address line 2"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state or region"), max_length=50, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    iso_country_code = models.CharField(
        _("country (ISO code)"), max_length=2, blank=True, validators=[ISO_COUNTRY]
    )
    contact_first_name = models.CharField(_("contact first name"), max_length=100, blank=True)
    contact_last_name = models.CharField(_("contact last name"), max_length=100, blank=True)
    contact_email = models.EmailField(
        _("contact email"), max_length=100, blank=True, validators=[MinLengthValidator(5)]
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True, validators=[MinLengthValidator(3)]
    )
    area_of_business = models.CharField(_("area of business"), max_length=100, blank=True)
    use_case_description = models.TextField(
        _("use case description"), max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    opt_in_description = models.TextField(
        _("opt-in description"), max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    message_sample1 = models.TextField(
        _("message sample 1"), max_length=306, blank=True, validators=[MaxLengthValidator(306)]
    )
    message_sample2 = models.TextField(
        _("message sample 2"), max_length=306, blank=True, validators=[MaxLengthValidator(306)]
    )
    message_sample3 = models.TextField(
        _("message sample 3"), max_length=306, blank=True, validators=[MaxLengthValidator(306)]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profiles")

    def __str__(self) -> str:
        return self.legal_name or str(self.team)


# The attributes a user edits (the form, profile_save): every field but the team and the audit pair.
PROFILE_FIELDS: tuple[str, ...] = (
    "legal_name", "trading_name", "company_id", "tax_id", "website",
    "address1", "address2", "city", "state", "postal_code", "iso_country_code",
    "contact_first_name", "contact_last_name", "contact_email", "contact_phone",
    "area_of_business", "use_case_description", "opt_in_description",
    "message_sample1", "message_sample2", "message_sample3",
)  # fmt: skip


class DocumentKind(models.TextChoices):
    LETTER_OF_AUTHORIZATION = "letter_of_authorization", _("Letter of authorization")
    REGISTRATION_CERTIFICATE = "registration_certificate", _("Company registration certificate")
    TAX_DOCUMENT = "tax_document", _("Tax document")
    REGULATORY_LICENSE = "regulatory_license", _("Regulatory licence")
    OTHER = "other", _("Other document")


class Document(models.Model):
    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="documents", verbose_name=_("team")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    # The country the document is for (e.g. a letter of authorization for Indonesia); blank: any country.
    country = models.CharField(_("country"), max_length=2, blank=True, validators=[ISO_COUNTRY])
    title = models.CharField(_("title"), max_length=100)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # The reminder day (expires_on minus 30 or 7 days) whose email went out: each reminder is sent once.
    expiry_reminder_sent_for = models.DateField(_("expiry reminder sent for"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "title", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["team", "kind"]), models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return self.title

    def is_expired(self, today: datetime.date) -> bool:
        # Valid through its expiry day itself.
        return self.expires_on is not None and self.expires_on < today
