"""The team page (/team/): a team admin adds people by username or email, changes roles and removes
members; the team always keeps a team admin; every refusal says why and changes nothing. The page shows
the AWS accounts the team uses. Also the portal's global groups (Business users, Support staff,
Approvers) and what each may do in admin.

Who may reach which URL (anonymous, another team, staff) is tests/security/test_permission_matrix.py's.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.management import call_command

from smsvoice.models import AwsAccount, CredentialSource
from teams.models import Membership, Role, Team
from teams.services import (
    APPROVERS,
    BUSINESS_USERS,
    PORTAL_APPS,
    SUPPORT_STAFF,
    membership_set,
    portal_groups_ensure,
    team_ensure_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

TEAM_URL = "/team/"
LAST_ADMIN = "A team needs at least one team admin: make someone else admin first."
NOT_FOUND = "No single portal user has the username or email “{who}”. They must log in once first."


def role_url(membership: Membership) -> str:
    return f"/team/members/{membership.pk}/role/"


def remove_url(membership: Membership) -> str:
    return f"/team/members/{membership.pk}/remove/"


def members_on_page(html: str) -> dict[str, str]:
    """{username: role label} as the members table shows them."""
    rows = re.findall(r'<tr data-member="([^"]*)">.*?<td data-role="role">([^<]*)</td>', html, re.S)
    return dict(rows)


def memberships(team: Team) -> list[tuple[str, str]]:
    return sorted(Membership.objects.filter(team=team).values_list("user__username", "role"))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def team(owner) -> Team:
    """Olivia's team; she is its (only) team admin."""
    return team_ensure_for(owner)


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", "Bob.Builder@Acme.example", "bob-pass-1")


@pytest.fixture
def carol_inactive(django_user_model):
    return django_user_model.objects.create_user(
        "carol", "carol@acme.example", "carol-pass-1", is_active=False
    )


@pytest.fixture
def admin_client(client, owner, team):
    client.force_login(owner)
    return client


def add(client, identifier: str, role: str = Role.MEMBER, **extra):
    return client.post(TEAM_URL, {"identifier": identifier, "role": role, **extra})


# --- adding members ------------------------------------------------------------------------------------
def test_a_team_admin_adds_a_member_by_username_and_sees_them_listed_with_their_role(admin_client, team, bob):
    response = add(admin_client, "bob")

    assert response.status_code == 302 and response["Location"] == TEAM_URL
    assert messages_of(response) == [f"bob is now a member of {team.name}."]
    assert Membership.objects.get(team=team, user=bob).role == Role.MEMBER
    html = admin_client.get(TEAM_URL).content.decode()
    assert members_on_page(html) == {"olivia": "Team admin", "bob": "Member"}
    assert "Bob.Builder@acme.example" in html  # Django lower-cases the domain part of an email


def test_a_team_admin_adds_a_member_by_email_whatever_its_case_and_as_team_admin(admin_client, team, bob):
    response = add(admin_client, "  bob.builder@ACME.EXAMPLE ", role=Role.ADMIN)

    assert response.status_code == 302
    assert Membership.objects.get(team=team, user=bob).role == Role.ADMIN
    assert members_on_page(admin_client.get(TEAM_URL).content.decode()) == {
        "olivia": "Team admin",
        "bob": "Team admin",
    }


def test_the_username_is_matched_without_case_too(admin_client, team, bob):
    assert add(admin_client, "BOB").status_code == 302
    assert Membership.objects.filter(team=team, user=bob).exists()


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("nobody", NOT_FOUND.format(who="nobody")),
        ("nobody@acme.example", NOT_FOUND.format(who="nobody@acme.example")),
        ("carol", NOT_FOUND.format(who="carol")),  # inactive: cannot log in, is not offered
        ("carol@acme.example", NOT_FOUND.format(who="carol@acme.example")),
        ("olivia", "olivia is already a member of this team."),
        ("OLIVIA@acme.example", "olivia is already a member of this team."),
        ("", "Enter the username or email of the person to add."),
        ("   \t ", "Enter the username or email of the person to add."),
        ("b" * 300, "Ensure this value has at most 254 characters (it has 300)."),
        ("x" * 10_000, "Ensure this value has at most 254 characters (it has 10000)."),
        ("%", NOT_FOUND.format(who="%")),  # a LIKE wildcard matches nobody
        ("b_b", NOT_FOUND.format(who="b_b")),
        ("' OR '1'='1' --", NOT_FOUND.format(who="&#x27; OR &#x27;1&#x27;=&#x27;1&#x27; --")),
        ("<script>alert(1)</script>", NOT_FOUND.format(who="&lt;script&gt;alert(1)&lt;/script&gt;")),
    ],
)
@pytest.mark.usefixtures("carol_inactive", "bob")
def test_an_identifier_that_names_nobody_addable_is_refused_with_the_reason_and_nothing_changes(
    admin_client, team, identifier, message
):
    before = memberships(team)

    response = add(admin_client, identifier)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "<script>alert(1)" not in html
    # The page is still the team page: the members as they were, the form to try again.
    assert members_on_page(html) == {"olivia": "Team admin"}
    assert 'name="identifier"' in html
    assert memberships(team) == before
    assert Membership.objects.count() == len(before)


