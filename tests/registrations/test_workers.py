"""The registration process on real workers and in parallel: PostgreSQL + Redis + Celery + the simulator."""

from __future__ import annotations

import threading

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration
from registrations.services import poller
from registrations.tasks import poll_registrations
from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.services.requests import sender_id_request_approve
from smsvoice.simulator.records import RegionState, RegistrationRecord, VersionRecord
from tests.conftest import wait_for
from tests.senderids import pipeline_support
from tests.senderids.pipeline_support import FAST_WORKER_ENV

from .conftest import REGION, SINGAPORE_VALUES

pytestmark = pipeline_support.needs_real_services()

approver = pipeline_support.approver
WORKER_ENV = {**FAST_WORKER_ENV, "AWS_REGION": REGION}


def status_of(request) -> str:
    return SenderIdRequest.objects.get(pk=request.pk).status


def test_approved_registration_is_submitted_by_the_worker_and_polled_to_active(
    owner_client, approver, sim, definitions, make_request, celery_worker_factory, purge_broker
):
    celery_worker_factory(extra_env=WORKER_ENV)
    request = make_request("SG", "EXAMPLESG")
    page = reverse("registrations:detail", kwargs={"pk": request.pk})
    assert owner_client.post(page, {**SINGAPORE_VALUES, "action": "submit"}).status_code == 302

    sender_id_request_approve(request=request, actor=approver)

    wait_for(lambda: status_of(request) == Status.REGISTRATION_SUBMITTED, timeout=30)
    poll_registrations.delay()
    wait_for(lambda: status_of(request) == Status.ACTIVE, timeout=30)
    assert sim.count("CreateRegistration") == 1
    assert sim.count("SubmitRegistrationVersion") == 1
    assert sim.count("RequestSenderId") == 0
    assert list(SenderIdRequest.objects.get(pk=request.pk).events.values_list("to_status", flat=True)) == [
        Status.APPROVED,
        Status.SUBMITTING,
        Status.REGISTRATION_DRAFT,
        Status.REGISTRATION_SUBMITTED,
        Status.ACTIVE,
    ]


def test_a_resubmission_after_denial_is_pushed_by_the_worker(
    owner_client, approver, sim, definitions, make_request, celery_worker_factory, purge_broker
):
    celery_worker_factory(extra_env=WORKER_ENV)
    request = make_request("SG", "DENYSG")
    page = reverse("registrations:detail", kwargs={"pk": request.pk})
    owner_client.post(page, {**SINGAPORE_VALUES, "action": "submit"})
    sender_id_request_approve(request=request, actor=approver)
    wait_for(lambda: status_of(request) == Status.REGISTRATION_SUBMITTED, timeout=30)
    poller.registrations_poll()
    assert status_of(request) == Status.REQUIRES_UPDATES

    response = owner_client.post(
        page, {**SINGAPORE_VALUES, "companyInfo.companyName": "Renamed", "action": "submit"}
    )

    assert response.status_code == 302
    wait_for(lambda: status_of(request) == Status.REGISTRATION_SUBMITTED, timeout=30)
    assert sim.count("CreateRegistrationVersion") == 1
    assert sim.count("SubmitRegistrationVersion") == 2


def seed_completed(sim, requests) -> None:
    """Registrations AWS already approved (COMPLETE), placed straight into the simulator's account."""
    simulator = sim.handle.simulator
    now = simulator.now() - 10
    state = simulator.regions.setdefault(REGION, RegionState())
    for request in requests:
        reg_id = f"registration-{request.pk:032x}"
        version = VersionRecord(
            number=1,
            draft_at=now,
            values={"senderIdInfo.senderId": {"TextValue": request.sender_id}},
            submitted_at=now,
            outcome="APPROVED",
        )
        state.registrations[reg_id] = RegistrationRecord(
            id=reg_id,
            arn=f"arn:{reg_id}",
            type="SG_SENDER_ID_REGISTRATION",
            iso="SG",
            created_at=now,
            versions=[version],
        )
        # The row the request got when it was created, now as the portal left it after submitting.
        Registration.objects.filter(request=request).update(
            registration_type="SG_SENDER_ID_REGISTRATION",
            aws_registration_id=reg_id,
            aws_status="SUBMITTED",
            current_version_number=1,
            submitted_version_number=1,
            aws_status_changed_at=timezone.now() - timezone.timedelta(minutes=5),
        )
    SenderIdRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        status=Status.REGISTRATION_SUBMITTED
    )


def test_parallel_pollers_never_process_a_row_twice(sim, make_request):
    requests = [make_request("SG", f"PAR{n:03d}") for n in range(30)]
    seed_completed(sim, requests)
    reports, errors = [], []
    start = threading.Barrier(3)

    def worker() -> None:
        try:
            start.wait()
            reports.append(poller.registrations_poll())
        except Exception as exc:  # pragma: no cover - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(len(r.errors) for r in reports) == 0
    assert sum(len(r.changes) for r in reports) == len(requests)  # each row handled by exactly one poller
    for request in requests:
        events = list(SenderIdRequest.objects.get(pk=request.pk).events.filter(to_status=Status.ACTIVE))
        assert len(events) == 1, request.sender_id
