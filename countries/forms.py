"""Forms of the country catalogue: the public page's search/filter, the admin's country form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Country, SenderIdProcess
from .selectors import SEARCH_MAX_LENGTH


class CountryFilterForm(forms.Form):
    """GET ?q=&process= on /countries/. Every field optional; a bad field is reported, not fatal."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Country, ISO code or dialing code"),
                "autocomplete": "off",
            }
        ),
        error_messages={
            "max_length": _("Search text is too long (at most %(limit_value)d characters); it was ignored."),
            "null_characters_not_allowed": _("Search text contains characters that can't be searched for."),
        },
    )
    process = forms.ChoiceField(
        label=_("Sender ID process"),
        required=False,
        choices=[("", _("All processes")), *SenderIdProcess.choices],
        error_messages={"invalid_choice": _("Unknown sender ID process; showing every process.")},
    )

    def filters(self) -> dict[str, str]:
        """The valid part of the input (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        return {"query": data.get("q") or "", "process": data.get("process") or ""}


class CountryAdminForm(forms.ModelForm):
    class Meta:
        model = Country
        fields = (
            "iso_code",
            "name",
            "dialing_code",
            "two_way",
            "sender_id_process",
            "process_overridden",
            "registration_type",
            "registration_form_in_console",
            "est_registration_time",
            "sender_id_rules",
            "notes",
        )
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "sender_id_rules": forms.Textarea(attrs={"rows": 6, "cols": 80, "class": "vLargeTextField"}),
        }
