"""Benchmark: submissions spread over A AWS accounts × R Regions go A·R times faster than through one.

    source scripts/services.sh; services_start        # scratch PostgreSQL + Redis, exports the URLs
    .venv/bin/python bench/submit_throughput.py [--accounts 2] [--regions 2] [--requests 40] [--tps 2]
    services_stop

AWS's quota is per account, Region and operation, and so is the portal's rate budget
(``smsvoice.ratelimit``, key ``<credentials>:<region>:<service>:<operation>``): N requests spread evenly
over A accounts × R Regions should finish in about N / (A·R·T) seconds at T requests per second.

What it sets up (nothing of it is faked inside the portal):
- moto's STS server (in-process) and the SMS simulator (in-process thread) with ``--tps T``: the
  simulator throttles above T calls per (account, Region, operation), answering ThrottlingException, and
  learns each caller's account from its access key through STS GetCallerIdentity at moto;
- a throwaway database (PostgreSQL next to DATABASE_URL, else a SQLite file), A ``AwsAccount`` rows:
  account 1 on the default credential chain (moto's default account 123456789012), accounts 2..A assuming
  ``arn:aws:iam::<12 digits>:role/bench`` through moto STS — so the gateway signs with each account's own
  assumed-role credentials — each with R enabled Regions, and one team allowed to use them all;
- N supported-process (DE) requests created with ``sender_id_request_create(..., aws_account=,
  aws_region=)`` with approval off (status approved), spread evenly over the A×R placements; then the
  same N again in ONE placement (account 1, its default Region) for the baseline;
- W worker processes (``--workers``, default 2 with Redis, 1 without; bench/submit_workers.py) of K
  threads each (``--threads``, default: 3+ per placement), running
  ``senderids.services.submission.sender_id_request_submit`` — what the Celery task
  ``submit_sender_id_request`` runs — with the task's retry policy (``smsvoice.retry.retry_countdown``,
  SENDERIDS_SUBMIT_MAX_RETRIES), ``AWS_SMS_TPS=T``: enough threads that the budget, not concurrency, is
  the bottleneck. Tasks the services enqueue (status emails) are counted, not sent: there is no broker.

Before the clock starts, each worker process assumes its roles and makes one DescribeAccountLimits per
account (a running worker has long done so; the simulator's first call of a new access key also asks
STS). The clock runs from the go signal to the last request's submission.

Prints N, A, R, T, elapsed, the target 1.10·N/(A·R·T), the baseline (the same N through one placement,
measured in the same run) and its ratio to elapsed (≈ A·R), lost (not active), duplicated
(RequestSenderId calls per request > 1 not counting throttled ones; sender IDs held by the simulator
more than once), misplaced (a sender ID made in another account or Region than its request's),
throttles received, retries, and the busiest second per (account, Region) at the simulator.
Exit status 1 when elapsed > target, or anything was lost, duplicated or misplaced.

With REDIS_URL the budget is Redis's GCRA bucket shared by the worker processes; without, each process
has its own bucket (then W is 1 by default and the run says that the cross-process claim is untested).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import database_url, offline_aws_environment, with_redis_db  # noqa: E402 (after sys.path)
from bench.submit_workers import Workers, count_enqueues, tune_sqlite  # noqa: E402 (after sys.path)

TARGET_SLACK = 1.10
REGIONS = (
    "eu-central-1",
    "eu-west-1",
    "us-east-1",
    "eu-west-2",
    "eu-north-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
)
# moto's account for an access key it did not issue; the simulator's default account is the same.
DEFAULT_ACCOUNT_ID = "123456789012"
BASE_ACCESS_KEY = "AKIABENCHDEFAULT0000"
COUNTRY = "DE"
MAX_THREADS = 64  # database connections stay well under PostgreSQL's max_connections


def role_account_id(index: int) -> str:
    return f"{210_000_000_000 + index:012d}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", "-a", type=int, default=2, help="AWS accounts (A)")
    parser.add_argument(
        "--regions", "-r", type=int, default=2, help=f"Regions per account (R, ≤ {len(REGIONS)})"
    )
    parser.add_argument("--requests", "-n", type=int, default=40, help="requests (N)")
    parser.add_argument("--tps", "-t", type=float, default=2.0, help="simulator cap and AWS_SMS_TPS (T)")
    parser.add_argument("--workers", "-w", type=int, default=None, help="worker processes (W)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker process (K)")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number for the budget")
    parser.add_argument("--timeout", type=float, default=None, help="per phase (default 3·N/T + 60 s)")
    args = parser.parse_args()
    if args.accounts < 1 or not 1 <= args.regions <= len(REGIONS):
        parser.error(f"A ≥ 1 and 1 ≤ R ≤ {len(REGIONS)} please")
    if args.requests < 1 or args.tps <= 0:
        parser.error("N ≥ 1 and T > 0 please")
    if any(v is not None and v < 1 for v in (args.workers, args.threads)):
        parser.error("W ≥ 1 and K ≥ 1 please")
    return args


def prepare_environment(args: argparse.Namespace, sim_url: str, sts_url: str, scratch: Path) -> None:
    """Everything the portal reads from the environment, for this process and the workers it spawns."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        TESTING="true",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-not-secret"),
        AWS_SMS_TPS=f"{args.tps:g}",
        AWS_REGION=REGIONS[0],
        SENDERIDS_REQUIRE_APPROVAL="false",
        AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2=sim_url,
        AWS_ENDPOINT_URL_STS=sts_url,
        AWS_ENDPOINT_URL_SUPPORT="http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID=BASE_ACCESS_KEY,
    )
    offline_aws_environment()
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = with_redis_db(os.environ["REDIS_URL"], args.redis_db)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'portal.sqlite3'}"


