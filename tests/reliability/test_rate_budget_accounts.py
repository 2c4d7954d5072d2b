"""One rate budget per (account, Region, operation), shared by every process: AWS's quota is per account,
Region and operation, so two accounts never wait for each other and two processes never exceed one.

1. Two OS processes hammer ``ratelimit.acquire`` through Redis: each on its own account's key, both on a
   shared key. Every key's grants, both processes together, stay within GCRA's bound (at most
   ceil(w·R) + burst in any window of length w), the shared key is split between the processes, and the
   two accounts' keys each get their full rate (2·R·t in all, not R·t).
2. At the gateway: two AwsAccount rows (default chain, and an assumed role through moto's STS) give two
   gateways with different budget keys, and one account's spent budget does not delay the other's call.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from smsvoice import gateway, ratelimit
from smsvoice.accounts import AccountCredentials
from smsvoice.errors import RetryableAwsError
from smsvoice.gateway import SMS_SERVICE, SmsVoiceGateway, gateway_for, reset_gateway
from smsvoice.models import AwsAccount, CredentialSource
from smsvoice.simulator.records import DEFAULT_ACCOUNT_ID

ROOT = Path(__file__).resolve().parents[2]
OPERATION = "RequestSenderId"
RATE = 5.0  # per key: a 200 ms interval leaves room for sleep and scheduling jitter
SECONDS = 3.0
THREADS_PER_KEY = 3  # several waiters per key and process: the budget, not the callers, sets the pace
BURST = ratelimit.DEFAULT_BURST

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs REDIS_URL: the budget shared across processes is a Redis bucket (make test starts Redis)",
)

# One process: K threads per key take tokens from `start` until `start + SECONDS`, then print every
# grant's wall-clock time by key (the same clock in both processes: one machine).
HAMMER = """
import json, os, sys, threading, time
import django
django.setup()
from smsvoice import ratelimit
keys, go, seconds, per_key = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
granted = {key: [] for key in keys}
lock = threading.Lock()
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
start = float(open(go).read())
time.sleep(max(0.0, start - time.time()))

def hammer(key):
    while time.time() < start + seconds:
        ratelimit.acquire(key=key)
        now = time.time()
        with lock:
            granted[key].append(now)

