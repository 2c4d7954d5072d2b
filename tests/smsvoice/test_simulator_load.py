"""The TPS cap and concurrent clients: above the cap AWS throttles; a budget at the cap never is."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from smsvoice import ratelimit
from smsvoice.gateway import RetryableAwsError, get_gateway
from tests.smsvoice.conftest import aws_error


def test_calls_above_the_cap_are_throttled(sms, sms_simulator):
    sms_simulator.configure(tps=2)
    outcomes = []
    for _ in range(6):
        try:
            sms.describe_sender_ids()
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
    assert outcomes[:2] == ["ok", "ok"]
    assert "ThrottlingException" in outcomes
    assert [c["outcome"] for c in sms_simulator.calls("DescribeSenderIds")] == outcomes


def test_throttling_reaches_the_portal_as_a_retryable_error(sms_simulator):
    sms_simulator.configure(tps=1)
    gateway = get_gateway()
    list(gateway.describe_sender_ids())
    with pytest.raises(RetryableAwsError) as caught:
        list(gateway.describe_sender_ids())
    assert caught.value.code == "ThrottlingException"


def test_the_cap_is_per_operation(sms, sms_simulator):
    sms_simulator.configure(tps=1)
    sms.describe_sender_ids()
    sms.describe_registrations()  # a different operation has its own bucket
    with pytest.raises(ClientError) as caught:
        sms.describe_sender_ids()
    assert aws_error(caught)[0] == "ThrottlingException"


def test_a_budget_at_the_cap_is_never_throttled(sms_simulator, settings):
    sms_simulator.configure(tps=20)
    settings.AWS_SMS_TPS = 20
    settings.REDIS_URL = ""
    ratelimit.reset()
    gateway = get_gateway()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: list(gateway.describe_sender_ids()), range(24)))
    assert {c["outcome"] for c in sms_simulator.calls()} == {"ok"}


def test_concurrent_clients_are_each_served_correctly(sms_simulator):
    barrier = threading.Barrier(8)

    def client_work(n: int) -> list[str]:
        client = sms_simulator.client("us-east-1")
        barrier.wait()
        return [
            client.request_sender_id(SenderId=f"C{n}N{i}", IsoCountryCode="DE", ClientToken=f"{n}-{i}")[
                "SenderId"
            ]
            for i in range(10)
        ]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(client_work, range(8)))
    assert results == [[f"C{n}N{i}" for i in range(10)] for n in range(8)]
    listed = {s.sender_id for s in get_gateway().describe_sender_ids()}
    assert len(listed) == 80
    assert len(sms_simulator.calls("RequestSenderId")) == 80


def test_concurrent_retries_with_one_client_token_lease_once(sms_simulator):
    def request(_: int) -> str:
        client = sms_simulator.client("us-east-1")
        return client.request_sender_id(SenderId="ONCE", IsoCountryCode="DE", ClientToken="same")[
            "SenderIdArn"
        ]

    with ThreadPoolExecutor(6) as pool:
        arns = set(pool.map(request, range(12)))
    assert len(arns) == 1
    assert [s.sender_id for s in get_gateway().describe_sender_ids()] == ["ONCE"]
