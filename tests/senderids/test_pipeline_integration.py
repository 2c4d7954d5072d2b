"""End to end on PostgreSQL + Redis + a real worker process + the SMS simulator:
an admin approves in Django admin → the worker submits → the request is active, AWS was asked once."""

from __future__ import annotations

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.services.requests import sender_id_request_approve
from tests.conftest import wait_for
from tests.factories import CountryFactory, SenderIdRequestFactory
from tests.senderids import pipeline_support
from tests.senderids.pipeline_support import FAST_WORKER_ENV, request_sender_id_calls

pytestmark = pipeline_support.needs_real_services()

approver = pipeline_support.approver


def test_approval_in_admin_makes_the_sender_id_active_with_exactly_one_aws_request(
    client, approver, sms_simulator, celery_worker_factory, purge_broker
):
    celery_worker_factory(extra_env=FAST_WORKER_ENV)
    request = SenderIdRequestFactory(sender_id="ACMEBANK", country=CountryFactory(iso_code="DE"))
    client.force_login(approver)

    response = client.post(
        reverse("admin:senderids_senderidrequest_changelist"),
        {"action": "approve", ACTION_CHECKBOX_NAME: [request.pk]},
    )
    assert response.status_code == 302

    wait_for(lambda: SenderIdRequest.objects.get(pk=request.pk).status == Status.ACTIVE, timeout=30)
    request.refresh_from_db()
    (call,) = request_sender_id_calls(sms_simulator)
    assert call["outcome"] == "ok"
    assert call["params"]["ClientToken"] == str(request.client_token)
    assert call["params"]["SenderId"] == "ACMEBANK" and call["params"]["IsoCountryCode"] == "DE"
    assert request.aws_sender_id_arn.endswith("ACMEBANK/DE")
    assert list(request.events.values_list("to_status", flat=True)) == [
        Status.APPROVED,
        Status.SUBMITTING,
        Status.ACTIVE,
    ]


def test_aws_refusal_fails_the_request_with_aws_message_and_no_retry(
    approver, sms_simulator, celery_worker_factory, purge_broker
):

    celery_worker_factory(extra_env=FAST_WORKER_ENV)
    request = SenderIdRequestFactory(sender_id="TAKENNAME", country=CountryFactory(iso_code="DE"))
    sender_id_request_approve(request=request, actor=approver)

    wait_for(lambda: SenderIdRequest.objects.get(pk=request.pk).status == Status.FAILED, timeout=30)
    request.refresh_from_db()
    assert request.aws_error_code == "ConflictException"
    assert "TAKENNAME" in request.aws_error_message
    assert len(request_sender_id_calls(sms_simulator)) == 1
