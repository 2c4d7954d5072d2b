"""Several AWS accounts, against the real simulator over HTTP and moto's STS server.

A request lives in one (account, Region): India goes to ap-south-1 whatever the account's default Region,
two accounts asking for the same sender ID get two sender IDs, an assumed role is assumed once and then
reused, and one account whose credentials fail never holds up another's submissions or polls.
The worker's steps run inline (the submit task's service, the poller's cycle); reviews are instant.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from countries.models import SenderIdProcess
from registrations.definitions import definition_refresh
from registrations.models import Registration
from senderids.choices import Status
from senderids.services.release import sender_id_request_release, sender_id_request_release_execute
from smsvoice.gateway import gateway_for, reset_gateway
from smsvoice.models import AwsAccount
from tests.registrations.conftest import INDIA_VALUES, save

from .multi_account_support import (
    DEFAULT_ACCOUNT_ID,
    ROLE_ACCOUNT_ID,
    ROLE_ARN,
    STS_ENDPOINT_VAR,
    MotoSts,
    chain_account,
    default_account,
    poll,
    request_in,
    role_account,
    sender_id_arns,
    simulator_regions,
    submit,
    team_using,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher", "no_approval")]

INDIA = "ap-south-1"
EUROPE = "eu-west-1"
REGISTRATION_TYPE = "IN_SENDER_ID_REGISTRATION"


@pytest.fixture
def no_approval(settings):
    """Requests are approved on creation; the tests run the worker's submission themselves."""
    settings.SENDERIDS_REQUIRE_APPROVAL = False


@pytest.fixture
def moto_sts(_moto_server: str, sms_simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoSts]:
    """The portal's STS calls go to moto; the simulator asks moto who an assumed role's keys belong to."""
    monkeypatch.setenv(STS_ENDPOINT_VAR, _moto_server)
    sms_simulator.configure(sts_endpoint_url=_moto_server)
    reset_gateway()
    yield MotoSts(_moto_server)
    reset_gateway()


def register(request, values=INDIA_VALUES):
    """The owner completes and submits the form, then the worker submits the approved request."""
    save(request, values, submit=True)
    return submit(request)


# --- 1. India goes to ap-south-1 ----------------------------------------------------------------------------
def test_india_from_an_account_based_in_europe_is_registered_in_ap_south_1_and_becomes_active(
    sms_simulator, moto_sts, settings, owner, countries
):
    settings.AWS_REGION = INDIA  # the portal's own (default) account: where India's form is read
    europe = role_account("Europe", regions=[EUROPE, INDIA], default_region=EUROPE)
    team = team_using(owner, europe)

    request = request_in(owner, countries["IN"], "EXMPLE")

    assert (request.team, request.aws_account, request.aws_region) == (team, europe, INDIA)
    assert request.process == SenderIdProcess.REGISTRATION  # ap-south-1 has India's form: not a support case
    request = register(request)
    assert request.status == Status.REGISTRATION_SUBMITTED, request.aws_error_message

    # At AWS: the registration is the team's account's, in ap-south-1, and nothing went to eu-west-1.
    registration = Registration.objects.get(request=request)
    state = simulator_regions(sms_simulator, ROLE_ACCOUNT_ID)
    assert list(state[INDIA]["registrations"]) == [registration.aws_registration_id]
    assert not state.get(EUROPE, {}).get("registrations")
    assert registration.aws_registration_arn.startswith(
        f"arn:aws:sms-voice:{INDIA}:{ROLE_ACCOUNT_ID}:registration/"
    )
    (created,) = sms_simulator.calls("CreateRegistration")
    assert (created["account"], created["region"]) == (ROLE_ACCOUNT_ID, INDIA)
    assert {c["region"] for c in sms_simulator.calls(account=ROLE_ACCOUNT_ID)} == {INDIA}

    report = poll()  # review delay 0: AWS has approved it and provisioned the sender ID

    assert report.errors == []
    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    assert request.aws_sender_id_arn == f"arn:aws:sms-voice:{INDIA}:{ROLE_ACCOUNT_ID}:sender-id/EXMPLE/IN"
    assert sender_id_arns(europe, INDIA) == [request.aws_sender_id_arn]
    assert sender_id_arns(europe, EUROPE) == []