def create_world(a: int, r: int) -> tuple[Any, Any, list[Any], list[str], dict[int, str]]:
    from django.contrib.auth import get_user_model

    from countries.models import Country, SenderIdProcess
    from smsvoice.models import AwsAccount, CredentialSource
    from teams.services import team_ensure_for

    regions = list(REGIONS[:r])
    accounts = []
    expected = {}
    first = AwsAccount.objects.filter(is_default=True).first() or AwsAccount(is_default=True)
    first.name, first.credential_source = "bench-1", CredentialSource.DEFAULT_CHAIN
    first.regions, first.default_region = regions, regions[0]
    first.full_clean()
    first.save()
    accounts.append(first)
    expected[first.pk] = DEFAULT_ACCOUNT_ID
    for i in range(2, a + 1):
        account = AwsAccount(
            name=f"bench-{i}",
            credential_source=CredentialSource.ASSUME_ROLE,
            role_arn=f"arn:aws:iam::{role_account_id(i)}:role/bench",
            regions=regions,
            default_region=regions[0],
        )
        account.full_clean()
        account.save()
        accounts.append(account)
        expected[account.pk] = role_account_id(i)
    owner = get_user_model().objects.create_user("bench-owner", "owner@bench.invalid")
    team = team_ensure_for(owner)
    team.aws_accounts.set(accounts)
    country, _ = Country.objects.update_or_create(
        iso_code=COUNTRY, defaults={"name": "Germany", "sender_id_process": SenderIdProcess.SUPPORTED}
    )
    return owner, country, accounts, regions, expected


