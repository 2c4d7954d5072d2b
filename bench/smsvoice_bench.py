"""Benchmark the SMS simulator and the gateway's shared rate budget; prints figures.

    .venv/bin/python bench/smsvoice_bench.py [--calls 300] [--tps 10] [--processes 3]

1. simulator latency and throughput with one boto3 client and with eight concurrent clients;
2. the rate budget: several worker processes share ``AWS_SMS_TPS`` against a simulator capped at the
   same TPS. Figures: achieved rate vs budget, and how many calls the "AWS" side throttled (should be 0).
   With ``REDIS_URL`` set the processes share the Redis bucket; without it each has its own local bucket
   and the throttles show why the shared one exists.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")


def _client(url: str):
    import boto3

    return boto3.session.Session().client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url)


def bench_latency(url: str, calls: int) -> None:
    client = _client(url)
    client.describe_sender_ids()  # warm the connection
    for name, call in (
        ("DescribeSenderIds", lambda i: client.describe_sender_ids()),
        ("RequestSenderId", lambda i: client.request_sender_id(SenderId=f"B{i}", IsoCountryCode="DE")),
    ):
        latencies = []
        start = time.perf_counter()
        for i in range(calls):
            t0 = time.perf_counter()
            call(i)
            latencies.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - start
        latencies.sort()
        p50, p95 = statistics.median(latencies), latencies[int(len(latencies) * 0.95)]
        print(f"  {name:<18} 1 client : {calls / elapsed:7.0f} req/s  p50 {p50:5.2f} ms  p95 {p95:5.2f} ms")

    from smsvoice.simulator.control import SimulatorControl

    SimulatorControl(url).reset()  # the same small answers as the single-client run
    clients = [_client(url) for _ in range(8)]  # built before the clock starts

    def worker(c) -> int:
        for _ in range(calls // 8):
            c.describe_sender_ids()
        return calls // 8

    start = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        done = sum(pool.map(worker, clients))
    rate = done / (time.perf_counter() - start)
    print(f"  {'DescribeSenderIds':<18} 8 clients: {rate:7.0f} req/s (clients and server share one process)")


def _budget_worker(url: str, tps: float, calls: int, out: multiprocessing.Queue) -> None:
    import django

    os.environ["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] = url
    django.setup()
    logging.getLogger("smsvoice.services").setLevel(logging.ERROR)  # no DB needed for the figures
    from django.conf import settings

    from smsvoice.gateway import AwsError, get_gateway

    settings.AWS_SMS_TPS = tps
    gateway = get_gateway()
    throttled = 0
    for _ in range(calls):
        try:
            list(gateway.describe_sender_ids())
        except AwsError as exc:
            throttled += exc.code == "ThrottlingException"
    out.put(throttled)


def bench_budget(url: str, tps: float, processes: int, calls_each: int) -> None:
    from smsvoice.simulator.control import SimulatorControl

    control = SimulatorControl(url)
    control.reset()
    control.configure(tps=tps)
    queue: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_budget_worker, args=(url, tps, calls_each, queue))
        for _ in range(processes)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    calls = control.calls("DescribeSenderIds")
    times = sorted(c["time"] for c in calls)
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    throttled = sum(c["outcome"] == "ThrottlingException" for c in calls)
    shared = "Redis (shared)" if os.environ.get("REDIS_URL") else "process-local (not shared)"
    print(
        f"  {processes} processes × {calls_each} calls, budget {tps:g}/s via {shared}: "
        f"achieved {achieved:.2f}/s, throttled by the simulator: {throttled}/{len(calls)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--tps", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=3)
    args = parser.parse_args()

    from smsvoice.simulator import SimConfig, SimulatorServer

    server = SimulatorServer(config=SimConfig()).start()
    try:
        print(f"SMS simulator at {server.url}")
        print("1. simulator latency / throughput")
        bench_latency(server.url, args.calls)
        print("2. shared rate budget against a simulator capped at the same TPS")
        bench_budget(server.url, args.tps, args.processes, calls_each=int(args.tps * 2))
    finally:
        server.stop()


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    main()
