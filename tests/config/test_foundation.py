"""The walking skeleton: real PostgreSQL, a real broker and worker, health check, login."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from senderids.models import WorkerHeartbeat
from senderids.tasks import worker_heartbeat
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not settings.REDIS_URL, reason="make test runs on PostgreSQL + Redis")
def test_suite_runs_on_postgresql_under_make_test():
    assert connection.vendor == "postgresql"


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs the Redis broker")
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_task_sent_through_redis_is_run_by_a_real_worker(celery_worker_factory, purge_broker):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    worker = celery_worker_factory()
    worker_heartbeat.delay()
    beat = wait_for(lambda: WorkerHeartbeat.objects.first(), timeout=20)
    assert beat.worker.startswith("test-")
    assert "senderids.tasks.worker_heartbeat" in worker.log_text()


def test_healthz_is_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": True, "broker": True},
        "missing": [],
        "queued_for_broker": 0,
    }


def test_healthz_is_503_not_500_when_broker_is_down(client, unused_tcp_port):
    from config.celery import app

    with override_settings():
        old = app.conf.broker_url
        app.conf.broker_url = f"redis://127.0.0.1:{unused_tcp_port}/0"
        try:
            response = client.get("/healthz")
        finally:
            app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_demo_user_can_log_in_and_sees_home(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.post("/accounts/login/", {"username": "demo", "password": "demo"}, follow=True)
    assert response.status_code == 200
    assert response.context["user"].username == "demo"
    assert b"Request sender ID" in response.content


def test_wrong_password_is_refused_with_a_message(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.post("/accounts/login/", {"username": "demo", "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert b"didn" in response.content
