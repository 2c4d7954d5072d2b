"""The approval/submission state machine, unit-level: approve, reject, submit exactly once, sweep.

AWS is a FakeGateway here (no sockets); the same paths run against the simulator and real worker
processes in test_pipeline_integration.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from senderids import lifecycle, registry, tasks
from senderids.choices import Status
from senderids.events import Event
from senderids.lifecycle import IllegalTransition, TransitionConflict
from senderids.models import SenderIdRequest, StatusEvent
from senderids.services.requests import (
    REJECTION_REASON_MAX_LENGTH,
    sender_id_request_approve,
    sender_id_request_create,
    sender_id_request_reject,
)
from senderids.services.submission import (
    sender_id_request_submit,
    sender_id_requests_requeue_own,
    sender_id_requests_sweep_stuck,
)
from smsvoice.gateway import RetryableAwsError
from smsvoice.retry import retry_countdown
from tests.factories import CountryFactory, SenderIdRequestFactory
from tests.senderids import pipeline_support
from tests.senderids.pipeline_support import conflict, throttled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

approver = pipeline_support.approver
viewer = pipeline_support.viewer
enqueued = pipeline_support.enqueued
fake_gateway = pipeline_support.fake_gateway


def approved_request(**kwargs) -> SenderIdRequest:
    return SenderIdRequestFactory(status=Status.APPROVED, **kwargs)


def statuses(request: SenderIdRequest) -> list[str]:
    return list(request.events.values_list("to_status", flat=True))


# --- approve / reject ------------------------------------------------------------------------------
def test_approve_moves_pending_review_to_approved_and_enqueues_on_commit(
    approver, enqueued, django_capture_on_commit_callbacks
):
    request = SenderIdRequestFactory()
    with django_capture_on_commit_callbacks(execute=True):
        event = sender_id_request_approve(request=request, actor=approver)
    request.refresh_from_db()
    assert request.status == Status.APPROVED
    assert (event.from_status, event.to_status, event.actor) == (
        Status.PENDING_REVIEW,
        Status.APPROVED,
        approver,
    )
    assert enqueued == [request.pk]


def test_approve_enqueues_nothing_if_the_transaction_rolls_back(
    approver, enqueued, django_capture_on_commit_callbacks
):
    request = SenderIdRequestFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        sender_id_request_approve(request=request, actor=approver)
    # Captured, not run: the enqueue waits for the commit.
    assert enqueued == [] and callbacks


def test_staff_without_the_approve_permission_cannot_approve(viewer):
    request = SenderIdRequestFactory()
    with pytest.raises(PermissionDenied):
        sender_id_request_approve(request=request, actor=viewer)
    request.refresh_from_db()
    assert request.status == Status.PENDING_REVIEW


def test_business_user_cannot_approve_even_with_the_permission(owner):
    owner = pipeline_support.grant(owner, "approve_senderidrequest")
    with pytest.raises(PermissionDenied):
        sender_id_request_approve(request=SenderIdRequestFactory(), actor=owner)


def test_approving_twice_is_an_illegal_transition(approver, enqueued):
    request = SenderIdRequestFactory()
    sender_id_request_approve(request=request, actor=approver)
    stale_copy = SenderIdRequest.objects.get(pk=request.pk)
    with pytest.raises(IllegalTransition):
        sender_id_request_approve(request=stale_copy, actor=approver)
    assert statuses(request).count(Status.APPROVED) == 1


def test_approve_loses_cleanly_to_a_concurrent_reject(approver, enqueued):
    request = SenderIdRequestFactory()
    stale_copy = SenderIdRequest.objects.get(pk=request.pk)
    sender_id_request_reject(request=request, actor=approver, reason="Brand not owned.")
    with pytest.raises(TransitionConflict):
        sender_id_request_approve(request=stale_copy, actor=approver)
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.REJECTED
    assert enqueued == []


def test_reject_keeps_the_reason_and_the_actor_in_the_timeline(approver):
    request = SenderIdRequestFactory()
    sender_id_request_reject(request=request, actor=approver, reason="  Brand not owned.  ")
    event = request.events.get(to_status=Status.REJECTED)
    assert (event.reason, event.actor_label) == ("Brand not owned.", "april")


def test_an_approved_request_can_still_be_rejected_before_submission(approver):
    request = approved_request()
    sender_id_request_reject(request=request, actor=approver, reason="Changed our mind.")
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.REJECTED


@pytest.mark.parametrize("reason", ["", "   ", "x" * (REJECTION_REASON_MAX_LENGTH + 1)])
def test_reject_requires_a_reason_of_sensible_length(approver, reason):
    request = SenderIdRequestFactory()
    with pytest.raises(ValidationError):
        sender_id_request_reject(request=request, actor=approver, reason=reason)
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.PENDING_REVIEW


@pytest.mark.parametrize("status", [Status.SUBMITTING, Status.ACTIVE, Status.REJECTED, Status.FAILED])
def test_rejecting_a_request_past_review_is_illegal(approver, status):
    request = SenderIdRequestFactory(status=status)
    with pytest.raises(IllegalTransition):
        sender_id_request_reject(request=request, actor=approver, reason="Too late.")


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (Status.PENDING_REVIEW, Status.ACTIVE),
        (Status.PENDING_REVIEW, Status.SUBMITTING),
        (Status.REJECTED, Status.APPROVED),
        (Status.ACTIVE, Status.SUBMITTING),
    ],
)
def test_illegal_transitions_raise_and_write_nothing(current, to):
    request = SenderIdRequestFactory(status=current)
    with pytest.raises(IllegalTransition):
        lifecycle.transition(request, to, event=Event("test", "test"))
    assert SenderIdRequest.objects.get(pk=request.pk).status == current
    assert not StatusEvent.objects.filter(request=request).exists()


@override_settings(SENDERIDS_REQUIRE_APPROVAL=False)
def test_without_required_approval_a_new_request_goes_straight_to_approved_and_is_enqueued(
    owner, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = sender_id_request_create(
            owner=owner,
            country=CountryFactory(iso_code="DE"),
            sender_id="AUTOOK",
            message_type="TRANSACTIONAL",
        )
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.APPROVED
    assert statuses(request) == [Status.PENDING_REVIEW, Status.APPROVED]
    assert enqueued == [request.pk]


# --- submit -------------------------------------------------------------------------------------------
def test_submit_requests_the_sender_id_with_the_stored_client_token_and_activates(fake_gateway):
    request = approved_request(sender_id="ACME", country=CountryFactory(iso_code="DE"))
    sender_id_request_submit(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    assert request.aws_sender_id_arn.endswith("sender-id/ACME/DE")
    assert request.monthly_leasing_price == "0.00"
    (call,) = fake_gateway.calls
    assert call["client_token"] == str(request.client_token)
    assert (call["sender_id"], call["iso_country_code"], call["message_types"]) == (
        "ACME",
        "DE",
        ["TRANSACTIONAL"],
    )
    assert statuses(request) == [Status.SUBMITTING, Status.ACTIVE]


def test_redelivery_after_activation_calls_aws_no_more(fake_gateway):
    request = approved_request()
    sender_id_request_submit(request_id=request.pk)
    sender_id_request_submit(request_id=request.pk)
    assert len(fake_gateway.calls) == 1
    assert statuses(request) == [Status.SUBMITTING, Status.ACTIVE]


def test_a_message_finding_submitting_reads_what_aws_made_instead_of_requesting_it_again(fake_gateway):
    # The previous attempt sent RequestSenderId, AWS leased the sender ID, the worker died before our commit.
    request = SenderIdRequestFactory(status=Status.SUBMITTING, aws_write_in=Status.SUBMITTING)
    first = fake_gateway.request_sender_id(
        sender_id=request.sender_id,
        iso_country_code=request.country_id,
        message_types=request.message_types,
        client_token=str(request.client_token),
    )
    sender_id_request_submit(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.ACTIVE and request.aws_sender_id_arn == first.sender_id_arn
    assert fake_gateway.describes == [(request.sender_id, request.country_id)]
    assert len(fake_gateway.calls) == 1  # the crashed attempt's only: no second RequestSenderId


def test_a_sent_write_that_never_reached_aws_is_requested_again_with_the_same_client_token(fake_gateway):
    request = SenderIdRequestFactory(status=Status.SUBMITTING, aws_write_in=Status.SUBMITTING)
    sender_id_request_submit(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    assert fake_gateway.describes == [(request.sender_id, request.country_id)]
    assert [c["client_token"] for c in fake_gateway.calls] == [str(request.client_token)]


def test_a_worker_that_died_before_calling_aws_leaves_nothing_to_read(fake_gateway):
    # Still `submitting` but no write was sent in that status (e.g. a redelivery before the call).
    request = SenderIdRequestFactory(status=Status.SUBMITTING)
    sender_id_request_submit(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.ACTIVE and request.aws_write_in == Status.SUBMITTING
    assert fake_gateway.describes == [] and len(fake_gateway.calls) == 1


def test_a_fresh_submission_asks_aws_nothing_before_requesting(fake_gateway):
    request = approved_request()
    sender_id_request_submit(request_id=request.pk)
    assert fake_gateway.describes == [] and len(fake_gateway.calls) == 1


@pytest.mark.parametrize("status", [Status.PENDING_REVIEW, Status.REJECTED, Status.FAILED, Status.ACTIVE])
def test_submit_leaves_requests_that_are_not_approved_alone(fake_gateway, status):
    request = SenderIdRequestFactory(status=status)
    sender_id_request_submit(request_id=request.pk)
    assert fake_gateway.calls == []
    assert SenderIdRequest.objects.get(pk=request.pk).status == status


def test_submit_of_a_deleted_request_is_a_no_op(fake_gateway):
    assert sender_id_request_submit(request_id=987654) is None
    assert fake_gateway.calls == []


def test_permanent_aws_error_fails_the_request_with_aws_code_and_message(fake_gateway):
    fake_gateway.failures = [conflict()]
    request = approved_request()
    sender_id_request_submit(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.FAILED
    assert (request.aws_error_code, request.aws_error_message) == (
        "ConflictException",
        "The sender ID is already in use.",
    )
    event = request.events.get(to_status=Status.FAILED)
    assert (event.aws_code, event.aws_message) == ("ConflictException", "The sender ID is already in use.")


def test_retryable_aws_error_keeps_the_claim_notes_the_error_and_raises(fake_gateway):
    fake_gateway.failures = [throttled()]
    request = approved_request()
    with pytest.raises(RetryableAwsError):
        sender_id_request_submit(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.SUBMITTING
    assert request.aws_error_code == "ThrottlingException"
    # The retry then succeeds and clears the note.
    sender_id_request_submit(request_id=request.pk)
    request.refresh_from_db()
    assert (request.status, request.aws_error_code) == (Status.ACTIVE, "")
    assert len({c["client_token"] for c in fake_gateway.calls}) == 1


@pytest.fixture
def registered_process(monkeypatch):
    """Register a stand-in process (as registrations / supportcases do from their ready())."""

    def register(name: str, start) -> None:  # type: ignore[no-untyped-def]
        monkeypatch.setitem(registry._processes, name, registry.Process(name=name, start=start))

    return register


@pytest.mark.parametrize(
    ("process", "target"),
    [("registration", Status.REGISTRATION_DRAFT), ("support_case", Status.SUPPORT_CASE_OPEN)],
)
def test_each_process_is_started_through_the_registry_while_submitting(
    registered_process, fake_gateway, process, target
):
    seen = []

    def start(request):  # type: ignore[no-untyped-def]
        seen.append(request.status)
        lifecycle.transition(request, target, event=Event("test", "worker"))

    registered_process(process, start)
    request = approved_request(process=process)
    sender_id_request_submit(request_id=request.pk)
    assert seen == [Status.SUBMITTING]
    assert SenderIdRequest.objects.get(pk=request.pk).status == target
    assert fake_gateway.calls == []


def test_the_registration_and_support_case_processes_register_themselves():
    assert registry.get("registration").start is not None
    assert registry.get("support_case").start is not None


def test_a_process_that_is_not_installed_fails_the_request_with_a_clear_reason(monkeypatch):
    monkeypatch.delitem(registry._processes, "registration")
    request = approved_request(process="registration")
    sender_id_request_submit(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.FAILED
    assert request.aws_error_code == "ProcessUnavailable"
    assert "registration" in request.aws_error_message


# --- the task: retry policy ---------------------------------------------------------------------------
@override_settings(SENDERIDS_SUBMIT_RETRY_BASE=0, SENDERIDS_SUBMIT_MAX_RETRIES=5)
def test_task_retries_throttling_until_aws_accepts(fake_gateway):
    fake_gateway.failures = [throttled(), throttled(), throttled()]
    request = approved_request()
    tasks.submit_sender_id_request.apply(args=[request.pk])  # eager: retries run inline
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.ACTIVE
    assert len(fake_gateway.calls) == 4
    assert len(fake_gateway.created) == 1


@override_settings(SENDERIDS_SUBMIT_RETRY_BASE=0, SENDERIDS_SUBMIT_MAX_RETRIES=2)
def test_task_gives_up_after_max_retries_and_fails_the_request_with_awss_last_answer(fake_gateway):
    # Not "working on it" forever (issue 18): the retry budget spent, the owner reads why.
    fake_gateway.failures = [throttled()] * 10
    request = approved_request()
    tasks.submit_sender_id_request.apply(args=[request.pk])
    request.refresh_from_db()
    assert (request.status, request.aws_error_code) == (Status.FAILED, "ThrottlingException")
    assert request.aws_error_message == "Rate exceeded"
    event = request.events.last()
    assert event.kind == "aws_unreachable" and "3 attempts" in event.reason
    assert len(fake_gateway.calls) == 3


def test_task_does_not_retry_permanent_errors(fake_gateway):
    fake_gateway.failures = [conflict(), conflict()]
    request = approved_request()
    tasks.submit_sender_id_request.apply(args=[request.pk])
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.FAILED
    assert len(fake_gateway.calls) == 1


@override_settings(SENDERIDS_SUBMIT_RETRY_BASE=2.0, SENDERIDS_SUBMIT_RETRY_MAX=60.0)
def test_retry_backoff_grows_exponentially_with_full_jitter_and_a_cap():
    for retries, ceiling in [(0, 2.0), (1, 4.0), (3, 16.0), (10, 60.0)]:
        samples = [retry_countdown(retries) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        # Jittered: not all equal, and spread over the range rather than bunched at the ceiling.
        assert len(set(samples)) > 100 and min(samples) < ceiling / 4


# --- sweeper ------------------------------------------------------------------------------------------
def _age(request: SenderIdRequest, seconds: float) -> None:
    SenderIdRequest.objects.filter(pk=request.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


@override_settings(SENDERIDS_SWEEP_APPROVED_AFTER=300, SENDERIDS_SWEEP_SUBMITTING_AFTER=900, AWS_SMS_TPS=100)
def test_sweeper_re_enqueues_requests_stuck_past_their_threshold(
    enqueued, django_capture_on_commit_callbacks
):
    stuck_approved, fresh_approved = approved_request(), approved_request()
    stuck_submitting = SenderIdRequestFactory(status=Status.SUBMITTING)
    recent_submitting = SenderIdRequestFactory(status=Status.SUBMITTING)
    pending, active = SenderIdRequestFactory(), SenderIdRequestFactory(status=Status.ACTIVE)
    _age(stuck_approved, 400)
    _age(fresh_approved, 100)
    _age(stuck_submitting, 1000)
    _age(recent_submitting, 400)  # past the approved threshold, but a submission may be retrying
    _age(pending, 5000)
    _age(active, 5000)
    with django_capture_on_commit_callbacks(execute=True):
        swept = sender_id_requests_sweep_stuck()
    assert sorted(swept) == sorted(enqueued) == sorted([stuck_approved.pk, stuck_submitting.pk])


@override_settings(SENDERIDS_SWEEP_APPROVED_AFTER=300, AWS_SMS_TPS=100)
def test_sweeper_nudges_a_request_once_per_threshold(enqueued, django_capture_on_commit_callbacks):
    request = approved_request()
    _age(request, 400)
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_requests_sweep_stuck()
        sender_id_requests_sweep_stuck()
    assert enqueued == [request.pk]


@override_settings(SENDERIDS_SWEEP_APPROVED_AFTER=60, AWS_SMS_TPS=1)
def test_sweeper_leaves_a_backlog_the_rate_budget_is_still_draining(
    enqueued, django_capture_on_commit_callbacks
):
    # 120 approvals at 1 TPS need two minutes: a request queued 90 s ago is waiting its turn, not lost.
    requests = SenderIdRequestFactory.create_batch(120, status=Status.APPROVED)
    _age(requests[0], 90)
    with django_capture_on_commit_callbacks(execute=True):
        assert sender_id_requests_sweep_stuck() == []
        _age(requests[0], 60 + 120 + 10)
        assert sender_id_requests_sweep_stuck() == [requests[0].pk]


def test_sweep_task_runs_the_sweeper(enqueued, django_capture_on_commit_callbacks):
    request = approved_request()
    _age(request, 10**6)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_stuck_requests.apply().get() == 1
    assert enqueued == [request.pk]


def test_a_database_outage_during_the_task_is_retried_not_lost(monkeypatch):
    from django.db import OperationalError

    from senderids.services import submission

    calls: list[int] = []

    def flaky(*, request_id, worker=""):  # type: ignore[no-untyped-def]
        calls.append(request_id)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(submission, "sender_id_request_submit", flaky)
    with override_settings(SENDERIDS_SUBMIT_RETRY_BASE=0):
        tasks.submit_sender_id_request.apply(args=[42])  # eager: retries run inline
    assert calls == [42, 42, 42]


def test_a_reconnected_worker_requeues_what_it_claimed_and_is_not_running(
    enqueued, sent_tasks, django_capture_on_commit_callbacks
):
    """Celery drops a retry's countdown with the broker connection: the worker's own claimed rows that it
    is not running go back to the queue; another worker's rows and the one it runs stay as they are."""
    waiting = SenderIdRequestFactory(status=Status.SUBMITTING, claimed_by="celery@a")
    running = SenderIdRequestFactory(status=Status.SUBMITTING, claimed_by="celery@a")
    releasing = SenderIdRequestFactory(status=Status.RELEASING, claimed_by="celery@a")
    others = SenderIdRequestFactory(status=Status.SUBMITTING, claimed_by="celery@b")
    with django_capture_on_commit_callbacks(execute=True):
        ids = sender_id_requests_requeue_own(worker="celery@a", running={running.pk})
    assert sorted(ids) == sorted([waiting.pk, releasing.pk])
    assert enqueued == [waiting.pk]
    assert sent_tasks["senderids.tasks.release_sender_id"] == [releasing.pk]
    assert SenderIdRequest.objects.get(pk=others.pk).claimed_by == "celery@b"
