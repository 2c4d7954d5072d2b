"""The move of SupportCase from registrations to supportcases keeps the data.

A database at the previous layout (registrations 0001 holding SupportCase, senderids 0003, countries
0002) with a support case, a registration and a registration request that never got its row is
migrated forward to today's layout: the case is in supportcases' table with every column, the
registration is untouched, the missing Registration row exists, and the content type (so the
permissions granted on support cases) moved with the model.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The layout of main before supportcases existed (and before senderids 0004 added StatusEvent.kind).
BEFORE = [
    ("registrations", "0001_initial"),
    ("senderids", "0003_release_and_drift"),
    ("countries", "0002_catalogue"),
]
# Django's own apps at their latest, for the models these tests touch (content types, permissions).
FRAMEWORK = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
]


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees what is applied now


def to_latest() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    return migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def previous_layout():
    """The database at BEFORE (supportcases unapplied); back at the latest migrations afterwards."""
    executor = migrate([*BEFORE, ("supportcases", None)])
    yield executor.loader.project_state([*BEFORE, *FRAMEWORK]).apps
    to_latest()


def table_names() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_database_keeps_its_support_case_and_registration(previous_layout):
    old = previous_layout
    assert "registrations_supportcase" in table_names()
    assert "supportcases_supportcase" not in table_names()

    User = old.get_model("auth", "User")
    Country = old.get_model("countries", "Country")
    Request = old.get_model("senderids", "SenderIdRequest")
    OldSupportCase = old.get_model("registrations", "SupportCase")
    OldRegistration = old.get_model("registrations", "Registration")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    Group = old.get_model("auth", "Group")

    sam = User.objects.create(username="sam", is_staff=True)
    olivia = User.objects.create(username="olivia")
    vietnam, _ = Country.objects.update_or_create(
        iso_code="VN",
        defaults={"name": "Vietnam", "sender_id_process": "support_case", "registration_type": ""},
    )
    india, _ = Country.objects.update_or_create(
        iso_code="IN",
        defaults={
            "name": "India",
            "sender_id_process": "registration",
            "registration_type": "IN_SENDER_ID_REGISTRATION",
        },
    )
    case_request = Request.objects.create(
        owner=olivia, country=vietnam, sender_id="ACMEVN", process="support_case",
        message_type="TRANSACTIONAL", status="support_case_resolved", aws_status="resolved",
    )  # fmt: skip
    registered = Request.objects.create(
        owner=olivia, country=india, sender_id="ACMEIN", process="registration",
        message_type="TRANSACTIONAL", status="registration_submitted", registration_form_name="ACME form",
    )  # fmt: skip
    never_opened = Request.objects.create(
        owner=olivia, country=india, sender_id="LATER", process="registration",
        message_type="TRANSACTIONAL", registration_form_name="Later form",
    )  # fmt: skip
    marker = uuid.uuid4()
    resolved_at = timezone.now()
    case = OldSupportCase.objects.create(
        request=case_request, marker=marker, case_id="case-123-2026-abc", display_id="1234567890",
        subject="Sender ID Registration: ACMEVN (VN)", body="Sender ID registration request\n...",
        status="resolved", resolved_at=resolved_at, confirmed_by=sam,
    )  # fmt: skip
    registration = OldRegistration.objects.create(
        request=registered, registration_type="IN_SENDER_ID_REGISTRATION", form_name="ACME form",
        aws_registration_id="registration-abc", aws_status="SUBMITTED", current_version_number=1,
    )  # fmt: skip
    # What an existing database has: the old content type, with a permission granted to a group.
    old_type, _ = ContentType.objects.get_or_create(app_label="registrations", model="supportcase")
    ContentType.objects.filter(app_label="supportcases", model="supportcase").delete()
    permission, _ = Permission.objects.get_or_create(
        content_type=old_type, codename="change_supportcase", defaults={"name": "Can change support case"}
    )
    helpdesk = Group.objects.create(name="helpdesk")
    helpdesk.permissions.add(permission)

    new = to_latest().loader.project_state(MigrationExecutor(connection).loader.graph.leaf_nodes()).apps

    assert "supportcases_supportcase" in table_names()
    assert "registrations_supportcase" not in table_names()
    moved = new.get_model("supportcases", "SupportCase").objects.get(pk=case.pk)
    assert moved.request_id == case_request.pk
    assert moved.marker == marker
    assert (moved.case_id, moved.display_id, moved.status) == ("case-123-2026-abc", "1234567890", "resolved")
    assert moved.subject == "Sender ID Registration: ACMEVN (VN)"
    assert moved.body.startswith("Sender ID registration request")
    assert moved.resolved_at == resolved_at and moved.confirmed_by_id == sam.pk

    Registration = new.get_model("registrations", "Registration")
    kept = Registration.objects.get(pk=registration.pk)
    assert (kept.request_id, kept.aws_registration_id, kept.aws_status) == (
        registered.pk,
        "registration-abc",
        "SUBMITTED",
    )
    made = Registration.objects.get(request_id=never_opened.pk)  # registrations 0003
    assert (made.registration_type, made.form_name) == ("IN_SENDER_ID_REGISTRATION", "Later form")
    assert Registration.objects.count() == 2

    NewContentType = new.get_model("contenttypes", "ContentType")
    moved_type = NewContentType.objects.get(pk=old_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("supportcases", "supportcase")
    assert not NewContentType.objects.filter(app_label="registrations", model="supportcase").exists()
    group = new.get_model("auth", "Group").objects.get(pk=helpdesk.pk)
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("supportcases", "change_supportcase")
    ]


@pytest.mark.django_db(transaction=True)
def test_the_move_can_be_reversed_without_losing_the_case(previous_layout):
    """Down to the previous layout and up again: the table and its rows go back and forth."""
    old = previous_layout
    User = old.get_model("auth", "User")
    Country = old.get_model("countries", "Country")
    Request = old.get_model("senderids", "SenderIdRequest")
    olivia = User.objects.create(username="olivia")
    vietnam, _ = Country.objects.update_or_create(
        iso_code="VN", defaults={"name": "Vietnam", "sender_id_process": "support_case"}
    )
    request = Request.objects.create(
        owner=olivia,
        country=vietnam,
        sender_id="ACMEVN",
        process="support_case",
        message_type="TRANSACTIONAL",
    )
    to_latest()
    MigrationExecutor(connection).loader.project_state(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    ).apps.get_model("supportcases", "SupportCase").objects.create(request_id=request.pk, case_id="case-1")

    back = migrate([*BEFORE, ("supportcases", None)]).loader.project_state([*BEFORE, *FRAMEWORK]).apps

    assert "registrations_supportcase" in table_names()
    assert back.get_model("registrations", "SupportCase").objects.get().case_id == "case-1"


SUPPORTCASES_BEFORE = ("supportcases", "0002_rename_table_and_content_type")


@pytest.mark.django_db(transaction=True)
def test_existing_cases_keep_their_data_and_are_read_as_api_cases_with_a_state():
    """0003 (assisted mode, states, messages): the rows opened through the API before it keep every
    column and get the state their AWS status or their request's status says."""
    executor = migrate([SUPPORTCASES_BEFORE])
    nodes = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] != "supportcases"]
    old = executor.loader.project_state([*nodes, SUPPORTCASES_BEFORE]).apps
    User = old.get_model("auth", "User")
    Country = old.get_model("countries", "Country")
    Request = old.get_model("senderids", "SenderIdRequest")
    OldCase = old.get_model("supportcases", "SupportCase")
    olivia = User.objects.create(username="olivia")
    vietnam, _ = Country.objects.update_or_create(
        iso_code="VN", defaults={"name": "Vietnam", "sender_id_process": "support_case"}
    )
    # Requests have a team and an AWS account since senderids 0009 (applied: only supportcases is back).
    team = old.get_model("teams", "Team").objects.create(name="olivia")
    account = old.get_model("smsvoice", "AwsAccount").objects.order_by("pk").first()
    placement = {"team": team, "aws_account": account, "aws_region": account.default_region}

    def case(status: str, aws_status: str, case_id: str = "case-12345678910-2020-abcdefghijklmABC"):
        request = Request.objects.create(
            **placement, owner=olivia, country=vietnam, sender_id=f"S{Request.objects.count()}",
            process="support_case",
            message_type="TRANSACTIONAL", status=status, aws_status=aws_status,
        )  # fmt: skip
        return OldCase.objects.create(
            request=request, case_id=case_id, status=aws_status, subject="Sender ID Registration", body="text"
        )

    resolved = case("support_case_resolved", "resolved")
    waiting = case("support_case_open", "pending-customer-action")
    confirmed = case("active", "reopened")
    in_flight = case("submitting", "", case_id="")

    new = to_latest().loader.project_state(MigrationExecutor(connection).loader.graph.leaf_nodes()).apps
    SupportCase = new.get_model("supportcases", "SupportCase")
    states = {c.pk: (c.mode, c.state) for c in SupportCase.objects.all()}
    assert states == {
        resolved.pk: ("api", "resolved"),
        waiting.pk: ("api", "customer_action"),
        confirmed.pk: ("api", "resolved"),
        in_flight.pk: ("api", "open"),
    }
    kept = SupportCase.objects.get(pk=resolved.pk)
    assert (kept.case_id, kept.status, kept.subject, kept.body, kept.marker) == (
        resolved.case_id,
        "resolved",
        "Sender ID Registration",
        "text",
        resolved.marker,
    )
    assert kept.opened_at is not None and SupportCase.objects.get(pk=in_flight.pk).opened_at is None
