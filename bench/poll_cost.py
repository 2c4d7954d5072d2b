"""Benchmark: the cost of one registration poll cycle with N open registrations (default 10,000).

    .venv/bin/python bench/poll_cost.py [-n 10000] [--changed 100]
    DATABASE_URL=postgres://... .venv/bin/python bench/poll_cost.py      # measure on PostgreSQL

Creates a throwaway test database (SQLite in memory by default, or next to DATABASE_URL) and starts the
SMS simulator in-process (no TPS cap). N registrations are placed in the simulator's account directly
(creating them through the API would take N·20 calls and measure nothing of interest), all SUBMITTED,
and N matching requests/registrations in the portal's database. Then `registrations_poll()` runs, over
real HTTP with boto3, for three cycles:

1. steady      — nothing changed at AWS since the last poll (the common case);
2. all moved   — every registration went SUBMITTED → REVIEWING (N rows written, still no per-row call);
3. some done   — `--changed` registrations completed: they are looked up by id (≤5 per call), their
                 versions fetched and their sender IDs confirmed; the rest stays steady.

For each it prints AWS API calls (from the simulator's log), DB queries and seconds, with the naive
figure (one DescribeRegistrations per registration) beside it, then DB queries per listing page for N
and N/10 to show they do not grow with N. Targets: listing calls ≤ ceil(N/100) + 2 per cycle; DB
queries per page independent of N. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TESTING", "true")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

REGION = "ap-southeast-1"
REGISTRATION_TYPE = "SG_SENDER_ID_REGISTRATION"
REVIEW_DELAY = 10_000.0  # D: SUBMITTED until 0.2·D, REVIEWING until 0.8·D, COMPLETE at D


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--registrations", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100, help="registrations completing in cycle 3")
    args = parser.parse_args()
    if args.registrations < 10 or not 0 <= args.changed <= args.registrations:
        parser.error("N ≥ 10 and 0 ≤ changed ≤ N please")
    return args


def seed(simulator, n: int, changed: int, owner, country) -> None:
    """N submitted registrations at the simulator and their mirror rows in the portal (bulk inserts)."""
    from django.utils import timezone

    from registrations.models import Registration
    from senderids.choices import Status
    from senderids.models import SenderIdRequest
    from smsvoice.simulator.records import RegionState, RegistrationRecord, VersionRecord

    now = simulator.now()
    state = simulator.regions.setdefault(REGION, RegionState())
    ids = []
    for i in range(n):
        reg_id = f"registration-{i:032x}"
        sender = f"S{i:07d}"
        # The first `changed` finish earlier: REVIEWING at cycle 2 like the rest, COMPLETE at cycle 3.
        delay = REVIEW_DELAY / 2 if i < changed else REVIEW_DELAY
        version = VersionRecord(
            number=1,
            draft_at=now,
            values={"senderIdInfo.senderId": {"TextValue": sender}},
            submitted_at=now,
            review_delay=delay,
            outcome="APPROVED",
        )
        state.registrations[reg_id] = RegistrationRecord(
            id=reg_id,
            arn=f"arn:aws:sms-voice:{REGION}:123456789012:registration/{reg_id}",
            type=REGISTRATION_TYPE,
            iso="SG",
            created_at=now,
            versions=[version],
        )
        ids.append((reg_id, sender))
    stamp = timezone.now()
    requests = SenderIdRequest.objects.bulk_create(
        [
            SenderIdRequest(
                owner=owner,
                country=country,
                sender_id=sender,
                process="registration",
                message_type="TRANSACTIONAL",
                status=Status.REGISTRATION_SUBMITTED,
                aws_status="SUBMITTED",
            )
            for _reg_id, sender in ids
        ],
        batch_size=2000,
    )
    Registration.objects.bulk_create(
        [
            Registration(
                request=request,
                registration_type=REGISTRATION_TYPE,
                aws_registration_id=reg_id,
                aws_status="SUBMITTED",
                current_version_number=1,
                submitted_version_number=1,
                aws_status_changed_at=stamp,
            )
            for request, (reg_id, _sender) in zip(requests, ids, strict=True)
        ],
        batch_size=2000,
    )


def timed(simulator) -> None:
    """Count the time the simulator spends answering (it shares this process and its GIL)."""
    dispatch = simulator.dispatch
    simulator.busy_seconds = 0.0

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return dispatch(*args, **kwargs)
        finally:
            simulator.busy_seconds += time.perf_counter() - started

    simulator.dispatch = wrapper


def run_cycle(simulator, label: str, now) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registrations.services.poller import registrations_poll

    calls_before = len(simulator.call_log())
    simulator.busy_seconds = 0.0
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = registrations_poll(now=now)
        seconds = time.perf_counter() - started
    calls = simulator.call_log()[calls_before:]
    listing = [c for c in calls if c["operation"] == "DescribeRegistrations" and "Filters" in c["params"]]
    by_op: dict[str, int] = {}
    for c in calls:
        by_op[c["operation"]] = by_op.get(c["operation"], 0) + 1
    return {
        "label": label,
        "calls": len(calls),
        "listing": len(listing),
        "by_op": by_op,
        "queries": len(queries),
        "seconds": seconds,
        "simulator_seconds": simulator.busy_seconds,
        "changes": len(report.changes),
        "errors": report.errors,
    }


def measure(n: int, changed: int) -> list[dict]:
    """Seed N registrations, run the three cycles, return their figures."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from countries.models import Country
    from registrations.models import Registration
    from senderids.models import SenderIdRequest
    from smsvoice import ratelimit
    from smsvoice.gateway import reset_gateway
    from smsvoice.simulator import SimConfig, SimulatorServer

    server = SimulatorServer(config=SimConfig(max_registrations=n + 10, default_region=REGION)).start()
    timed(server.simulator)
    os.environ["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] = server.url
    settings.AWS_REGION = REGION
    settings.AWS_SMS_TPS = 0  # measure the portal, not the budget (at 1 TPS: seconds = calls)
    reset_gateway()
    ratelimit.reset()
    try:
        Registration.objects.all().delete()
        SenderIdRequest.objects.all().delete()
        owner, _ = get_user_model().objects.get_or_create(username="bench-owner")
        country, _ = Country.objects.update_or_create(
            iso_code="SG",
            defaults={
                "name": "Singapore",
                "sender_id_process": "registration",
                "registration_type": REGISTRATION_TYPE,
            },
        )
        seed(server.simulator, n, changed, owner, country)
        interval = timedelta(seconds=settings.REGISTRATION_POLL_SECONDS)
        now = timezone.now()
        results = [run_cycle(server.simulator, "steady (nothing changed)", now)]
        server.simulator.advance(REVIEW_DELAY * 0.21)  # all SUBMITTED → REVIEWING
        results.append(run_cycle(server.simulator, "all moved (→ REVIEWING)", now + interval))
        if changed:
            # At 0.6·D the first `changed` (review delay D/2) are COMPLETE; the rest still REVIEWING.
            server.simulator.advance(REVIEW_DELAY * 0.39)
            results.append(run_cycle(server.simulator, f"{changed} completed", now + 2 * interval))
        return results
    finally:
        server.stop()
        reset_gateway()


def per_page_fit(sizes: list[int], runs: list[list[dict]], cycle: int) -> tuple[float, float, float]:
    """queries = fixed + per_page · pages, fitted on the two largest sizes; returns (per_page, fixed,
    error of that line at the smallest size)."""
    pages = [math.ceil(n / 100) for n in sizes]
    queries = [r[cycle]["queries"] for r in runs]
    per_page = (queries[0] - queries[1]) / (pages[0] - pages[1])
    fixed = queries[0] - per_page * pages[0]
    return per_page, fixed, queries[2] - (fixed + per_page * pages[2])


def main() -> int:
    args = parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    n = args.registrations
    sizes = [n, max(10, n // 10), max(10, n // 100)]
    try:
        results = measure(n, args.changed)
        runs = [results] + [measure(size, 0) for size in sizes[1:]]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    pages = math.ceil(n / 100)
    target = pages + 2
    print(f"registration poll cycle on {connection.vendor}, {n} open registrations, pages of 100")
    print(f"  naive, one DescribeRegistrations per registration: {n} API calls per cycle")
    print(f"  naive, 5 ids per call (the API's maximum):          {math.ceil(n / 5)} API calls per cycle")
    for r in results:
        other = {k: v for k, v in r["by_op"].items() if k != "DescribeRegistrations"}
        by_id = r["by_op"].get("DescribeRegistrations", 0) - r["listing"]
        print(f"  cycle '{r['label']}': {r['changes']} rows changed")
        print(
            f"      API calls {r['calls']} (listing {r['listing']}, by id {by_id}"
            + "".join(f", {op} {count}" for op, count in sorted(other.items()))
            + f") = {n / max(1, r['calls']):.0f}x fewer than naive"
        )
        print(
            f"      DB queries {r['queries']} · {r['seconds']:.2f} s"
            f" (of which the in-process simulator {r['simulator_seconds']:.2f} s)"
        )
        for error in r["errors"][:3]:
            print(f"      error: {error}")
    steady = results[0]
    listing_ok = all(r["listing"] <= target for r in results) and steady["calls"] <= target
    print(
        f"  target: API calls per cycle ≤ ceil(N/100) + 2 = {target}: steady {steady['calls']}, listing "
        f"{max(r['listing'] for r in results)} in every cycle -> {'OK' if listing_ok else 'OVER TARGET'}"
    )
    flat = True
    for cycle, name in ((0, "steady"), (1, "all moved")):
        per_page, fixed, error = per_page_fit(sizes, runs, cycle)
        sizes_txt = ", ".join(
            f"N={size}: {run[cycle]['queries']}" for size, run in zip(sizes, runs, strict=True)
        )
        print(
            f"  DB queries, {name}: {sizes_txt} -> {fixed:.0f} + {per_page:.2f} per page of 100"
            f" (line off by {error:+.1f} at N={sizes[2]})"
        )
        # Per-row work would cost ≥ 100 queries per page; a constant per page also fits all three sizes.
        flat = flat and per_page < 25 and abs(error) <= 3
    print(f"  target: DB queries per page independent of N -> {'OK' if flat else 'GROWS WITH N'}")
    print(f"  at AWS's default 1 request/s: steady cycle ≈ {steady['calls']} s of API time, naive ≈ {n} s")
    return 0 if listing_ok and flat else 1


if __name__ == "__main__":
    sys.exit(main())
