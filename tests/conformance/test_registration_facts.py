"""AWS facts the portal relies on for sender-ID registration: one test per documented fact, its source
in the docstring. Where AWS documents an answer, the test plays that answer to the portal (Stubber or
the simulator switched to it) and asserts what the portal then does; where AWS leaves a behaviour open,
the test runs the portal against each plausible one.

Reference: shared/data/aws-reference/ (README says which facts are verbatim, script or documented label).
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from countries.models import SenderIdProcess, sender_id_process_for
from countries.rules import sender_id_errors
from registrations.forms import MAX_ATTACHMENT_BYTES
from registrations.models import Registration
from registrations.services import aws
from senderids.choices import Status
from smsvoice import gateway as gateway_module
from tests.process_factories import approve_and_claim
from tests.registrations.conftest import INDIA_VALUES, poll, save
from tests.smsvoice.test_gateway_calls import REG_ARN, REG_ID, registration_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


# --- the API's shapes ----------------------------------------------------------------------------
def test_describe_registrations_takes_at_most_five_ids_per_call(stubbed_gateway):
    """RegistrationIds: "Array Members: Maximum number of 5 items."
    https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_DescribeRegistrations.html"""
    gateway, sms, _ = stubbed_gateway
    ids = [f"registration-{n:032x}" for n in range(12)]
    for start in range(0, 12, 5):
        chunk = ids[start : start + 5]
        sms.add_response(
            "describe_registrations",
            {"Registrations": [registration_payload(RegistrationId=i) for i in chunk]},
            {"RegistrationIds": chunk},
        )
    assert len(list(gateway.describe_registrations(registration_ids=ids))) == 12
    assert math.ceil(len(ids) / 5) == 3
    sms.assert_no_pending_responses()


def test_the_friendly_name_of_a_registration_is_its_name_tag(stubbed_gateway):
    """The console's registration "friendly name" is the resource's Name tag (CreateRegistration Tags).
    https://aws.amazon.com/blogs/messaging-and-targeting/automate-sender-id-registration-in-aws-end-user-messaging/"""
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "create_registration",
        {**registration_payload(RegistrationStatus="CREATED"), "Tags": [{"Key": "Name", "Value": "ACME UK"}]},
        {
            "RegistrationType": "GB_SENDER_ID_REGISTRATION",
            "ClientToken": "t",
            "Tags": [{"Key": "Name", "Value": "ACME UK"}],
        },
    )
    info = gateway.create_registration(
        registration_type="GB_SENDER_ID_REGISTRATION", client_token="t", name="ACME UK"
    )
    assert info.tags == {"Name": "ACME UK"}


def test_aws_pre_review_is_asked_for_with_awsreview(stubbed_gateway):
    """SubmitRegistrationVersion AwsReview: "Set to true to request AWS review of the registration"
    (status AWS_REVIEWING). https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_SubmitRegistrationVersion.html"""
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "submit_registration_version",
        {
            "RegistrationArn": REG_ARN,
            "RegistrationId": REG_ID,
            "VersionNumber": 1,
            "RegistrationVersionStatus": "AWS_REVIEWING",
            "RegistrationVersionStatusHistory": {
                "DraftTimestamp": registration_payload()["CreatedTimestamp"]
            },
            "AwsReview": True,
        },
        {"RegistrationId": REG_ID, "AwsReview": True},
    )
    assert (
        gateway.submit_registration_version(registration_id=REG_ID, aws_review=True).status == "AWS_REVIEWING"
    )


# --- values ------------------------------------------------------------------------------------------
def test_attachments_are_at_most_500_kb():
    """CreateRegistrationAttachment: "The maximum file size is 500KB and valid file extensions are PDF,
    JPEG and PNG." https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_CreateRegistrationAttachment.html"""
    from registrations.forms import validate_attachment

    assert MAX_ATTACHMENT_BYTES == 500 * 1024
    pdf = b"%PDF-1.4\n"
    validate_attachment(SimpleUploadedFile("loa.pdf", pdf + b"0" * (MAX_ATTACHMENT_BYTES - len(pdf))))
    with pytest.raises(Exception, match="500"):
        validate_attachment(SimpleUploadedFile("loa.pdf", pdf + b"0" * MAX_ATTACHMENT_BYTES))


# --- the sender ID -----------------------------------------------------------------------------------
def test_a_sender_id_cannot_end_with_a_hyphen():
    """Sender IDs: letters, digits and hyphens, and it cannot end with a hyphen (AWS's RequestSenderId
    SenderId pattern, ^[A-Za-z0-9_-]+$, plus the user guide's syntax rules).
    https://docs.aws.amazon.com/sms-voice/latest/userguide/sender-id.html"""
    assert sender_id_errors("ABC-", {}) != []
    assert sender_id_errors("A-BC", {}) == []


# --- India -------------------------------------------------------------------------------------------
def test_india_registers_sender_ids_only_in_mumbai_and_hyderabad(countries):
    """India's local (DLT) routes exist only through ap-south-1 and ap-south-2; elsewhere the registration
    form is not the way. https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid-india-support.html"""
    india = countries["IN"]
    for region in ("ap-south-1", "ap-south-2"):
        assert sender_id_process_for(india, message_type="TRANSACTIONAL", region=region).process == (
            SenderIdProcess.REGISTRATION
        )
    assert sender_id_process_for(india, message_type="TRANSACTIONAL", region="eu-west-1").process == (
        SenderIdProcess.SUPPORT_CASE
    )


def test_promotional_india_sender_ids_go_through_a_support_case(countries):
    """ "Promotional sender IDs ... are registered through an AWS Support case"; the console form is for
    transactional ones. https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid-india-support.html"""
    choice = sender_id_process_for(countries["IN"], message_type="PROMOTIONAL", region="ap-south-1")
    assert choice.process == SenderIdProcess.SUPPORT_CASE and choice.reason


# --- the registration's life ---------------------------------------------------------------------------
def _submitted(sim, make_request):
    sim.configure(review_delay=100.0)
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    request.refresh_from_db()
    assert request.status == Status.REGISTRATION_SUBMITTED
    return request


def test_a_registration_may_still_say_created_right_after_its_version_was_submitted(
    sim, make_request, monkeypatch
):
    """AWS's own walkthrough shows `RegistrationStatus: CREATED` right after SubmitRegistrationVersion:
    the portal keeps the request submitted while the version is in review.
    https://aws.amazon.com/blogs/messaging-and-targeting/automate-sender-id-registration-in-aws-end-user-messaging/"""
    request = _submitted(sim, make_request)
    real = gateway_module.SmsVoiceGateway.describe_registrations

    def created(self, **kwargs):
        for info in real(self, **kwargs):
            yield dataclasses.replace(info, status="CREATED")

    monkeypatch.setattr(gateway_module.SmsVoiceGateway, "describe_registrations", created)
    assert poll().errors == []
    request.refresh_from_db()
    assert request.status == Status.REGISTRATION_SUBMITTED
    assert Registration.objects.get(request=request).aws_status == "CREATED"
