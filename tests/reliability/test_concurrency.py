"""Two people acting on one request at the same instant, on PostgreSQL with real threads: the
conditional UPDATE in lifecycle.transition lets exactly one win, so there is one transition, one timeline
entry and one task — never a second submission or a second ReleaseSenderId."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from senderids.choices import Status
from senderids.lifecycle import IllegalTransition
from senderids.models import SenderIdRequest, StatusEvent
from senderids.services.release import sender_id_request_release
from senderids.services.requests import sender_id_request_approve
from tests.factories import SenderIdRequestFactory
from tests.senderids import pipeline_support

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (make test)"),
]

approver = pipeline_support.approver
ATTEMPTS = 8


def race(action: Callable[[], object], n: int = ATTEMPTS) -> tuple[int, int]:
    """Run `action` in n threads released at once; (how many succeeded, how many lost cleanly)."""
    start = threading.Barrier(n)
    won, lost, errors = [], [], []

    def run() -> None:
        try:
            start.wait()
            action()
            won.append(1)
        except IllegalTransition:  # TransitionConflict included: someone else moved it first
            lost.append(1)
        except Exception as exc:  # anything else is a bug the test must show
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    return len(won), len(lost)


def test_many_approvers_at_once_make_one_approval_and_one_submission(approver, sent_tasks):
    request = SenderIdRequestFactory(status=Status.PENDING_REVIEW)

    def approve() -> None:
        sender_id_request_approve(request=SenderIdRequest.objects.get(pk=request.pk), actor=approver)

    assert race(approve) == (1, ATTEMPTS - 1)
    assert StatusEvent.objects.filter(request=request, to_status=Status.APPROVED).count() == 1
    assert sent_tasks["senderids.tasks.submit_sender_id_request"] == [request.pk]


def test_many_releases_at_once_make_one_release_and_one_release_call(owner, sent_tasks):
    request = SenderIdRequestFactory(owner=owner, status=Status.ACTIVE)

    def release() -> None:
        sender_id_request_release(request=SenderIdRequest.objects.get(pk=request.pk), actor=owner)

    assert race(release) == (1, ATTEMPTS - 1)
    assert StatusEvent.objects.filter(request=request, to_status=Status.RELEASING).count() == 1
    assert sent_tasks["senderids.tasks.release_sender_id"] == [request.pk]
