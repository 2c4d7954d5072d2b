"""The simulator's control API, its state file and its management command."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from smsvoice.gateway import PermanentAwsError, RetryableAwsError, get_gateway
from smsvoice.management.commands.run_sms_simulator import Command as RunSmsSimulator
from smsvoice.simulator import SimConfig, SimulatorServer
from smsvoice.simulator.control import SimulatorControl
from smsvoice.simulator.server import is_loopback
from tests.aws_fixtures import boto3_client
from tests.conftest import wait_for
from tests.smsvoice.conftest import new_registration

ROOT = Path(__file__).resolve().parents[2]


def test_the_call_log_shows_operation_params_and_outcome(sms, sms_simulator):
    sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE", ClientToken="tok-1")
    with pytest.raises(sms.exceptions.ConflictException):
        sms.request_sender_id(SenderId="TAKEN1", IsoCountryCode="DE", ClientToken="tok-2")
    ok, refused = sms_simulator.calls("RequestSenderId")
    assert (ok["outcome"], ok["status"], ok["params"]["ClientToken"]) == ("ok", 200, "tok-1")
    assert (refused["outcome"], refused["reason"]) == ("ConflictException", "RESOURCE_ALREADY_EXISTS")
    assert ok["time"] <= refused["time"]


def test_the_call_log_filters_by_operation(sms, sms_simulator):
    sms.describe_sender_ids()
    sms.describe_registrations()
    assert [c["operation"] for c in sms_simulator.calls()] == ["DescribeSenderIds", "DescribeRegistrations"]
    assert [c["operation"] for c in sms_simulator.calls("DescribeRegistrations")] == ["DescribeRegistrations"]


def test_the_call_log_shows_attachment_sizes_not_contents(sms, sms_simulator):
    sms.create_registration_attachment(AttachmentBody=b"%PDF-1.4 tiny")
    (call,) = sms_simulator.calls("CreateRegistrationAttachment")
    assert call["params"]["AttachmentBody"] == "<13 bytes>"


def test_reset_forgets_everything(sms, sms_simulator):
    sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    sms_simulator.reset()
    assert sms_simulator.calls() == []
    assert sms.describe_sender_ids()["SenderIds"] == []


def test_configure_changes_settings_at_runtime(sms_simulator):
    config = sms_simulator.configure(tps=4, review_delay=2.5)
    assert (config["tps"], config["review_delay"]) == (4.0, 2.5)
    assert sms_simulator.config()["tps"] == 4.0


@pytest.mark.parametrize("bad", [{"tps": -1}, {"tps": "fast"}, {"warp_drive": True}, {"check_output": 1}])
def test_configure_refuses_bad_values(sms_simulator, bad):
    with pytest.raises(urllib.error.HTTPError) as caught:
        sms_simulator.configure(**bad)
    assert caught.value.code == 400


def test_state_survives_a_restart_with_a_state_file(tmp_path):
    state_file = tmp_path / "simulator.json"
    first = SimulatorServer(config=SimConfig(review_delay=3600), state_file=str(state_file)).start()
    try:
        client = _client(first.url)
        registration_id = new_registration(client, "ACMEUK")
        client.request_sender_id(SenderId="ACME", IsoCountryCode="DE", ClientToken="tok")
        SimulatorControl(first.url).advance(1800)
    finally:
        first.stop()

    second = SimulatorServer(config=SimConfig(review_delay=3600), state_file=str(state_file)).start()
    try:
        client = _client(second.url)
        assert client.describe_registrations()["Registrations"][0]["RegistrationStatus"] == "REVIEWING"
        # The ClientToken is remembered too: a retry after the restart leases nothing new.
        client.request_sender_id(SenderId="ACME", IsoCountryCode="DE", ClientToken="tok")
        SimulatorControl(second.url).advance(1800)
        assert (
            client.describe_registrations(RegistrationIds=[registration_id])["Registrations"][0][
                "RegistrationStatus"
            ]
            == "COMPLETE"
        )
        assert sorted(s["SenderId"] for s in client.describe_sender_ids()["SenderIds"]) == ["ACME", "ACMEUK"]
    finally:
        second.stop()


def test_an_unreadable_state_file_starts_empty(tmp_path):
    state_file = tmp_path / "simulator.json"
    state_file.write_text("{ not json")
    server = SimulatorServer(state_file=str(state_file)).start()
    try:
        assert _client(server.url).describe_sender_ids()["SenderIds"] == []
    finally:
        server.stop()


def _client(url: str):
    return boto3_client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_sms_simulator_serves_boto3(tmp_path):
    port = _free_port()
    log = tmp_path / "simulator.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "TESTING": "true"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_sms_simulator",
                "--port",
                str(port),
                "--tps",
                "5",
                "--review-delay",
                "0",
                "--set",
                "copy_values_on_new_version=false",
                "--set",
                "association_resource_type=SENDER_ID",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: b"SMS simulator on" in log.read_bytes() or proc.poll() is not None, timeout=30)
        assert proc.poll() is None, log.read_text()
        url = f"http://127.0.0.1:{port}"
        assert _client(url).request_sender_id(SenderId="ACME", IsoCountryCode="DE")["SenderId"] == "ACME"
        config = SimulatorControl(url).config()
        assert (config["tps"], config["copy_values_on_new_version"]) == (5.0, False)
        assert config["association_resource_type"] == "SENDER_ID"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)  # under a loaded CI machine the interpreter can take a while to unwind
    assert proc.returncode == 0, log.read_text()


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("InternalServerException", 500, RetryableAwsError),
        ("AccessDeniedException", 400, PermanentAwsError),
        ("ServiceQuotaExceededException", 400, PermanentAwsError),
    ],
)
def test_an_injected_fault_answers_the_next_call_once(sms_simulator, code, status, error):
    sms_simulator.fail_next("DescribeSenderIds", code)
    with pytest.raises(error) as caught:
        list(get_gateway().describe_sender_ids())
    assert (caught.value.code, caught.value.http_status) == (code, status)
    assert list(get_gateway().describe_sender_ids()) == []


def test_a_fault_after_the_work_loses_the_answer_but_not_the_sender_id(sms_simulator):
    sms_simulator.fail_next("RequestSenderId", "InternalServerException", after=True)
    request = {
        "sender_id": "ACME",
        "iso_country_code": "DE",
        "message_types": ["TRANSACTIONAL"],
        "client_token": "t",
    }
    with pytest.raises(RetryableAwsError):
        get_gateway().request_sender_id(**request)
    # The retry with the same ClientToken gets the sender ID AWS already made.
    assert get_gateway().request_sender_id(**request).sender_id == "ACME"
    assert [s.sender_id for s in get_gateway().describe_sender_ids()] == ["ACME"]


def test_a_fault_keeps_its_reason(sms_simulator):
    sms_simulator.fail_next("*", "AccessDeniedException", reason="ACCOUNT_DISABLED")
    with pytest.raises(PermanentAwsError) as caught:
        list(get_gateway().describe_registrations())
    assert caught.value.reason == "ACCOUNT_DISABLED"


def test_a_malformed_fault_is_refused(sms_simulator):
    with pytest.raises(urllib.error.HTTPError) as caught:
        sms_simulator.fail_next("RequestSenderId", "InternalServerException", count=0)
    assert caught.value.code == 400


def test_run_sms_simulator_refuses_an_unknown_setting():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "TESTING": "true"}
    done = subprocess.run(
        [sys.executable, "manage.py", "run_sms_simulator", "--port", "0", "--set", "colour=blue"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert b"unknown setting 'colour'" in done.stderr


# --- the control API answers loopback clients only ----------------------------------------------------
def _non_loopback_address() -> str | None:
    """This machine's address on its network (what another container would connect from), if any."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if is_loopback(address) else address


