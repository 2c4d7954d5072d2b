"""The gateway against the simulator over real HTTP: typed results, AWS errors, the call record, and the
test fixtures other suites rely on (no real AWS, moto's Support API)."""

from __future__ import annotations

import os

import pytest

from smsvoice.gateway import PermanentAwsError, get_gateway
from smsvoice.models import AwsCall
from tests.aws_fixtures import CLOSED_ENDPOINT
from tests.smsvoice.conftest import fill_registration


def test_no_test_can_reach_real_aws():
    assert os.environ["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] == CLOSED_ENDPOINT
    assert os.environ["AWS_ENDPOINT_URL_SUPPORT"] == CLOSED_ENDPOINT
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"


def test_the_simulator_fixture_points_child_processes_at_it(sms_simulator):
    assert os.environ["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] == sms_simulator.url
    assert get_gateway().sms.meta.endpoint_url == sms_simulator.url


def test_a_registration_goes_from_draft_to_a_registered_sender_id(sms_simulator, sms):
    gateway = get_gateway()
    registration = gateway.create_registration(
        registration_type="GB_SENDER_ID_REGISTRATION", client_token="r-1"
    )
    assert registration.status == "CREATED"
    fill_registration(sms, registration.registration_id, "GB_SENDER_ID_REGISTRATION", "DENYCO")

    submitted = gateway.submit_registration_version(registration_id=registration.registration_id)
    assert submitted.status == "DENIED"
    (denied,) = gateway.describe_registration_versions(registration_id=registration.registration_id)
    assert denied.denied_reasons[0]["reason"] == "SENDER_ID_NOT_PERMITTED"
    feedback = {
        v.field_path: v.feedback
        for v in gateway.describe_registration_field_values(registration_id=registration.registration_id)
    }
    assert feedback["senderIdInfo.senderId"]

    draft = gateway.create_registration_version(registration_id=registration.registration_id)
    gateway.put_registration_field_value(
        registration_id=registration.registration_id, field_path="senderIdInfo.senderId", text_value="GOODCO"
    )
    assert draft.version_number == 2
    gateway.submit_registration_version(registration_id=registration.registration_id)

    (done,) = gateway.describe_registrations(registration_ids=[registration.registration_id])
    assert (done.status, done.approved_version_number, done.latest_denied_version_number) == (
        "COMPLETE",
        2,
        1,
    )
    sender = gateway.get_sender_id(sender_id="GOODCO", iso_country_code="GB")
    assert sender is not None
    assert (sender.registered, sender.registration_id) == (True, registration.registration_id)


def test_field_definitions_arrive_typed(sms_simulator):
    # Indonesia's conditional documents, with the simulator's modelled ConditionalBehavior.
    sms_simulator.configure(conditional_rules=True)
    fields = {
        f.field_path: f
        for f in get_gateway().describe_registration_field_definitions(
            registration_type="ID_SENDER_ID_REGISTRATION"
        )
    }
    assert fields["companyInfo.areaOfBusiness"].select_options.options[0] == "Agriculture"
    sender_id = fields["senderIdInfo.senderId"].text_validation
    assert (sender_id.min_length, sender_id.max_length, sender_id.pattern) == (3, 11, r"^(?=\s*\S)[\s\S]+$")
    letter = fields["idSidSpecificInfo.letterOfAuthorization1"]
    assert (letter.field_type, letter.field_requirement) == ("ATTACHMENT", "CONDITIONAL")
    assert letter.conditional_behavior == {
        "rules": [
            {
                "conditions": [
                    {
                        "depends_on_field_path": "companyAddress.isoCountryCode",
                        "operator": "EQUALS",
                        "values": ["ID"],
                    }
                ],
                "rule_behavior": "REQUIRED",
            }
        ],
        "default_behavior": "DISALLOWED",
    }
    assert fields["idSidSpecificInfo.letterOfAuthorization3"].conditional_behavior is None  # REQUIRED


def test_aws_conflict_reaches_the_portal_with_its_reason(sms_simulator):
    with pytest.raises(PermanentAwsError) as caught:
        get_gateway().request_sender_id(
            sender_id="TAKENBY", iso_country_code="DE", message_types=["TRANSACTIONAL"], client_token="t"
        )
    assert (caught.value.code, caught.value.reason) == ("ConflictException", "RESOURCE_ALREADY_EXISTS")
    assert "TAKENBY" in caught.value.message


def test_a_registration_country_refuses_request_sender_id_with_its_reason(sms_simulator):
    with pytest.raises(PermanentAwsError) as caught:
        get_gateway().request_sender_id(
            sender_id="ACME", iso_country_code="IN", message_types=["TRANSACTIONAL"], client_token="t"
        )
    assert caught.value.reason == "SENDER_ID_REQUIRES_REGISTRATION"


@pytest.mark.django_db
def test_calls_through_the_simulator_are_recorded(sms_simulator):
    gateway = get_gateway()
    gateway.request_sender_id(
        sender_id="ACME", iso_country_code="DE", message_types=["PROMOTIONAL"], client_token="t"
    )
    with pytest.raises(PermanentAwsError):
        gateway.release_sender_id(sender_id="NOPE", iso_country_code="DE")
    calls = list(AwsCall.objects.order_by("id").values_list("operation", "ok", "error_code", "resource_id"))
    assert calls == [
        ("RequestSenderId", True, "", "ACME"),
        ("ReleaseSenderId", False, "ResourceNotFoundException", "NOPE"),
    ]


def test_support_cases_round_trip_through_moto(moto_support):
    gateway = get_gateway()
    case_id = gateway.create_case(
        subject="Sender ID registration: ACME in VN",
        communication_body="Please register ACME for Vietnam.",
        service_code="pinpoint",
        category_code="sender-id-registration",
    )
    (case,) = gateway.describe_cases(case_ids=[case_id])
    assert (case.case_id, case.status, case.subject) == (
        case_id,
        "opened",
        "Sender ID registration: ACME in VN",
    )
    (again,) = gateway.describe_cases(case_ids=[case_id])
    assert again.status == "opened"  # frozen: moto would otherwise move it on every describe

    moto_support.resolve_case(case_id)
    (resolved,) = gateway.describe_cases(case_ids=[case_id])
    assert resolved.is_resolved
    assert gateway.describe_cases(case_ids=[case_id], include_resolved=False) == []


def test_moto_support_starts_empty_for_each_test(moto_support):
    assert moto_support.client().describe_cases(includeResolvedCases=True)["cases"] == []