def test_indias_form_is_read_where_india_is_offered_when_the_portal_itself_runs_in_europe(
    sms_simulator, settings, owner, countries
):
    settings.AWS_REGION = EUROPE  # a European install: its default account has only eu-west-1
    europe = chain_account("Europe", regions=[EUROPE, INDIA], default_region=EUROPE)
    team_using(owner, europe)
    request = request_in(owner, countries["IN"], "EXMPLE")
    assert request.aws_region == INDIA

    # What the refresh task enqueued by the request's creation runs: the form page needs it.
    definition = definition_refresh(registration_type=REGISTRATION_TYPE, force=False)

    assert definition.field("inSidSpecificInfo.principalEntityId") is not None
    assert register(request).status == Status.REGISTRATION_SUBMITTED


# --- 2. The same sender ID in two accounts ------------------------------------------------------------------
def test_the_same_sender_id_in_two_accounts_is_two_sender_ids_and_releasing_one_keeps_the_other(
    sms_simulator, moto_sts, settings, owner, countries
):
    settings.AWS_REGION = EUROPE
    home, partner = default_account(), role_account("Partner", regions=[EUROPE])
    team_using(owner, home, partner)

    mine = submit(request_in(owner, countries["DE"], "ACME", aws_account=home))
    theirs = submit(request_in(owner, countries["DE"], "ACME", aws_account=partner))

    assert (mine.status, theirs.status) == (Status.ACTIVE, Status.ACTIVE)
    home_arn = f"arn:aws:sms-voice:{EUROPE}:{DEFAULT_ACCOUNT_ID}:sender-id/ACME/DE"
    partner_arn = f"arn:aws:sms-voice:{EUROPE}:{ROLE_ACCOUNT_ID}:sender-id/ACME/DE"
    assert (mine.aws_sender_id_arn, theirs.aws_sender_id_arn) == (home_arn, partner_arn)
    # Each account's DescribeSenderIds lists its own sender ID only.
    assert sender_id_arns(home, EUROPE) == [home_arn]
    assert sender_id_arns(partner, EUROPE) == [partner_arn]
    assert [c["outcome"] for c in sms_simulator.calls("RequestSenderId")] == ["ok", "ok"]

    sender_id_request_release(request=mine, actor=owner)
    sender_id_request_release_execute(request_id=mine.pk, worker="test-worker")

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (Status.RELEASED, Status.ACTIVE)
    assert sender_id_arns(home, EUROPE) == []
    assert sender_id_arns(partner, EUROPE) == [partner_arn]
    (released,) = sms_simulator.calls("ReleaseSenderId")
    assert released["account"] == DEFAULT_ACCOUNT_ID


# --- 3. An assumed role is assumed once ---------------------------------------------------------------------
def test_an_assumed_role_account_is_the_roles_account_and_the_role_is_assumed_once(
    sms_simulator, moto_sts, settings
):
    settings.AWS_REGION = EUROPE
    partner = role_account("Partner", regions=[EUROPE, INDIA])

    identities = [gateway_for(partner).get_caller_identity() for _ in range(3)]
    sender_id_arns(partner, EUROPE)
    sender_id_arns(partner, INDIA)  # another Region's gateway: the same credentials

    assert {i.account for i in identities} == {ROLE_ACCOUNT_ID}
    assert identities[0].arn.startswith(f"arn:aws:sts::{ROLE_ACCOUNT_ID}:assumed-role/portal/")
    (assumed,) = moto_sts.assumed_roles(partner.external_id)
    assert assumed["role_arn"] == ROLE_ARN
    assert {c["account"] for c in sms_simulator.calls()} == {ROLE_ACCOUNT_ID}
    # The portal's own account is still the environment's credentials.
    assert gateway_for(default_account()).get_caller_identity().account == DEFAULT_ACCOUNT_ID


