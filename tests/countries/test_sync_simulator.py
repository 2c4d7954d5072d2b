"""load_countries --sync against the SMS simulator: the real gateway and boto3 over HTTP."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from countries.models import Country, SenderIdProcess
from smsvoice.gateway import reset_gateway

pytestmark = pytest.mark.django_db


def sync() -> str:
    out = StringIO()
    call_command("load_countries", "--sync", stdout=out)
    return out.getvalue()


def test_sync_switches_india_to_support_case_outside_ap_south(sms_simulator, settings):
    settings.AWS_REGION = "us-east-1"
    reset_gateway()
    out = sync()
    india = Country.objects.get(iso_code="IN")
    assert (india.sender_id_process, india.registration_type) == (SenderIdProcess.SUPPORT_CASE, "")
    assert "[no sender-ID registration type for IN in Default us-east-1]" in out
    assert "updated 1," in out  # only India: the simulator offers the other 24 form countries' types
    assert any(call["operation"] == "DescribeRegistrationTypeDefinitions" for call in sms_simulator.calls())


def test_sync_keeps_india_on_registration_in_mumbai(sms_simulator, settings):
    settings.AWS_REGION = "ap-south-1"
    reset_gateway()
    out = sync()
    india = Country.objects.get(iso_code="IN")
    assert (india.sender_id_process, india.registration_type) == ("registration", "IN_SENDER_ID_REGISTRATION")
    assert "Countries: created 0, updated 0, unchanged 215." in out


def test_sync_twice_changes_nothing_the_second_time(sms_simulator):
    sync()
    assert "updated 0, unchanged 215" in sync()


def test_sync_without_a_reachable_aws_fails_cleanly_and_writes_nothing():
    # The suite points AWS at a closed port unless a test starts the simulator.
    with pytest.raises(CommandError, match="Could not read registration types from AWS"):
        sync()
    assert Country.objects.get(iso_code="IN").sender_id_process == SenderIdProcess.REGISTRATION
