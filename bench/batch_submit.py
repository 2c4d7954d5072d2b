"""Benchmark: a 50-country batch approved at once reaches AWS at the rate budget's pace, and the wizard's
review page for 50 countries renders fast with a constant number of queries.

    source scripts/services.sh; services_start        # scratch PostgreSQL + Redis, exports the URLs
    .venv/bin/python bench/batch_submit.py [--countries 50] [--tps 5] [--workers 2] [--renders 20]
    services_stop

(a) Submission. One ``RequestBatch`` of N children (``batch_create``), one per country, every country
one whose sender IDs need no registration — SUPPORTED in the catalogue and neither "not supported" nor
"registration required" at the simulator — all in the default account's one Region; then
``batch_approve`` approves the whole batch, which enqueues one ``submit_sender_id_request`` per child on
commit. Real ``celery -A config worker`` processes (``--workers``, solo pool, the Redis broker) submit them
through the SMS simulator (in-process thread, ``tps=R``: ThrottlingException above R calls per second
per account, Region and operation), with ``AWS_SMS_TPS=R``.

The rate-budget floor: the portal's budget (``smsvoice.ratelimit``) is one GCRA bucket per
``<credentials>:<region>:<service>:<operation>`` with a burst of 1, so the calls of one operation in
one (account, Region) are spaced 1/R apart, and different operations do not wait for each other. A
supported child needs exactly one ``RequestSenderId`` (with its ClientToken), nothing else, so the
floor is max over (account, Region, operation) of calls / R = N / R. The calls are counted at the
simulator (``GET /_calls``), not assumed: the printed floor uses the counts actually made.

Wall time runs from the moment ``batch_approve`` is called to the last child's transition to active
(its ``updated_at``, written by the worker). Target: wall ≤ 1.10 · floor + STARTUP_ALLOWANCE (1 s).
The allowance covers what precedes the first AWS call and is not budget: the approvals' commits, the
broker delivering the first message to an idle worker, and that worker building its boto3 client on
its first task (the workers are started and "ready" before the clock starts). It is printed as measured
("approval → first call"); the wall time from the first call is printed too.

(b) The review page. A logged-in Django test client (same process, same database) walks the wizard to
the review step with N countries (the same ones, another sender ID) and renders it ``--renders`` times:
median and worst render time (target: median < 300 ms), and the queries of one render, which must be
the same for 5 countries as for N (constant, not one per country).

Prints the figures and the ratios; exit status 1 when a target is missed, a child is not active, a
child was called more than once, or the simulator throttled anything. Needs REDIS_URL (the Celery
broker and the shared budget; the bench uses its own Redis database, ``--redis-db``, flushed before and
after) and runs on DATABASE_URL's PostgreSQL (a throwaway ``bench_batch_<pid>`` database next to it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from _common import database_url, offline_aws_environment, with_redis_db

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SLACK = 1.10
STARTUP_ALLOWANCE = 1.0  # seconds: approval commits + first broker delivery + first boto3 client
RENDER_TARGET_MS = 300.0
REGION = "eu-west-1"
SENDER_ID = "BATCHBENCH"
REVIEW_SENDER_ID = "REVIEWBENCH"
SMALL = 5
# ISO 3166 user-assigned codes (AA, QM–QZ, XA–XZ, ZZ): never a real country, used only when the catalogue
# has too few supported countries.
SPARE_CODES = ["AA", *(f"Q{c}" for c in "MNOPQRSTUVWXYZ"), *(f"X{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", "-n", type=int, default=50, help="countries in the batch (N ≤ 50)")
    parser.add_argument("--tps", "-t", type=float, default=5.0, help="simulator cap and AWS_SMS_TPS (R)")
    parser.add_argument("--workers", "-w", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--renders", type=int, default=20, help="review page renders to time")
    parser.add_argument("--redis-db", type=int, default=12, help="Redis database for the broker and budget")
    parser.add_argument("--timeout", type=float, default=None, help="submission timeout (3·N/R + 60 s)")
    args = parser.parse_args()
    if not SMALL < args.countries <= 50 or args.tps <= 0 or args.workers < 1 or args.renders < 3:
        parser.error(f"{SMALL} < N ≤ 50, R > 0, workers ≥ 1 and renders ≥ 3 please")
    return args


def prepare_environment(args: argparse.Namespace, sim_url: str) -> None:
    """Everything the portal reads from the environment, for this process and the workers."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        TESTING="true",
        PYTHONUNBUFFERED="1",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-not-secret"),
        REDIS_URL=with_redis_db(os.environ["REDIS_URL"], args.redis_db),
        AWS_SMS_TPS=f"{args.tps:g}",
        AWS_REGION=REGION,
        SENDERIDS_REQUIRE_APPROVAL="true",
        AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2=sim_url,
        AWS_ENDPOINT_URL_SUPPORT="http://127.0.0.1:9",
        AWS_ENDPOINT_URL_STS="http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID="AKIABENCHBATCH000000",
    )
    offline_aws_environment()


