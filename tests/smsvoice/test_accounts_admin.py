"""AWS accounts as an operator manages them: the admin's add / change form (what it accepts, what it
refuses and why, what it never lets anyone type), the "Test connection" action, the task behind it
against the real simulator and moto's STS, and `manage.py check_aws` across several accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.core.management.base import CommandError

from smsvoice import admin as accounts_admin
from smsvoice import tasks
from smsvoice.gateway import reset_gateway
from smsvoice.models import AwsAccount, CredentialSource
from teams.services import SUPPORT_STAFF
from tests.senderids.multi_account_support import (
    DEFAULT_ACCOUNT_ID,
    ROLE_ACCOUNT_ID,
    ROLE_ARN,
    STS_ENDPOINT_VAR,
    MotoSts,
    role_account,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

ADD_URL = "/admin/smsvoice/awsaccount/add/"
CHANGELIST_URL = "/admin/smsvoice/awsaccount/"
TEST_TASK = "smsvoice.tasks.test_aws_account"
ARN_HELP = "Enter an IAM role ARN such as arn:aws:iam::210987654321:role/SenderIdPortal."
EXTERNAL_ID_HELP = "2 to 1224 letters, digits or + = , . @ : / - _ (AWS's ExternalId rule)."
NO_REGIONS = "List at least one Region code."
LEAVE_EMPTY = "Leave the role ARN and external id empty for the default chain."
EUROPE, INDIA = "eu-west-1", "ap-south-1"


def change_url(account: AwsAccount) -> str:
    return f"/admin/smsvoice/awsaccount/{account.pk}/change/"


def form_data(**overrides: str | None) -> dict[str, str]:
    """What the add form posts for a default-chain account in Ireland and Mumbai (None drops a field)."""
    data = {
        "name": "Production",
        "enabled": "on",
        "credential_source": CredentialSource.DEFAULT_CHAIN,
        "role_arn": "",
        "external_id": "",
        "regions": '["eu-west-1", "ap-south-1"]',
        "default_region": "eu-west-1",
        "_save": "Save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


ROLE = {
    "credential_source": CredentialSource.ASSUME_ROLE,
    "role_arn": ROLE_ARN,
    "external_id": "acme-portal-7f3a",
}


def accounts() -> list[tuple]:
    """Every account row as it is stored (to prove a refused form changed nothing)."""
    return list(AwsAccount.objects.order_by("pk").values_list())


@pytest.fixture
def admin_client(client, admin_user_):
    client.force_login(admin_user_)
    return client


@pytest.fixture
def support_client(client, django_user_model):
    sam = django_user_model.objects.create_user("sam-support", "sam@portal.example", "x", is_staff=True)
    sam.groups.add(Group.objects.get(name=SUPPORT_STAFF))
    client.force_login(sam)
    return client


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, list]]:
    """What the admin sends to the broker, instead of sending it."""
    captured: list[tuple[str, list]] = []

    class App:
        @staticmethod
        def send_task(name, args=None, **kwargs):
            captured.append((name, list(args or [])))

    monkeypatch.setattr(accounts_admin, "current_app", App())
    return captured


# --- the add form: what it accepts ---------------------------------------------------------------------
def test_a_default_chain_account_is_added_with_its_regions(admin_client):
    response = admin_client.post(ADD_URL, form_data())

    assert response.status_code == 302, response.context["adminform"].form.errors
    account = AwsAccount.objects.get(name="Production")
    assert account.credential_source == CredentialSource.DEFAULT_CHAIN
    assert (account.regions, account.default_region, account.enabled) == ([EUROPE, INDIA], EUROPE, True)
    assert (account.role_arn, account.external_id, account.account_id, account.is_default) == (
        "",
        "",
        "",
        False,
    )


def test_an_assumed_role_account_is_added_with_its_role_and_external_id(admin_client):
    response = admin_client.post(
        ADD_URL, form_data(name="Partner", regions='["us-east-1"]', default_region="us-east-1", **ROLE)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    account = AwsAccount.objects.get(name="Partner")
    assert (account.credential_source, account.role_arn, account.external_id) == (
        CredentialSource.ASSUME_ROLE,
        ROLE_ARN,
        "acme-portal-7f3a",
    )
    assert account.enabled_regions == ["us-east-1"]


def test_a_name_that_looks_like_sql_or_html_is_just_a_name(admin_client):
    name = "x'); DROP TABLE smsvoice_awsaccount; -- <b>bold</b>"
    assert admin_client.post(ADD_URL, form_data(name=name)).status_code == 302

    assert AwsAccount.objects.get(name=name)
    html = admin_client.get(CHANGELIST_URL).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html


# --- the add form: what it refuses --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"regions": '["eu-west-1", "mars-1"]'}, "regions", "Not AWS Region codes: mars-1."),
        ({"regions": '["EU-WEST-1"]'}, "regions", "Not AWS Region codes: EU-WEST-1."),
        ({"regions": '["eu-west-1 "]'}, "regions", "Not AWS Region codes: eu-west-1 ."),
        ({"regions": '["eu-west-1", "<script>"]'}, "regions", "Not AWS Region codes: <script>."),
        ({"regions": "[]"}, "regions", NO_REGIONS),
        ({"regions": '"eu-west-1"'}, "regions", NO_REGIONS),
        ({"regions": '{"eu-west-1": true}'}, "regions", NO_REGIONS),
        ({"regions": "[1, 2]"}, "regions", NO_REGIONS),
        ({"regions": '[["eu-west-1"]]'}, "regions", NO_REGIONS),
        ({"regions": "eu-west-1, ap-south-1"}, "regions", "Enter a valid JSON."),
        ({"regions": "["}, "regions", "Enter a valid JSON."),
        ({"regions": ""}, "regions", "This field is required."),
        (
            {"default_region": "us-east-1"},
            "default_region",
            "The default Region must be one of the enabled Regions.",
        ),
        ({"default_region": "mars"}, "default_region", "Enter an AWS Region code such as eu-west-1."),
        (
            {"default_region": "eu-west-1' OR '1'='1"},
            "default_region",
            "Enter an AWS Region code such as eu-west-1.",
        ),
        ({"default_region": ""}, "default_region", "This field is required."),
        ({"credential_source": "assume_role"}, "role_arn", "An assumed-role account needs the role ARN."),
        ({**ROLE, "role_arn": "arn:aws:iam::1234:role/portal"}, "role_arn", ARN_HELP),
        ({**ROLE, "role_arn": "arn:aws:iam::210987654321:user/portal"}, "role_arn", ARN_HELP),
        ({**ROLE, "role_arn": "arn:aws:iam::210987654321:role/"}, "role_arn", ARN_HELP),
        ({**ROLE, "role_arn": f"{ROLE_ARN}<script>alert(1)</script>"}, "role_arn", ARN_HELP),
        ({**ROLE, "role_arn": f"{ROLE_ARN} "}, "role_arn", None),  # stripped: saved as the ARN (below)
        ({**ROLE, "external_id": "x"}, "external_id", EXTERNAL_ID_HELP),
        ({**ROLE, "external_id": "has space"}, "external_id", EXTERNAL_ID_HELP),
        ({**ROLE, "external_id": "<script>"}, "external_id", EXTERNAL_ID_HELP),
        ({"role_arn": ROLE_ARN}, "role_arn", LEAVE_EMPTY),
        ({"external_id": "acme-portal"}, "role_arn", LEAVE_EMPTY),
        (
            {"credential_source": "root"},
            "credential_source",
            "Select a valid choice. root is not one of the available choices.",
        ),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "Default"}, "name", "AWS account with this Name already exists."),
    ],
)
def test_an_invalid_account_is_refused_with_the_reason_on_its_field_and_nothing_is_saved(
    admin_client, overrides, field, message
):
    before = accounts()

    response = admin_client.post(ADD_URL, form_data(**overrides))

    if message is None:  # the one case above that is valid after stripping
        assert response.status_code == 302
        assert AwsAccount.objects.get(name="Production").role_arn == ROLE_ARN
        return
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in errors.get(field, []), errors
    assert "Please correct the error" in response.content.decode()
    assert accounts() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "N" * 300}, "name", "Ensure this value has at most 100 characters (it has 300)."),
        (
            {"default_region": "e" * 31},
            "default_region",
            "Ensure this value has at most 30 characters (it has 31).",
        ),
        (
            {**ROLE, "role_arn": ROLE_ARN + "x" * 3000},
            "role_arn",
            f"Ensure this value has at most 2048 characters (it has {len(ROLE_ARN) + 3000}).",
        ),
        (
            {**ROLE, "external_id": "e" * 5000},
            "external_id",
            "Ensure this value has at most 1224 characters (it has 5000).",
        ),
        ({"regions": '["' + "a" * 10_000 + '"]'}, "regions", "Not AWS Region codes: " + "a" * 10_000 + "."),
    ],
)
def test_oversized_input_is_refused_with_the_limit_and_nothing_is_saved(
    admin_client, overrides, field, message
):
    before = accounts()

    response = admin_client.post(ADD_URL, form_data(**overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in errors.get(field, []), errors
    assert accounts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Prod\x00uction"),
        ("regions", '["eu-west-1\x00"]'),
        ("role_arn", ROLE_ARN + "\x00"),
        ("external_id", "acme\x00"),
        ("default_region", "eu-west-1\x1b"),
    ],
)
def test_a_nul_or_control_character_is_refused_with_the_field_named(admin_client, field, value):
    before = accounts()

    response = admin_client.post(ADD_URL, form_data(**{**ROLE, field: value}))

    assert response.status_code == 400
    html = response.content.decode()
    assert "The request contains a control character (such as a NUL byte, %00)" in html
    assert f"in the field “{field}”" in html
    assert accounts() == before


def test_a_region_code_with_a_trailing_newline_is_refused(admin_client):
    before = accounts()

    response = admin_client.post(ADD_URL, form_data(regions='["eu-west-1", "ap-south-1\\n"]'))

    assert response.status_code == 200
    assert "Not AWS Region codes" in " ".join(response.context["adminform"].form.errors.get("regions", []))
    assert accounts() == before


def test_a_json_escaped_nul_in_the_regions_is_refused_by_the_form(admin_client):
    before = accounts()

    response = admin_client.post(ADD_URL, form_data(regions='["eu-west-1\\u0000"]'))

    assert response.status_code == 200
    assert "Not AWS Region codes" in " ".join(response.context["adminform"].form.errors["regions"])
    assert accounts() == before


@pytest.mark.parametrize(
    "regions",
    ['["eu-west-1", "ap-south-1", "ap-south-1"]', "[" + ", ".join(['"eu-west-1"'] * 20_000) + "]"],
    ids=["twice", "20000-times"],
)
def test_a_region_listed_twice_is_refused_or_kept_once(admin_client, regions):
    response = admin_client.post(ADD_URL, form_data(regions=regions))

    stored = AwsAccount.objects.filter(name="Production").first()
    if stored is None:
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["regions"]
    else:
        assert len(stored.regions) == len(set(stored.regions))


def test_a_second_default_account_is_refused_and_nothing_changes(admin_client):
    before = accounts()

    response = admin_client.post(ADD_URL, form_data(is_default="on"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert accounts() == before
    assert AwsAccount.objects.filter(is_default=True).count() == 1


def test_a_second_default_account_is_refused_with_a_message_an_operator_understands(admin_client):
    response = admin_client.post(ADD_URL, form_data(is_default="on"))

    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "default account" in errors.lower(), errors


# --- what nobody types: the account id and what AWS said ----------------------------------------------
SAID_BY_AWS = {
    "account_id": "999999999999",
    "identity_arn": "arn:aws:sts::999999999999:assumed-role/forged/x",
    "last_error": "forged",
    "last_check_report": "forged",
    "last_checked_at": "2020-01-01 00:00:00",
}


def test_the_add_form_ignores_a_posted_account_id(admin_client):
    response = admin_client.post(ADD_URL, form_data(**SAID_BY_AWS))

    assert response.status_code == 302
    account = AwsAccount.objects.get(name="Production")
    assert (account.account_id, account.identity_arn, account.last_error, account.last_check_report) == (
        "",
        "",
        "",
        "",
    )
    assert account.last_checked_at is None


def test_the_change_form_shows_the_account_id_read_only_and_ignores_a_posted_one(admin_client):
    account = role_account("Partner", regions=[EUROPE])
    AwsAccount.objects.filter(pk=account.pk).update(
        account_id=ROLE_ACCOUNT_ID, identity_arn=f"arn:aws:sts::{ROLE_ACCOUNT_ID}:assumed-role/portal/s"
    )
    html = admin_client.get(change_url(account)).content.decode()
    assert ROLE_ACCOUNT_ID in html and 'name="account_id"' not in html

    response = admin_client.post(
        change_url(account),
        form_data(
            name="Partner",
            regions='["eu-west-1"]',
            **{**ROLE, "external_id": account.external_id},
            **SAID_BY_AWS,
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    account.refresh_from_db()
    assert account.account_id == ROLE_ACCOUNT_ID
    assert account.identity_arn == f"arn:aws:sts::{ROLE_ACCOUNT_ID}:assumed-role/portal/s"
    assert (account.last_error, account.last_check_report, account.last_checked_at) == ("", "", None)


# --- "Test connection" --------------------------------------------------------------------------------
def test_test_connection_sends_one_task_per_selected_account_and_says_so(admin_client, sent):
    first = role_account("Partner", regions=[EUROPE])
    second = AwsAccount.objects.get(is_default=True)
    before = accounts()

    response = admin_client.post(
        CHANGELIST_URL, {"action": "test_connection", "_selected_action": [first.pk, second.pk], "index": 0}
    )

    assert response.status_code == 302
    assert sorted(sent) == sorted([(TEST_TASK, [first.pk]), (TEST_TASK, [second.pk])])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Testing 2 accounts: each report appears on the account's page in a few seconds."
    ]
    assert accounts() == before  # the request itself asks AWS nothing and writes nothing


def test_test_connection_of_one_account(admin_client, sent):
    account = role_account("Partner", regions=[EUROPE])

    response = admin_client.post(
        CHANGELIST_URL, {"action": "test_connection", "_selected_action": [account.pk], "index": 0}
    )

    assert sent == [(TEST_TASK, [account.pk])]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Testing 1 account: its report appears on its page in a few seconds."
    ]


def test_support_staff_see_the_accounts_but_are_not_offered_test_connection(support_client, sent):
    account = AwsAccount.objects.get(is_default=True)

    html = support_client.get(CHANGELIST_URL).content.decode()
    assert account.name in html
    assert 'value="test_connection"' not in html

    support_client.post(
        CHANGELIST_URL, {"action": "test_connection", "_selected_action": [account.pk], "index": 0}
    )
    assert sent == []


# --- the task, against the simulator and moto's STS --------------------------------------------------------
@pytest.fixture
def moto_sts(_moto_server: str, sms_simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoSts]:
    """STS on moto (the portal's AssumeRole and GetCallerIdentity); the simulator asks moto whose keys an
    assumed role's are, so the role's calls are the role account's."""
    monkeypatch.setenv(STS_ENDPOINT_VAR, _moto_server)
    sms_simulator.configure(sts_endpoint_url=_moto_server)
    reset_gateway()
    yield MotoSts(_moto_server)
    reset_gateway()


def test_testing_an_assumed_role_account_records_its_id_and_a_report_for_each_region(sms_simulator, moto_sts):
    account = role_account("Partner", regions=[EUROPE, INDIA])
    AwsAccount.objects.filter(pk=account.pk).update(last_error="an older failure")

    tasks.test_aws_account(account.pk)

    account.refresh_from_db()
    assert account.account_id == ROLE_ACCOUNT_ID
    assert f"arn:aws:sts::{ROLE_ACCOUNT_ID}:assumed-role/portal/" in account.identity_arn
    assert account.last_checked_at is not None
    assert (account.last_error, account.last_error_at) == ("", None)
    report = account.last_check_report
    assert f"Account Partner — {EUROPE}" in report and f"Account Partner — {INDIA}" in report
    assert f"identity (STS GetCallerIdentity): account {ROLE_ACCOUNT_ID}" in report
    assert "registration types (DescribeRegistrationTypeDefinitions):" in report
    assert "registration types (DescribeRegistrationTypeDefinitions): FAILED" not in report
    # At the simulator: asked as the role's account, in both Regions.
    assert {c["region"] for c in sms_simulator.calls(account=ROLE_ACCOUNT_ID)} == {EUROPE, INDIA}
    assert sms_simulator.calls(account=DEFAULT_ACCOUNT_ID) == []
    (assumed,) = moto_sts.assumed_roles(account.external_id)
    assert assumed["role_arn"] == ROLE_ARN


def test_testing_an_account_whose_calls_are_refused_records_the_error_and_keeps_what_was_known(
    sms_simulator, moto_sts
):
    account = role_account("Partner", regions=[EUROPE, INDIA])
    tasks.test_aws_account(account.pk)  # a first test that worked
    denied = "User is not authorized to perform this action."
    sms_simulator.fail_next("*", "AccessDeniedException", count=1000, message=denied, account=ROLE_ACCOUNT_ID)

    tasks.test_aws_account(account.pk)

    account.refresh_from_db()
    assert account.last_error.startswith(f"{EUROPE}: AccessDeniedException: ")
    assert denied in account.last_error and account.last_error_at is not None
    report = account.last_check_report
    assert "registration types (DescribeRegistrationTypeDefinitions): FAILED AccessDeniedException" in report
    assert f"Account Partner — {INDIA}" in report
    assert account.account_id == ROLE_ACCOUNT_ID  # STS still answered who it is


def test_testing_an_account_whose_sts_is_unreachable_records_the_failure(sms_simulator):
    # No moto: STS is the closed port tests/aws_fixtures.py points every endpoint at.
    account = role_account("Partner", regions=[EUROPE])

    tasks.test_aws_account(account.pk)

    account.refresh_from_db()
    assert account.last_error.startswith(f"{EUROPE}: ")
    assert account.last_error_at is not None and account.last_checked_at is not None
    assert "identity (STS GetCallerIdentity): FAILED" in account.last_check_report
    assert account.account_id == ""


def test_testing_an_account_that_no_longer_exists_does_nothing():
    before = accounts()
    tasks.test_aws_account(987_654_321)
    assert accounts() == before


# --- manage.py check_aws with several accounts -----------------------------------------------------------
def test_check_aws_reports_every_account_and_fails_when_one_does_not_answer(
    sms_simulator, moto_sts, settings, capsys
):
    settings.AWS_REGION = EUROPE  # the default account (the environment's keys) is in Ireland
    partner = role_account("Partner", regions=[EUROPE, INDIA])
    AwsAccount.objects.create(name="Retired", regions=[EUROPE], default_region=EUROPE, enabled=False)
    sms_simulator.fail_next("*", "AccessDeniedException", count=1000, account=ROLE_ACCOUNT_ID)

    with pytest.raises(CommandError) as failed:
        call_command("check_aws")

    out = capsys.readouterr().out
    assert f"Account Default — {EUROPE}" in out
    assert f"Account Partner — {EUROPE}" in out and f"Account Partner — {INDIA}" in out
    assert "Retired" not in out
    assert f"identity (STS GetCallerIdentity): account {DEFAULT_ACCOUNT_ID}" in out
    assert f"Partner {EUROPE}: the account or the SMS API did not answer" in str(failed.value)
    assert "Default" not in str(failed.value)
    default = AwsAccount.objects.get(is_default=True)
    assert (default.account_id, default.last_error) == (DEFAULT_ACCOUNT_ID, "")
    assert f"Account Default — {EUROPE}" in default.last_check_report
    partner.refresh_from_db()
    assert partner.last_error.startswith(f"{EUROPE}: AccessDeniedException")


def test_check_aws_of_the_one_account_that_answers_succeeds(sms_simulator, moto_sts, settings, capsys):
    settings.AWS_REGION = EUROPE
    role_account("Partner", regions=[EUROPE])
    sms_simulator.fail_next("*", "AccessDeniedException", count=1000, account=ROLE_ACCOUNT_ID)

    call_command("check_aws", "--account", "Default")

    out = capsys.readouterr().out
    assert f"Account Default — {EUROPE}" in out and "Partner" not in out


@pytest.mark.parametrize("name", ["Nobody", "Retired", "x' OR '1'='1", "<script>"])
def test_check_aws_of_an_unknown_or_disabled_account_says_so(name):
    AwsAccount.objects.create(name="Retired", regions=[EUROPE], default_region=EUROPE, enabled=False)

    with pytest.raises(CommandError, match="no enabled AWS account named"):
        call_command("check_aws", "--account", name)
