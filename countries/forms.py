"""Forms of the country catalogue: the public page's search/filter, the admin's country form."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Country, SenderIdProcess
from .rules import RULES_HELP
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


class PrettyJSONField(forms.JSONField):
    """Rules shown one key per line in the admin, so a change is easy to read and to make."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)

    def to_python(self, value):
        value = super().to_python(value)
        return {} if value is None else value  # an emptied box means "no country rules"


class CountryAdminForm(forms.ModelForm):
    sender_id_rules = PrettyJSONField(
        label=Country._meta.get_field("sender_id_rules").verbose_name,
        required=False,
        help_text=RULES_HELP,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80, "class": "vLargeTextField"}),
    )

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
        }