# --- the world ------------------------------------------------------------------------------------------
def pick_countries(n: int) -> tuple[list[Any], int]:
    """N countries whose sender IDs need no registration (catalogue and simulator agree) and whose rules
    accept both bench sender IDs; spare user-assigned codes when the catalogue has fewer. Returns them
    and how many were created."""
    from countries.models import Country, SenderIdProcess
    from countries.selectors import sender_id_process_for
    from smsvoice.simulator import definitions as defs

    refused = defs.SENDER_ID_NOT_SUPPORTED_COUNTRIES | defs.REGISTRATION_REQUIRED_COUNTRIES
    chosen = []
    for country in Country.objects.filter(sender_id_process=SenderIdProcess.SUPPORTED).order_by("iso_code"):
        if country.iso_code in refused or country.sender_id_errors(SENDER_ID):
            continue
        if country.sender_id_errors(REVIEW_SENDER_ID):
            continue
        if sender_id_process_for(country, region=REGION).process != SenderIdProcess.SUPPORTED:
            continue
        chosen.append(country)
        if len(chosen) == n:
            return chosen, 0
    created = 0
    for code in SPARE_CODES:
        if len(chosen) == n:
            break
        if code in refused or Country.objects.filter(iso_code=code).exists():
            continue
        chosen.append(
            Country.objects.create(
                iso_code=code,
                name=f"Bench country {code}",
                sender_id_process=SenderIdProcess.SUPPORTED,
                sender_id_rules={},
            )
        )
        created += 1
    return chosen, created


def create_world() -> tuple[Any, Any, Any]:
    from django.contrib.auth import get_user_model

    from smsvoice.models import AwsAccount
    from teams.services import team_ensure_for

    account = AwsAccount.objects.filter(is_default=True).first() or AwsAccount(name="bench", is_default=True)
    account.regions, account.default_region = [REGION], REGION
    account.full_clean()
    account.save()
    users = get_user_model().objects
    owner = users.create_user("bench-owner", "owner@bench.invalid", "bench-pass")
    approver = users.create_superuser("bench-approver", "approver@bench.invalid", "bench-pass")
    team_ensure_for(owner).aws_accounts.set([account])
    return owner, approver, account


# --- Celery workers -------------------------------------------------------------------------------------
class CeleryWorkers:
    """Real `celery worker` child processes (solo pool) on the bench's database and broker."""

    def __init__(self, count: int, scratch: Path):
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs = [scratch / f"worker-{i}.log" for i in range(count)]

    def start(self, timeout: float = 60.0) -> None:
        for i, log_path in enumerate(self.logs):
            cmd = [
                sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                f"--hostname=bench-{i}-{os.getpid()}@%h", "--loglevel=INFO",
            ]  # fmt: skip
            log = log_path.open("wb")
            self.procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + timeout
        while not all(b"ready." in path.read_bytes() for path in self.logs):
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError("a worker exited:\n" + self.tail())
            if time.monotonic() > deadline:
                raise TimeoutError("workers not ready:\n" + self.tail())
            time.sleep(0.1)

    def tail(self, lines: int = 15) -> str:
        return "\n".join(
            f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-lines:])
            for p in self.logs
            if p.exists()
        )

    def stop(self) -> None:
        for proc in self.procs:  # only the processes this bench started, by their handle
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def sim_calls(sim_url: str) -> list[dict[str, Any]]:
    """The simulator's call log through its control API (``GET /_calls``)."""
    with urllib.request.urlopen(f"{sim_url}/_calls", timeout=10) as response:  # the simulator, on loopback
        return json.loads(response.read())["calls"]


