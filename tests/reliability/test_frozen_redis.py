"""Redis that stops answering but keeps its connections open (SIGSTOP, a dead link): `/healthz`, an
approval in the admin and a release answer within seconds — the change saved, its task held in the
outbox — instead of hanging until gunicorn kills the worker. Then the outbox drains once Redis answers."""

from __future__ import annotations

import time

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from senderids.choices import Status
from senderids.enqueue import DRAIN_AFTER, outbox_drain
from senderids.models import OutboxMessage, SenderIdRequest
from senderids.services.release import RELEASE_TASK
from tests.factories import SenderIdRequestFactory
from tests.reliability import test_recovery
from tests.senderids import pipeline_support
from tests.senderids.pipeline_support import SUBMIT_TASK
from tests.senderids.release_support import RELEASE_WORD, release_url

pytestmark = [
    *pipeline_support.needs_real_services(),
    pytest.mark.real_broker,
    pytest.mark.usefixtures("fast_password_hasher", "purge_broker"),
]

approver = pipeline_support.approver
redis_proxy = test_recovery.redis_proxy
web_redis_through = test_recovery.web_redis_through

ANSWER_WITHIN = 10.0  # seconds: a page may be slow while Redis is frozen, never hang (gunicorn: 30 s)


def timed(call):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_frozen_redis_pages_answer_in_seconds_and_the_work_waits_in_the_outbox(
    redis_proxy, web_redis_through, approver, owner
):
    pending = SenderIdRequestFactory(status=Status.PENDING_REVIEW)
    active = SenderIdRequestFactory(owner=owner, status=Status.ACTIVE)
    staff, team = Client(), Client()
    staff.force_login(approver)
    team.force_login(owner)

    with redis_proxy.frozen():
        health, took_health = timed(lambda: Client().get("/healthz"))
        approve, took_approve = timed(
            lambda: staff.post(
                reverse("admin:senderids_senderidrequest_changelist"),
                {"action": "approve", ACTION_CHECKBOX_NAME: [pending.pk]},
            )
        )
        release, took_release = timed(lambda: team.post(release_url(active), {"confirmation": RELEASE_WORD}))

    assert took_health < ANSWER_WITHIN and health.status_code == 503
    assert "broker" in health.json()["missing"]
    assert took_approve < ANSWER_WITHIN and approve.status_code == 302
    assert took_release < ANSWER_WITHIN and release.status_code == 302
    assert SenderIdRequest.objects.get(pk=pending.pk).status == Status.APPROVED
    assert SenderIdRequest.objects.get(pk=active.pk).status == Status.RELEASING
    held = [(name, tuple(args)) for name, args in OutboxMessage.objects.values_list("task_name", "args")]
    assert {(SUBMIT_TASK, (pending.pk,)), (RELEASE_TASK, (active.pk,))} <= set(held)  # kept for the broker

    # Redis answers again: the drain sends everything it held.
    later = OutboxMessage.objects.latest("pk").created_at + DRAIN_AFTER * 2
    assert outbox_drain(now=later) == len(held)
    assert not OutboxMessage.objects.exists()
