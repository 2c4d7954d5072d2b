"""Fixtures for the support-case suite: a Vietnam request with the wizard's support-case details."""

from __future__ import annotations

import pytest

from tests.process_factories import SupportCaseRequestFactory

# What the wizard's support-case step stores (senderids.wizard.support_case.SupportCaseForm).
DETAILS = {
    "site_url": "https://example.com/app",
    "message_type": "transactional",
    "source_region": "eu-west-1",
    "destination_countries": "Vietnam",
    "opt_in_process": "Customers tick a box when they sign up.",
    "message_template": "Your code is {code}.",
    "region": "ap-southeast-1",
    "resource_type": "Sender ID Registration",
    "quota_type": "General Limits",
    "new_quota_value": 1,
    "use_case_description": "One-time passwords for logging in.",
    "messages_per_recipient": 4,
    "company_name": "ACME SARL",
    "company_address": "1 rue de la Paix, Paris",
    "company_country": "France",
    "company_phone": "+33123456789",
    "company_website": "https://acme.example",
    "contact_language": "ja",
}


@pytest.fixture
def vn_request(countries, owner):
    """The owner's request for ACMEVN in Vietnam (support case), pending review."""
    return SupportCaseRequestFactory(
        owner=owner, country=countries["VN"], sender_id="ACMEVN", support_case_details=DETAILS
    )