# --- 4. One account failing leaves the others alone ---------------------------------------------------------
def test_an_account_whose_access_is_revoked_holds_up_neither_submissions_nor_polls_of_another(
    sms_simulator, moto_sts, settings, owner, countries
):
    settings.AWS_REGION = INDIA
    # Made first, so the poller reaches the revoked account before the healthy one.
    revoked = role_account("Revoked", regions=[INDIA])
    healthy = chain_account("Healthy", regions=[INDIA])
    team_using(owner, healthy, revoked)
    theirs = register(request_in(owner, countries["IN"], "REVOKD", aws_account=revoked))
    mine = register(request_in(owner, countries["IN"], "HEALTH", aws_account=healthy))
    assert (theirs.status, mine.status) == (Status.REGISTRATION_SUBMITTED, Status.REGISTRATION_SUBMITTED)
    assert list(simulator_regions(sms_simulator, ROLE_ACCOUNT_ID)[INDIA]["registrations"]) == [
        Registration.objects.get(request=theirs).aws_registration_id
    ]

    # The role's permissions are taken away: every call of that account is refused from now on.
    denied = "User is not authorized to perform this action: the role's permissions were removed."
    sms_simulator.fail_next("*", "AccessDeniedException", count=1000, message=denied, account=ROLE_ACCOUNT_ID)
    before = len(sms_simulator.calls())

    report = poll()

    listings = [
        (c["account"], c["outcome"])
        for c in sms_simulator.calls()[before:]
        if c["operation"] == "DescribeRegistrations"
    ]
    assert listings[:2] == [(ROLE_ACCOUNT_ID, "AccessDeniedException"), (DEFAULT_ACCOUNT_ID, "ok")]
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Status.ACTIVE
    assert mine.aws_sender_id_arn == f"arn:aws:sms-voice:{INDIA}:{DEFAULT_ACCOUNT_ID}:sender-id/HEALTH/IN"
    assert theirs.status == Status.REGISTRATION_SUBMITTED  # unchanged: asked again at the next cycle
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"Revoked {INDIA}: ")
    assert "AccessDeniedException" in report.errors[0]

    # A new submission in each account: the revoked one fails with AWS's reason, the other goes through.
    failing = submit(request_in(owner, countries["DE"], "ACMEDE", aws_account=revoked))
    working = submit(request_in(owner, countries["DE"], "ACMEDE", aws_account=healthy))

    assert failing.status == Status.FAILED
    assert (failing.aws_error_code, failing.aws_error_message) == ("AccessDeniedException", denied)
    assert working.status == Status.ACTIVE
    assert sender_id_arns(healthy, INDIA) == sorted(
        [mine.aws_sender_id_arn, f"arn:aws:sms-voice:{INDIA}:{DEFAULT_ACCOUNT_ID}:sender-id/ACMEDE/DE"]
    )

    # The operator sees which account is broken, and why, on the account itself.
    revoked, healthy = AwsAccount.objects.get(pk=revoked.pk), AwsAccount.objects.get(pk=healthy.pk)
    assert revoked.last_error.startswith(f"{INDIA}: AccessDeniedException: ")
    assert denied in revoked.last_error and revoked.last_error_at is not None
    assert (healthy.last_error, healthy.last_error_at) == ("", None)

    # Access given back: the next cycle picks the revoked account's registration up where it was.
    sms_simulator.simulator.faults.clear()
    assert poll().errors == []
    theirs.refresh_from_db()
    assert theirs.status == Status.ACTIVE
    assert theirs.aws_sender_id_arn == f"arn:aws:sms-voice:{INDIA}:{ROLE_ACCOUNT_ID}:sender-id/REVOKD/IN"
