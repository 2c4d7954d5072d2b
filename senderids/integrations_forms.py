"""Forms of the notification settings page and the team's webhooks page (senderids.integrations_views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import EmailPreference
from .webhooks import MAX_URL_CHARS, UnsafeWebhookUrl, webhook_url_check


class NotificationPreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label=_("Email me about my team's requests"),
        choices=EmailPreference.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Language of my emails"), choices=settings.LANGUAGES)


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Endpoint URL"),
        required=False,  # an empty URL gets webhook_url_check's message
        help_text=_("HTTPS only, on a public address. Every status change is POSTed there, signed."),
        strip=True,
        widget=forms.URLInput(
            attrs={"maxlength": MAX_URL_CHARS, "placeholder": "https://hooks.example.com/sender-ids"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.oversized = False
        if self.is_bound:
            key = self.add_prefix("url")
            raw = self.data.get(key, "")
            if isinstance(raw, str) and len(raw) > MAX_URL_CHARS:
                # Refused outright and not echoed back into the page.
                self.oversized = True
                self.data = self.data.copy()
                self.data[key] = ""

    def clean_url(self) -> str:
        if self.oversized:
            raise forms.ValidationError(
                _("The URL is longer than %(max)d characters.") % {"max": MAX_URL_CHARS}, code="too_long"
            )
        try:
            return webhook_url_check(self.cleaned_data.get("url", ""))
        except UnsafeWebhookUrl as exc:
            raise forms.ValidationError(str(exc), code="unsafe") from exc
