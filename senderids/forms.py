"""Forms of the pages outside the wizard: release confirmation, tracking filters, staff notes.

The wizard's step forms are in senderids/wizard/steps.py, the support-case schema in
senderids/wizard/support_case.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

import caching
from countries.models import Country
from smsvoice.models import AwsAccount

from . import registry
from .choices import Status
from .selectors import TRACKING_DEFAULT_SORT, tracking_sort
from .services.notes import STAFF_NOTE_MAX_CHARS
from .services.release import RELEASE_CONFIRMATION_WORD, release_confirmation_matches
from .widgets import (
    QuickCheckbox,
    QuickDateInput,
    QuickHiddenInput,
    QuickNumberInput,
    QuickSelect,
    QuickTextInput,
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
        self.repeated = False
        if self.is_bound:
            key = self.add_prefix("confirmation")
            # `confirmation=x&confirmation=release`: a form posts one answer; which one was meant is unknown.
            self.repeated = hasattr(self.data, "getlist") and len(self.data.getlist(key)) > 1
            raw = self.data.get(key, "")
            if isinstance(raw, str) and len(raw) > RELEASE_CONFIRMATION_MAX_CHARS:
                self.oversized = True
                self.data = self.data.copy()
                self.data[key] = ""

    def clean_confirmation(self) -> str:
        if self.repeated:
            raise forms.ValidationError(
                _("The confirmation was sent more than once. Type the word “release” once."), code="repeated"
            )
        if self.oversized:
            raise forms.ValidationError(
                _("That is far too long. Type just the word “release”."), code="too_long"
            )
        if not release_confirmation_matches(self.cleaned_data.get("confirmation")):
            raise forms.ValidationError(
                _("Type the word “release” exactly (lower case) to confirm."), code="mismatch"
            )
        return RELEASE_CONFIRMATION_WORD


# --- Tracking (views.tracking) ------------------------------------------------------------------
TRACKING_SEARCH_MAX_CHARS = 100
MAX_AGE_DAYS = 3650


def placement_choices() -> list[tuple[str, str]]:
    """An account (every Region) or one of its Regions: "<account pk>" / "<account pk>:<Region>"."""
    choices = []
    for account in AwsAccount.objects.order_by("name", "pk"):
        choices.append((str(account.pk), str(account)))
        choices += [(f"{account.pk}:{region}", f"{account} · {region}") for region in account.enabled_regions]
    return choices


class TrackingFilterForm(forms.Form):
    """The tracking page's filters, search and sort. An invalid field is reported and left out; the
    others still apply (`filters()`). Its options (countries, accounts, AWS statuses: three queries)
    come from the read cache while those tables are unchanged."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=TRACKING_SEARCH_MAX_CHARS,
        strip=True,
        help_text=_(
            "Sender ID, owner, team, country, AWS registration ID, support case ID or sender ID ARN."
        ),
        widget=QuickTextInput(attrs={"type": "search", "maxlength": TRACKING_SEARCH_MAX_CHARS}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Status.choices],
        widget=QuickSelect,
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        required=False,
        queryset=Country.objects.order_by("name"),
        empty_label=_("Any country"),
        widget=QuickSelect,
    )
    placement = forms.ChoiceField(label=_("AWS account / Region"), required=False, widget=QuickSelect)
    aws_status = forms.ChoiceField(label=_("Registration status at AWS"), required=False, widget=QuickSelect)
    created_within = forms.IntegerField(
        label=_("Created within (days)"),
        required=False,
        min_value=1,
        max_value=MAX_AGE_DAYS,
        widget=QuickNumberInput,
    )
    older_than = forms.IntegerField(
        label=_("Older than (days)"),
        required=False,
        min_value=1,
        max_value=MAX_AGE_DAYS,
        widget=QuickNumberInput,
    )
    date_from = forms.DateField(
        label=_("Created from"), required=False, widget=QuickDateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Created to"), required=False, widget=QuickDateInput(attrs={"type": "date"})
    )
    attention = forms.BooleanField(
        label=_("Needs attention only"),
        required=False,
        help_text=_("Past AWS's estimate, no AWS progress for days, or CREATED a day after submission."),
        widget=QuickCheckbox,
    )
    # Set by the column headers; the filter form carries it so filtering keeps the order.
    sort = forms.CharField(required=False, widget=QuickHiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = caching.cached(
            f"tracking:filter-choices:{translation.get_language()}",
            self._choices,
            depends=("countries", "smsvoice", "registrations", "supportcases"),
        )
        country = self.fields["country"]
        # The options as ModelChoiceField would list them (its queryset still validates the value).
        country.widget.choices = [("", country.empty_label), *choices["countries"]]
        self.fields["placement"].choices = [("", _("Any account or Region")), *choices["placements"]]
        self.fields["aws_status"].choices = [("", _("Any registration status")), *choices["aws_statuses"]]

    def _choices(self) -> dict[str, list]:
        """The options that come from the database, as plain values (the read cache keeps them)."""
        country = self.fields["country"]
        return {
            "countries": [(c.pk, country.label_from_instance(c)) for c in country.queryset],
            "placements": placement_choices(),
            # The group labels in the reader's language (the key names it).
            "aws_statuses": [
                (str(label), values) for label, values in registry.tracking_aws_status_choices()
            ],
        }

    def clean_q(self) -> str:
        # One space between words: "  olivia   owen " searches for "olivia owen".
        return " ".join(self.cleaned_data.get("q", "").split())

    def clean_placement(self) -> tuple[int, str] | None:
        value = self.cleaned_data.get("placement")
        if not value:
            return None
        account, _sep, region = value.partition(":")
        return int(account), region

    def clean_sort(self) -> str:
        return tracking_sort(self.cleaned_data.get("sort"))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            # On the field: the dates are then left out and the other filters still apply.
            self.add_error("date_to", _("“Created from” must not be after “Created to”."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filters (keyword arguments of selectors.sender_id_requests_tracked)."""
        if not self.is_bound:
            return {"sort": TRACKING_DEFAULT_SORT}
        self.is_valid()
        found = {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}
        found.setdefault("sort", TRACKING_DEFAULT_SORT)
        return found


# --- Staff notes (views.staff_note_add) ------------------------------------------------------------
class StaffNoteForm(forms.Form):
    body = forms.CharField(
        label=_("New note"),
        max_length=STAFF_NOTE_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STAFF_NOTE_MAX_CHARS}),
    )