NON_LOOPBACK = _non_loopback_address()
needs_network_address = pytest.mark.skipif(NON_LOOPBACK is None, reason="no non-loopback address here")
CONTROL_CALLS = [
    ("POST", "/_reset", {}),
    ("POST", "/_config", {"tps": 9}),
    ("POST", "/_faults", {"operation": "*", "code": "InternalServerException"}),
    ("POST", "/_advance", {"seconds": 60}),
    ("POST", "/_authenticate", {"registration_id": "registration-x"}),
    ("GET", "/_config", None),
    ("GET", "/_faults", None),
    ("GET", "/_calls", None),
    ("GET", "/_state", None),
]


def _call(url: str, method: str, body: dict | None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, method=method), timeout=5
        ) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def lan_simulator():
    """A simulator listening on every interface, as docker-compose runs it, reached over the network."""
    server = SimulatorServer("0.0.0.0", 0).start()
    yield server, f"http://{NON_LOOPBACK}:{server.httpd.server_address[1]}"
    server.stop()


@needs_network_address
@pytest.mark.parametrize(
    ("method", "path", "body"), CONTROL_CALLS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_the_control_api_refuses_a_client_that_is_not_on_loopback(lan_simulator, method, path, body):
    server, url = lan_simulator
    assert _call(url + path, method, body) == 403
    assert server.simulator.config.tps == 0 and server.simulator.faults == []


@needs_network_address
def test_the_sms_api_and_the_health_check_still_answer_the_network(lan_simulator):
    _server, url = lan_simulator
    assert _client(url).describe_sender_ids()["SenderIds"] == []
    assert _call(url + "/_health", "GET", None) == 200


@needs_network_address
def test_allow_remote_control_opens_the_control_api_to_the_network():
    server = SimulatorServer("0.0.0.0", 0, allow_remote_control=True).start()
    try:
        url = f"http://{NON_LOOPBACK}:{server.httpd.server_address[1]}"
        assert _call(url + "/_config", "POST", {"tps": 7}) == 200
        assert server.simulator.config.tps == 7
    finally:
        server.stop()


def test_loopback_clients_drive_the_control_api(sms_simulator):
    assert sms_simulator.configure(tps=3)["tps"] == 3.0


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
     ("192.0.2.2", False), ("::ffff:10.0.0.1", False), ("fd00::2", False), ("", False), ("localhost", False)],
)  # fmt: skip
def test_what_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_run_sms_simulator_has_the_allow_remote_control_flag():
    parser = RunSmsSimulator().create_parser("manage.py", "run_sms_simulator")
    assert parser.parse_args(["--allow-remote-control"]).allow_remote_control is True
    assert parser.parse_args([]).allow_remote_control is False
