"""The transactional outbox (senderids.enqueue): a change saved while the broker is down keeps its
follow-up task, the web request that made it does not fail, and the task is sent once the broker is back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from senderids import enqueue
from senderids.choices import Status
from senderids.models import OutboxMessage, SenderIdRequest
from senderids.services.requests import sender_id_request_approve
from tests.factories import SenderIdRequestFactory
from tests.senderids import pipeline_support

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

approver = pipeline_support.approver
SUBMIT = "senderids.tasks.submit_sender_id_request"


class BrokerDown(Exception):
    pass


@pytest.fixture
def broker(monkeypatch):
    """A broker the test switches off and on; what reached it is in `.sent`."""

    class Broker:
        up = True
        sent: list[tuple[str, tuple]] = []

        def send(self, task_name, args):
            if not self.up:
                raise BrokerDown("Error 111 connecting to redis: Connection refused.")
            self.sent.append((task_name, args))

    b = Broker()
    b.sent = []
    monkeypatch.setattr(enqueue, "_send", b.send)
    return b


def test_a_sent_message_leaves_no_row(broker, approver, django_capture_on_commit_callbacks):
    request = SenderIdRequestFactory(status=Status.PENDING_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_approve(request=request, actor=approver)
    assert (SUBMIT, (request.pk,)) in broker.sent
    assert not OutboxMessage.objects.filter(task_name=SUBMIT).exists()


def test_approving_while_the_broker_is_down_saves_the_approval_and_keeps_the_submission(
    broker, approver, django_capture_on_commit_callbacks
):
    broker.up = False
    request = SenderIdRequestFactory(status=Status.PENDING_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_approve(request=request, actor=approver)  # no exception: the change is saved

    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.APPROVED
    (held,) = OutboxMessage.objects.filter(task_name=SUBMIT)
    assert held.args == [request.pk] and held.attempts == 1 and "Connection refused" in held.last_error

    # The broker is back: the drain sends it, once.
    broker.up = True
    later = timezone.now() + timedelta(seconds=30)
    assert enqueue.outbox_drain(now=later) == 2  # the submission and the owner's email
    assert enqueue.outbox_drain(now=later) == 0
    assert broker.sent.count((SUBMIT, (request.pk,))) == 1
    assert not OutboxMessage.objects.exists()


def test_the_drain_stops_at_the_first_failure_and_keeps_the_order(broker):
    broker.up = False
    for n in range(3):
        OutboxMessage.objects.create(task_name=SUBMIT, args=[n])
    later = timezone.now() + timedelta(seconds=30)
    assert enqueue.outbox_drain(now=later) == 0
    assert OutboxMessage.objects.count() == 3
    broker.up = True
    assert enqueue.outbox_drain(now=later) == 3
    assert [args for _name, args in broker.sent] == [(0,), (1,), (2,)]


def test_a_bulk_admin_approve_with_the_broker_down_approves_every_row(
    client, broker, approver, django_capture_on_commit_callbacks
):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    broker.up = False
    rows = [SenderIdRequestFactory(status=Status.PENDING_REVIEW) for _ in range(4)]
    client.force_login(approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/senderids/senderidrequest/",
            {"action": "approve", ACTION_CHECKBOX_NAME: [r.pk for r in rows]},
        )
    assert response.status_code == 302
    assert set(SenderIdRequest.objects.values_list("status", flat=True)) == {Status.APPROVED}
    assert OutboxMessage.objects.filter(task_name=SUBMIT).count() == 4


def test_healthz_says_what_is_missing_and_what_waits_for_the_broker(client, broker, monkeypatch):
    from config import health

    monkeypatch.setattr(health, "_broker_ok", lambda: False)
    OutboxMessage.objects.create(task_name=SUBMIT, args=[1])
    OutboxMessage.objects.filter().update(created_at=timezone.now() - timedelta(minutes=1))
    body = client.get("/healthz").json()
    assert body["missing"] == ["broker"] and body["queued_for_broker"] == 1
