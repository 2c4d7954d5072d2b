"""End to end on PostgreSQL + Redis + a real worker process + the SMS simulator: the owner types
`release` in the form → the worker calls ReleaseSenderId once → the request is released."""

from __future__ import annotations

from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.services.release import sender_id_request_release
from tests.conftest import wait_for
from tests.senderids import pipeline_support
from tests.senderids.pipeline_support import FAST_WORKER_ENV
from tests.senderids.release_support import (
    RELEASE_WORD,
    calls,
    leased_request,
    release_url,
    simulator_sender_ids,
)

pytestmark = pipeline_support.needs_real_services()


def released(request: SenderIdRequest) -> bool:
    return SenderIdRequest.objects.get(pk=request.pk).status == Status.RELEASED


def test_owner_releases_through_the_form_and_the_worker_releases_once(
    client, owner, sms_simulator, celery_worker_factory, purge_broker
):
    celery_worker_factory(extra_env=FAST_WORKER_ENV)
    request = leased_request(sms_simulator, owner, "ACMEBANK")
    client.force_login(owner)

    first = client.post(release_url(request), {"confirmation": RELEASE_WORD, "action": "release"})
    second = client.post(release_url(request), {"confirmation": RELEASE_WORD, "action": "release"})  # double
    assert first.status_code == second.status_code == 302

    wait_for(lambda: released(request), timeout=30)
    (call,) = calls(sms_simulator, "ReleaseSenderId")
    assert call["outcome"] == "ok" and call["params"]["SenderId"] == "ACMEBANK"
    assert ("ACMEBANK", "DE") not in simulator_sender_ids(sms_simulator)
    assert list(request.events.order_by("pk").values_list("to_status", flat=True)) == [
        Status.RELEASING,
        Status.RELEASED,
    ]


def test_worker_puts_a_protected_sender_id_back_to_active_with_aws_reason(
    owner, sms_simulator, celery_worker_factory, purge_broker
):

    celery_worker_factory(extra_env=FAST_WORKER_ENV)
    request = leased_request(sms_simulator, owner, "SAFEBANK")
    sms_simulator.client().update_sender_id(
        SenderId="SAFEBANK", IsoCountryCode="DE", DeletionProtectionEnabled=True
    )
    sender_id_request_release(request=request, actor=owner)

    wait_for(lambda: request.events.filter(to_status=Status.ACTIVE).exists(), timeout=30)
    request.refresh_from_db()
    assert (request.status, request.deletion_protection) == (Status.ACTIVE, True)
    assert "DELETION_PROTECTION_ENABLED" in request.events.last().aws_message