def create_requests(owner, country, placements: list[tuple[Any, str]], n: int, prefix: str) -> list[Any]:
    """N requests, request i in placement i mod len(placements) (round robin: an even spread)."""
    from senderids.choices import Status
    from senderids.services.requests import sender_id_request_create
    from teams.models import Team

    team = Team.objects.get(memberships__user=owner)
    made = []
    for i in range(n):
        account, region = placements[i % len(placements)]
        request = sender_id_request_create(
            owner=owner,
            country=country,
            sender_id=f"{prefix}{i:06d}",
            message_type="TRANSACTIONAL",
            team=team,
            aws_account=account,
            aws_region=region,
        )
        if request.status != Status.APPROVED or request.process != "supported":
            sys.exit(f"request {request.pk} is {request.status}/{request.process}, not approved/supported")
        made.append(request)
    return made


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def run_phase(
    label: str,
    requests: list[Any],
    workers: Workers,
    threads: int,
    sim: Any,
    expected: dict[int, str],
    timeout: float,
) -> dict[str, Any]:
    from senderids.choices import Status
    from senderids.models import SenderIdRequest
    from smsvoice import ratelimit

    ratelimit.reset()
    calls_before = len(sim.call_log())
    placements = sorted({(r.aws_account_id, r.aws_region) for r in requests})
    ids = [r.pk for r in requests]  # created round robin over the placements
    count = len(workers.procs)
    # Blocks of one request per placement, dealt to the workers in turn: every worker serves every placement.
    block = len(placements)
    blocks = [ids[start : start + block] for start in range(0, len(ids), block)]
    shares = [[pk for chunk in blocks[w::count] for pk in chunk] for w in range(count)]
    per_worker = max(1, math.ceil(threads / count))
    for w, commands in enumerate(workers.commands):
        commands.put(("run", shares[w], per_worker))
    workers.collect("ready", 60)
    started = time.time()
    workers.send("go")
    error = ""
    try:
        done = workers.collect("done", timeout)
    except (TimeoutError, RuntimeError) as exc:
        error, done = str(exc), {}
    finished = max((d["done_at"] for d in done.values()), default=time.time())
    elapsed = finished - started

    retries: Counter = Counter()
    errors: list[str] = []
    for d in done.values():
        retries.update(d["retries"])
        errors += d["errors"]
    rows = {r.pk: r for r in SenderIdRequest.objects.filter(pk__in=ids)}
    statuses = Counter(r.status for r in rows.values())
    lost = len(ids) - statuses.get(Status.ACTIVE, 0)

    by_token = {str(r.client_token): r for r in rows.values()}
    calls = [c for c in sim.call_log()[calls_before:] if c["operation"] == "RequestSenderId"]
    outcomes = Counter(c["outcome"] for c in calls)
    answered = Counter(c["params"].get("ClientToken") for c in calls if c["outcome"] != "ThrottlingException")
    duplicated_calls = sum(1 for token, k in answered.items() if token in by_token and k > 1)
    misplaced = 0
    per_key_times: dict[tuple[str, str], list[float]] = defaultdict(list)
    for c in calls:
        per_key_times[(c["account"], c["region"])].append(c["time"])
        request = by_token.get(c["params"].get("ClientToken"))
        if request is not None and c["outcome"] == "ok":
            misplaced += (c["account"], c["region"]) != (expected[request.aws_account_id], request.aws_region)
    for request in rows.values():
        arn = request.aws_sender_id_arn
        if (
            request.status == Status.ACTIVE
            and f":{request.aws_region}:{expected[request.aws_account_id]}:" not in arn
        ):
            misplaced += 1
    held: Counter = Counter()
    names = {r.sender_id for r in rows.values()}
    for account_regions in sim.snapshot()["accounts"].values():
        for state in account_regions.values():
            for record in state["sender_ids"].values():
                if record["sender_id"] in names:
                    held[record["sender_id"]] += 1
    return {
        "label": label,
        "n": len(ids),
        "placements": len(placements),
        "elapsed": elapsed,
        "statuses": dict(statuses),
        "lost": lost,
        "duplicated_calls": duplicated_calls,
        "duplicated_held": sum(k - 1 for k in held.values() if k > 1),
        "held": sum(held.values()),
        "misplaced": misplaced,
        "calls": dict(outcomes),
        "throttles": outcomes.get("ThrottlingException", 0),
        "retries": dict(retries),
        "errors": errors + ([error] if error else []),
        "busiest": max((busiest_second(t) for t in per_key_times.values()), default=0),
    }


