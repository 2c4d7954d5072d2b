"""`manage.py check_aws` against moto (STS, Support) and the SMS simulator: it prints what it found, and
stores the Support confirmation that SUPPORT_CASE_MODE=api needs (supportcases, through `aws_checked`).

moto 5.2.5 answers STS GetCallerIdentity but not Support DescribeServices / DescribeSeverityLevels (HTTP
500, "not implemented"): against plain moto nothing is confirmed. tests/supportcases/moto_ext.py adds
them, with the codes the public traces give, for the confirmed case.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smsvoice.gateway import reset_gateway
from smsvoice.management.commands.check_aws import Command
from supportcases.checks import support_case_mode_check
from supportcases.models import SupportApiCheck
from tests.aws_fixtures import CLOSED_ENDPOINT
from tests.supportcases import moto_ext

pytestmark = pytest.mark.django_db

STS_ENDPOINT_VAR = "AWS_ENDPOINT_URL_STS"


@pytest.fixture(autouse=True)
def no_real_sts(monkeypatch):
    """tests/aws_fixtures.py closes the SMS and Support endpoints; STS too, here (no call may reach AWS)."""
    monkeypatch.setenv(STS_ENDPOINT_VAR, CLOSED_ENDPOINT)
    reset_gateway()


@pytest.fixture
def aws(moto_support, sms_simulator, monkeypatch):
    """STS and Support on moto, the SMS API on the simulator."""
    monkeypatch.setenv(STS_ENDPOINT_VAR, moto_support.url)
    reset_gateway()
    yield moto_support
    reset_gateway()


@pytest.fixture
def api_codes(settings):
    settings.SUPPORT_CASE_SERVICE_CODE = moto_ext.SERVICE_CODE
    settings.SUPPORT_CASE_CATEGORY_CODE = moto_ext.CATEGORY_CODE
    settings.SUPPORT_CASE_SEVERITY_CODE = "low"


def run(capsys, *args: str) -> str:
    call_command("check_aws", *args)
    return capsys.readouterr().out


def test_against_moto_it_prints_identity_region_types_limits_and_that_support_did_not_answer(aws, capsys):
    out = run(capsys)
    assert (
        "identity (STS GetCallerIdentity): account 123456789012, arn:aws:sts::123456789012:user/moto" in out
    )
    assert "Region: us-east-1" in out
    assert (
        "registration types (DescribeRegistrationTypeDefinitions):" in out
        and "_SENDER_ID_REGISTRATION" in out
    )
    assert "account limits (DescribeAccountLimits):" in out and "SENDER_IDS 0/" in out
    assert "Support API (DescribeServices): no answer (500: 500 Internal Server Error" in out
    assert "nothing confirmed" in out
    assert "supportcases: Support API check not stored (no definitive answer)" in out
    assert not SupportApiCheck.objects.exists()


def test_with_the_codes_in_describe_services_it_confirms_and_api_mode_may_start(
    aws, capsys, settings, api_codes, monkeypatch
):
    moto_ext.install(monkeypatch)
    out = run(capsys)
    assert "Support API (DescribeServices): available, 3 services" in out
    assert "service code service-limit-increase: found (Service Limit Increase)" in out
    assert "category code service-code-pinpoint-sms: found (Pinpoint SMS)" in out
    assert "severity code low: found (the plan offers: low, normal, high, urgent)" in out
    assert "codes for CreateCase: CONFIRMED" in out
    assert "supportcases: confirmation stored for account 123456789012" in out
    check = SupportApiCheck.objects.get()
    assert (check.account_id, check.available, check.confirmed) == ("123456789012", True, True)
    assert (check.service_name, check.category_name) == ("Service Limit Increase", "Pinpoint SMS")
    assert check.severity_levels == ["low", "normal", "high", "urgent"]

    settings.SUPPORT_CASE_MODE = "api"
    assert support_case_mode_check() == []


def test_the_portals_old_default_codes_are_not_found_and_it_shows_the_candidates(
    aws, capsys, monkeypatch, api_codes
):
    moto_ext.install(monkeypatch)
    run(capsys)  # the configured codes: confirmed
    out = run(capsys, "--service-code", "amazon-pinpoint", "--category-code", "sender-id-registration")
    assert "service code amazon-pinpoint: found (Pinpoint)" in out
    assert (
        "category code sender-id-registration: NOT FOUND under it (its categories: general-guidance)" in out
    )
    assert (
        "candidate: service service-limit-increase (Service Limit Increase): service-code-pinpoint-sms" in out
    )
    assert "codes for CreateCase: NOT confirmed" in out
    check = SupportApiCheck.objects.get(category_code="sender-id-registration")
    assert (check.available, check.confirmed) == (True, False)
    # Trying other codes leaves the confirmation of the configured ones as it was.
    assert SupportApiCheck.objects.get(category_code=moto_ext.CATEGORY_CODE).confirmed is True


def test_in_api_mode_unconfirmed_codes_fail_the_command_after_printing_the_report(aws, capsys, settings):
    settings.SUPPORT_CASE_MODE = "api"
    assert Command.requires_system_checks == []  # it runs while api mode's system check still fails
    with pytest.raises(CommandError, match="not confirmed"):
        call_command("check_aws")
    assert "identity (STS GetCallerIdentity): account 123456789012" in capsys.readouterr().out


def test_a_plan_without_the_support_api_is_recorded_as_such(aws, capsys, stubbed_gateway):
    _gateway, _sms, support = stubbed_gateway
    support.add_client_error(
        "describe_services",
        service_error_code="SubscriptionRequiredException",
        service_message="AWS Premium Support Subscription is required to use this service.",
        http_status_code=400,
    )
    with pytest.raises(CommandError):  # the stubbed SMS client answers nothing
        call_command("check_aws")
    out = capsys.readouterr().out
    assert "Support API (DescribeServices): not in this account's plan (SubscriptionRequiredException" in out
    assert "supportcases: stored for account 123456789012: no Support API in this plan" in out
    check = SupportApiCheck.objects.get()
    assert (check.available, check.confirmed, check.error_code) == (
        False,
        False,
        "SubscriptionRequiredException",
    )


def test_an_unreachable_account_fails_the_command(capsys):
    with pytest.raises(CommandError, match="did not answer"):
        call_command("check_aws")
    out = capsys.readouterr().out
    assert "identity (STS GetCallerIdentity): FAILED" in out and "127.0.0.1:9" in out
