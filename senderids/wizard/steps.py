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
from ..selectors import duplicate_key, sender_id_request_open_duplicates
from ..widgets import QuickCheckboxSelectMultiple, QuickRadioSelect, QuickSelect, QuickTextInput
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


# A wizard run takes up to this many countries at once (the review and the approver's page are sized
# for it; a CSV import takes more).
WIZARD_MAX_COUNTRIES = 50


class CountryCodesField(forms.Field):
    """One or several ISO codes posted under the same name (the select plus the chosen-country chips).

    Upper-cased, blanks dropped, each kept once in the order given; the form resolves them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        return list(dict.fromkeys(str(v).strip().upper() for v in values if str(v).strip()))


class CountryForm(forms.Form):
    """Destination countries, by ISO code. The template renders the (searchable) select and the chips.

    One country is the console's run; several make a batch (one request per country, the use case and
    sender ID asked once). ``process_of`` gives the process each request would take (the wizard passes
    one that knows the chosen message type), shown in the review.
    """

    country = CountryCodesField(
        label=_("Destination countries"),
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
        countries_lookup: Callable[[list[str]], dict[str, Country]] | None = None,
        process_of: Callable[[Country], ProcessChoice] | None = None,
        placements: list[Any] | None = None,
        placement_of: Callable[[Country], Any] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        lookup = country_lookup or (lambda iso: country_get(iso_code=iso))
        self._lookup_many = countries_lookup or (
            lambda isos: {iso: c for iso in isos if (c := lookup(iso)) is not None}
        )
        self._process_of = process_of or (lambda country: sender_id_process_for(country))
        self.country: Country | None = None  # the one country of a single-country run
        self.countries: list[Country] = []
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

    def clean_country(self) -> list[str]:
        isos = self.cleaned_data["country"]
        if len(isos) > WIZARD_MAX_COUNTRIES:
            raise forms.ValidationError(
                _(
                    "Choose at most %(max)d countries in one request (you chose %(n)d). For more, "
                    "import a CSV file."
                ),
                code="too_many",
                params={"max": WIZARD_MAX_COUNTRIES, "n": len(isos)},
            )
        well_formed = [iso for iso in isos if ISO_CODE_RE.fullmatch(iso)]
        found = self._lookup_many(well_formed) if well_formed else {}
        unknown = [iso for iso in isos if iso not in found]
        if unknown:
            raise forms.ValidationError(
                _("Choose countries from the list (not in it: %(codes)s).")
                if len(isos) > 1
                else _("Choose a country from the list."),
                code="invalid_choice",
                params={"codes": ", ".join(code[:10] for code in unknown[:5])},
            )
        countries = [found[iso] for iso in isos]
        # An unsupported country stops here, with the reason, before any other question is asked.
        refused = [c for c in countries if not c.supports_sender_id]
        if refused:
            raise forms.ValidationError(
                [
                    forms.ValidationError(
                        _(
                            "Sender IDs are not supported in %(country)s: messages there arrive from a "
                            "phone number instead. %(next)s"
                        ),
                        code="not_supported",
                        params={
                            "country": c.label,
                            "next": _("Remove it to continue with the other countries.")
                            if len(countries) > 1
                            else _("Choose another country."),
                        },
                    )
                    for c in refused
                ]
            )
        self.countries = countries
        self.country = countries[0] if len(countries) == 1 else None
        return isos

    def summary(self) -> list[tuple[str, str]]:
        if self.country is None:
            return [
                (
                    str(_("Destination countries")),
                    ", ".join(f"{c.label} ({c.iso_code})" for c in self.countries),
                ),
            ]
        country = self.country
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
        widget=QuickCheckboxSelectMultiple,
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
        widget=QuickSelect,
    )
    company_hq = forms.ChoiceField(
        label=_("Company headquarters"),
        required=False,
        choices=[("", _("Not specified")), *CompanyHeadquarters.choices],
        widget=QuickRadioSelect,
        help_text=_(
            "Optional. Local: your company is registered in the destination country. International: "
            "it is registered elsewhere. Some countries register and price local and international "
            "senders differently."
        ),
    )
    message_type = forms.ChoiceField(
        label=_("Message type"),
        choices=MessageType.choices,
        widget=QuickRadioSelect,
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


VARIANT_PREFIX = "variant_"


def team_open_duplicates(
    owner: AbstractBaseUser | None, countries: list[Country], wanted: dict[str, str]
) -> dict[str, Any]:
    """The owner's team's open requests for these (country → sender ID) pairs, by ISO code: one query."""
    team = team_for_user(owner) if owner is not None and owner.pk is not None else None
    if team is None:
        return {}
    keeps_case = {c.iso_code: c.keeps_case for c in countries}
    found = sender_id_request_open_duplicates(
        team_id=team.pk,
        wanted=[(iso, sender_id, keeps_case[iso]) for iso, sender_id in wanted.items()],
    )
    keys = {iso: duplicate_key(iso, sender_id, keeps_case[iso]) for iso, sender_id in wanted.items()}
    return {iso: found[key] for iso, key in keys.items() if key in found}


DuplicatesLookup = Callable[[AbstractBaseUser | None, list[Country], dict[str, str]], dict[str, Any]]


class SenderForm(forms.Form):
    """The sender type and sender ID, checked against every chosen country's rules.

    With several countries, each country gets an optional variant field: where a country's rules
    refuse the common sender ID (India: 3–6 letters), or the country keeps case (Austria), the user
    types the one to register there. ``per_country`` (after validation) maps ISO code → sender ID.
    """

    sender_type = forms.ChoiceField(
        label=_("Sender type"),
        choices=SenderType.choices,
        initial=SenderType.SENDER_ID,
        widget=QuickRadioSelect,
        error_messages={"invalid_choice": _("Only sender IDs can be requested here.")},
    )
    sender_id = forms.CharField(
        label=_("Sender ID"),
        # The base rule in words comes from the rule engine (see __init__).
        # The rule engine says what is wrong (and how long the value is): no max_length here.
        error_messages={"required": _("Enter a sender ID.")},
        widget=QuickTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(
        self,
        *args: Any,
        country: Country | None = None,
        countries: list[Country] | None = None,
        owner: AbstractBaseUser | None = None,
        duplicates_of: DuplicatesLookup | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.countries = countries if countries else [country] if country is not None else []
        self.country = self.countries[0] if len(self.countries) == 1 else None
        self.owner = owner
        # The wizard passes its per-request lookup: it validates this step several times per POST.
        self.duplicates_of = duplicates_of or team_open_duplicates
        self.per_country: dict[str, str] = {}
        self.fields["sender_id"].help_text = gettext(
            "%(base_rule)s. The destination country may add its own rules, shown below."
        ) % {"base_rule": base_rule_text()}
        if self.is_batch:
            for c in self.countries:
                self.fields[VARIANT_PREFIX + c.iso_code] = forms.CharField(
                    label=gettext("Sender ID in %(country)s") % {"country": c.label},
                    required=False,
                    # A variant follows the same base rule: 11 characters at most, checked below.
                    max_length=50,
                    widget=QuickTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                )
        if not self.sender_id_possible:
            self.fields["sender_id"].required = False

    @property
    def is_batch(self) -> bool:
        return len(self.countries) > 1

    def variant_field(self, country: Country):
        return self[VARIANT_PREFIX + country.iso_code]

    @property
    def sender_id_possible(self) -> bool:
        return bool(self.countries) and all(c.supports_sender_id for c in self.countries)

    @property
    def rules(self) -> dict[str, Any]:
        return (self.country.sender_id_rules if self.country else None) or {}

    def clean_sender_id(self) -> str:
        value = self.cleaned_data["sender_id"]  # already stripped of surrounding whitespace
        if not self.sender_id_possible:
            return ""
        if self.is_batch:
            # Each country's rules are applied to its own sender ID in clean(); the common one only
            # needs the base rule.
            errors = sender_id_errors(value, {})
            if errors:
                raise forms.ValidationError(errors, code="invalid_sender_id")
            return value
        errors = sender_id_errors(value, self.rules)
        if errors:
            raise forms.ValidationError(errors, code="invalid_sender_id")
        value = normalise_sender_id(value, self.rules)
        duplicate = self._duplicates({self.country.iso_code: value}).get(self.country.iso_code)
        if duplicate is not None:
            raise self._duplicate_error(duplicate, self.country)
        return value

    def _duplicates(self, wanted: dict[str, str]) -> dict[str, Any]:
        return self.duplicates_of(self.owner, self.countries, wanted)

    def _duplicate_error(self, existing: Any, country: Country) -> forms.ValidationError:
        return forms.ValidationError(
            _(
                "Your team already requested %(sender_id)s in %(country)s (request #%(pk)s, "
                "%(status)s). Choose another sender ID, or release the existing one first."
            ),
            code="duplicate",
            params={
                "sender_id": existing.sender_id,
                "country": country.label,
                "pk": existing.pk,
                "status": Status(existing.status).label,
            },
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.countries:
            raise forms.ValidationError(_("Choose a destination country first."), code="no_country")
        refused = [c for c in self.countries if not c.supports_sender_id]
        if refused:
            raise forms.ValidationError(
                _("Sender IDs are not supported in %(country)s. Go back and choose another country."),
                code="not_supported",
                params={"country": ", ".join(c.label for c in refused)},
            )
        if self.country is not None:
            if "sender_id" in data:
                self.per_country = {self.country.iso_code: data["sender_id"]}
            return data
        if "sender_id" in data:
            self._clean_variants(data)
        return data

    def _clean_variants(self, data: dict[str, Any]) -> None:
        common = data["sender_id"]
        wanted: dict[str, str] = {}
        for c in self.countries:
            name = VARIANT_PREFIX + c.iso_code
            variant = data.get(name) or ""
            value = variant or common
            rules = c.sender_id_rules or {}
            errors = sender_id_errors(value, rules)
            if errors:
                if not variant:
                    errors = [
                        gettext(
                            "%(country)s does not accept %(sender_id)s: %(errors)s Enter the sender ID "
                            "to use in %(country)s."
                        )
                        % {"country": c.label, "sender_id": common, "errors": " ".join(errors)}
                    ]
                self.add_error(name, forms.ValidationError(errors, code="invalid_sender_id"))
                continue
            wanted[c.iso_code] = normalise_sender_id(value, rules)
        for iso, existing in self._duplicates(wanted).items():
            country = next(c for c in self.countries if c.iso_code == iso)
            self.add_error(VARIANT_PREFIX + iso, self._duplicate_error(existing, country))
            wanted.pop(iso, None)
        if len(wanted) == len(self.countries):
            self.per_country = wanted

    def summary(self) -> list[tuple[str, str]]:
        rows = [(str(_("Sender type")), str(SenderType.SENDER_ID.label))]
        if self.country is not None or not self.per_country:
            return [*rows, (str(_("Sender ID")), self.cleaned_data["sender_id"])]
        common = normalise_sender_id(self.cleaned_data["sender_id"])
        rows.append((str(_("Sender ID")), self.cleaned_data["sender_id"]))
        for c in self.countries:
            if self.per_country[c.iso_code] != common:
                rows.append(
                    (gettext("Sender ID in %(country)s") % {"country": c.label}, self.per_country[c.iso_code])
                )
        return rows


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
        widget=QuickRadioSelect,
        help_text=_(
            "Complete registration: open the country's registration form right after this request. "
            "Register later: the request is saved and the home page reminds you to register."
        ),
        error_messages={"required": _("Choose whether to complete the registration now or later.")},
    )

    def __init__(self, *args: Any, batch: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.batch = batch
        if batch:
            # One registration per country, each named "<sender ID> – <country>" (editable on its page).
            del self.fields["registration_form_name"]
            self.fields["registration_choice"].help_text = _(
                "Complete registration: each country's registration form is waiting for you on the "
                "batch page right after this request, pre-filled from your company profile. Register "
                "later: the requests are saved and the home page reminds you to register."
            )

    def summary(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        if self.batch:
            return [
                (
                    str(_("Registration")),
                    _choice_label(RegistrationChoice.choices, data["registration_choice"], ""),
                )
            ]
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
