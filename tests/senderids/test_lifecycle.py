"""senderids.lifecycle: the one transition table, the fields each move may write, the complete timeline."""

from __future__ import annotations

import pytest
from django.db import transaction

from senderids import events, lifecycle
from senderids.choices import Status
from senderids.events import Event
from senderids.lifecycle import TRANSITIONS, FieldNotAllowed, IllegalTransition, TransitionConflict
from senderids.models import SenderIdRequest, StatusEvent
from senderids.services.requests import sender_id_request_create
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def test_every_status_has_a_row_in_the_table_and_every_target_is_a_status():
    assert set(TRANSITIONS) == set(Status.values)
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(Status.values)


def test_only_released_and_rejected_are_dead_ends():
    dead_ends = {status for status, targets in TRANSITIONS.items() if not targets}
    assert dead_ends == set(lifecycle.TERMINAL_STATUSES) == {Status.RELEASED, Status.REJECTED}


def test_a_transition_writes_its_columns_and_exactly_one_event_of_its_kind():
    request = SenderIdRequestFactory(status=Status.SUBMITTING)
    lifecycle.transition(
        request,
        Status.FAILED,
        event=events.aws_refused("ValidationException", "Bad sender ID"),
        aws_error_code="ValidationException",
        aws_error_message="Bad sender ID",
    )
    fresh = SenderIdRequest.objects.get(pk=request.pk)
    assert (fresh.status, fresh.aws_error_code) == (Status.FAILED, "ValidationException")
    (event,) = StatusEvent.objects.filter(request=request)
    assert (event.kind, event.from_status, event.to_status) == (
        "aws_refused",
        Status.SUBMITTING,
        Status.FAILED,
    )
    assert (event.aws_code, event.aws_message, event.actor_label) == (
        "ValidationException",
        "Bad sender ID",
        events.WORKER_ACTOR,
    )


def test_a_column_the_table_does_not_give_the_move_is_refused_and_nothing_is_written():
    request = SenderIdRequestFactory(status=Status.PENDING_REVIEW, sender_id="ACME")
    with pytest.raises(FieldNotAllowed, match="sender_id"):
        lifecycle.transition(request, Status.APPROVED, event=Event("test"), sender_id="HIJACK")
    fresh = SenderIdRequest.objects.get(pk=request.pk)
    assert (fresh.status, fresh.sender_id) == (Status.PENDING_REVIEW, "ACME")
    assert not StatusEvent.objects.filter(request=request).exists()


def test_a_move_the_table_does_not_have_is_illegal():
    request = SenderIdRequestFactory(status=Status.RELEASED)
    with pytest.raises(IllegalTransition):
        lifecycle.transition(request, Status.ACTIVE, event=Event("test"))


def test_a_row_moved_by_someone_else_is_a_conflict_not_a_second_move():
    request = SenderIdRequestFactory(status=Status.APPROVED)
    SenderIdRequest.objects.filter(pk=request.pk).update(status=Status.SUBMITTING)
    with pytest.raises(TransitionConflict):
        lifecycle.transition(request, Status.SUBMITTING, event=events.submission_claimed())
    assert not StatusEvent.objects.filter(request=request).exists()


def test_a_new_request_starts_its_timeline_with_who_asked(owner, countries):
    request = sender_id_request_create(
        owner=owner, country=countries["DE"], sender_id="ACME", message_type="TRANSACTIONAL"
    )
    (event,) = request.events.all()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "requested",
        "",
        Status.PENDING_REVIEW,
        owner,
    )


def test_a_note_records_an_action_without_moving_the_request(owner):
    request = SenderIdRequestFactory(owner=owner, status=Status.ACTIVE)
    lifecycle.note(request, event=events.deletion_protection_off(owner, by_owner=True, already_gone=False))
    (event,) = request.events.all()
    assert (event.kind, event.from_status, event.to_status) == (
        "deletion_protection_off",
        Status.ACTIVE,
        Status.ACTIVE,
    )
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.ACTIVE


def test_listeners_hear_of_a_transition_only_once_it_is_committed(
    monkeypatch, django_capture_on_commit_callbacks
):
    heard: list[str] = []
    monkeypatch.setattr(lifecycle, "_transition_listeners", [lambda request, event: heard.append(event.kind)])
    request = SenderIdRequestFactory(status=Status.PENDING_REVIEW)

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Abort), transaction.atomic():
        lifecycle.transition(request, Status.REJECTED, event=Event("rejected"))
        raise Abort
    assert heard == []
    request.status = Status.PENDING_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(request, Status.REJECTED, event=Event("rejected"))
    assert heard == ["rejected"]


@pytest.mark.parametrize(
    ("from_status", "to_status", "visible"),
    [
        (Status.PENDING_REVIEW, Status.APPROVED, True),
        (Status.APPROVED, Status.SUBMITTING, False),
        (Status.SUBMITTING, Status.APPROVED, False),
        (Status.ACTIVE, Status.RELEASING, False),
        (Status.RELEASING, Status.RELEASED, True),
    ],
)
def test_the_owner_hears_of_every_move_but_the_internal_ones(from_status, to_status, visible):
    assert lifecycle.is_user_visible(from_status, to_status) is visible
