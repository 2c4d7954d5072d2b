"""Shared fixtures: personas, and real worker processes (Celery) pointed at the test database."""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.catalogue import ensure_test_countries

pytest_plugins = ["tests.aws_fixtures", "tests.reliability.report"]

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition: Callable[[], object], timeout: float = 20.0, interval: float = 0.05) -> object:
    """Poll until condition() is truthy (no blind sleeps); fail with a clear message on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {condition}")
        time.sleep(interval)


def test_database_url() -> str:
    """DATABASE_URL of the database pytest-django created, for child processes."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db['HOST']}:{db['PORT']}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=test_database_url(), TESTING="true", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


class WorkerProcess:
    """A real `celery worker` child process on the configured broker."""

    def __init__(self, log_path: Path, extra_env: dict[str, str] | None = None, beat: bool = False):
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.beat = beat
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        cmd = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            f"--hostname=test-{os.getpid()}-{time.monotonic_ns()}@%h", "--loglevel=INFO",
        ]  # fmt: skip
        if self.beat:
            cmd += ["-B", "-s", str(self.log_path.with_suffix(".schedule"))]
        self.log_path.write_bytes(b"")
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=child_env(**self.extra_env), stdout=log, stderr=subprocess.STDOUT
        )
        wait_for(lambda: b"ready." in self.log_path.read_bytes() or self.proc.poll() is not None, 30)
        if self.proc.poll() is not None:
            raise RuntimeError(f"worker exited:\n{self.log_text()}")
        return self

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: the crash case (no chance to ack or clean up)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker_factory(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real worker processes against the test database; stopped after the test."""
    started: list[WorkerProcess] = []

    def start(name: str = "worker", **kwargs: object) -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"{name}.log", **kwargs).start()  # type: ignore[arg-type]
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(autouse=True)
def _read_cache_answers(monkeypatch):
    """Every test starts with the read cache answering: a test that made Redis fail (an outage, a
    frozen proxy) leaves this process backing off for seconds (caching.failed)."""
    import caching

    monkeypatch.setattr(caching, "_down_until", 0.0)
    monkeypatch.setattr(caching, "_pending", set())


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: a request in French leaves French active in the thread
    (LocaleMiddleware), and text written outside a request (timeline reasons) would follow it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


# Tasks that ran inline before they became tasks: what a test of a single process expects to see done.
INLINE_TASKS = frozenset(
    {
        "senderids.tasks.send_status_email",
        "senderids.tasks.send_staff_alert",
    }
)


@pytest.fixture(autouse=True)
def sent_tasks(request, monkeypatch) -> dict[str, list]:
    """What services enqueued, by task name: {name: [first argument (or the args tuple), ...]}.

    Without real workers nothing consumes the broker, so enqueues are captured here instead; the owner's
    status email still runs inline (INLINE_TASKS), as it did before it became a task. Tests that start
    real workers (celery_worker_factory), drive a browser or are marked `real_broker` keep the real broker.
    """
    sent: dict[str, list] = defaultdict(list)
    real_broker = any(request.node.get_closest_marker(m) for m in ("e2e", "real_broker"))
    if "celery_worker_factory" in request.fixturenames or real_broker:
        return sent
    from celery import current_app

    from senderids import enqueue

    def capture(task_name: str, args: tuple) -> None:
        sent[task_name].append(args[0] if len(args) == 1 else args)
        if task_name in INLINE_TASKS:
            importlib.import_module(task_name.rsplit(".", 1)[0])
            current_app.tasks[task_name].apply(args=args)

    monkeypatch.setattr(enqueue, "_send", capture)
    return sent


@pytest.fixture
def purge_broker() -> None:
    from config.celery import app

    app.control.purge()


# --- personas: people, so that permission tests read as sentences ----------------------------------
# Olivia requests sender IDs; Mallory is another customer who must never see hers; Sam is support
# staff; Ada administers the portal. Approvers and viewers live where their tests are.
@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user(
        "olivia", "olivia@acme.example", "olivia-pass-1", first_name="Olivia", last_name="Owen"
    )


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user(
        "mallory", "mallory@rival.example", "mallory-pass-1", first_name="Mallory", last_name="Stone"
    )


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "sam", "sam@portal.example", "sam-pass-1", first_name="Sam", last_name="Support", is_staff=True
    )


@pytest.fixture
def admin_user_(django_user_model):
    return django_user_model.objects.create_superuser(
        "ada", "ada@portal.example", "ada-pass-1", first_name="Ada", last_name="Admin"
    )


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def fast_password_hasher(settings):
    """PBKDF2 costs ~0.3 s per persona; tests that are not about passwords use this instead
    (`pytestmark = pytest.mark.usefixtures("fast_password_hasher")`)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def countries(db):
    """The test catalogue, one shape for every suite: {ISO code: Country}, rules pinned (the real
    catalogue may say otherwise). See tests/catalogue.py for what each country stands for."""
    return ensure_test_countries()


@pytest.fixture
def unused_tcp_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the default AWS account follows settings.AWS_REGION in tests -----------------------------------
def _default_account_follows_region(*, setting: str, value: object, **kwargs: object) -> None:
    """Tests say "the portal sends from X" with `settings.AWS_REGION = X`, as a single-account install
    does with its environment: the default account (made from the environment on migrate) follows."""
    if setting != "AWS_REGION" or not value:
        return
    from django.db import DatabaseError

    from smsvoice.gateway import reset_gateway
    from smsvoice.models import AwsAccount

    # A test without database access has nothing to follow.
    with contextlib.suppress(DatabaseError, RuntimeError):
        AwsAccount.objects.filter(is_default=True).update(regions=[value], default_region=value)
    reset_gateway()


@pytest.fixture(autouse=True, scope="session")
def _follow_region() -> Iterator[None]:
    from django.test.signals import setting_changed

    setting_changed.connect(_default_account_follows_region, dispatch_uid="default-account-region")
    yield
    setting_changed.disconnect(dispatch_uid="default-account-region")
