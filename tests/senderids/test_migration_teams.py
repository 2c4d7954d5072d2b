"""Upgrading a database from before accounts and teams: every request keeps its data and is attached to
the default AWS account, its Region, and a team per owner (the owner its team admin); nothing else moves.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("senderids", "0008_claimed_by"), ("smsvoice", "0002_awscall_portal_request_id"), ("teams", None)]


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def to_latest():  # type: ignore[no-untyped-def]
    return migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def before_teams():
    executor = migrate(BEFORE)
    nodes = [
        leaf
        for leaf in executor.loader.graph.leaf_nodes()
        if leaf[0] not in ("senderids", "smsvoice", "teams")
    ]
    yield executor.loader.project_state([*nodes, *[t for t in BEFORE if t[1]]]).apps
    to_latest()


@pytest.mark.django_db(transaction=True)
def test_existing_requests_get_the_default_account_its_region_and_a_team_per_owner(before_teams, settings):
    old = before_teams
    User = old.get_model("auth", "User")
    Country = old.get_model("countries", "Country")
    Request = old.get_model("senderids", "SenderIdRequest")
    germany, _ = Country.objects.update_or_create(
        iso_code="DE", defaults={"name": "Germany", "sender_id_process": "supported"}
    )
    olivia = User.objects.create(username="olivia")
    oscar = User.objects.create(username="oscar")
    made = {
        (owner.username, sender_id): Request.objects.create(
            owner=owner,
            country=germany,
            sender_id=sender_id,
            process="supported",
            message_type="TRANSACTIONAL",
            status=status,
        ).pk
        for owner, sender_id, status in [
            (olivia, "ACME", "active"),
            (olivia, "ACMEDE", "pending_review"),
            (oscar, "OSCAR", "released"),
        ]
    }

    new = to_latest().loader.project_state(MigrationExecutor(connection).loader.graph.leaf_nodes()).apps

    NewRequest = new.get_model("senderids", "SenderIdRequest")
    Membership = new.get_model("teams", "Membership")
    account = new.get_model("smsvoice", "AwsAccount").objects.get(is_default=True)
    rows = {(r.owner.username, r.sender_id): r for r in NewRequest.objects.select_related("owner", "team")}
    assert {key: row.pk for key, row in rows.items()} == made
    assert {row.aws_account_id for row in rows.values()} == {account.pk}
    assert {row.aws_region for row in rows.values()} == {account.default_region}
    assert (
        rows[("olivia", "ACME")].team_id
        == rows[("olivia", "ACMEDE")].team_id
        != rows[("oscar", "OSCAR")].team_id
    )
    assert rows[("olivia", "ACME")].status == "active" and rows[("oscar", "OSCAR")].status == "released"
    roles = {
        (m.user.username, m.team.name, m.role) for m in Membership.objects.select_related("user", "team")
    }
    assert roles == {("olivia", "olivia", "admin"), ("oscar", "oscar", "admin")}
