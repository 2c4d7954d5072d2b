"""Every AWS call is recorded (operation, outcome, error, latency) and recording never breaks a call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from smsvoice import tasks
from smsvoice.gateway import PermanentAwsError, serving
from smsvoice.models import AwsCall
from smsvoice.selectors import aws_calls_failed, aws_calls_for_request, aws_calls_for_resource
from smsvoice.services import aws_call_prune, aws_call_record
from tests.smsvoice.aws_shapes import SENDER_ID_ANSWER

pytestmark = pytest.mark.django_db


def test_a_successful_call_is_recorded_with_its_resource(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response("update_sender_id", SENDER_ID_ANSWER, None)
    gateway.update_sender_id(sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True)
    (call,) = AwsCall.objects.all()
    assert (call.service, call.operation, call.resource_id, call.ok, call.error_code) == (
        "pinpoint-sms-voice-v2",
        "UpdateSenderId",
        "ACME",
        True,
        "",
    )
    assert call.latency_ms >= 0


def test_a_failed_call_is_recorded_with_what_aws_said(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_client_error(
        "release_sender_id",
        service_error_code="ConflictException",
        service_message="Deletion protection is on.",
        http_status_code=400,
    )
    with pytest.raises(PermanentAwsError):
        gateway.release_sender_id(sender_id="ACME", iso_country_code="DE")
    (call,) = aws_calls_failed()
    assert (call.operation, call.error_code, call.error_message, call.http_status) == (
        "ReleaseSenderId",
        "ConflictException",
        "Deletion protection is on.",
        400,
    )


def test_a_creation_is_recorded_under_the_id_aws_gave(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "create_registration",
        {
            "RegistrationArn": "arn:reg",
            "RegistrationId": "registration-new",
            "RegistrationType": "GB_SENDER_ID_REGISTRATION",
            "RegistrationStatus": "CREATED",
            "CurrentVersionNumber": 1,
            "CreatedTimestamp": timezone.now(),
        },
        None,
    )
    gateway.create_registration(registration_type="GB_SENDER_ID_REGISTRATION", client_token="t")
    assert [c.operation for c in aws_calls_for_resource(resource_id="registration-new")] == [
        "CreateRegistration"
    ]


def test_recording_failure_never_breaks_the_call(stubbed_gateway, monkeypatch, caplog):
    gateway, sms, _ = stubbed_gateway

    def broken_save(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(AwsCall, "save", broken_save)
    sms.add_response("update_sender_id", SENDER_ID_ANSWER, None)
    info = gateway.update_sender_id(sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True)
    assert info.deletion_protection_enabled
    assert "could not record AWS call" in caplog.text


def test_a_recording_failure_inside_a_transaction_does_not_poison_it(owner):
    with transaction.atomic():
        # The database refuses this row (negative HTTP status breaks a CHECK constraint)…
        aws_call_record(service="s", operation="Bad", ok=False, latency_ms=1, http_status=-1)
        # …and the caller's transaction carries on.
        owner.first_name = "still works"
        owner.save()
    owner.refresh_from_db()
    assert owner.first_name == "still works"
    assert not AwsCall.objects.exists()


def test_prune_deletes_only_old_records():
    old = AwsCall.objects.create(service="s", operation="Old", ok=True, latency_ms=1)
    AwsCall.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=100))
    AwsCall.objects.create(service="s", operation="New", ok=True, latency_ms=1)
    assert aws_call_prune(older_than=timedelta(days=90)) == 1
    assert list(AwsCall.objects.values_list("operation", flat=True)) == ["New"]


def test_calls_made_while_serving_a_request_are_recorded_for_it(stubbed_gateway, settings):
    settings.AWS_SMS_TPS = 1000  # two calls in a row: not a rate-budget test
    gateway, sms, _ = stubbed_gateway
    sms.add_response("update_sender_id", SENDER_ID_ANSWER, None)
    sms.add_response("update_sender_id", SENDER_ID_ANSWER, None)
    with serving(42):
        gateway.update_sender_id(sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True)
    gateway.update_sender_id(sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True)
    assert [c.operation for c in aws_calls_for_request(request_id=42)] == ["UpdateSenderId"]
    assert AwsCall.objects.filter(portal_request_id__isnull=True).count() == 1


def test_beat_prunes_the_log_after_the_retention_setting(settings):
    settings.AWS_CALL_RETENTION_DAYS = 30
    kept = AwsCall.objects.create(service="s", operation="Recent", ok=True, latency_ms=1)
    old = AwsCall.objects.create(service="s", operation="Old", ok=True, latency_ms=1)
    AwsCall.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    AwsCall.objects.filter(pk=kept.pk).update(created_at=timezone.now() - timedelta(days=29))
    assert tasks.prune_aws_calls.apply().get() == 1
    assert list(AwsCall.objects.values_list("operation", flat=True)) == ["Recent"]
