"""The simulator keys everything by the calling AWS account and Region: the account comes from the SigV4
access key (a static map, else STS GetCallerIdentity on moto, else 123456789012), and two accounts'
sender IDs, registrations, tokens, quotas, throttles, call log entries and state-file entries never mix."""

from __future__ import annotations

import dataclasses
import json
import logging
import urllib.error
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.management import CommandError, call_command

from smsvoice.management.commands import run_sms_simulator
from smsvoice.simulator import SimConfig, SimulatorServer
from smsvoice.simulator.caller_account import AccountResolver, credential_from_authorization
from smsvoice.simulator.control import SimulatorControl
from smsvoice.simulator.records import DEFAULT_ACCOUNT_ID, RegionState, SenderIdRecord
from tests.aws_fixtures import CLOSED_ENDPOINT, boto3_client
from tests.smsvoice.conftest import aws_error, new_registration

ALICE_KEY, ALICE = "AKIAALICE0000000000A", "111111111111"
BOB_KEY, BOB = "AKIABOB00000000000B0", "222222222222"
ASSUMED_ACCOUNT = "210987654321"


def client_for(url: str, access_key: str, region: str = "us-east-1", **credentials: str):
    """A boto3 client on the simulator signing with ``access_key`` (any secret: it is not checked;
    ``credentials``: e.g. the session token of assumed-role credentials)."""
    return boto3_client(
        "pinpoint-sms-voice-v2",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=access_key,
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}),
        **credentials,
    )


@pytest.fixture
def alice_and_bob(sms_simulator):
    """Boto3 clients of two accounts (two access keys mapped through ``POST /_config``)."""
    sms_simulator.configure(account_for_access_key={ALICE_KEY: ALICE, BOB_KEY: BOB})
    return client_for(sms_simulator.url, ALICE_KEY), client_for(sms_simulator.url, BOB_KEY)


def sender_arns(client) -> list[str]:
    return [s["SenderIdArn"] for s in client.describe_sender_ids()["SenderIds"]]


# --- the account of a request --------------------------------------------------------------------------
def test_the_credential_scope_gives_access_key_and_region():
    header = (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/ap-south-1/sms-voice/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc"
    )
    assert credential_from_authorization(header) == ("AKIDEXAMPLE", "ap-south-1")
    assert credential_from_authorization(None) == (None, None)
    assert credential_from_authorization("Bearer x") == (None, None)


def test_an_unmapped_key_and_an_unsigned_request_are_the_default_account():
    resolver = AccountResolver(SimConfig(account_for_access_key={ALICE_KEY: ALICE}))
    assert resolver.resolve(ALICE_KEY) == ALICE
    assert resolver.resolve("AKIASOMEONEELSE") == DEFAULT_ACCOUNT_ID
    assert resolver.resolve(None) == DEFAULT_ACCOUNT_ID


def test_the_account_map_refuses_what_is_not_an_account_id(sms_simulator):
    for bad in ({ALICE_KEY: "1234"}, {ALICE_KEY: 111111111111}, ["not", "a", "map"]):
        with pytest.raises(urllib.error.HTTPError) as caught:
            sms_simulator.configure(account_for_access_key=bad)
        assert caught.value.code == 400
    with pytest.raises(urllib.error.HTTPError):
        sms_simulator.configure(sts_endpoint_url="localhost:4566")
    assert sms_simulator.config()["account_for_access_key"] == {}


# --- sender IDs, registrations, tokens, quotas ------------------------------------------------------------
def test_two_accounts_requesting_the_same_sender_id_get_two_sender_ids(alice_and_bob, sms):
    alice, bob = alice_and_bob
    a = alice.request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    b = bob.request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    assert a["SenderIdArn"] == f"arn:aws:sms-voice:us-east-1:{ALICE}:sender-id/ACME/DE"
    assert b["SenderIdArn"] == f"arn:aws:sms-voice:us-east-1:{BOB}:sender-id/ACME/DE"
    assert sender_arns(alice) == [a["SenderIdArn"]]
    assert sender_arns(bob) == [b["SenderIdArn"]]
    assert sms.describe_sender_ids()["SenderIds"] == []  # the default account ("testing" key)
    # Releasing one account's sender ID leaves the other's.
    alice.release_sender_id(SenderId="ACME", IsoCountryCode="DE")
    assert (sender_arns(alice), sender_arns(bob)) == ([], [b["SenderIdArn"]])


