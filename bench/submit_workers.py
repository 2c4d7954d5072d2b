"""The worker side of bench/submit_throughput.py: processes (multiprocessing spawn) that set Django up from
the inherited environment and run ``senderids.services.submission.sender_id_request_submit`` from K
threads each, retried the way the Celery task ``submit_sender_id_request`` retries it."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time
from collections import Counter
from typing import Any


def tune_sqlite() -> None:
    """SQLite shared by threads: take the write lock at BEGIN (no deadlocked lock upgrades)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"


def count_enqueues() -> Counter:
    """No broker: what the services enqueue on commit is counted (the submission is run by the bench)."""
    from senderids import enqueue

    sent: Counter = Counter()
    lock = threading.Lock()

    def capture(task_name: str, args: tuple) -> None:
        with lock:
            sent[task_name] += 1

    enqueue._send = capture
    return sent


# --- worker processes ----------------------------------------------------------------------------------
def submit_until_settled(pk: int, worker: str, stats: dict[str, Any], lock: threading.Lock) -> None:
    """One request, the way the Celery task runs it: the submit service, retried with the task's policy."""
    from django.conf import settings
    from django.db import InterfaceError, OperationalError, close_old_connections

    from senderids.services.submission import sender_id_request_submit, sender_id_request_submit_gave_up
    from smsvoice.errors import RetryableAwsError
    from smsvoice.retry import retry_countdown

    attempt = 0
    while True:
        try:
            sender_id_request_submit(request_id=pk, worker=worker)
            break
        except RetryableAwsError as exc:
            with lock:
                stats["retries"][str(exc.code)] += 1
            if attempt >= settings.SENDERIDS_SUBMIT_MAX_RETRIES:
                sender_id_request_submit_gave_up(request_id=pk, error=exc, retries=attempt + 1)
                break
        except (OperationalError, InterfaceError) as exc:
            close_old_connections()
            with lock:
                stats["retries"][f"database: {exc}"[:80]] += 1
        except Exception as exc:  # a bug: shown, and the request counts as lost
            with lock:
                stats["errors"].append(f"{pk}: {type(exc).__name__}: {exc}")
            break
        time.sleep(retry_countdown(attempt))
        attempt += 1
    with lock:
        stats["done_at"] = max(stats["done_at"], time.time())


def run_batch(ids: list[int], threads: int, worker: str, go: threading.Event) -> dict[str, Any]:
    from django.db import connection

    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for pk in ids:
        work.put(pk)
    stats: dict[str, Any] = {"retries": Counter(), "errors": [], "done_at": 0.0}
    lock = threading.Lock()

    def loop() -> None:
        go.wait()
        try:
            while True:
                try:
                    pk = work.get_nowait()
                except queue.Empty:
                    return
                submit_until_settled(pk, worker, stats, lock)
        finally:
            connection.close()

    pool = [threading.Thread(target=loop, daemon=True) for _ in range(max(1, min(threads, len(ids))))]
    for thread in pool:
        thread.start()
    return {"pool": pool, "stats": stats}


def warm(account_pks: list[int]) -> dict[int, str]:
    """Assume each account's role and let the simulator learn its access key (before the clock)."""
    from smsvoice.gateway import gateway_for
    from smsvoice.models import AwsAccount

    identities = {}
    for account in AwsAccount.objects.filter(pk__in=account_pks):
        gateway = gateway_for(account, account.default_region)
        identities[account.pk] = gateway.get_caller_identity().account
        gateway.describe_account_limits()
    return identities


def child_main(index: int, commands: Any, results: Any) -> None:
    """A worker process: Django set up from the inherited environment, then commands from the bench."""
    import django

    django.setup()
    tune_sqlite()
    count_enqueues()
    worker = f"bench-worker-{index}-{os.getpid()}"
    results.put(("up", index, os.getpid()))
    while True:
        command = commands.get()
        if command[0] == "stop":
            return
        try:
            if command[0] == "warm":
                results.put(("warmed", index, warm(command[1])))
            elif command[0] == "run":
                go = threading.Event()
                batch = run_batch(command[1], command[2], worker, go)
                results.put(("ready", index, None))
                if commands.get()[0] != "go":
                    return
                go.set()
                for thread in batch["pool"]:
                    thread.join()
                stats = batch["stats"]
                results.put(("done", index, {**stats, "retries": dict(stats["retries"])}))
        except Exception as exc:
            results.put(("failed", index, f"{type(exc).__name__}: {exc}"))


class Workers:
    def __init__(self, count: int):
        context = mp.get_context("spawn")
        self.results = context.Queue()
        self.commands = [context.Queue() for _ in range(count)]
        self.procs = [
            context.Process(target=child_main, args=(i, self.commands[i], self.results), daemon=True)
            for i in range(count)
        ]
        for proc in self.procs:
            proc.start()

    def collect(self, kind: str, timeout: float) -> dict[int, Any]:
        got: dict[int, Any] = {}
        deadline = time.monotonic() + timeout
        while len(got) < len(self.procs):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"workers did not report {kind!r} within {timeout:.0f} s ({sorted(got)})")
            try:
                what, index, payload = self.results.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                if any(not p.is_alive() for p in self.procs):
                    raise RuntimeError("a worker process died") from None
                continue
            if what == "failed":
                raise RuntimeError(f"worker {index}: {payload}")
            if what == kind:
                got[index] = payload
        return got

    def send(self, *command: Any) -> None:
        for commands in self.commands:
            commands.put(command)

    def stop(self) -> None:
        for commands in self.commands:
            commands.put(("stop",))
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
