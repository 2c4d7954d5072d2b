"""Test helpers for the request wizard: catalogue countries with known rules, and a driver that
walks the wizard through Django's test client, posting exactly what a browser would post."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

WIZARD_URL = "/sender-ids/request/"
MANAGEMENT_FIELD = "sender_id_request_wizard-current_step"


def step_url(step: str) -> str:
    return f"{WIZARD_URL}{step}/"


ANSWERS: dict[str, dict[str, Any]] = {
    "country": {"country-country": "DE"},
    "use-case": {
        "use-case-capabilities": ["SMS"],
        "use-case-monthly_volume": "10001-100000",
        "use-case-company_hq": "international",
        "use-case-message_type": "TRANSACTIONAL",
    },
    "sender": {"sender-sender_type": "sender_id", "sender-sender_id": "ACME"},
    "review": {},
    "registration": {
        "registration-registration_form_name": "ACME India",
        "registration-registration_choice": "later",
    },
    "support-case": {
        "support-case-site_url": "https://example.com/app",
        "support-case-message_type": "transactional",
        "support-case-source_region": "eu-west-1",
        "support-case-destination_countries": "Vietnam",
        "support-case-opt_in_process": "Customers tick a box when they sign up.",
        "support-case-message_template": "Your code is {code}.",
        "support-case-region": "ap-southeast-1",
        "support-case-resource_type": "Sender ID Registration",
        "support-case-quota_type": "General Limits",
        "support-case-new_quota_value": "1",
        "support-case-use_case_description": "One-time passwords for logging in.",
        "support-case-messages_per_recipient": "4",
        "support-case-company_name": "ACME SARL",
        "support-case-company_address": "1 rue de la Paix, Paris",
        "support-case-company_country": "France",
        "support-case-company_phone": "+33 1 23 45 67 89",
        "support-case-company_website": "https://acme.example",
        "support-case-contact_language": "en",
    },
}

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    return {name: value for name, value in _HIDDEN.findall(html) if name != "csrfmiddlewaretoken"}


class WizardDriver:
    """Walks the wizard like a browser: GET a step page, post its hidden fields plus answers."""

    def __init__(self, client):
        self.client = client

    def page(self, step: str):
        response = self.client.get(step_url(step))
        assert response.status_code == 200, (step, response.status_code, response.get("Location"))
        return response

    def submit(self, step: str, answers: Mapping[str, Any] | None = None, **extra: Any):
        """Post `answers` (default: ANSWERS[step]) on `step`'s page; extra keys are added/override."""
        fields = hidden_fields(self.page(step).content.decode())
        data = {**fields, **(ANSWERS[step] if answers is None else answers), **extra}
        return self.client.post(step_url(step), data)

    def walk(self, *steps: str, answers: Mapping[str, Mapping[str, Any]] | None = None):
        """Submit each step in turn, expecting each to be accepted (a redirect).

        `answers` overrides some fields of some steps; the rest come from ANSWERS."""
        response = None
        for step in steps:
            response = self.submit(step, {**ANSWERS[step], **(answers or {}).get(step, {})})
            assert response.status_code == 302, (step, _errors(response))
        return response


def _errors(response) -> str:
    html = response.content.decode()
    return " | ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)) or html[:2000]
