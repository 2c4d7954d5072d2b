"""Exactly once under faults, with real worker processes, Redis and the SMS simulator:
a worker killed between AWS's answer and our commit, a lost broker message, AWS throttling."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from config.celery import app
from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.services.requests import sender_id_request_approve
from smsvoice.gateway import get_gateway, reset_gateway
from tests.conftest import wait_for
from tests.factories import CountryFactory, SenderIdRequestFactory
from tests.reliability.recovery_support import Burst, duplicate_aws_calls, wait_until_finished
from tests.senderids import pipeline_support
from tests.senderids.pipeline_support import FAST_WORKER_ENV, SWEEPING_WORKER_ENV, request_sender_id_calls

pytestmark = pipeline_support.needs_real_services()

approver = pipeline_support.approver

FAULT_HOOKS = Path(__file__).resolve().parent / "fault_hooks"


def status_of(request: SenderIdRequest) -> str:
    return SenderIdRequest.objects.get(pk=request.pk).status


def sender_ids_held_by_aws(sender_id: str) -> list:
    reset_gateway()  # the simulator's endpoint comes from the environment the fixture set
    return list(get_gateway().describe_sender_ids(filters={"sender-id": [sender_id]}))


def test_worker_killed_after_aws_answered_but_before_commit_ends_active_with_one_sender_id(
    approver, sms_simulator, celery_worker_factory, purge_broker
):
    doomed = celery_worker_factory(
        "doomed",
        extra_env={
            **FAST_WORKER_ENV,
            "PYTHONPATH": str(FAULT_HOOKS),
            "FAULT_KILL_AFTER_AWS_OPERATION": "RequestSenderId",
        },
    )
    request = SenderIdRequestFactory(sender_id="CRASHTEST", country=CountryFactory(iso_code="DE"))
    sender_id_request_approve(request=request, actor=approver)

    # AWS made the sender ID; the worker died before recording it.
    wait_for(lambda: doomed.proc.poll() is not None, timeout=30)
    assert [c["outcome"] for c in request_sender_id_calls(sms_simulator)] == ["ok"]
    assert status_of(request) == Status.SUBMITTING

    celery_worker_factory("restarted", beat=True, extra_env=SWEEPING_WORKER_ENV)
    wait_for(lambda: status_of(request) == Status.ACTIVE, timeout=30)

    (held,) = sender_ids_held_by_aws("CRASHTEST")
    request.refresh_from_db()
    assert request.aws_sender_id_arn == held.sender_id_arn
    # The repeat carried the same ClientToken, so AWS answered with the sender ID it already had.
    assert {c["params"]["ClientToken"] for c in request_sender_id_calls(sms_simulator)} == {
        str(request.client_token)
    }
    assert list(request.events.values_list("to_status", flat=True)) == [
        Status.APPROVED,
        Status.SUBMITTING,
        Status.ACTIVE,
    ]


def test_lost_broker_message_is_recovered_by_the_sweeper(
    approver, sms_simulator, celery_worker_factory, purge_broker
):
    request = SenderIdRequestFactory(sender_id="LOSTMSG", country=CountryFactory(iso_code="DE"))
    sender_id_request_approve(request=request, actor=approver)  # enqueued on commit…
    assert app.control.purge() >= 1  # …and lost
    assert status_of(request) == Status.APPROVED

    worker = celery_worker_factory("sweeping", beat=True, extra_env=SWEEPING_WORKER_ENV)
    wait_for(lambda: status_of(request) == Status.ACTIVE, timeout=30)
    assert [c["outcome"] for c in request_sender_id_calls(sms_simulator)] == ["ok"]
    assert "re-enqueued" in worker.log_text()


@pytest.mark.usefixtures("fast_password_hasher")
def test_throttling_is_retried_with_backoff_until_every_request_is_active(
    approver, sms_simulator, celery_worker_factory, purge_broker
):
    # Our budget (50/s) is set far above what "AWS" allows (3/s): AWS throttles, the tasks back off.
    sms_simulator.configure(tps=3)
    for name in ("one", "two"):
        celery_worker_factory(name, extra_env=FAST_WORKER_ENV)
    country = CountryFactory(iso_code="DE")
    requests = [SenderIdRequestFactory(sender_id=f"THROTTLE{n}", country=country) for n in range(12)]
    for request in requests:
        sender_id_request_approve(request=request, actor=approver)

    pks = [r.pk for r in requests]
    wait_for(
        lambda: not SenderIdRequest.objects.filter(pk__in=pks).exclude(status=Status.ACTIVE).exists(),
        timeout=60,
    )
    calls = request_sender_id_calls(sms_simulator)
    assert any(c["outcome"] == "ThrottlingException" for c in calls), "the simulator never throttled"
    created = [c["params"]["SenderId"] for c in calls if c["outcome"] == "ok"]
    assert sorted(created) == sorted(r.sender_id for r in requests)  # each once, none lost
    assert not SenderIdRequest.objects.filter(pk__in=pks, status=Status.FAILED).exists()


def test_a_killed_workers_request_is_finished_within_a_minute_of_a_new_worker_with_default_thresholds(
    approver, sms_simulator, celery_worker_factory, purge_broker, reliability_report
):
    """No sweeper threshold forced to zero: the new worker's sweeper sees that the dead worker stopped
    beating (senderids.liveness) and re-enqueues its request; the takeover reads DescribeSenderIds, finds
    the sender ID AWS already made, and asks for it no second time. The figures go to the reliability
    table (tests/reliability/report.py)."""
    doomed = celery_worker_factory(
        "doomed",
        extra_env={
            **FAST_WORKER_ENV,
            "PYTHONPATH": str(FAULT_HOOKS),
            "FAULT_KILL_AFTER_AWS_OPERATION": "RequestSenderId",
        },
    )
    request = SenderIdRequestFactory(sender_id="KILLED", country=CountryFactory(iso_code="DE"))
    row = reliability_report.fault("worker SIGKILLed after AWS answered (1 request)")
    sender_id_request_approve(request=request, actor=approver)
    wait_for(lambda: doomed.proc.poll() is not None, timeout=30)
    assert status_of(request) == Status.SUBMITTING

    started = time.monotonic()
    celery_worker_factory("restarted", beat=True, extra_env=FAST_WORKER_ENV)  # default sweep thresholds
    burst = Burst()
    burst.approved(request)
    recovery = wait_until_finished(burst, since=started, timeout=90)
    duplicates = duplicate_aws_calls(sms_simulator.calls())
    row.recovered(
        seconds=recovery.seconds, requests=1, lost=recovery.lost, duplicates=sum(duplicates.values())
    )
    print(f"recovered {request.sender_id} in {recovery.seconds:.1f} s after the new worker started")
    assert recovery.lost == 0, burst.describe(recovery.unfinished)
    assert recovery.seconds <= 60
    assert duplicates == {}, duplicates  # one RequestSenderId: the takeover read what AWS had
    assert len(sender_ids_held_by_aws("KILLED")) == 1
    assert {c["params"]["ClientToken"] for c in request_sender_id_calls(sms_simulator)} == {
        str(request.client_token)
    }