def test_another_accounts_arn_names_nothing(alice_and_bob):
    alice, bob = alice_and_bob
    alice_arn = alice.request_sender_id(SenderId="ACME", IsoCountryCode="DE")["SenderIdArn"]
    bob.request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    with pytest.raises(ClientError) as caught:
        bob.update_sender_id(SenderId=alice_arn, IsoCountryCode="DE", DeletionProtectionEnabled=True)
    assert aws_error(caught)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        bob.list_tags_for_resource(ResourceArn=alice_arn)
    assert aws_error(caught)[0] == "ResourceNotFoundException"


def test_registrations_belong_to_the_account_that_created_them(alice_and_bob):
    alice, bob = alice_and_bob
    created = alice.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")
    assert created["RegistrationArn"].startswith(f"arn:aws:sms-voice:us-east-1:{ALICE}:registration/")
    (listed,) = alice.describe_registrations()["Registrations"]
    assert listed["RegistrationId"] == created["RegistrationId"]
    assert bob.describe_registrations()["Registrations"] == []
    with pytest.raises(ClientError) as caught:
        bob.describe_registrations(RegistrationIds=[created["RegistrationId"]])
    assert aws_error(caught)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        bob.put_registration_field_value(
            RegistrationId=created["RegistrationId"], FieldPath="companyInfo.companyName", TextValue="X"
        )
    assert aws_error(caught)[0] == "ResourceNotFoundException"


def test_an_approved_registration_provisions_its_sender_id_in_its_own_account(alice_and_bob):
    alice, bob = alice_and_bob
    new_registration(alice, "ACMEUK")
    new_registration(bob, "ACMEUK")
    assert sender_arns(alice) == [f"arn:aws:sms-voice:us-east-1:{ALICE}:sender-id/ACMEUK/GB"]
    assert sender_arns(bob) == [f"arn:aws:sms-voice:us-east-1:{BOB}:sender-id/ACMEUK/GB"]


def test_a_client_token_is_remembered_per_account(alice_and_bob):
    alice, bob = alice_and_bob
    first = alice.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION", ClientToken="tok")
    again = alice.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION", ClientToken="tok")
    other = bob.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION", ClientToken="tok")
    assert again["RegistrationId"] == first["RegistrationId"]
    assert other["RegistrationId"] != first["RegistrationId"]
    assert len(bob.describe_registrations()["Registrations"]) == 1


def test_attachments_and_account_limits_are_per_account(alice_and_bob):
    alice, bob = alice_and_bob
    alice.create_registration_attachment(AttachmentBody=b"%PDF-1.4 letter")
    alice.request_sender_id(SenderId="ACME", IsoCountryCode="DE")

    def used(client) -> dict[str, int]:
        limits = client.describe_account_limits()["AccountLimits"]
        return {
            a["Name"]: a["Used"] for a in limits if a["Name"] in ("SENDER_IDS", "REGISTRATION_ATTACHMENTS")
        }

    assert used(alice) == {"SENDER_IDS": 1, "REGISTRATION_ATTACHMENTS": 1}
    assert used(bob) == {"SENDER_IDS": 0, "REGISTRATION_ATTACHMENTS": 0}
    assert bob.describe_registration_attachments()["RegistrationAttachments"] == []


def test_one_account_and_region_is_one_state(sms_simulator, alice_and_bob):
    alice, _bob = alice_and_bob
    alice_india = client_for(sms_simulator.url, ALICE_KEY, region="ap-south-1")
    alice.request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    assert alice_india.describe_sender_ids()["SenderIds"] == []
    india = alice_india.request_sender_id(SenderId="ACME", IsoCountryCode="DE")["SenderIdArn"]
    assert india == f"arn:aws:sms-voice:ap-south-1:{ALICE}:sender-id/ACME/DE"
    assert sorted(sms_simulator.state()["accounts"][ALICE]) == ["ap-south-1", "us-east-1"]


# --- throttling, call log, faults, control ---------------------------------------------------------------
def test_the_tps_cap_is_per_account(sms_simulator, alice_and_bob):
    alice, bob = alice_and_bob
    sms_simulator.configure(tps=1)
    alice.describe_sender_ids()
    with pytest.raises(ClientError) as caught:
        alice.describe_sender_ids()
    assert aws_error(caught)[0] == "ThrottlingException"
    assert bob.describe_sender_ids()["SenderIds"] == []  # Bob's bucket is his own


def test_the_call_log_names_the_account_and_filters_by_it(sms_simulator, alice_and_bob, sms):
    alice, bob = alice_and_bob
    alice.describe_sender_ids()
    bob.describe_registrations()
    sms.describe_sender_ids()
    assert [(c["account"], c["operation"]) for c in sms_simulator.calls()] == [
        (ALICE, "DescribeSenderIds"),
        (BOB, "DescribeRegistrations"),
        (DEFAULT_ACCOUNT_ID, "DescribeSenderIds"),
    ]
    assert [c["operation"] for c in sms_simulator.calls(account=BOB)] == ["DescribeRegistrations"]
    assert [c["account"] for c in sms_simulator.calls("DescribeSenderIds", account=ALICE)] == [ALICE]


