"""Forms of the business user's pages outside the wizard: release confirmation, tracking filters.

The wizard's step forms are in senderids/wizard/steps.py, the support-case schema in
senderids/wizard/support_case.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from countries.models import Country

from .choices import Status
from .services.release import RELEASE_CONFIRMATION_WORD, release_confirmation_matches

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
class TrackingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        required=False,
        queryset=Country.objects.order_by("name"),
        empty_label=_("Any country"),
    )
    date_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    attention = forms.BooleanField(
        label=_("Needs attention only"),
        required=False,
        help_text=_("Past AWS's estimate, no AWS progress for days, or CREATED a day after submission."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("“Created from” must not be after “Created to”."))
        return data
