"""Every failure leaves the gateway as exactly one of two errors: retryable or permanent."""

from __future__ import annotations

import pickle
import socket
import threading
import time

import pytest
from botocore.config import Config

from smsvoice import gateway as gateway_module
from smsvoice import ratelimit
from smsvoice.gateway import AwsError, PermanentAwsError, RetryableAwsError, SmsVoiceGateway, get_gateway
from tests.smsvoice.aws_shapes import SENDER_ID_ANSWER

REQUEST = {
    "sender_id": "ACME",
    "iso_country_code": "DE",
    "message_types": ["TRANSACTIONAL"],
    "client_token": "token-1",
}


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ThrottlingException", 400, RetryableAwsError),
        ("InternalServerException", 500, RetryableAwsError),
        ("ServiceUnavailable", 503, RetryableAwsError),
        ("ValidationException", 400, PermanentAwsError),
        ("ConflictException", 400, PermanentAwsError),
        ("AccessDeniedException", 400, PermanentAwsError),
        ("ServiceQuotaExceededException", 400, PermanentAwsError),
        ("ResourceNotFoundException", 400, PermanentAwsError),
        ("SomethingAwsInventsNextYear", 400, PermanentAwsError),
    ],
)
def test_aws_errors_map_to_retryable_or_permanent(stubbed_gateway, code, status, expected):
    gateway, sms, _ = stubbed_gateway
    sms.add_client_error(
        "request_sender_id", service_error_code=code, service_message="AWS says no", http_status_code=status
    )
    with pytest.raises(expected) as caught:
        gateway.request_sender_id(**REQUEST)
    err = caught.value
    assert (err.operation, err.code, err.message, err.http_status) == (
        "RequestSenderId",
        code,
        "AWS says no",
        status,
    )
    assert err.retryable is (expected is RetryableAwsError)


def test_conflict_keeps_aws_reason_and_message_for_the_user(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_client_error(
        "release_sender_id",
        service_error_code="ConflictException",
        service_message="Sender ID ACME has deletion protection enabled.",
        http_status_code=400,
        modeled_fields={
            "Reason": "DELETION_PROTECTION_ENABLED",
            "ResourceType": "sender-id",
            "ResourceId": "ACME",
        },
    )
    with pytest.raises(PermanentAwsError) as caught:
        gateway.release_sender_id(sender_id="ACME", iso_country_code="DE")
    assert caught.value.reason == "DELETION_PROTECTION_ENABLED"
    assert caught.value.message == "Sender ID ACME has deletion protection enabled."
    assert "DELETION_PROTECTION_ENABLED" in str(caught.value)


def test_validation_error_keeps_reason_and_fields(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_client_error(
        "request_sender_id",
        service_error_code="ValidationException",
        service_message="Sender IDs in GB require a registration.",
        http_status_code=400,
        modeled_fields={
            "Reason": "SENDER_ID_REQUIRES_REGISTRATION",
            "Fields": [{"Name": "isoCountryCode", "Message": "registration required"}],
        },
    )
    with pytest.raises(PermanentAwsError) as caught:
        gateway.request_sender_id(**REQUEST)
    assert caught.value.reason == "SENDER_ID_REQUIRES_REGISTRATION"
    assert caught.value.fields == [{"Name": "isoCountryCode", "Message": "registration required"}]


def test_support_api_errors_are_mapped_too(stubbed_gateway):
    gateway, _, support = stubbed_gateway
    support.add_client_error("describe_cases", service_error_code="CaseIdNotFound", http_status_code=400)
    with pytest.raises(PermanentAwsError) as caught:
        gateway.describe_cases(case_ids=["case-missing"])
    assert caught.value.code == "CaseIdNotFound"


def test_an_unstubbed_call_fails_fast_on_the_closed_endpoint():
    # The autouse fixture points every AWS endpoint at a closed local port.
    with pytest.raises(RetryableAwsError) as caught:
        list(get_gateway().describe_sender_ids())
    assert caught.value.code == "EndpointConnectionError"
    assert "127.0.0.1:9" in caught.value.message


def test_a_read_timeout_is_retryable(monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections (backlog) and never answers
    port = listener.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(
        gateway_module, "CLIENT_CONFIG", gateway_module.CLIENT_CONFIG.merge(Config(read_timeout=0.2))
    )
    try:
        with pytest.raises(RetryableAwsError) as caught:
            SmsVoiceGateway().update_sender_id(
                sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True
            )
        assert caught.value.code == "ReadTimeoutError"
    finally:
        listener.close()


def test_client_side_parameter_errors_are_permanent():
    with pytest.raises(PermanentAwsError) as caught:
        get_gateway().request_sender_id(**{**REQUEST, "message_types": ["SOMETIMES"], "sender_id": ""})
    assert caught.value.code == "ParamValidationError"


def test_a_full_rate_budget_is_a_retryable_error(stubbed_gateway, settings):
    gateway, sms, _ = stubbed_gateway
    settings.AWS_SMS_TPS = 0.001  # one call per ~17 minutes: beyond any budget timeout
    settings.REDIS_URL = ""
    ratelimit.reset()
    sms.add_response("update_sender_id", SENDER_ID_ANSWER, None)
    gateway.update_sender_id(sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True)
    with pytest.raises(RetryableAwsError) as caught:
        gateway.update_sender_id(sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True)
    assert caught.value.code == "RateBudgetTimeout"
    ratelimit.reset()


def test_calls_a_person_waits_for_give_up_on_a_busy_budget_within_seconds(stubbed_gateway, settings):
    gateway, sms, _ = stubbed_gateway
    settings.AWS_SMS_TPS = 0.1  # next slot in ~10 s: a worker would wait for it, a page must not
    settings.REDIS_URL = ""
    ratelimit.reset()
    sms.add_response("update_sender_id", SENDER_ID_ANSWER, None)
    gateway.update_sender_id(sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True)
    started = time.monotonic()
    with pytest.raises(RetryableAwsError) as caught, gateway_module.interactive(timeout=1.0):
        gateway.update_sender_id(sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True)
    assert caught.value.code == "RateBudgetTimeout"
    assert time.monotonic() - started < 1.0
    ratelimit.reset()


@pytest.mark.parametrize("cls", [RetryableAwsError, PermanentAwsError])
def test_errors_survive_pickling_for_celery(cls):
    err = cls(operation="RequestSenderId", code="X", message="m", reason="R", http_status=400)
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is cls
    assert (copy.operation, copy.code, copy.message, copy.reason, copy.http_status) == (
        "RequestSenderId",
        "X",
        "m",
        "R",
        400,
    )
    assert isinstance(copy, AwsError)


def test_one_gateway_serves_many_threads(stubbed_gateway):
    gateway, _, _ = stubbed_gateway
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(get_gateway())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(g is gateway for g in seen)