def test_a_fault_can_be_aimed_at_one_account(sms_simulator, alice_and_bob):
    alice, bob = alice_and_bob
    sms_simulator.fail_next("DescribeSenderIds", "AccessDeniedException", account=BOB)
    assert alice.describe_sender_ids()["SenderIds"] == []
    with pytest.raises(ClientError) as caught:
        bob.describe_sender_ids()
    assert aws_error(caught)[0] == "AccessDeniedException"


def test_authenticate_finds_a_registration_in_any_account(sms_simulator, alice_and_bob):
    alice, _bob = alice_and_bob
    sms_simulator.configure(review_delay=3600)
    registration_id = new_registration(alice, "AUTHACME")
    sms_simulator.advance(1000)
    answer = sms_simulator.authenticate(registration_id)
    assert (answer["account"], answer["region"]) == (ALICE, "us-east-1")


def test_reset_forgets_every_account(sms_simulator, alice_and_bob):
    alice, bob = alice_and_bob
    alice.request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    bob.request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    sms_simulator.reset()
    assert (sender_arns(alice), sender_arns(bob)) == ([], [])
    assert sms_simulator.state()["accounts"] == {}


# --- the state file ---------------------------------------------------------------------------------------
def _server(state_file, **config: Any) -> SimulatorServer:
    accounts = {ALICE_KEY: ALICE, BOB_KEY: BOB}
    return SimulatorServer(
        config=SimConfig(account_for_access_key=accounts, **config), state_file=str(state_file)
    ).start()


def test_the_state_file_keeps_each_accounts_state(tmp_path):
    state_file = tmp_path / "simulator.json"
    first = _server(state_file)
    try:
        client_for(first.url, ALICE_KEY).request_sender_id(
            SenderId="ACME", IsoCountryCode="DE", ClientToken="t"
        )
        client_for(first.url, BOB_KEY).request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    finally:
        first.stop()
    saved = json.loads(state_file.read_text())
    assert saved["format"] == 2 and sorted(saved["accounts"]) == [ALICE, BOB]

    second = _server(state_file)
    try:
        alice, bob = client_for(second.url, ALICE_KEY), client_for(second.url, BOB_KEY)
        assert sender_arns(alice) == [f"arn:aws:sms-voice:us-east-1:{ALICE}:sender-id/ACME/DE"]
        assert sender_arns(bob) == [f"arn:aws:sms-voice:us-east-1:{BOB}:sender-id/ACME/DE"]
        # Alice's ClientToken survived too: the retry is the same sender ID, not a conflict.
        alice.request_sender_id(SenderId="ACME", IsoCountryCode="DE", ClientToken="t")
    finally:
        second.stop()


def test_a_state_file_of_the_old_format_is_the_default_accounts(tmp_path):
    arn = f"arn:aws:sms-voice:us-east-1:{DEFAULT_ACCOUNT_ID}:sender-id/OLDCO/DE"
    region = RegionState(
        sender_ids={"DE/OLDCO": SenderIdRecord("OLDCO", "DE", arn, ["TRANSACTIONAL"], created_at=1.0)}
    )
    state_file = tmp_path / "simulator.json"
    old = {"format": 1, "clock_offset": 5.0, "regions": {"us-east-1": dataclasses.asdict(region)}}
    state_file.write_text(json.dumps(old))
    server = _server(state_file)
    try:
        assert sender_arns(client_for(server.url, "AKIAUNMAPPED")) == [arn]
        assert sender_arns(client_for(server.url, ALICE_KEY)) == []
        state = SimulatorControl(server.url).state()
        assert state["regions"]["us-east-1"]["sender_ids"]["DE/OLDCO"]["arn"] == arn  # format-1 view
        assert list(state["accounts"]) == [DEFAULT_ACCOUNT_ID]
        assert server.simulator.clock_offset == 5.0
    finally:
        server.stop()


