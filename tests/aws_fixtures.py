"""AWS test fixtures: the SMS simulator and moto's Support API, both spoken to over real HTTP.

- ``no_real_aws`` (autouse): fake credentials, both AWS endpoints pointed at a closed local port, the
  shared rate budget switched off (``AWS_SMS_TPS=0``; a test that wants it sets it again), and a fresh
  gateway. A call nobody stubbed fails at once with a connection error naming 127.0.0.1:9.
- ``sms_simulator``: a simulator on a free port for this test (review delay 0, no TPS cap, answers
  self-checked against botocore's output shapes); ``AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`` points at it
  in ``os.environ`` so worker processes started by the test inherit it. Yields ``SimulatorHandle``.
- ``moto_support``: moto's server (one per session, reset per test) with its support-case state machine
  frozen; ``AWS_ENDPOINT_URL_SUPPORT`` points at it. Yields ``MotoSupportHandle``.
- ``moto_sqs``: moto's server (the same one) as SQS; ``AWS_ENDPOINT_URL_SQS`` points at it. Yields
  ``MotoSqsHandle``: queues named uniquely per test (no reset needed), addressed by AWS-shaped URLs.
- ``stubbed_gateway``: ``(gateway, sms_stubber, support_stubber)``; ``get_gateway()`` returns that gateway.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from smsvoice import gateway as gateway_module
from smsvoice.gateway import SmsVoiceGateway, reset_gateway
from smsvoice.simulator import SimConfig, SimulatorServer
from smsvoice.simulator.control import SimulatorControl

CLOSED_ENDPOINT = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused
SMS_ENDPOINT_VAR = "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"
SUPPORT_ENDPOINT_VAR = "AWS_ENDPOINT_URL_SUPPORT"
SQS_ENDPOINT_VAR = "AWS_ENDPOINT_URL_SQS"
MOTO_ACCOUNT_ID = "123456789012"  # moto's account for the test credentials ("testing")


@pytest.fixture(autouse=True)
def no_real_aws(monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[None]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    # No developer config or instance metadata may leak credentials or endpoints into a test.
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv(SMS_ENDPOINT_VAR, CLOSED_ENDPOINT)
    monkeypatch.setenv(SUPPORT_ENDPOINT_VAR, CLOSED_ENDPOINT)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", CLOSED_ENDPOINT)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", CLOSED_ENDPOINT)
    settings.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = CLOSED_ENDPOINT
    settings.AWS_ENDPOINT_URL_SUPPORT = CLOSED_ENDPOINT
    settings.AWS_SMS_TPS = 0
    reset_gateway()
    yield
    reset_gateway()


# --- the SMS simulator -------------------------------------------------------------------------------
_SESSION_LOCK = threading.Lock()


@functools.cache
def _shared_session():
    import boto3

    return boto3.session.Session()


def boto3_client(service: str, **kwargs: Any):
    """A boto3 client from the test process's one session (it caches parsed service models, so a client
    costs milliseconds). Made under a lock: sessions are not thread-safe, the clients are."""
    with _SESSION_LOCK:
        return _shared_session().client(service, **kwargs)


class SimulatorHandle(SimulatorControl):
    """Control of the test's simulator over HTTP (``calls``, ``reset``, ``configure``, ``advance``,
    ``state``), plus ``server``/``simulator`` for in-process inspection and ``client()`` for a boto3
    client pointed at it."""

    def __init__(self, server: SimulatorServer):
        super().__init__(server.url)
        self.server = server
        self.simulator = server.simulator

    def client(self, region: str | None = None, **config: Any):
        """A plain boto3 client on this simulator (no retries; ``config`` goes to botocore's Config)."""
        from botocore.config import Config
        from django.conf import settings

        return boto3_client(
            "pinpoint-sms-voice-v2",
            region_name=region or settings.AWS_REGION,
            endpoint_url=self.url,
            config=Config(retries={"total_max_attempts": 1}, **config),
        )


@pytest.fixture
def sms_simulator(monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[SimulatorHandle]:
    config = SimConfig(review_delay=0.0, tps=0.0, default_region=settings.AWS_REGION, check_output=True)
    server = SimulatorServer("127.0.0.1", 0, config=config).start()
    monkeypatch.setenv(SMS_ENDPOINT_VAR, server.url)
    settings.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = server.url
    reset_gateway()
    try:
        yield SimulatorHandle(server)
    finally:
        reset_gateway()
        server.stop()


# --- moto's Support API ------------------------------------------------------------------------------
_FROZEN_CASES = {
    "model_name": "support::case",
    "transition": {"progression": "manual", "times": 1_000_000_000},
}


class MotoSupportHandle:
    """moto's Support API: ``url``, ``reset()``, ``client()`` and ``resolve_case(case_id)`` (moto has no
    way to set a status, so this steps its state machine one describe at a time up to "resolved")."""

    def __init__(self, url: str):
        self.url = url

    def _post(self, path: str, body: dict[str, Any] | None = None) -> None:
        data = json.dumps(body or {}).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def freeze(self) -> None:
        self._post("/moto-api/state-manager/set-transition", _FROZEN_CASES)

    def reset(self) -> None:
        self._post("/moto-api/reset")
        self.freeze()

    def client(self):
        return boto3_client("support", region_name="us-east-1", endpoint_url=self.url)

    def resolve_case(self, case_id: str) -> None:
        client = self.client()
        step = {"model_name": "support::case", "transition": {"progression": "manual", "times": 1}}
        self._post("/moto-api/state-manager/set-transition", step)
        try:
            for _ in range(6):  # at most once round moto's six-status cycle
                (case,) = client.describe_cases(caseIdList=[case_id], includeResolvedCases=True)["cases"]
                if case["status"] == "resolved":
                    return
            raise AssertionError(f"moto never resolved {case_id}")
        finally:
            self.freeze()


@pytest.fixture(scope="session")
def _moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto_support(_moto_server: str, monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[MotoSupportHandle]:
    handle = MotoSupportHandle(_moto_server)
    handle.reset()
    monkeypatch.setenv(SUPPORT_ENDPOINT_VAR, _moto_server)
    settings.AWS_ENDPOINT_URL_SUPPORT = _moto_server
    reset_gateway()
    yield handle
    reset_gateway()


# --- moto's SQS -----------------------------------------------------------------------------------------
class MotoSqsHandle:
    """moto's SQS. Queues get AWS-shaped URLs (https://sqs.<region>.amazonaws.com/<account>/<name>): moto
    finds a queue by its name in the client's Region, so the portal's Region-from-URL logic is exercised
    exactly as against AWS."""

    def __init__(self, url: str):
        self.url = url

    def client(self, region: str):
        return boto3_client("sqs", region_name=region, endpoint_url=self.url)

    def create_queue(self, region: str, *, name: str | None = None, visibility_timeout: int = 30) -> str:
        import uuid

        name = name or f"events-{uuid.uuid4().hex[:12]}"
        self.client(region).create_queue(
            QueueName=name, Attributes={"VisibilityTimeout": str(visibility_timeout)}
        )
        return self.queue_url(region, name)

    @staticmethod
    def queue_url(region: str, name: str) -> str:
        return f"https://sqs.{region}.amazonaws.com/{MOTO_ACCOUNT_ID}/{name}"

    @staticmethod
    def region_of(queue_url: str) -> str:
        return queue_url.split(".")[1]

    def send(self, queue_url: str, body: str) -> None:
        self.client(self.region_of(queue_url)).send_message(QueueUrl=queue_url, MessageBody=body)

    def depth(self, queue_url: str) -> tuple[int, int]:
        """(messages waiting, messages received and not yet deleted)."""
        attributes = self.client(self.region_of(queue_url)).get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return (
            int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        )


@pytest.fixture
def moto_sqs(_moto_server: str, monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[MotoSqsHandle]:
    monkeypatch.setenv(SQS_ENDPOINT_VAR, _moto_server)
    settings.AWS_ENDPOINT_URL_SQS = _moto_server
    reset_gateway()
    yield MotoSqsHandle(_moto_server)
    reset_gateway()


# --- botocore Stubber ----------------------------------------------------------------------------------
@pytest.fixture
def stubbed_gateway() -> Iterator[tuple[SmsVoiceGateway, Stubber, Stubber]]:
    """A gateway whose two clients answer only what the test stubs (Stubber checks every request against
    AWS's model). ``get_gateway()`` returns it for the test's duration."""
    gateway = SmsVoiceGateway()
    sms, support = Stubber(gateway.sms), Stubber(gateway.support)
    sms.activate()
    support.activate()
    gateway_module.install_gateway(gateway)
    try:
        yield gateway, sms, support
    finally:
        sms.deactivate()
        support.deactivate()
        reset_gateway()
