"""Fixtures for the support-case suite: a Vietnam request with the wizard's support-case details, the
two modes, the people who act on a case, and moto's Support server with what it lacks added."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from supportcases.models import SupportApiCheck
from tests.process_factories import SupportCaseRequestFactory

from . import moto_ext

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


@pytest.fixture
def support_api_extension(monkeypatch) -> moto_ext.SupportExtension:
    """moto's Support server plus DescribeServices, DescribeSeverityLevels, AddAttachmentsToSet and
    AddCommunicationToCase (tests/supportcases/moto_ext.py)."""
    return moto_ext.install(monkeypatch)


def confirm_support_api(*, available: bool = True, confirmed: bool = True) -> SupportApiCheck:
    """What `check_aws` stores once it confirmed the configured codes (test_check_aws runs it for real)."""
    from django.conf import settings

    return SupportApiCheck.objects.update_or_create(
        account_id=moto_ext.ACCOUNT,
        service_code=settings.SUPPORT_CASE_SERVICE_CODE,
        category_code=settings.SUPPORT_CASE_CATEGORY_CODE,
        severity_code=settings.SUPPORT_CASE_SEVERITY_CODE,
        defaults={"checked_at": timezone.now(), "available": available, "confirmed": confirmed},
    )[0]


@pytest.fixture
def api_codes(settings):
    settings.SUPPORT_CASE_SERVICE_CODE = moto_ext.SERVICE_CODE
    settings.SUPPORT_CASE_CATEGORY_CODE = moto_ext.CATEGORY_CODE
    settings.SUPPORT_CASE_SEVERITY_CODE = "low"


@pytest.fixture
def api_mode(settings, api_codes, db):
    """SUPPORT_CASE_MODE=api with the codes check_aws confirmed."""
    settings.SUPPORT_CASE_MODE = "api"
    return confirm_support_api()


@pytest.fixture
def assisted_mode(settings):
    settings.SUPPORT_CASE_MODE = "assisted"


def _grant(user, *codenames: str):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="supportcases", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)  # a fresh instance: permissions are cached per object


@pytest.fixture
def manager(django_user_model):
    """Mia, staff who may record case ids and set case states (not confirm)."""
    user = django_user_model.objects.create_user("mia", "mia@portal.example", "mia-pass-1", is_staff=True)
    return _grant(user, "manage_supportcase", "view_supportcase")


@pytest.fixture
def confirmer(django_user_model):
    """Carl, staff who may confirm resolved cases (not manage them)."""
    user = django_user_model.objects.create_user("carl", "carl@portal.example", "carl-pass-1", is_staff=True)
    return _grant(user, "confirm_supportcase", "view_supportcase", "change_supportcase")
