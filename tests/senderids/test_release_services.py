"""Release services and the `release_sender_id` task against the SMS simulator (real boto3, real wire
protocol): releasing → ReleaseSenderId → released; "not found" counts as released; a conflict puts the
request back to active with AWS's reason; retryable errors retry; redelivery is harmless."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from senderids import tasks
from senderids.choices import Status
from senderids.events import WORKER_ACTOR
from senderids.lifecycle import IllegalTransition, TransitionConflict
from senderids.models import SenderIdRequest
from senderids.services.release import (
    DeletionProtectionOn,
    sender_id_deletion_protection_disable,
    sender_id_request_release,
    sender_id_requests_sweep_releasing,
)
from senderids.services.requests import sender_id_request_retry
from tests.senderids import pipeline_support, release_support
from tests.senderids.release_support import (
    active_request,
    calls,
    leased_request,
    simulator_sender_ids,
    status_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

releases_enqueued = release_support.releases_enqueued
approver = pipeline_support.approver
enqueued = pipeline_support.enqueued

FAST_RETRIES = override_settings(SENDERIDS_SUBMIT_RETRY_BASE=0, SENDERIDS_SUBMIT_MAX_RETRIES=5)


def releasing(request: SenderIdRequest, actor) -> SenderIdRequest:
    sender_id_request_release(request=request, actor=actor)
    return SenderIdRequest.objects.get(pk=request.pk)


def timeline(request: SenderIdRequest) -> list[tuple[str, str]]:
    return list(request.events.order_by("pk").values_list("from_status", "to_status"))


# --- the happy path -------------------------------------------------------------------------------
def test_release_through_the_simulator_ends_released(owner, sms_simulator, releases_enqueued):
    request = releasing(leased_request(sms_simulator, owner, "ACMEBANK"), owner)
    assert request.status == Status.RELEASING

    tasks.release_sender_id.apply(args=[request.pk])

    request.refresh_from_db()
    assert request.status == Status.RELEASED
    (call,) = calls(sms_simulator, "ReleaseSenderId")
    assert (call["outcome"], call["params"]) == ("ok", {"SenderId": "ACMEBANK", "IsoCountryCode": "DE"})
    assert ("ACMEBANK", "DE") not in simulator_sender_ids(sms_simulator)
    assert timeline(request) == [(Status.ACTIVE, Status.RELEASING), (Status.RELEASING, Status.RELEASED)]
    assert request.events.last().actor_label == WORKER_ACTOR


def test_release_request_enqueues_the_task_on_commit_only(
    owner, releases_enqueued, django_capture_on_commit_callbacks
):
    request = active_request(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sender_id_request_release(request=request, actor=owner)
        assert releases_enqueued == []
    for callback in callbacks:
        callback()
    assert releases_enqueued == [request.pk]


def test_redelivered_message_after_the_release_makes_no_second_aws_call(
    owner, sms_simulator, releases_enqueued
):
    request = releasing(leased_request(sms_simulator, owner), owner)
    tasks.release_sender_id.apply(args=[request.pk])
    tasks.release_sender_id.apply(args=[request.pk])
    assert status_of(request) == Status.RELEASED
    assert len(calls(sms_simulator, "ReleaseSenderId")) == 1


@FAST_RETRIES
def test_crash_after_the_aws_call_is_finished_by_the_retry_as_released(
    owner, sms_simulator, releases_enqueued
):
    """AWS released it but our process never heard back: the retry reads DescribeSenderIds first, finds the
    sender ID gone and records the release, without a second ReleaseSenderId."""
    request = releasing(leased_request(sms_simulator, owner), owner)
    sms_simulator.fail_next("ReleaseSenderId", "InternalServerException", after=True)

    tasks.release_sender_id.apply(args=[request.pk])

    request.refresh_from_db()
    assert request.status == Status.RELEASED
    assert [c["outcome"] for c in calls(sms_simulator, "ReleaseSenderId")] == ["InternalServerException"]
    assert [c["outcome"] for c in calls(sms_simulator, "DescribeSenderIds")][
        -1
    ] == "ResourceNotFoundException"


@FAST_RETRIES
def test_throttling_is_retried_until_aws_releases(owner, sms_simulator, releases_enqueued):
    request = releasing(leased_request(sms_simulator, owner), owner)
    sms_simulator.fail_next("ReleaseSenderId", "ThrottlingException", count=2)
    tasks.release_sender_id.apply(args=[request.pk])
    request.refresh_from_db()
    assert request.status == Status.RELEASED and request.aws_error_code == ""
    assert [c["outcome"] for c in calls(sms_simulator, "ReleaseSenderId")] == [
        "ThrottlingException",
        "ThrottlingException",
        "ok",
    ]


@override_settings(SENDERIDS_SUBMIT_RETRY_BASE=0, SENDERIDS_SUBMIT_MAX_RETRIES=1)
def test_task_gives_up_after_max_retries_and_the_sender_id_is_active_again_with_the_reason(
    owner, sms_simulator, releases_enqueued
):
    # Not "releasing" forever (issue 18): the sender ID is still leased, so it is active and can be
    # released again; the timeline says AWS kept failing.
    request = releasing(leased_request(sms_simulator, owner), owner)
    sms_simulator.fail_next("ReleaseSenderId", "ThrottlingException", count=5)
    tasks.release_sender_id.apply(args=[request.pk])
    request.refresh_from_db()
    assert (request.status, request.aws_error_code) == (Status.ACTIVE, "ThrottlingException")
    assert request.events.last().kind == "release_unreachable"
    assert len(calls(sms_simulator, "ReleaseSenderId")) == 2


# --- already released -----------------------------------------------------------------------------
def test_sender_id_already_gone_at_aws_counts_as_released(owner, sms_simulator, releases_enqueued):
    request = releasing(active_request(owner, "GONEBANK"), owner)  # never leased in the simulator

    tasks.release_sender_id.apply(args=[request.pk])

    request.refresh_from_db()
    assert request.status == Status.RELEASED
    (call,) = calls(sms_simulator, "ReleaseSenderId")
    assert call["outcome"] == "ResourceNotFoundException"
    event = request.events.last()
    assert event.aws_code == "ResourceNotFoundException"
    assert event.reason == "AWS no longer has this sender ID: it counts as released."


# --- AWS refuses ----------------------------------------------------------------------------------
def test_deletion_protection_conflict_puts_the_request_back_to_active_with_aws_reason(
    owner, sms_simulator, releases_enqueued
):
    """Protection turned on at AWS behind our back: AWS refuses; we learn the flag and say why."""
    lease = release_support.lease_in_simulator(sms_simulator, "SAFEBANK", protected=True)
    request = releasing(active_request(owner, "SAFEBANK", aws_sender_id_arn=lease["SenderIdArn"]), owner)

    tasks.release_sender_id.apply(args=[request.pk])

    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    assert request.deletion_protection is True
    assert request.aws_error_code == "ConflictException"
    event = request.events.last()
    assert (event.from_status, event.to_status, event.aws_code) == (
        Status.RELEASING,
        Status.ACTIVE,
        "ConflictException",
    )
    assert "DELETION_PROTECTION_ENABLED" in event.aws_message
    assert "deletion protection is on" in event.reason
    assert ("SAFEBANK", "DE") in simulator_sender_ids(sms_simulator)
    assert len(calls(sms_simulator, "ReleaseSenderId")) == 1  # a conflict is not retried


def test_other_permanent_errors_keep_the_sender_id_active_with_aws_message(
    owner, sms_simulator, releases_enqueued
):
    request = releasing(leased_request(sms_simulator, owner), owner)
    sms_simulator.fail_next("ReleaseSenderId", "AccessDeniedException", message="Explicit deny")
    tasks.release_sender_id.apply(args=[request.pk])
    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    assert (request.aws_error_code, request.aws_error_message) == ("AccessDeniedException", "Explicit deny")


def test_protected_request_is_not_released(owner, releases_enqueued):
    request = active_request(owner, deletion_protection=True)
    with pytest.raises(DeletionProtectionOn):
        sender_id_request_release(request=request, actor=owner)
    assert status_of(request) == Status.ACTIVE and releases_enqueued == []


@pytest.mark.parametrize("status", [Status.RELEASING, Status.RELEASED, Status.SUBMITTING, Status.FAILED])
def test_only_active_requests_can_be_released(owner, releases_enqueued, status):
    request = active_request(owner, status=status)
    with pytest.raises(IllegalTransition):
        sender_id_request_release(request=request, actor=owner)
    assert releases_enqueued == []


def test_stale_copy_of_a_request_released_meanwhile_conflicts(
    owner, releases_enqueued, django_capture_on_commit_callbacks
):
    request = active_request(owner)
    stale = SenderIdRequest.objects.get(pk=request.pk)
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_release(request=request, actor=owner)
        with pytest.raises(TransitionConflict):
            sender_id_request_release(request=stale, actor=owner)
    assert releases_enqueued == [request.pk]


# --- who may release ------------------------------------------------------------------------------
def test_stranger_cannot_release(owner, stranger, releases_enqueued):
    request = active_request(owner)
    with pytest.raises(PermissionDenied):
        sender_id_request_release(request=request, actor=stranger)
    with pytest.raises(PermissionDenied):
        sender_id_deletion_protection_disable(request=request, actor=stranger)
    assert status_of(request) == Status.ACTIVE


def test_staff_without_the_release_permission_cannot_release(owner, staff_user, releases_enqueued):
    request = active_request(owner)
    with pytest.raises(PermissionDenied):
        sender_id_request_release(request=request, actor=staff_user)


def test_staff_with_the_release_permission_releases_on_behalf_with_their_name(
    owner, django_user_model, releases_enqueued
):
    staff = django_user_model.objects.create_user(
        "jdoe", "jdoe@example.com", "x", is_staff=True, first_name="Jane", last_name="Doe"
    )
    staff = pipeline_support.grant(staff, "release_senderidrequest")
    request = active_request(owner)
    event = sender_id_request_release(request=request, actor=staff, note="Customer asked by phone.")
    assert event.actor == staff and event.actor_label == "jdoe"
    assert event.reason == (
        "Released by staff member Jane Doe (jdoe) on behalf of the owner. Customer asked by phone."
    )


# --- deletion protection off ----------------------------------------------------------------------
def test_deletion_protection_off_calls_update_sender_id_and_notes_it(owner, sms_simulator):
    request = leased_request(sms_simulator, owner, "SAFEBANK", deletion_protection=True)
    assert sender_id_deletion_protection_disable(request=request, actor=owner) is False
    (call,) = calls(sms_simulator, "UpdateSenderId", "ok")
    assert call["params"]["DeletionProtectionEnabled"] is False
    assert SenderIdRequest.objects.get(pk=request.pk).deletion_protection is False
    note = request.events.get()
    assert (note.from_status, note.to_status) == (Status.ACTIVE, Status.ACTIVE)


def test_deletion_protection_of_a_sender_id_gone_at_aws_is_cleared(owner, sms_simulator):
    request = active_request(owner, "GONEBANK", deletion_protection=True)
    assert sender_id_deletion_protection_disable(request=request, actor=owner) is False
    assert SenderIdRequest.objects.get(pk=request.pk).deletion_protection is False
    assert request.events.get().aws_code == "ResourceNotFoundException"


def test_deletion_protection_only_changes_on_active_sender_ids(owner, sms_simulator):
    request = active_request(owner, status=Status.RELEASED, deletion_protection=True)
    with pytest.raises(IllegalTransition):
        sender_id_deletion_protection_disable(request=request, actor=owner)
    assert calls(sms_simulator, "UpdateSenderId") == []


# --- the sweeper ----------------------------------------------------------------------------------
@override_settings(SENDERIDS_SWEEP_SUBMITTING_AFTER=60)
def test_sweeper_re_enqueues_releases_stuck_for_longer_than_the_threshold(
    owner, releases_enqueued, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    stuck = active_request(owner, "STUCK", status=Status.RELEASING)
    fresh = active_request(owner, "FRESH", status=Status.RELEASING)
    SenderIdRequest.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert sender_id_requests_sweep_releasing() == [stuck.pk]
        assert sender_id_requests_sweep_releasing() == []  # touched: waits again
    assert releases_enqueued == [stuck.pk]
    assert fresh.pk not in releases_enqueued


# --- retry of a failed request (admin action's service) -------------------------------------------
def test_retry_of_a_failed_request_gets_a_fresh_client_token_and_is_resubmitted(
    owner, approver, enqueued, django_capture_on_commit_callbacks
):
    request = active_request(owner, status=Status.FAILED, aws_error_code="InternalServerException")
    old_token = request.client_token
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_retry(request=request, actor=approver)
    request.refresh_from_db()
    assert request.status == Status.APPROVED
    assert request.client_token != old_token and request.aws_error_code == ""
    assert enqueued == [request.pk]


def test_retry_is_only_for_directly_requested_sender_ids(owner, approver, enqueued):
    request = active_request(owner, status=Status.FAILED, process="registration")
    with pytest.raises(IllegalTransition):
        sender_id_request_retry(request=request, actor=approver)
    assert status_of(request) == Status.FAILED