CONTROL_CHARACTER = (
    "The request contains a control character (such as a NUL byte, %00) in the field “{field}”. "
    "Remove it and try again."
)


@pytest.mark.parametrize("identifier", ["bo\x00b", "bob\x00", "\x00", "bob\x1b[2J\x07", "bob\x08"])
def test_an_identifier_with_a_nul_or_control_character_is_refused_before_the_page_reads_it(
    admin_client, team, bob, identifier
):
    response = add(admin_client, identifier)

    assert response.status_code == 400
    assert CONTROL_CHARACTER.format(field="identifier") in response.content.decode()
    assert memberships(team) == [("olivia", Role.ADMIN)]


def test_adding_a_member_twice_is_refused_and_keeps_their_role(admin_client, team, bob):
    add(admin_client, "bob", role=Role.ADMIN)

    response = add(admin_client, "bob.builder@acme.example", role=Role.MEMBER)

    assert response.status_code == 400
    assert "bob is already a member of this team." in response.content.decode()
    assert memberships(team) == [("bob", Role.ADMIN), ("olivia", Role.ADMIN)]


def test_an_email_two_accounts_share_is_refused_as_ambiguous(admin_client, team, bob, django_user_model):
    django_user_model.objects.create_user("bobby", "bob.builder@acme.example", "bobby-pass-1")

    response = add(admin_client, "bob.builder@acme.example")

    assert response.status_code == 400
    assert NOT_FOUND.format(who="bob.builder@acme.example") in response.content.decode()
    assert memberships(team) == [("olivia", Role.ADMIN)]


@pytest.mark.parametrize("role", ["", "owner", "superuser", "<b>admin</b>", "a" * 5000])
def test_adding_with_a_role_that_is_not_offered_is_refused(admin_client, team, bob, role):
    response = add(admin_client, "bob", role=role)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice." in html or "This field is required." in html
    assert "<b>admin</b>" not in html
    assert memberships(team) == [("olivia", Role.ADMIN)]


def test_a_role_with_a_nul_byte_is_refused_and_changes_nothing(admin_client, team, bob):
    membership = membership_set(team=team, user=bob, role=Role.MEMBER)

    response = admin_client.post(role_url(membership), {"role": "admin\x00"})

    assert response.status_code == 400
    assert CONTROL_CHARACTER.format(field="role") in response.content.decode()
    assert memberships(team) == [("bob", Role.MEMBER), ("olivia", Role.ADMIN)]


# --- roles ---------------------------------------------------------------------------------------------
def test_a_team_admin_promotes_a_member_to_team_admin_and_back(admin_client, team, bob):
    membership = membership_set(team=team, user=bob, role=Role.MEMBER)

    response = admin_client.post(role_url(membership), {"role": Role.ADMIN})

    assert response.status_code == 302 and response["Location"] == TEAM_URL
    assert messages_of(response) == ["bob's role was changed."]
    assert members_on_page(admin_client.get(TEAM_URL).content.decode())["bob"] == "Team admin"

    admin_client.post(role_url(membership), {"role": Role.MEMBER})

    assert Membership.objects.get(pk=membership.pk).role == Role.MEMBER
    assert members_on_page(admin_client.get(TEAM_URL).content.decode())["bob"] == "Member"


@pytest.mark.parametrize("role", ["", "owner", "ADMIN", "<script>x</script>", "m" * 10_000])
def test_a_role_that_is_not_offered_is_refused_with_a_message(admin_client, team, bob, role):
    membership = membership_set(team=team, user=bob, role=Role.MEMBER)

    response = admin_client.post(role_url(membership), {"role": role})

    assert response.status_code == 302
    assert messages_of(response) == ["Choose a role: member or team admin."]
    assert memberships(team) == [("bob", Role.MEMBER), ("olivia", Role.ADMIN)]


