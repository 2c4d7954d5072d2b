"""The wizard's final step posted several times at the same instant (a double click, two tabs, a retry
by the browser): one request — one batch for several countries — and every other post answered with a
page, never a 500. On PostgreSQL with real threads, and in embedded mode (SQLite file shared with the
worker) in a child process, where the writers queue on SQLite's lock instead of "database is locked".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client

from senderids.models import RequestBatch, SenderIdRequest

from .wizard_support import WizardDriver, hidden_fields, step_url

ROOT = Path(__file__).resolve().parents[2]
POSTS = 4


def post_review_at_once(client: Client, n: int = POSTS) -> list[int]:
    """Post the review step n times at once from n clients sharing the user's session; status codes."""
    fields = hidden_fields(client.get(step_url("review")).content.decode())
    start = threading.Barrier(n)
    codes: list[int] = []
    errors: list[BaseException] = []

    def post() -> None:
        twin = Client()
        twin.cookies = client.cookies
        try:
            start.wait()
            codes.append(twin.post(step_url("review"), fields).status_code)
        except BaseException as exc:  # the test must show it, not the thread swallow it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return codes


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fast_password_hasher")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (make test)")
@pytest.mark.parametrize("countries_chosen", [["DE"], ["DE", "FR"]], ids=["one", "batch"])
def test_final_step_posted_at_once_makes_one_request_or_one_batch(owner_client, countries, countries_chosen):
    from tests.catalogue import ensure_batch_countries

    ensure_batch_countries()
    WizardDriver(owner_client).walk(
        "country", "use-case", "sender", answers={"country": {"country-country": countries_chosen}}
    )
    codes = post_review_at_once(owner_client)
    assert set(codes) <= {200, 302}, codes
    assert SenderIdRequest.objects.count() == len(countries_chosen)
    assert RequestBatch.objects.count() == (1 if len(countries_chosen) > 1 else 0)


EMBEDDED_SCRIPT = """
import json, os, sys
import django
django.setup()
from config.celery import app
broker = os.environ["TEST_BROKER_DIR"]  # the filesystem transport's folders, not make run's var/broker
app.conf.broker_transport_options = {
    "data_folder_in": broker, "data_folder_out": broker, "processed_folder": broker, "control_folder": broker
}
os.makedirs(broker, exist_ok=True)
from django.core.management import call_command
from django.test.utils import setup_test_environment
setup_test_environment()
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.test import Client
from senderids.models import SenderIdRequest
from tests.catalogue import ensure_test_countries
from tests.senderids.test_wizard_parallel import post_review_at_once
from tests.senderids.wizard_support import WizardDriver
ensure_test_countries()
user = get_user_model().objects.create_user("olivia", "olivia@acme.example", "pw")
client = Client()
client.force_login(user)
WizardDriver(client).walk("country", "use-case", "sender")
codes = post_review_at_once(client)
print(json.dumps({"codes": codes, "requests": SenderIdRequest.objects.count()}))
"""


def test_embedded_mode_final_step_posted_at_once_makes_one_request_and_no_lock_error(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "TESTING", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        TESTING="true",  # the finders' static files and a test key, as the suite has (no collectstatic)
        TEST_BROKER_DIR=str(tmp_path / "broker"),
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-c", EMBEDDED_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert 500 not in result["codes"], done.stderr[-4000:]
    assert result["requests"] == 1
    assert "database is locked" not in done.stderr
