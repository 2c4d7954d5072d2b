"""The shared AWS rate budget: calls are spaced at AWS_SMS_TPS, across threads and (via Redis) processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from smsvoice import ratelimit
from smsvoice.ratelimit import LocalBucket, RateLimitTimeout, RedisBucket

ROOT = Path(__file__).resolve().parents[2]
needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (make test starts Redis)"
)


def test_local_bucket_spaces_calls_at_the_rate():
    bucket = LocalBucket()
    waits = [bucket.reserve("k", rate=20, burst=1, max_wait=None) for _ in range(5)]
    assert waits[0] == 0
    # Each reservation lands one interval (50 ms) after the previous one.
    assert waits[1:] == pytest.approx([0.05, 0.10, 0.15, 0.20], abs=0.02)


def test_local_bucket_refuses_without_reserving_when_the_wait_exceeds_the_timeout():
    bucket = LocalBucket()
    assert bucket.reserve("k", rate=1, burst=1, max_wait=0.5) == 0
    assert bucket.reserve("k", rate=1, burst=1, max_wait=0.5) is None
    # The refusal reserved nothing: the next slot is still one second after the first.
    assert bucket.reserve("k", rate=1, burst=1, max_wait=None) == pytest.approx(1.0, abs=0.05)


def test_local_bucket_keys_are_independent():
    bucket = LocalBucket()
    bucket.reserve("sms-voice", rate=1, burst=1, max_wait=None)
    assert bucket.reserve("support", rate=1, burst=1, max_wait=None) == 0


def test_acquire_waits_for_the_slot(settings):
    settings.AWS_SMS_TPS = 20
    settings.REDIS_URL = ""
    ratelimit.reset()
    start = time.monotonic()
    for _ in range(4):
        ratelimit.acquire()
    # Four tokens at 20/s cannot all be had in less than three intervals (sleeps only ever run long).
    assert time.monotonic() - start >= 0.15 - 0.005


def test_acquire_with_timeout_raises_when_the_budget_is_spent(settings):
    settings.AWS_SMS_TPS = 0.01
    settings.REDIS_URL = ""
    ratelimit.reset()
    ratelimit.acquire(timeout=1)
    with pytest.raises(RateLimitTimeout):
        ratelimit.acquire(timeout=1)


def test_a_zero_rate_disables_the_budget(settings):
    settings.AWS_SMS_TPS = 0
    start = time.monotonic()
    for _ in range(100):
        ratelimit.acquire()
    assert time.monotonic() - start < 0.5


def test_threads_share_the_process_budget(settings):
    settings.AWS_SMS_TPS = 50
    settings.REDIS_URL = ""
    ratelimit.reset()
    granted: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(5):
            ratelimit.acquire()
            with lock:
                granted.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 20 grants at 50/s need at least 19 intervals whichever thread asked; unshared, the four threads
    # would have finished in about four intervals.
    assert len(granted) == 20
    assert max(granted) - min(granted) >= 19 / 50 - 0.005


@needs_redis
def test_redis_bucket_is_shared_by_separate_clients():
    key = f"test-{uuid.uuid4().hex}"
    first, second = RedisBucket(os.environ["REDIS_URL"]), RedisBucket(os.environ["REDIS_URL"])
    assert first.reserve(key, rate=10, burst=1, max_wait=None) == 0
    # The second client (as another process would) sees the slot the first one took.
    assert 0.05 < second.reserve(key, rate=10, burst=1, max_wait=None) <= 0.1
    assert second.reserve(key, rate=10, burst=1, max_wait=0.05) is None


@needs_redis
def test_worker_processes_together_stay_within_the_budget(tmp_path):
    """Three processes each take 5 tokens at a shared 20/s, all starting at once: the 15 grants need
    14 intervals (0.7 s). Had each process its own bucket, all would be done in about 0.2 s."""
    key = f"test-{uuid.uuid4().hex}"
    go = tmp_path / "go"
    script = (
        "import os, time, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from smsvoice import ratelimit\n"
        "settings.AWS_SMS_TPS = 20\n"
        "print('ready', flush=True)\n"
        f"while not os.path.exists({str(go)!r}):\n"
        "    time.sleep(0.01)\n"
        "for _ in range(5):\n"
        f"    ratelimit.acquire(key={key!r})\n"
        "    print(time.time(), flush=True)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "TESTING": "true"}
    procs = [
        subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        go.touch()
        outputs = [p.communicate(timeout=60)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert all(p.returncode == 0 for p in procs)
    granted = sorted(float(line) for out in outputs for line in out.split())
    assert len(granted) == 15
    assert granted[-1] - granted[0] >= 14 / 20 - 0.01


def test_redis_down_falls_back_to_the_local_bucket(settings):
    settings.AWS_SMS_TPS = 1000
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    ratelimit.reset()  # whatever earlier tests left in this process's local bucket
    assert ratelimit.acquire(timeout=1) == 0
