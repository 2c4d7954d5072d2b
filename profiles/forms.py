"""The profile page's forms: the company profile (team admins) and a document for the vault.

They check the input's shape for a message next to the field; the services check it again (and the
team admin role). Lengths are the model's, which are AWS's ranges.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from countries.models import Country

from .models import PROFILE_FIELDS, CompanyProfile, DocumentKind
from .uploads import MAX_ATTACHMENT_BYTES, validate_attachment

_TEXTAREAS = {
    "use_case_description",
    "opt_in_description",
    "message_sample1",
    "message_sample2",
    "message_sample3",
}
_HELP = {
    "legal_name": _("As registered; registration forms ask it as the company name."),
    "company_id": _("The company's registration number (the registration forms' company ID)."),
    "website": _("e.g. https://www.example.com"),
    "iso_country_code": _("Two capital letters, e.g. GB or IN."),
    "contact_phone": _("In E.164 format, e.g. +447700900123."),
    "message_sample1": _("A message exactly as recipients see it."),
}


class CompanyProfileForm(forms.ModelForm):
    class Meta:
        model = CompanyProfile
        fields = list(PROFILE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            if name in _HELP:
                field.help_text = _HELP[name]
            max_length = getattr(field, "max_length", None)
            if name in _TEXTAREAS:
                field.widget = forms.Textarea(attrs={"rows": 3, "maxlength": max_length})

    def clean_iso_country_code(self) -> str:
        return (self.cleaned_data.get("iso_country_code") or "").strip().upper()


def _country_choices() -> list[tuple[str, str]]:
    return [("", _("Any country"))] + [
        (c.iso_code, f"{c.label} ({c.iso_code})") for c in Country.objects.order_by("name")
    ]


class DocumentForm(forms.Form):
    upload = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
        validators=[validate_attachment],
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        required=False,
        help_text=_(
            "How the document is named on the page and in the registration forms; default: the file name."
        ),
    )
    country = forms.ChoiceField(
        label=_("For the country"),
        required=False,
        help_text=_("A document issued for one country only (e.g. a letter of authorization for Indonesia)."),
    )
    issued_on = forms.DateField(
        label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty if it does not expire. Expired documents cannot be used in a registration."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()
        self.fields["upload"].help_text = _("PDF, PNG or JPEG, at most %(max)s.") % {
            "max": filesizeformat(MAX_ATTACHMENT_BYTES)
        }
