"""The simulator speaks awsJson1_0 as AWS does, and answers bad input with AWS's error, never a crash."""

from __future__ import annotations

import json
import socket

import pytest
from botocore.exceptions import ClientError

from smsvoice.gateway import RetryableAwsError, get_gateway
from smsvoice.simulator.backend import Simulator
from tests.smsvoice.conftest import aws_error, raw_post

TARGET = "PinpointSMSVoiceV2.RequestSenderId"
JSON = "application/x-amz-json-1.0"


def post(sms_simulator, body: bytes, target: str | None = TARGET, **headers: str):
    all_headers = {"Content-Type": JSON, **headers}
    if target is not None:
        all_headers["X-Amz-Target"] = target
    status, response_headers, raw = raw_post(sms_simulator.url, body, all_headers)
    return status, response_headers, json.loads(raw)


@pytest.fixture
def unvalidated(sms_simulator):
    """A boto3 client that skips its own parameter validation, so the server's is what answers."""
    return sms_simulator.client("us-east-1", parameter_validation=False)


def test_an_unmodified_boto3_client_talks_to_the_simulator(sms):
    assert sms.describe_sender_ids()["SenderIds"] == []


def test_malformed_json_is_a_serialization_exception(sms_simulator):
    status, headers, body = post(sms_simulator, b'{"SenderId": ')
    assert status == 400
    assert body["__type"].endswith("#SerializationException")
    assert headers["Content-Type"] == JSON


def test_a_json_body_that_is_not_an_object_is_a_serialization_exception(sms_simulator):
    status, _, body = post(sms_simulator, b'["ACME", "DE"]')
    assert (status, body["__type"].rpartition("#")[2]) == (400, "SerializationException")


def test_a_wrong_json_type_is_a_serialization_exception(sms_simulator):
    status, _, body = post(sms_simulator, b'{"SenderId": 42, "IsoCountryCode": "DE"}')
    assert (status, body["__type"].rpartition("#")[2]) == (400, "SerializationException")
    assert "SenderId" in body["Message"]


def test_an_unknown_target_is_an_unknown_operation_exception(sms_simulator):
    status, _, body = post(sms_simulator, b"{}", target="PinpointSMSVoiceV2.MakeCoffee")
    assert (status, body["__type"].rpartition("#")[2]) == (400, "UnknownOperationException")


def test_a_missing_target_is_an_unknown_operation_exception(sms_simulator):
    status, _, body = post(sms_simulator, b"{}", target=None)
    assert (status, body["__type"].rpartition("#")[2]) == (400, "UnknownOperationException")


def test_a_blob_that_is_not_base64_is_a_serialization_exception(sms_simulator):
    status, _, body = post(
        sms_simulator,
        b'{"AttachmentBody": "not base64!!"}',
        target="PinpointSMSVoiceV2.CreateRegistrationAttachment",
    )
    assert (status, body["__type"].rpartition("#")[2]) == (400, "SerializationException")


def test_a_missing_required_member_is_a_validation_exception(unvalidated):
    with pytest.raises(ClientError) as caught:
        unvalidated.request_sender_id(IsoCountryCode="DE")
    assert aws_error(caught) == ("ValidationException", "MISSING_PARAMETER")
    assert caught.value.response["Fields"] == [{"Name": "senderId", "Message": "Member must not be null"}]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_an_oversized_member_is_a_validation_exception(unvalidated):
    with pytest.raises(ClientError) as caught:
        unvalidated.request_sender_id(SenderId="TWELVECHARSX", IsoCountryCode="DE")
    assert aws_error(caught) == ("ValidationException", "INVALID_PARAMETER")
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value at 'senderId' failed to satisfy constraint: "
        "Member must have length less than or equal to 11"
    )


def test_a_pattern_is_matched_against_the_whole_value(unvalidated):
    with pytest.raises(ClientError) as caught:
        unvalidated.request_sender_id(SenderId="AC ME", IsoCountryCode="DE")
    assert "regular expression pattern: [A-Za-z0-9_-]+" in caught.value.response["Error"]["Message"]


