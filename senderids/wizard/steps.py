"""The request wizard's steps, one form per step (the view is `senderids.wizard.view`).

Forms only validate; they never write. Their `clean()` stays cheap and side-effect free because
django-formtools revalidates stored steps often (stepper, conditions, `done()`): at most one
indexed query (the duplicate check) per validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from countries.models import Country, SenderIdProcess
from countries.rules import base_rule_text, normalise_sender_id, sender_id_errors
from countries.selectors import ProcessChoice, country_get, sender_id_process_for
from teams.selectors import team_for_user

from ..choices import (
    Capability,
    CompanyHeadquarters,
    MessageType,
    MonthlyVolume,
    RegistrationChoice,
    SenderType,
    Status,
)
from ..selectors import sender_id_request_open_duplicate
from .support_case import SupportCaseForm

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
    """Destination country, by ISO code. The template renders the (searchable) select itself.

    ``process_of`` gives the process the request would take (the wizard passes one that knows the
    chosen message type), shown in the review.
    """

    country = forms.CharField(
        label=_("Destination country"),
        error_messages={"required": _("Choose a destination country.")},
    )
    # "account-pk:Region", or blank: the routing table decides (India → ap-south-1 where enabled).
    placement = forms.ChoiceField(
        label=_("AWS account and Region"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the AWS accounts and Regions listed.")},
    )

    def __init__(
        self,
        *args: Any,
        country_lookup: Callable[[str], Country | None] | None = None,
        process_of: Callable[[Country], ProcessChoice] | None = None,
        placements: list[Any] | None = None,
        placement_of: Callable[[Country], Any] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self._lookup = country_lookup or (lambda iso: country_get(iso_code=iso))
        self._process_of = process_of or (lambda country: sender_id_process_for(country))
        self.country: Country | None = None
        self._placement_of = placement_of
        # [] (not None): the wizard asked and the team has no AWS account to use at all.
        self._no_placement = placements is not None and not placements
        self.fields["placement"].choices = [
            ("", _("Recommended for the country")),
            *((p.key, p.label) for p in placements or []),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self._no_placement:
            raise forms.ValidationError(
                _("No AWS account is configured for your team. Ask an administrator."), code="no_account"
            )
        return data

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
            (str(_("Destination country")), f"{country.label} ({country.iso_code})"),
            (str(_("Sender ID support")), self._process_of(country).label),
            *(
                [(str(_("AWS account and Region")), placement.label)]
                if self._placement_of and (placement := self._placement_of(country))
                else []
            ),
        ]


def _choice_label(choices: Any, value: str, empty: str) -> str:
    return str(dict(choices).get(value, value)) if value else str(empty)


class UseCaseForm(forms.Form):
    capabilities = forms.MultipleChoiceField(
        label=_("Number capabilities"),
        choices=Capability.choices,
        initial=[Capability.SMS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "What the sender will be used for. A sender ID sends SMS only, so SMS is required; voice "
            "calls need a phone number, which this portal does not request."
        ),
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
        if Capability.SMS not in chosen:
            raise forms.ValidationError(
                _(
                    "A sender ID can only send SMS, so choose SMS. Voice calls need a phone number "
                    "(for example a long code or a toll-free number), not a sender ID."
                ),
                code="voice_only",
            )
        return [value for value in Capability.values if value in chosen]

    def summary_notes(self) -> list[str]:
        """What the review says about these answers beyond the rows."""
        if Capability.VOICE in self.cleaned_data["capabilities"]:
            return [
                str(
                    _(
                        "Voice is not part of a sender ID: this sender ID will send SMS only. For voice "
                        "calls you need a phone number, which this portal does not request."
                    )
                )
            ]
        return []

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
        # The base rule in words comes from the rule engine (see __init__).
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
        self.fields["sender_id"].help_text = gettext(
            "%(base_rule)s. The destination country may add its own rules, shown below."
        ) % {"base_rule": base_rule_text()}
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
        team = team_for_user(self.owner) if self.owner is not None and self.owner.pk is not None else None
        if team is not None:
            existing = sender_id_request_open_duplicate(
                team_id=team.pk,
                country_iso=self.country.iso_code,
                sender_id=value,
                case_sensitive=bool(self.rules.get("case_sensitive")),
            )
            if existing is not None:
                raise forms.ValidationError(
                    _(
                        "Your team already requested %(sender_id)s in %(country)s (request #%(pk)s, "
                        "%(status)s). Choose another sender ID, or release the existing one first."
                    ),
                    code="duplicate",
                    params={
                        "sender_id": existing.sender_id,
                        "country": self.country.label,
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
                params={"country": self.country.label},
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


FORM_LIST = (
    (STEP_COUNTRY, CountryForm),
    (STEP_USE_CASE, UseCaseForm),
    (STEP_SENDER, SenderForm),
    (STEP_REVIEW, ReviewForm),
    (STEP_REGISTRATION, RegistrationForm),
    (STEP_SUPPORT_CASE, SupportCaseForm),
)
