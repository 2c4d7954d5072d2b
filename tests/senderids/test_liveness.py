"""A killed worker's in-flight requests are handed to another worker as soon as it stops beating
(senderids.liveness + the sweeper), not after the sweeper's staleness thresholds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from senderids import liveness
from senderids.choices import Status
from senderids.models import SenderIdRequest, WorkerHeartbeat
from senderids.services.release import sender_id_requests_sweep_releasing
from senderids.services.submission import sender_id_requests_sweep_stuck
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def in_flight(status: str, worker: str) -> SenderIdRequest:
    request = SenderIdRequestFactory(status=status)
    # Touched just now: the staleness thresholds (minutes) would leave it alone.
    SenderIdRequest.objects.filter(pk=request.pk).update(claimed_by=worker, updated_at=timezone.now())
    return request


def beat_at(worker: str, seconds_ago: float) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"seen_at": timezone.now() - timedelta(seconds=seconds_ago)}
    )


def test_a_dead_workers_submission_is_re_enqueued_at_once_and_only_once(
    sent_tasks, django_capture_on_commit_callbacks
):
    beat_at("dead@host", seconds_ago=60)
    beat_at("alive@host", seconds_ago=1)
    orphan = in_flight(Status.SUBMITTING, "dead@host")
    busy = in_flight(Status.SUBMITTING, "alive@host")

    with django_capture_on_commit_callbacks(execute=True):
        assert sender_id_requests_sweep_stuck() == [orphan.pk]
        assert sender_id_requests_sweep_stuck() == []  # the claim was released with the nudge

    assert sent_tasks["senderids.tasks.submit_sender_id_request"] == [orphan.pk]
    assert busy.pk not in sent_tasks["senderids.tasks.submit_sender_id_request"]


def test_a_dead_workers_release_is_re_enqueued_at_once(sent_tasks, django_capture_on_commit_callbacks):
    beat_at("dead@host", seconds_ago=60)
    orphan = in_flight(Status.RELEASING, "dead@host")
    with django_capture_on_commit_callbacks(execute=True):
        assert sender_id_requests_sweep_releasing() == [orphan.pk]
    assert sent_tasks["senderids.tasks.release_sender_id"] == [orphan.pk]


def test_a_worker_that_never_beat_counts_as_dead():
    assert "ghost@host" not in liveness.live_workers()


def test_the_liveness_thread_beats_until_stopped(monkeypatch):
    import threading

    beats: list[str] = []
    first = threading.Event()

    def record(worker: str) -> None:  # not the database: the thread's connection is not the test's
        beats.append(worker)
        first.set()

    monkeypatch.setattr(liveness, "beat", record)
    thread = liveness.start_beating("thread-test@host")
    try:
        assert first.wait(5) and beats[0] == "thread-test@host"
        assert thread.daemon  # never keeps a stopping worker alive
    finally:
        liveness.stop_beating()
        thread.join(5)
    assert not thread.is_alive()
