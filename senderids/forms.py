"""The request wizard's steps, one form per step (the view is `views.SenderIdRequestWizard`).

Forms only validate; they never write. Their `clean()` stays cheap and side-effect free because
django-formtools revalidates stored steps often (stepper, conditions, `done()`): at most one
indexed query (the duplicate check) per validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from countries.models import Country, SenderIdProcess
from countries.rules import normalise_sender_id, sender_id_errors
from countries.selectors import country_get

from .models import CompanyHeadquarters, MessageType, MonthlyVolume, RegistrationChoice, Status
from .selectors import sender_id_request_open_duplicate

STEP_COUNTRY = "country"
STEP_USE_CASE = "use-case"
STEP_SENDER = "sender"
STEP_REVIEW = "review"
STEP_REGISTRATION = "registration"
STEP_SUPPORT_CASE = "support-case"

STEP_LABELS = {
    STEP_COUNTRY: _("Country"),
    STEP_USE_CASE: _("Use case"),
    STEP_SENDER: _("Sender"),
    STEP_REVIEW: _("Review"),
    STEP_REGISTRATION: _("Registration"),
    STEP_SUPPORT_CASE: _("Support case"),
}

# What each catalogue process means for the person requesting (country step and review).
PROCESS_EXPLANATIONS = {
    SenderIdProcess.SUPPORTED: _(
        "Sender IDs are supported. After approval the portal requests yours from AWS directly; "
        "no registration is needed."
    ),
    SenderIdProcess.REGISTRATION: _(
        "A registration is required. After the request you fill in the country's registration "
        "form; AWS reviews it, and the sender ID works once the registration is approved."
    ),
    SenderIdProcess.SUPPORT_CASE: _(
        "AWS registers sender IDs for this country through an AWS Support case, which the portal "
        "opens with the details you give. AWS usually answers within 24 hours; provisioning can "
        "take 2–4 weeks."
    ),
    SenderIdProcess.NOT_SUPPORTED: _(
        "Sender IDs are not supported in this country: messages arrive from a phone number "
        "instead. This portal only requests sender IDs."
    ),
}

ISO_CODE_RE = re.compile(r"[A-Z]{2}", re.ASCII)


class CountryForm(forms.Form):
    """Destination country, by ISO code. The template renders the (searchable) select itself."""

    country = forms.CharField(
        label=_("Destination country"),
        error_messages={"required": _("Choose a destination country.")},
    )

    def __init__(self, *args: Any, country_lookup: Callable[[str], Country | None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._lookup = country_lookup or (lambda iso: country_get(iso_code=iso))
        self.country: Country | None = None

    def clean_country(self) -> str:
        iso = self.cleaned_data["country"].upper()
        country = self._lookup(iso) if ISO_CODE_RE.fullmatch(iso) else None
        if country is None:
            raise forms.ValidationError(_("Choose a country from the list."), code="invalid_choice")
        self.country = country
        return iso

    def summary(self) -> list[tuple[str, str]]:
        country = self.country
        assert country is not None
        return [
            (str(_("Destination country")), f"{country.name} ({country.iso_code})"),
            (str(_("Sender ID support")), country.get_sender_id_process_display()),
        ]


class Capability(models.TextChoices):
    SMS = "SMS", _("SMS")
    VOICE = "VOICE", _("Voice")


def _choice_label(choices: Any, value: str, empty: str) -> str:
    return str(dict(choices).get(value, value)) if value else str(empty)


class UseCaseForm(forms.Form):
    capabilities = forms.MultipleChoiceField(
        label=_("Number capabilities"),
        choices=Capability.choices,
        initial=[Capability.SMS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the sender will be used for. Select at least one."),
        error_messages={"required": _("Select at least one capability: SMS, Voice or both.")},
    )
    monthly_volume = forms.ChoiceField(
        label=_("Estimated monthly SMS volume"),
        required=False,
        choices=[("", _("Not specified")), *MonthlyVolume.choices],
        help_text=_("Optional. Helps AWS and the registration authorities size your traffic."),
    )
    company_hq = forms.ChoiceField(
        label=_("Company headquarters"),
        required=False,
        choices=[("", _("Not specified")), *CompanyHeadquarters.choices],
        widget=forms.RadioSelect,
        help_text=_(
            "Optional. Local: your company is registered in the destination country. International: "
            "it is registered elsewhere. Some countries register and price local and international "
            "senders differently."
        ),
    )
    message_type = forms.ChoiceField(
        label=_("Message type"),
        choices=MessageType.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Transactional: critical or time-sensitive messages such as one-time passwords, account "
            "alerts and delivery notifications. Promotional: marketing and other messages that are "
            "not time-sensitive."
        ),
        error_messages={"required": _("Choose a message type.")},
    )

    def clean_capabilities(self) -> list[str]:
        # A hostile client may repeat a value many times: keep each once, in a stable order.
        chosen = set(self.cleaned_data["capabilities"])
        return [value for value in Capability.values if value in chosen]

    def summary(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        labels = dict(Capability.choices)
        return [
            (str(_("Number capabilities")), ", ".join(str(labels[c]) for c in data["capabilities"])),
            (
                str(_("Estimated monthly SMS volume")),
                _choice_label(MonthlyVolume.choices, data["monthly_volume"], _("Not specified")),
            ),
            (
                str(_("Company headquarters")),
                _choice_label(CompanyHeadquarters.choices, data["company_hq"], _("Not specified")),
            ),
            (str(_("Message type")), _choice_label(MessageType.choices, data["message_type"], "")),
        ]


class SenderType(models.TextChoices):
    SENDER_ID = "sender_id", _("Sender ID")


# Originator types the AWS console offers that this portal does not: listed so people know why.
NOT_OFFERED_ORIGINATORS = (
    (_("Long code (phone number)"), _("A standard phone number; can receive replies.")),
    (_("Toll-free number"), _("A toll-free number (United States and Canada).")),
    (_("10DLC"), _("A 10-digit long code registered for application-to-person SMS (United States).")),
    (_("Short code"), _("A 5–6 digit number for high-volume campaigns.")),
)


class SenderForm(forms.Form):
    sender_type = forms.ChoiceField(
        label=_("Sender type"),
        choices=SenderType.choices,
        initial=SenderType.SENDER_ID,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Only sender IDs can be requested here.")},
    )
    sender_id = forms.CharField(
        label=_("Sender ID"),
        help_text=_(
            "1–11 characters: letters A–Z, digits 0–9 and hyphens; the first character must be a "
            "letter. The destination country may add its own rules, shown below."
        ),
        # The rule engine says what is wrong (and how long the value is): no max_length here.
        error_messages={"required": _("Enter a sender ID.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(
        self,
        *args: Any,
        country: Country | None = None,
        owner: AbstractBaseUser | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.country = country
        self.owner = owner
        if not self.sender_id_possible:
            self.fields["sender_id"].required = False

    @property
    def sender_id_possible(self) -> bool:
        return self.country is not None and self.country.supports_sender_id

    @property
    def rules(self) -> dict[str, Any]:
        return (self.country.sender_id_rules if self.country else None) or {}

    def clean_sender_id(self) -> str:
        value = self.cleaned_data["sender_id"]  # already stripped of surrounding whitespace
        if not self.sender_id_possible:
            return ""
        errors = sender_id_errors(value, self.rules)
        if errors:
            raise forms.ValidationError(errors, code="invalid_sender_id")
        value = normalise_sender_id(value, self.rules)
        if self.owner is not None and self.owner.pk is not None:
            existing = sender_id_request_open_duplicate(
                owner=self.owner,
                country_iso=self.country.iso_code,
                sender_id=value,
                case_sensitive=bool(self.rules.get("case_sensitive")),
            )
            if existing is not None:
                raise forms.ValidationError(
                    _(
                        "You already requested %(sender_id)s in %(country)s (request #%(pk)s, "
                        "%(status)s). Choose another sender ID, or release the existing one first."
                    ),
                    code="duplicate",
                    params={
                        "sender_id": existing.sender_id,
                        "country": self.country.name,
                        "pk": existing.pk,
                        "status": Status(existing.status).label,
                    },
                )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.country is None:
            raise forms.ValidationError(_("Choose a destination country first."), code="no_country")
        if not self.country.supports_sender_id:
            raise forms.ValidationError(
                _("Sender IDs are not supported in %(country)s. Go back and choose another country."),
                code="not_supported",
                params={"country": self.country.name},
            )
        return data

    def summary(self) -> list[tuple[str, str]]:
        return [
            (str(_("Sender type")), str(SenderType.SENDER_ID.label)),
            (str(_("Sender ID")), self.cleaned_data["sender_id"]),
        ]


class ReviewForm(forms.Form):
    """No fields: the review page shows every answer; submitting it confirms them."""

    def summary(self) -> list[tuple[str, str]]:
        return []


class RegistrationForm(forms.Form):
    registration_form_name = forms.CharField(
        label=_("Registration form name"),
        max_length=100,
        help_text=_("A name to recognise this registration by, for example the brand and the country."),
        error_messages={"required": _("Give the registration a name.")},
    )
    registration_choice = forms.ChoiceField(
        label=_("When do you want to register?"),
        choices=RegistrationChoice.choices,
        initial=RegistrationChoice.COMPLETE_NOW,
        widget=forms.RadioSelect,
        help_text=_(
            "Complete registration: open the country's registration form right after this request. "
            "Register later: the request is saved and the home page reminds you to register."
        ),
        error_messages={"required": _("Choose whether to complete the registration now or later.")},
    )

    def summary(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (str(_("Registration form name")), data["registration_form_name"]),
            (
                str(_("Registration")),
                _choice_label(RegistrationChoice.choices, data["registration_choice"], ""),
            ),
        ]


class SupportMessageType(models.TextChoices):
    ONE_TIME_PASSWORD = "one_time_password", _("One-time password")
    PROMOTIONAL = "promotional", _("Promotional")
    TRANSACTIONAL = "transactional", _("Transactional")


# Regions where AWS End User Messaging SMS runs (the support case's "Region" choices).
AWS_REGIONS = (
    ("us-east-1", "US East (N. Virginia) us-east-1"),
    ("us-east-2", "US East (Ohio) us-east-2"),
    ("us-west-1", "US West (N. California) us-west-1"),
    ("us-west-2", "US West (Oregon) us-west-2"),
    ("ca-central-1", "Canada (Central) ca-central-1"),
    ("sa-east-1", "South America (São Paulo) sa-east-1"),
    ("eu-west-1", "Europe (Ireland) eu-west-1"),
    ("eu-west-2", "Europe (London) eu-west-2"),
    ("eu-west-3", "Europe (Paris) eu-west-3"),
    ("eu-central-1", "Europe (Frankfurt) eu-central-1"),
    ("eu-central-2", "Europe (Zurich) eu-central-2"),
    ("eu-north-1", "Europe (Stockholm) eu-north-1"),
    ("eu-south-1", "Europe (Milan) eu-south-1"),
    ("eu-south-2", "Europe (Spain) eu-south-2"),
    ("me-south-1", "Middle East (Bahrain) me-south-1"),
    ("me-central-1", "Middle East (UAE) me-central-1"),
    ("il-central-1", "Israel (Tel Aviv) il-central-1"),
    ("af-south-1", "Africa (Cape Town) af-south-1"),
    ("ap-south-1", "Asia Pacific (Mumbai) ap-south-1"),
    ("ap-south-2", "Asia Pacific (Hyderabad) ap-south-2"),
    ("ap-southeast-1", "Asia Pacific (Singapore) ap-southeast-1"),
    ("ap-southeast-2", "Asia Pacific (Sydney) ap-southeast-2"),
    ("ap-southeast-3", "Asia Pacific (Jakarta) ap-southeast-3"),
    ("ap-northeast-1", "Asia Pacific (Tokyo) ap-northeast-1"),
    ("ap-northeast-2", "Asia Pacific (Seoul) ap-northeast-2"),
    ("ap-northeast-3", "Asia Pacific (Osaka) ap-northeast-3"),
)
RESOURCE_TYPES = (("Sender ID Registration", _("Sender ID Registration")),)
QUOTA_TYPES = (("General Limits", _("General limits")),)
CONTACT_LANGUAGES = (("en", _("English")), ("ja", _("Japanese")), ("zh", _("Chinese")), ("ko", _("Korean")))

phone_validator = RegexValidator(
    r"^\+[1-9][0-9]{6,14}$",
    _("Enter the phone number in international format, e.g. +33123456789."),
    code="invalid_phone",
)


def _text(label: Any, max_length: int, help_text: Any, *, textarea: bool = False) -> forms.Field:
    widget = forms.Textarea(attrs={"rows": 4}) if textarea else None
    return forms.CharField(label=label, max_length=max_length, help_text=help_text, widget=widget)


class SupportCaseForm(forms.Form):
    """Every field of the AWS Support case that registers a sender ID (stored as support_case_details)."""

    # Case details
    site_url = forms.URLField(
        label=_("Link to the site or app that sends the messages"),
        max_length=300,
        assume_scheme="https",
        help_text=_("The website or app your recipients know you from, e.g. https://example.com."),
    )
    message_type = forms.ChoiceField(
        label=_("Type of messages"),
        choices=SupportMessageType.choices,
        widget=forms.RadioSelect,
        help_text=_("The kind of messages you plan to send with this sender ID."),
    )
    source_region = forms.ChoiceField(
        label=_("Source AWS Region"),
        choices=AWS_REGIONS,
        help_text=_("The AWS Region you will send the messages from."),
    )
    destination_countries = _text(
        _("Destination countries"),
        500,
        _("The countries you plan to send messages to with this sender ID."),
    )
    opt_in_process = _text(
        _("Opt-in process"),
        2000,
        _("How your recipients agree to receive messages from you, e.g. a checkbox at sign-up."),
        textarea=True,
    )
    message_template = _text(
        _("Message template"),
        1600,
        _("An example of the message you will send, with placeholders for variable parts."),
        textarea=True,
    )
    # Requests
    region = forms.ChoiceField(
        label=_("Region"),
        choices=[("", _("Choose a Region")), *AWS_REGIONS],
        help_text=_("Required. The Region in which AWS should register the sender ID."),
        error_messages={"required": _("Choose the Region in which to register the sender ID.")},
    )
    resource_type = forms.ChoiceField(
        label=_("Resource type"),
        choices=RESOURCE_TYPES,
        initial=RESOURCE_TYPES[0][0],
        help_text=_("Sender ID registrations are requested as this resource type."),
    )
    quota_type = forms.ChoiceField(
        label=_("Quota"),
        choices=QUOTA_TYPES,
        initial=QUOTA_TYPES[0][0],
        help_text=_("The quota the case asks AWS to raise."),
    )
    new_quota_value = forms.IntegerField(
        label=_("New quota value"),
        min_value=1,
        max_value=1000,
        initial=1,
        help_text=_("How many sender IDs to register: 1 for this request."),
    )
    # Use case description
    use_case_description = _text(
        _("Use case description"),
        2000,
        _("What the messages are for and who receives them."),
        textarea=True,
    )
    messages_per_recipient = forms.IntegerField(
        label=_("Messages per recipient per month"),
        min_value=1,
        max_value=100000,
        help_text=_("About how many messages one recipient receives in a month."),
    )
    company_name = _text(_("Company name"), 100, _("The legal name of your company or organisation."))
    company_address = _text(
        _("Company address"), 500, _("The address registered for your company."), textarea=True
    )
    company_country = _text(_("Company country"), 100, _("The country where your company is based."))
    company_phone = _text(_("Company phone number"), 30, _("In international format, e.g. +33123456789."))
    company_website = forms.URLField(
        label=_("Company website"),
        max_length=300,
        assume_scheme="https",
        help_text=_("Your company's website, e.g. https://example.com."),
    )
    # Contact options
    contact_language = forms.ChoiceField(
        label=_("Preferred contact language"),
        choices=CONTACT_LANGUAGES,
        initial="en",
        help_text=_("The language AWS Support should use to answer the case."),
    )

    fieldsets = (
        (
            _("Case details"),
            (
                "site_url",
                "message_type",
                "source_region",
                "destination_countries",
                "opt_in_process",
                "message_template",
            ),
        ),
        (_("Requests"), ("region", "resource_type", "quota_type", "new_quota_value")),
        (
            _("Use case description"),
            (
                "use_case_description",
                "messages_per_recipient",
                "company_name",
                "company_address",
                "company_country",
                "company_phone",
                "company_website",
            ),
        ),
        (_("Contact options"), ("contact_language",)),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["source_region"].initial = settings.AWS_REGION
        self.fields["region"].initial = settings.AWS_REGION

    def clean_company_phone(self) -> str:
        phone = re.sub(r"[\s().-]", "", self.cleaned_data["company_phone"])
        phone_validator(phone)
        return phone

    def grouped_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.fieldsets]

    def summary(self) -> list[tuple[str, str]]:
        return support_case_rows(self.cleaned_data)


def support_case_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for stored support-case details, in form order; unknown keys last."""
    rows = []
    fields = SupportCaseForm.base_fields
    for name, field in fields.items():
        if name not in details:
            continue
        value = details[name]
        choices = getattr(field, "choices", None)
        display = dict(choices).get(value, value) if choices else value
        rows.append((str(field.label), str(display)))
    rows += [(str(key), str(value)) for key, value in details.items() if key not in fields]
    return rows


