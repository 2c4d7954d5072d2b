"""The support-case schema: every field AWS Support asks for to register a sender ID, in order.

One module for both sides of the process: the wizard's support-case step (`SupportCaseForm`) asks
for these fields and stores them on the request (`support_case_details`); supportcases renders the
case body from the same definitions (`support_case_rows`), so a field added here reaches AWS.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..choices import SupportMessageType

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
# The languages AWS Support answers cases in: the `language` member of CreateCase / DescribeCases in
# botocore 1.44.8's support model (shared/data/aws-reference/support-facts.md §5). Older models list only
# en, ja, zh, ko; the console offers English or Japanese for a sender-ID case, and supportcases falls
# back to English where a language is not offered.
CONTACT_LANGUAGES = (
    ("en", _("English")),
    ("ja", _("Japanese")),
    ("zh", _("Chinese")),
    ("ko", _("Korean")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
    ("tr", _("Turkish")),
)
CONTACT_LANGUAGE_CODES = frozenset(code for code, _label in CONTACT_LANGUAGES)


def default_contact_language() -> str:
    """The contact language offered first: the person's own when AWS Support speaks it (French users get
    French), English otherwise."""
    code = (get_language() or "en").split("-")[0].lower()
    return code if code in CONTACT_LANGUAGE_CODES else "en"


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
        # The wizard passes the request's Region as initial data; settings only for a bare form.
        self.fields["source_region"].initial = self.initial.get("source_region", settings.AWS_REGION)
        self.fields["region"].initial = self.initial.get("region", settings.AWS_REGION)
        self.fields["contact_language"].initial = default_contact_language()

    def clean_company_phone(self) -> str:
        phone = re.sub(r"[\s().-]", "", self.cleaned_data["company_phone"])
        phone_validator(phone)
        return phone

    def grouped_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.fieldsets]

    def summary(self) -> list[tuple[str, str]]:
        return support_case_rows(self.cleaned_data)


def _row(field: forms.Field, value: Any) -> tuple[str, str]:
    choices = getattr(field, "choices", None)
    display = dict(choices).get(value, value) if choices else value
    return str(field.label), str(display)


def support_case_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for stored support-case details, in form order; unknown keys last."""
    fields = SupportCaseForm.base_fields
    rows = [_row(field, details[name]) for name, field in fields.items() if name in details]
    rows += [(str(key), str(value)) for key, value in details.items() if key not in fields]
    return rows


def support_case_sections(details: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The stored details as the form groups them, (legend, [(label, value)]), in form order; unknown
    keys last under no legend. The same rows as support_case_rows, each once."""
    fields = SupportCaseForm.base_fields
    sections = []
    for legend, names in SupportCaseForm.fieldsets:
        rows = [_row(fields[name], details[name]) for name in names if name in details]
        if rows:
            sections.append((str(legend), rows))
    extra = [(str(key), str(value)) for key, value in details.items() if key not in fields]
    if extra:
        sections.append(("", extra))
    return sections


def support_case_for(details: dict[str, Any], *, country: Any, region: str) -> dict[str, Any]:
    """One country's case from a batch's shared answers: its own destination, and its own Region when
    it has one (the Region it is sent from is the one AWS Support must raise the limit in)."""
    own = {**details, "destination_countries": country.name}
    if region:
        own.update(source_region=region, region=region)
    return own