def main() -> int:
    args = parse_args()
    a, r, n, tps = args.accounts, args.regions, args.requests, args.tps
    spread = a * r
    redis_mode = bool(os.environ.get("REDIS_URL"))
    workers_count = args.workers or (2 if redis_mode else 1)
    per_placement = max(3, math.ceil(tps * 0.1) + 2)  # waiting in the budget + in flight at the simulator
    threads = (
        args.threads * workers_count
        if args.threads
        else min(MAX_THREADS, max(workers_count, spread * per_placement))
    )
    threads = min(threads, n)
    scratch = Path(tempfile.mkdtemp(prefix="bench-submit-"))

    from moto.server import ThreadedMotoServer

    from smsvoice.simulator import SimConfig, SimulatorServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    moto_host, moto_port = moto.get_host_and_port()
    sts_url = f"http://{moto_host}:{moto_port}"
    config = SimConfig(
        tps=tps, max_sender_ids=2 * n + 100, default_region=REGIONS[0], sts_endpoint_url=sts_url
    )
    simulator = SimulatorServer(config=config).start()
    sim = simulator.simulator
    prepare_environment(args, simulator.url, sts_url, scratch)

    import django

    django.setup()
    tune_sqlite()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    from django.conf import settings
    from django.db import connection

    from smsvoice import ratelimit

    enqueued = count_enqueues()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = (
        str(scratch / "bench.sqlite3") if db["ENGINE"].endswith("sqlite3") else f"bench_submit_{os.getpid()}"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    os.environ["DATABASE_URL"] = database_url(db)  # the workers use the bench's database
    workers: Workers | None = None
    try:
        owner, country, accounts, regions, expected = create_world(a, r)
        workers = Workers(workers_count)
        placements = [(account, region) for account in accounts for region in regions]
        spread_requests = create_requests(owner, country, placements, n, "M")
        one_requests = create_requests(owner, country, placements[:1], n, "B")
        workers.collect("up", 60)
        workers.send("warm", [account.pk for account in accounts])
        identities = next(iter(workers.collect("warmed", 60 + len(accounts) * workers_count / tps).values()))
        timeout = args.timeout or 3 * n / tps + 60
        spread_run = run_phase("spread", spread_requests, workers, threads, sim, expected, timeout)
        # run_phase resets the portal's budget; the simulator (like AWS) still counts the last calls, so
        # the baseline starts once their window has passed.
        time.sleep(1 / tps + 0.3)
        baseline = run_phase("baseline", one_requests, workers, threads, sim, expected, timeout)
    finally:
        if workers is not None:
            workers.stop()
        simulator.stop()
        moto.stop()
        ratelimit.reset()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(scratch, ignore_errors=True)

    floor = n / (spread * tps)
    target = TARGET_SLACK * floor
    ratio = baseline["elapsed"] / spread_run["elapsed"] if spread_run["elapsed"] > 0 else float("inf")
    budget = (
        f"Redis GCRA bucket shared by {workers_count} worker process(es)"
        if redis_mode
        else "process-local bucket (no REDIS_URL: each process has its own budget; the cross-process "
        "claim is NOT tested by this run — set REDIS_URL)"
    )
    print("submission throughput over A accounts × R Regions at T per (account, Region, operation)")
    print(f"  database               {connection.vendor}; budget: {budget}")
    print(
        f"  workers                {workers_count} process(es) × {math.ceil(threads / workers_count)} threads"
    )
    for account in accounts:
        how = "default chain" if not account.role_arn else f"assumes {account.role_arn} (moto STS)"
        print(f"  account {account.name:<14} {how} → identity {identities.get(account.pk, '?')}")
    print(f"  requests (N)           {n}")
    print(f"  accounts (A)           {a}")
    print(f"  regions (R)            {r}   {', '.join(regions)}")
    print(f"  TPS (T)                {tps:g}   (simulator cap and AWS_SMS_TPS)")
    print(f"  spread                 {spread} placements × {n / spread:g} requests")
    print(f"  elapsed                {spread_run['elapsed']:.2f} s")
    print(f"  N/(A·R·T)              {floor:.2f} s")
    verdict = "OK" if spread_run["elapsed"] <= target else "MISSED"
    print(f"  target 1.10·N/(A·R·T)  {target:.2f} s   -> {verdict}")
    print(
        f"  baseline (1 placement) {baseline['elapsed']:.2f} s   (N/T {n / tps:.2f} s);"
        f" baseline / elapsed = {ratio:.2f} (A·R = {spread})"
    )
    for run in (spread_run, baseline):
        print(f"  [{run['label']}]")
        print(f"    statuses             {run['statuses']}")
        print(f"    lost                 {run['lost']}")
        print(
            f"    duplicated           {run['duplicated_calls']} requests called more than once"
            f" (throttled calls excluded), {run['duplicated_held']} sender IDs held twice"
        )
        print(f"    misplaced            {run['misplaced']}")
        print(f"    sender IDs held      {run['held']}")
        print(f"    RequestSenderId      {sum(run['calls'].values())} calls {run['calls']}")
        print(f"    throttles received   {run['throttles']}")
        detail = f" {run['retries']}" if run["retries"] else ""
        print(f"    retries              {sum(run['retries'].values())}{detail}")
        print(
            f"    busiest second       {run['busiest']} RequestSenderId calls to one (account, Region)"
            f" (GCRA at T allows ≤ ceil(T)+1 = {math.ceil(tps) + 1})"
        )
        for error in run["errors"][:5]:
            print(f"    error                {error}")
    throttles = spread_run["throttles"] + baseline["throttles"]
    held = "yes (the simulator throttled nothing)" if throttles == 0 else f"NO: {throttles} throttled calls"
    print(f"  budget held            {held}")
    print(f"  creation enqueued      {dict(enqueued)} (counted, not sent: the bench runs the submissions)")
    bad = sum(
        run["lost"] + run["duplicated_calls"] + run["duplicated_held"] + run["misplaced"]
        for run in (spread_run, baseline)
    )
    # With Redis the shared budget is the claim: one throttle means it did not hold across processes.
    budget_ok = throttles == 0 or not redis_mode
    ok = (
        spread_run["elapsed"] <= target
        and bad == 0
        and budget_ok
        and not spread_run["errors"]
        and not baseline["errors"]
    )
    print("RESULT " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