def test_an_enum_outside_its_values_is_a_validation_exception(unvalidated):
    with pytest.raises(ClientError) as caught:
        unvalidated.request_sender_id(SenderId="ACME", IsoCountryCode="DE", MessageTypes=["SOMETIMES"])
    assert caught.value.response["Fields"][0]["Name"] == "messageTypes.1.member"
    assert "enum value set: [TRANSACTIONAL, PROMOTIONAL]" in caught.value.response["Error"]["Message"]


def test_too_many_ids_in_one_call_is_a_validation_exception(unvalidated):
    with pytest.raises(ClientError) as caught:
        unvalidated.describe_registrations(RegistrationIds=[f"registration-{n}" for n in range(6)])
    assert aws_error(caught)[0] == "ValidationException"
    assert "registrationIds" in caught.value.response["Error"]["Message"]


def test_every_problem_is_reported_at_once(unvalidated):
    with pytest.raises(ClientError) as caught:
        unvalidated.request_sender_id(SenderId="TWELVECHARSX", IsoCountryCode="de")
    assert caught.value.response["Error"]["Message"].startswith("2 validation errors detected")
    assert [f["Name"] for f in caught.value.response["Fields"]] == ["senderId", "isoCountryCode"]


def test_unknown_members_are_ignored_as_aws_does(sms_simulator):
    status, _, body = post(sms_simulator, b'{"SenderId": "ACME", "IsoCountryCode": "DE", "Colour": "blue"}')
    assert (status, body["SenderId"]) == (200, "ACME")


def test_a_request_body_too_large_is_refused_without_reading_it(sms_simulator):
    host, port = sms_simulator.server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as conn:
        # Announce 11 MiB and send none of it: the answer must come without the body being read.
        conn.sendall(
            f"POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: {TARGET}\r\n"
            f"Content-Length: {11 * 1024 * 1024}\r\n\r\n".encode()
        )
        answer = conn.makefile("rb").read()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert json.loads(body)["__type"] == "RequestEntityTooLargeException"


def test_the_server_keeps_serving_after_bad_input(sms_simulator, sms):
    for bad in (b"{", b"[]", b'{"SenderId": []}', b"\xff\xfe", b"[" * 100_000):
        assert post(sms_simulator, bad)[0] == 400
    assert sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE")["SenderId"] == "ACME"


def test_an_unexpected_failure_is_an_internal_server_error_and_retryable(sms_simulator, monkeypatch):
    def explode(self, ctx, params):
        raise RuntimeError("simulated bug")

    monkeypatch.setitem(sms_simulator.simulator._operations, "UpdateSenderId", explode.__get__(Simulator))
    with pytest.raises(RetryableAwsError) as caught:
        get_gateway().update_sender_id(
            sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True
        )
    assert (caught.value.code, caught.value.http_status) == ("InternalServerException", 500)
    assert list(get_gateway().describe_sender_ids()) == []  # still serving


def test_the_region_comes_from_the_sigv4_credential_scope(sms_simulator):
    sms_simulator.client("ap-south-1").describe_sender_ids()
    (call,) = sms_simulator.calls("DescribeSenderIds")
    assert call["region"] == "ap-south-1"


def test_state_is_kept_per_region(sms_simulator):
    sms_simulator.client("eu-west-1").request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    assert sms_simulator.client("eu-central-1").describe_sender_ids()["SenderIds"] == []
    assert len(sms_simulator.client("eu-west-1").describe_sender_ids()["SenderIds"]) == 1


def test_unsigned_requests_use_the_default_region(sms_simulator):
    post(sms_simulator, b"{}", target="PinpointSMSVoiceV2.DescribeSenderIds")
    (call,) = sms_simulator.calls("DescribeSenderIds")
    assert call["region"] == sms_simulator.config()["default_region"]