def test_the_last_team_admin_cannot_step_down_or_leave(admin_client, owner, team, bob):
    membership_set(team=team, user=bob, role=Role.MEMBER)
    mine = Membership.objects.get(team=team, user=owner)

    demoted = admin_client.post(role_url(mine), {"role": Role.MEMBER}, follow=True)
    removed = admin_client.post(remove_url(mine), follow=True)

    for response in (demoted, removed):
        assert response.status_code == 200
        assert LAST_ADMIN in response.content.decode()
    assert memberships(team) == [("bob", Role.MEMBER), ("olivia", Role.ADMIN)]


def test_with_another_team_admin_the_admin_may_step_down_and_is_then_a_member(admin_client, owner, team, bob):
    bobs = membership_set(team=team, user=bob, role=Role.ADMIN)
    mine = Membership.objects.get(team=team, user=owner)

    response = admin_client.post(role_url(mine), {"role": Role.MEMBER})

    assert messages_of(response) == ["olivia's role was changed."]
    assert memberships(team) == [("bob", Role.ADMIN), ("olivia", Role.MEMBER)]
    # Olivia is a member now: she manages no one, and Bob, the last admin, is still there.
    assert admin_client.post(remove_url(bobs)).status_code == 403
    assert memberships(team) == [("bob", Role.ADMIN), ("olivia", Role.MEMBER)]
    html = admin_client.get(TEAM_URL).content.decode()
    assert 'id="add-h"' not in html and 'name="role"' not in html


# --- removing ------------------------------------------------------------------------------------------
def test_a_team_admin_removes_a_member(admin_client, team, bob):
    membership = membership_set(team=team, user=bob, role=Role.MEMBER)

    response = admin_client.post(remove_url(membership))

    assert response.status_code == 302
    assert messages_of(response) == ["bob was removed from the team."]
    assert memberships(team) == [("olivia", Role.ADMIN)]
    assert "bob" not in members_on_page(admin_client.get(TEAM_URL).content.decode())


def test_one_of_two_team_admins_may_be_removed_but_then_the_last_one_stays(admin_client, owner, team, bob):
    bobs = membership_set(team=team, user=bob, role=Role.ADMIN)

    admin_client.post(remove_url(bobs))
    response = admin_client.post(remove_url(Membership.objects.get(team=team, user=owner)), follow=True)

    assert LAST_ADMIN in response.content.decode()
    assert memberships(team) == [("olivia", Role.ADMIN)]


# --- a member (not a team admin) manages nothing ---------------------------------------------------------
def test_a_member_sees_the_team_but_no_controls_and_each_change_they_post_is_refused(
    client, owner, team, bob, django_user_model
):
    membership_set(team=team, user=bob, role=Role.MEMBER)
    django_user_model.objects.create_user("dave", "dave@acme.example", "dave-pass-1")
    olivias = Membership.objects.get(team=team, user=owner)
    bobs = Membership.objects.get(team=team, user=bob)
    before = memberships(team)
    client.force_login(bob)

    html = client.get(TEAM_URL).content.decode()
    assert members_on_page(html) == {"olivia": "Team admin", "bob": "Member"}
    assert 'id="add-h"' not in html and 'name="role"' not in html and "/remove/" not in html

    attempts = [
        client.post(TEAM_URL, {"identifier": "dave", "role": Role.MEMBER}),
        client.post(TEAM_URL, {"identifier": "dave", "role": Role.ADMIN}),
        client.post(role_url(bobs), {"role": Role.ADMIN}),  # promoting oneself
        client.post(role_url(olivias), {"role": Role.MEMBER}),  # demoting the admin
        client.post(remove_url(olivias)),
    ]

    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert "Your team admin can do it for you" in attempts[0].content.decode()
    assert memberships(team) == before
    assert not Membership.objects.filter(user__username="dave").exists()


