"""Benchmark: a burst of N approvals through real workers to the SMS simulator capped at R TPS.

    source scripts/services.sh; services_start        # scratch PostgreSQL + Redis, exports the URLs
    .venv/bin/python bench/submit_throughput.py [-n 1000] [-r 20] [-w 2]
    services_stop

Needs DATABASE_URL (PostgreSQL) and REDIS_URL. It creates a throwaway database next to DATABASE_URL's
(``test_<name>``, dropped at the end) and uses its own Redis database number (``--redis-db``, flushed
before and after), starts the simulator in-process with a TPS cap of R and W worker processes
(``celery worker --pool=solo``) with ``AWS_SMS_TPS=R``, then approves N requests through the approve
service (as the admin action does; each enqueues its submission on commit) and waits until all are
active. The clock runs from the first approval to the last activation.

Prints wall seconds, the ratio to the floor N/R, throttled calls, lost (not active at the end),
duplicated (requests AWS was asked for more than once) and the sender IDs the simulator holds.
Target: ratio ≤ 1.10 with 0 lost and 0 duplicated. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_RATIO = 1.10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--requests", type=int, default=1000, help="approved requests (N)")
    parser.add_argument("-r", "--tps", type=float, default=20.0, help="simulator cap and AWS_SMS_TPS (R)")
    parser.add_argument("-w", "--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number to use (flushed)")
    parser.add_argument("--timeout", type=float, default=None, help="give up after (default 3·N/R + 60 s)")
    args = parser.parse_args()
    if args.requests < 1 or args.tps <= 0 or args.workers < 1:
        parser.error("N ≥ 1, R > 0 and W ≥ 1 please")
    return args


def redis_url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def database_url(db: dict) -> str:
    auth = db.get("USER") or ""
    if auth and db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth + '@' if auth else ''}{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(index: int, env: dict[str, str], log_dir: Path) -> tuple[subprocess.Popen, Path]:
    log = log_dir / f"worker{index}.log"
    cmd = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-gossip",
        "--without-mingle", "--without-heartbeat", f"--hostname=bench{index}-{os.getpid()}@%h",
        "--loglevel=INFO",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, log


def wait_ready(workers: list[tuple[subprocess.Popen, Path]], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    for proc, log in workers:
        while b"ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)


def stop_workers(workers: list[tuple[subprocess.Popen, Path]]) -> None:
    for proc, _log in workers:
        if proc.poll() is None:
            proc.terminate()
    for proc, _log in workers:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def main() -> int:
    args = parse_args()
    n, rate = args.requests, args.tps
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at PostgreSQL: source scripts/services.sh; services_start")
    if not os.environ.get("REDIS_URL"):
        sys.exit("REDIS_URL must be set: source scripts/services.sh; services_start")

    from smsvoice.simulator import SimConfig, SimulatorServer

    simulator = SimulatorServer(config=SimConfig(tps=rate, max_sender_ids=n + 100)).start()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-not-secret"),
        REDIS_URL=redis_url_with_db(os.environ["REDIS_URL"], args.redis_db),
        AWS_SMS_TPS=f"{rate:g}",
        AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2=simulator.url,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # the simulator accepts any credentials
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
    )

    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from countries.models import Country, SenderIdProcess
    from senderids.choices import Status
    from senderids.models import SenderIdRequest
    from senderids.services.requests import sender_id_request_approve
    from smsvoice import ratelimit

    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    worker_env = {**os.environ, "DATABASE_URL": database_url(settings.DATABASES["default"])}
    workers: list[tuple[subprocess.Popen, Path]] = []
    log_dir = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    try:
        user_model = get_user_model()
        owner = user_model.objects.create_user("bench-owner", "owner@bench.invalid")
        approver = user_model.objects.create_superuser("bench-approver", "approver@bench.invalid")
        country, _ = Country.objects.update_or_create(
            iso_code="DE", defaults={"name": "Germany", "sender_id_process": SenderIdProcess.SUPPORTED}
        )
        SenderIdRequest.objects.bulk_create(
            SenderIdRequest(
                owner=owner,
                country=country,
                sender_id=f"B{i:07d}",
                process=SenderIdProcess.SUPPORTED,
                message_type="TRANSACTIONAL",
            )
            for i in range(n)
        )
        pending = list(SenderIdRequest.objects.order_by("pk"))

        workers = [start_worker(i, worker_env, log_dir) for i in range(args.workers)]
        wait_ready(workers)
        ratelimit.reset()
        simulator.simulator.reset()
        floor = n / rate
        timeout = args.timeout or 3 * floor + 60

        started = time.monotonic()
        for request in pending:  # the burst: every approval enqueues its submission on commit
            sender_id_request_approve(request=request, actor=approver)
        approved_at = time.monotonic() - started
        active = 0
        while time.monotonic() - started < timeout:
            active = SenderIdRequest.objects.filter(status=Status.ACTIVE).count()
            if active == n:
                break
            time.sleep(0.05)
        wall = time.monotonic() - started

        calls = simulator.simulator.call_log("RequestSenderId")
        outcomes = Counter(c["outcome"] for c in calls)
        per_request = Counter(c["params"]["ClientToken"] for c in calls if c["outcome"] == "ok")
        held = sum(len(state.sender_ids) for state in simulator.simulator.regions.values())
        statuses = Counter(SenderIdRequest.objects.values_list("status", flat=True))
        lost = n - statuses.get(Status.ACTIVE, 0)
        duplicated = sum(1 for count in per_request.values() if count > 1)
        ratio = wall / floor
    finally:
        stop_workers(workers)
        simulator.stop()
        connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)
        broker.flushdb()

    print(f"requests (N)            {n}")
    print(f"simulator cap (R)       {rate:g}/s   AWS_SMS_TPS={rate:g}   workers={args.workers}")
    print(f"approvals issued in     {approved_at:.2f} s")
    print(f"wall seconds            {wall:.2f}")
    print(f"floor N/R               {floor:.2f} s")
    print(f"ratio to floor          {ratio:.3f}   (target ≤ {TARGET_RATIO:.2f})")
    print(f"RequestSenderId calls   {sum(outcomes.values())}   {dict(outcomes)}")
    print(f"throttled calls         {outcomes.get('ThrottlingException', 0)}")
    print(f"lost                    {lost}   statuses {dict(statuses)}")
    print(f"duplicated              {duplicated}")
    print(f"sender IDs held by AWS  {held}")
    print(f"worker logs             {log_dir}")
    ok = ratio <= TARGET_RATIO and lost == 0 and duplicated == 0 and held == n
    print("RESULT                  " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