FORM_LIST = (
    (STEP_COUNTRY, CountryForm),
    (STEP_USE_CASE, UseCaseForm),
    (STEP_SENDER, SenderForm),
    (STEP_REVIEW, ReviewForm),
    (STEP_REGISTRATION, RegistrationForm),
    (STEP_SUPPORT_CASE, SupportCaseForm),
)


# --- Release (views.release_sender_id) ---------------------------------------------------------------
# Longer input is refused outright (and not echoed back): nobody types the word with 100 spaces.
RELEASE_CONFIRMATION_MAX_CHARS = 100


class ReleaseConfirmForm(forms.Form):
    """Typing the word "release" (exactly, case-sensitive; surrounding whitespace is ignored)."""

    confirmation = forms.CharField(
        label=_("To confirm, type “release”"),
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "autocorrect": "off",
                "spellcheck": "false",
                "maxlength": RELEASE_CONFIRMATION_MAX_CHARS,
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.oversized = False
        if self.is_bound:
            key = self.add_prefix("confirmation")
            raw = self.data.get(key, "")
            if isinstance(raw, str) and len(raw) > RELEASE_CONFIRMATION_MAX_CHARS:
                self.oversized = True
                self.data = self.data.copy()
                self.data[key] = ""

    def clean_confirmation(self) -> str:
        from .services import RELEASE_CONFIRMATION_WORD, release_confirmation_matches

        if self.oversized:
            raise forms.ValidationError(
                _("That is far too long. Type just the word “release”."), code="too_long"
            )
        if not release_confirmation_matches(self.cleaned_data.get("confirmation")):
            raise forms.ValidationError(
                _("Type the word “release” exactly (lower case) to confirm."), code="mismatch"
            )
        return RELEASE_CONFIRMATION_WORD