# --- no team yet ---------------------------------------------------------------------------------------
def test_a_user_without_a_team_is_told_how_to_get_one_and_the_page_creates_none(client, stranger):
    teams_before = Team.objects.count()
    client.force_login(stranger)

    response = client.get(TEAM_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="no-team"' in html and "You are not in a team yet." in html
    assert 'href="/sender-ids/request/"' in html  # the next step: the first request makes their team
    assert 'id="members"' not in html and 'name="identifier"' not in html
    assert Team.objects.count() == teams_before
    assert not Membership.objects.filter(user=stranger).exists()


# --- the AWS accounts the team uses -------------------------------------------------------------------
def test_the_page_lists_the_teams_enabled_aws_accounts_with_their_regions(admin_client, team):
    production = AwsAccount.objects.create(
        name="Production",
        account_id="123456789012",
        regions=["ap-south-1", "eu-west-1"],
        default_region="eu-west-1",
    )
    staging = AwsAccount.objects.create(
        name="Staging <script>alert(1)</script>",
        credential_source=CredentialSource.ASSUME_ROLE,
        role_arn="arn:aws:iam::210987654321:role/portal",
        regions=["us-east-1"],
        default_region="us-east-1",
    )
    retired = AwsAccount.objects.create(
        name="Retired", regions=["eu-north-1"], default_region="eu-north-1", enabled=False
    )
    AwsAccount.objects.create(name="Someone else's", regions=["us-west-2"], default_region="us-west-2")
    team.aws_accounts.set([production, staging, retired])

    html = admin_client.get(TEAM_URL).content.decode()

    accounts = re.search(r'<ul id="accounts">(.*?)</ul>', html, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", accounts)
    assert items == [
        "Production (123456789012) — eu-west-1, ap-south-1",  # the default Region first
        "Staging &lt;script&gt;alert(1)&lt;/script&gt; — us-east-1",
    ]


def test_a_team_without_accounts_of_its_own_is_shown_the_portals_default_account(
    admin_client, team, settings
):
    settings.AWS_REGION = "eu-central-1"  # the default account follows (tests/conftest.py)
    default = AwsAccount.objects.get(is_default=True)

    html = admin_client.get(TEAM_URL).content.decode()

    accounts = re.search(r'<ul id="accounts">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", accounts) == [f"{default.name} — eu-central-1"]


# --- the portal's global groups ------------------------------------------------------------------------
def view_permissions_of_portal_models() -> set[str]:
    """'app.view_model' of every model of the portal's apps, from the app registry itself."""
    return {
        f"{label}.view_{model._meta.model_name}"
        for label in PORTAL_APPS
        for model in apps.get_app_config(label).get_models()
        if "view" in model._meta.default_permissions
    }


def permissions_of(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


APPROVE = "senderids.approve_senderidrequest"


def test_after_migrate_the_three_groups_exist_with_exactly_their_permissions():
    views = view_permissions_of_portal_models()
    assert {"senderids.view_senderidrequest", "smsvoice.view_awsaccount", "teams.view_team"} <= views

    assert permissions_of(BUSINESS_USERS) == set()
    # Read everything (the audit log too: it spans every team), change nothing.
    assert permissions_of(SUPPORT_STAFF) == views | {"audit.view_auditentry"}
    assert permissions_of(APPROVERS) == views | {APPROVE}  # a limited approver must not read other teams


def test_migrate_gives_back_a_deleted_group_with_its_permissions():
    Group.objects.filter(name=APPROVERS).delete()

    call_command("migrate", verbosity=0, interactive=False)

    assert permissions_of(APPROVERS) == view_permissions_of_portal_models() | {APPROVE}


def test_ensuring_the_groups_again_changes_nothing_and_keeps_what_an_admin_added():
    support = Group.objects.get(name=SUPPORT_STAFF)
    support.permissions.add(
        Permission.objects.get(content_type__app_label="countries", codename="change_country")
    )
    before = {name: permissions_of(name) for name in (BUSINESS_USERS, SUPPORT_STAFF, APPROVERS)}
    groups_before = Group.objects.count()

    portal_groups_ensure()
    portal_groups_ensure()

    assert Group.objects.count() == groups_before
    assert {name: permissions_of(name) for name in before} == before
    assert "countries.change_country" in permissions_of(SUPPORT_STAFF)
    assert Group.objects.get(name=SUPPORT_STAFF).pk == support.pk


def test_ensuring_the_groups_restores_a_permission_the_contract_requires():
    Group.objects.get(name=APPROVERS).permissions.remove(
        Permission.objects.get(codename="approve_senderidrequest")
    )

    portal_groups_ensure()

    assert APPROVE in permissions_of(APPROVERS)