# --- (a) submission of an approved batch ------------------------------------------------------------------
def run_submission(args, owner, approver, account, countries, sim_url: str) -> dict[str, Any]:
    from senderids.choices import Status
    from senderids.models import SenderIdRequest
    from senderids.services.batches import BatchChild, batch_approve, batch_create

    n = len(countries)
    batch = batch_create(
        owner=owner,
        children=[
            BatchChild(country=c, sender_id=SENDER_ID, aws_account=account, aws_region=REGION)
            for c in countries
        ],
        message_type="TRANSACTIONAL",
    )
    children = SenderIdRequest.objects.filter(batch=batch)
    processes = Counter(children.values_list("process", flat=True))
    pending = children.filter(status=Status.PENDING_REVIEW).count()
    if processes != Counter({"supported": n}) or pending != n:
        sys.exit(f"batch children are {dict(processes)}, {pending} pending review: expected {n} supported")
    calls_before = len(sim_calls(sim_url))

    approved_at = time.time()
    approved, skipped = batch_approve(batch=batch, actor=approver)
    approve_seconds = time.time() - approved_at
    if len(approved) != n or skipped:
        sys.exit(f"batch_approve approved {len(approved)}, skipped {len(skipped)} of {n}")

    timeout = args.timeout or 3 * n / args.tps + 60
    deadline = time.monotonic() + timeout
    open_statuses = (Status.APPROVED, Status.SUBMITTING)
    while children.filter(status__in=open_statuses).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    statuses = Counter(children.values_list("status", flat=True))
    active = children.filter(status=Status.ACTIVE)
    last_active = max((r.updated_at.timestamp() for r in active), default=time.time())

    calls = sim_calls(sim_url)[calls_before:]
    per_key: Counter = Counter((c["account"], c["region"], c["operation"]) for c in calls)
    outcomes = Counter(c["outcome"] for c in calls)
    tokens = {str(t) for t in children.values_list("client_token", flat=True)}
    answered = Counter(
        c["params"].get("ClientToken")
        for c in calls
        if c["operation"] == "RequestSenderId" and c["outcome"] != "ThrottlingException"
    )
    first_call = min((c["time"] for c in calls), default=approved_at)
    return {
        "n": n,
        "batch": batch.pk,
        "approve_seconds": approve_seconds,
        "wall": last_active - approved_at,
        "startup": first_call - approved_at,
        "from_first_call": last_active - first_call,
        "statuses": dict(statuses),
        "lost": n - statuses.get(Status.ACTIVE, 0),
        "calls": len(calls),
        "per_key": per_key,
        "outcomes": dict(outcomes),
        "throttles": outcomes.get("ThrottlingException", 0),
        "duplicated": sum(1 for token, k in answered.items() if token in tokens and k > 1),
        "timed_out": time.monotonic() >= deadline,
    }


# --- (b) the review page ----------------------------------------------------------------------------------
def walk_to_review(owner, isos: list[str]):
    from django.test import Client

    from tests.senderids.wizard_support import ANSWERS, WizardDriver, hidden_fields, step_url

    client = Client()
    client.force_login(owner)
    wizard = WizardDriver(client)
    fields = hidden_fields(wizard.page("country").content.decode())
    fields.pop("country-country", None)
    response = client.post(step_url("country"), {**fields, "country-country": isos})
    if response.status_code != 302:
        sys.exit(f"country step refused {len(isos)} countries: {response.content.decode()[:500]}")
    wizard.walk("use-case")
    response = wizard.submit("sender", {**ANSWERS["sender"], "sender-sender_id": REVIEW_SENDER_ID})
    if response.status_code != 302 or not response["Location"].endswith("/review/"):
        sys.exit(f"sender step: {response.status_code} {response.get('Location')}")
    return client, step_url("review")


def measure_review(owner, isos: list[str], renders: int) -> dict[str, Any]:
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, url = walk_to_review(owner, isos)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Copied now: the next request's request_started signal clears the connection's query log.
    captured = [q["sql"] for q in queries.captured_queries]
    html = response.content.decode()
    rows = re.findall(r'<tr data-iso="([A-Z]{2})">', html)
    if response.status_code != 200 or rows != isos:
        sys.exit(f"review page: {response.status_code}, rows {rows[:5]}… for {isos[:5]}…")
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {
        "countries": len(isos),
        "queries": len(captured),
        "sql": captured,
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "bytes": len(html),
    }