# --- STS: moto names the account of credentials it issued ---------------------------------------------
def test_assumed_role_credentials_are_the_roles_account(_moto_server, sms_simulator):
    sts = boto3_client(
        "sts",
        region_name="us-east-1",
        endpoint_url=_moto_server,
        aws_access_key_id="AKIAMOTOCALLER",
        aws_secret_access_key="secret",
    )
    role = f"arn:aws:iam::{ASSUMED_ACCOUNT}:role/x"
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="sim-test")["Credentials"]
    sms_simulator.configure(sts_endpoint_url=_moto_server)
    client = client_for(
        sms_simulator.url, credentials["AccessKeyId"], aws_session_token=credentials["SessionToken"]
    )
    arn = client.request_sender_id(SenderId="ACME", IsoCountryCode="DE")["SenderIdArn"]
    assert arn == f"arn:aws:sms-voice:us-east-1:{ASSUMED_ACCOUNT}:sender-id/ACME/DE"
    assert sender_arns(client) == [arn]
    assert [c["account"] for c in sms_simulator.calls()] == [ASSUMED_ACCOUNT, ASSUMED_ACCOUNT]
    # A key moto did not issue is moto's default account, which is the simulator's default too.
    assert client_for(sms_simulator.url, "AKIANOBODY").describe_sender_ids()["SenderIds"] == []


def test_the_static_map_wins_over_sts(_moto_server):
    resolver = AccountResolver(
        SimConfig(account_for_access_key={ALICE_KEY: ALICE}, sts_endpoint_url=_moto_server)
    )
    assert resolver.resolve(ALICE_KEY) == ALICE


def test_an_sts_answer_is_cached_per_access_key(_moto_server, monkeypatch):
    resolver = AccountResolver(SimConfig(sts_endpoint_url=_moto_server), cache_size=2)
    asked: list[str] = []
    real = resolver._ask_sts

    def counting(endpoint, key, region, token):
        asked.append(key)
        return real(endpoint, key, region, token)

    monkeypatch.setattr(resolver, "_ask_sts", counting)
    for key in ("K1", "K1", "K2", "K3", "K1"):
        assert resolver.resolve(key) == DEFAULT_ACCOUNT_ID
    # K1 was cached, then evicted by K2 and K3 (the cache holds two keys), so it is asked again.
    assert asked == ["K1", "K2", "K3", "K1"]


def test_a_failed_sts_lookup_is_the_default_account_logged_and_retried_later(caplog):
    now = [0.0]
    resolver = AccountResolver(
        SimConfig(sts_endpoint_url=CLOSED_ENDPOINT), retry_after=30.0, clock=lambda: now[0]
    )
    with caplog.at_level(logging.WARNING, logger="smsvoice.simulator.caller_account"):
        assert resolver.resolve(ALICE_KEY) == DEFAULT_ACCOUNT_ID
        assert resolver.resolve(ALICE_KEY) == DEFAULT_ACCOUNT_ID  # within the retry window: not asked
        assert len(caplog.records) == 1
        assert "GetCallerIdentity" in caplog.records[0].getMessage()
        now[0] = 31.0
        assert resolver.resolve(ALICE_KEY) == DEFAULT_ACCOUNT_ID
        assert len(caplog.records) == 2  # asked again once the window is over


# --- run_sms_simulator --------------------------------------------------------------------------------
class _NoServer:
    """Stands in for SimulatorServer so the command's options can be checked without serving."""

    config: SimConfig | None = None

    def __init__(self, host: str, port: int, *, config: SimConfig, **kwargs: Any):
        type(self).config = config
        self.url = f"http://{host}:{port}"
        self.httpd = self

    def serve_forever(self) -> None:
        return None

    def server_close(self) -> None:
        return None


def test_the_command_maps_access_keys_and_defaults_sts_to_the_environment(monkeypatch):
    monkeypatch.setattr(run_sms_simulator, "SimulatorServer", _NoServer)
    call_command("run_sms_simulator", "--account", f"{ALICE_KEY}={ALICE}", "--account", f"{BOB_KEY}={BOB}")
    assert _NoServer.config.account_for_access_key == {ALICE_KEY: ALICE, BOB_KEY: BOB}
    assert _NoServer.config.sts_endpoint_url == CLOSED_ENDPOINT  # $AWS_ENDPOINT_URL_STS (the fixture's)
    call_command("run_sms_simulator", "--sts-endpoint-url", "")
    assert _NoServer.config.sts_endpoint_url is None
    call_command("run_sms_simulator", "--sts-endpoint-url", "http://127.0.0.1:5000")
    assert _NoServer.config.sts_endpoint_url == "http://127.0.0.1:5000"


@pytest.mark.parametrize("bad", ["NOEQUALS", f"{ALICE_KEY}=12345", "=111111111111"])
def test_the_command_refuses_a_bad_account_option(monkeypatch, bad):
    monkeypatch.setattr(run_sms_simulator, "SimulatorServer", _NoServer)
    with pytest.raises(CommandError):
        call_command("run_sms_simulator", "--account", bad)