threads = [threading.Thread(target=hammer, args=(key,)) for key in keys for _ in range(per_key)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(granted), flush=True)
"""


def budget_key(role: str, region: str = "eu-west-1") -> str:
    """The key the gateway of an assumed-role account uses for RequestSenderId in `region`."""
    credentials = AccountCredentials(source=CredentialSource.ASSUME_ROLE.value, role_arn=role)
    return SmsVoiceGateway(region=region, credentials=credentials).budget_key(SMS_SERVICE, OPERATION)


def most_in_window(times: list[float], window: float) -> int:
    """The most grants in any closed window of length `window`."""
    times = sorted(times)
    best, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] > window:
            first += 1
        best = max(best, last - first + 1)
    return best


@needs_redis
def test_two_processes_share_each_keys_budget_and_distinct_accounts_do_not_share(tmp_path):
    run = uuid.uuid4().hex[:12]
    key_a = budget_key(f"arn:aws:iam::111111111111:role/budget-{run}")
    key_b = budget_key(f"arn:aws:iam::222222222222:role/budget-{run}")
    shared = budget_key(f"arn:aws:iam::333333333333:role/budget-{run}")
    assert len({key_a, key_b, shared}) == 3
    go = tmp_path / "go"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TESTING": "true",
        "AWS_SMS_TPS": f"{RATE:g}",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", HAMMER, json.dumps(keys), str(go), str(SECONDS), str(THREADS_PER_KEY)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for keys in ([key_a, shared], [key_b, shared])
    ]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        start = time.time() + 0.3
        staged = tmp_path / "go.tmp"
        staged.write_text(repr(start))
        staged.rename(go)
        outputs = [proc.communicate(timeout=30)[0] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
    assert [proc.returncode for proc in procs] == [0, 0]
    first, second = (json.loads(out.strip().splitlines()[-1]) for out in outputs)
    by_key = {key_a: first[key_a], key_b: second[key_b], shared: first[shared] + second[shared]}

    # Never over the rate, both processes combined: GCRA allows ceil(w·R) + burst in any window w.
    for key, times in by_key.items():
        for window in (0.5, 1.0, SECONDS):
            allowed = math.ceil(window * RATE) + BURST
            assert most_in_window(times, window) <= allowed, (key, window, sorted(times))

    def in_run(times: list[float]) -> int:
        return sum(start <= t <= start + SECONDS for t in times)

    full = RATE * SECONDS  # 15 grants in the run at 5/s
    # Independent budgets: each account's key got (about) its whole rate, so together 2·R·t, not R·t.
    assert in_run(by_key[key_a]) >= 0.8 * full
    assert in_run(by_key[key_b]) >= 0.8 * full
    assert in_run(by_key[key_a]) + in_run(by_key[key_b]) >= 1.6 * full
    # One budget for the shared key across both processes: R·t in all (per-process buckets: 2·R·t),
    # and both processes were served from it.
    assert 0.8 * full <= in_run(by_key[shared]) <= full + BURST
    assert min(len(first[shared]), len(second[shared])) >= 0.25 * len(by_key[shared])


@pytest.mark.django_db
def test_one_accounts_spent_budget_does_not_delay_another_accounts_call(
    _moto_server, sms_simulator, monkeypatch, settings
):
    other_id = "210987654321"
    region = settings.AWS_REGION
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", _moto_server)  # AssumeRole on moto
    sms_simulator.configure(sts_endpoint_url=_moto_server)  # the simulator learns the caller's account
    reset_gateway()
    home = AwsAccount.objects.create(name="home", regions=[region], default_region=region)
    other = AwsAccount.objects.create(
        name="other",
        credential_source=CredentialSource.ASSUME_ROLE,
        role_arn=f"arn:aws:iam::{other_id}:role/portal",
        regions=[region],
        default_region=region,
    )
    home_gw, other_gw = gateway_for(home, region), gateway_for(other, region)
    assert home_gw is not other_gw
    assert home_gw.budget_key(SMS_SERVICE, OPERATION) == f"default:{region}:{SMS_SERVICE}:{OPERATION}"
    assert other_gw.budget_key(SMS_SERVICE, OPERATION) == (
        f"arn:aws:iam::{other_id}:role/portal:{region}:{SMS_SERVICE}:{OPERATION}"
    )
    # The role is assumed before the clock runs (a working portal has long done it); budget still off.
    assert other_gw.get_caller_identity().account == other_id

    def request(gw: SmsVoiceGateway, sender_id: str):
        return gw.request_sender_id(
            sender_id=sender_id,
            iso_country_code="DE",
            message_types=["TRANSACTIONAL"],
            client_token=str(uuid.uuid4()),
        )

    settings.AWS_SMS_TPS = 0.2  # one RequestSenderId per 5 s per account and Region
    ratelimit.reset()
    try:
        request(home_gw, "HOME")
        # The home account's budget for RequestSenderId is spent for the next 5 s ...
        with gateway.interactive(timeout=0.5), pytest.raises(RetryableAwsError) as caught:
            request(home_gw, "HOMETWO")
        assert caught.value.code == "RateBudgetTimeout"
        # ... and the other account's call, same Region and operation, does not wait for it.
        started = time.monotonic()
        with gateway.interactive(timeout=0.5):
            info = request(other_gw, "OTHER")
        assert time.monotonic() - started < 2.0
    finally:
        ratelimit.reset()  # no 5-second reservation left behind for later tests on these keys
    assert info.sender_id_arn == f"arn:aws:sms-voice:{region}:{other_id}:sender-id/OTHER/DE"
    calls = [(c["account"], c["params"]["SenderId"], c["outcome"]) for c in sms_simulator.calls(OPERATION)]
    assert calls == [(DEFAULT_ACCOUNT_ID, "HOME", "ok"), (other_id, "OTHER", "ok")]