def main() -> int:
    args = parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("needs REDIS_URL and a PostgreSQL DATABASE_URL: source scripts/services.sh; services_start")
    scratch = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    from smsvoice.simulator import SimConfig, SimulatorServer

    simulator = SimulatorServer(
        config=SimConfig(tps=args.tps, max_sender_ids=10 * args.countries, default_region=REGION)
    ).start()
    prepare_environment(args, simulator.url)

    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    broker.flushdb()  # the bench's own database (--redis-db): old messages and budget keys
    setup_test_environment()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"bench_batch_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    os.environ["DATABASE_URL"] = database_url(db)  # the workers use the bench's database
    workers = CeleryWorkers(args.workers, scratch)
    try:
        owner, approver, account = create_world()
        countries, created = pick_countries(args.countries)
        if len(countries) < args.countries:
            sys.exit(f"only {len(countries)} countries fit")
        isos = [c.iso_code for c in countries]
        workers_started = time.monotonic()
        workers.start()
        workers_ready = time.monotonic() - workers_started
        sub = run_submission(args, owner, approver, account, countries, simulator.url)
        small = measure_review(owner, isos[:SMALL], args.renders)
        large = measure_review(owner, isos, args.renders)
    except BaseException:
        print(workers.tail(), file=sys.stderr)
        raise
    finally:
        workers.stop()
        simulator.stop()
        broker.flushdb()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        shutil.rmtree(scratch, ignore_errors=True)

    n, tps = sub["n"], args.tps
    busiest = max(sub["per_key"].values(), default=0)
    floor = max(busiest, n) / tps  # a lost child still needed its call
    target = TARGET_SLACK * floor + STARTUP_ALLOWANCE
    sub_ok = (
        sub["wall"] <= target
        and sub["lost"] == 0
        and sub["duplicated"] == 0
        and sub["throttles"] == 0
        and sum(k for (_a, _r, op), k in sub["per_key"].items() if op == "RequestSenderId") == n
        and not sub["timed_out"]
    )
    constant = small["queries"] == large["queries"]
    render_ok = large["median_ms"] < RENDER_TARGET_MS
    ok_a = "OK" if sub["wall"] <= target else "MISSED"
    ok_b = "OK" if render_ok else "MISSED"
    lines = [
        f"(a) a {n}-country batch approved at once, submitted by real Celery workers",
        f"  database               {connection.vendor}; broker and budget: Redis db {args.redis_db}",
        f"  workers                {args.workers} × celery worker --pool=solo"
        f" (ready in {workers_ready:.1f} s, before the clock)",
        f"  countries (N)          {n} supported ({created} spare codes created), one account, {REGION}",
        f"  TPS (R)                {tps:g} per (account, Region, operation): simulator cap and AWS_SMS_TPS",
        f"  batch_approve          {sub['approve_seconds']:.2f} s for {n} approvals (enqueued on commit)",
        f"  AWS calls made         {sub['calls']} {sub['outcomes']} (simulator GET /_calls)",
        *(
            f"    {acct} {region} {op:<20} {count}  (needed: {n if op == 'RequestSenderId' else 0})"
            for (acct, region, op), count in sorted(sub["per_key"].items())
        ),
        f"  floor                  {floor:.2f} s = busiest operation's calls / R = {busiest} / {tps:g}"
        f"  (GCRA burst 1: ideal (n-1)/R = {(busiest - 1) / tps:.2f} s)",
        f"  approval → first call  {sub['startup']:.2f} s (startup allowance {STARTUP_ALLOWANCE:g} s)",
        f"  first call → all active {sub['from_first_call']:.2f} s"
        f" = {sub['from_first_call'] / floor:.3f} × floor",
        f"  wall (approval → all active) {sub['wall']:.2f} s = {sub['wall'] / floor:.3f} × floor",
        f"  target 1.10·floor + {STARTUP_ALLOWANCE:g} s {target:.2f} s -> {ok_a}",
        f"  statuses               {sub['statuses']}; lost {sub['lost']}, duplicated {sub['duplicated']},"
        f" throttled {sub['throttles']}",
        f"(b) the wizard's review page, {args.renders} renders each (Django test client, logged in)",
        *(
            f"  {r['countries']:>2} countries           median {r['median_ms']:.1f} ms,"
            f" max {r['max_ms']:.1f} ms, {r['queries']} queries, {r['bytes'] // 1024} KiB"
            for r in (small, large)
        ),
        f"  target median < {RENDER_TARGET_MS:g} ms at {large['countries']} countries -> {ok_b}",
        f"  queries constant       {SMALL} countries: {small['queries']}, {large['countries']}:"
        f" {large['queries']} -> {'OK' if constant else 'GROWS'}",
    ]
    print("\n".join(lines))
    if not constant:
        extra = Counter(large["sql"]) - Counter(small["sql"])
        for sql, k in extra.most_common(3):
            print(f"    +{k}: {sql[:160]}")
    ok = sub_ok and constant and render_ok
    print("RESULT " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
