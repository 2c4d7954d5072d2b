"""Definitions: ConditionalBehavior evaluation, the cache (TTL, refresh command, stale fallback)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from registrations.definitions import (
    Condition,
    FieldDef,
    FormDefinition,
    Rule,
    get_definition,
)
from registrations.models import RegistrationDefinition


@pytest.mark.parametrize(
    ("operator", "values", "value", "holds"),
    [
        ("EQUALS", ("Yes",), ["Yes"], True),
        ("EQUALS", ("Yes",), ["No"], False),
        ("EQUALS", ("Yes",), [], False),
        ("NOT_EQUALS", ("Yes",), ["No"], True),
        ("NOT_EQUALS", ("Yes",), [], True),
        ("IN", ("A", "B"), ["B"], True),
        ("IN", ("A", "B"), ["C"], False),
        ("NOT_IN", ("A", "B"), ["C"], True),
        ("NOT_IN", ("A", "B"), ["A"], False),
        ("HAS_VALUE", (), ["x"], True),
        ("HAS_VALUE", (), [], False),
        ("NO_VALUE", (), [], True),
        ("NO_VALUE", (), ["x"], False),
        ("SOUNDS_LIKE", ("x",), ["x"], False),  # unknown operators never hold (API's documented rule)
    ],
)
def test_condition_operators(operator, values, value, holds):
    assert Condition("a.b", operator, values).holds(value) is holds


def conditional(*rules: Rule, default: str = "OPTIONAL") -> FieldDef:
    return FieldDef(
        section_path="s",
        field_path="s.f",
        field_type="TEXT",
        requirement="CONDITIONAL",
        title="F",
        max_length=100,
        default_behavior=default,
        rules=rules,
    )


def test_the_first_matching_rule_wins():
    field = conditional(
        Rule((Condition("s.kind", "EQUALS", ("A",)),), "DISALLOWED"),
        Rule((Condition("s.kind", "HAS_VALUE"),), "REQUIRED", max_length=10),
    )
    assert field.resolve({"s.kind": ["A"]}).behavior == "DISALLOWED"
    resolved = field.resolve({"s.kind": ["B"]})
    assert resolved.behavior == "REQUIRED" and resolved.max_length == 10
    assert field.resolve({}).behavior == "OPTIONAL"


def test_all_conditions_of_a_rule_must_hold():
    field = conditional(
        Rule((Condition("s.a", "EQUALS", ("1",)), Condition("s.b", "EQUALS", ("2",))), "REQUIRED"),
        default="DISALLOWED",
    )
    assert field.resolve({"s.a": ["1"], "s.b": ["2"]}).behavior == "REQUIRED"
    assert field.resolve({"s.a": ["1"]}).behavior == "DISALLOWED"


def test_an_unknown_behaviour_is_treated_as_optional():
    field = conditional(Rule((Condition("s.a", "HAS_VALUE"),), "SOMETIMES"))
    assert field.resolve({"s.a": ["x"]}).behavior == "OPTIONAL"


def test_a_definition_survives_the_json_round_trip():
    field = conditional(Rule((Condition("s.a", "IN", ("x", "y")),), "REQUIRED", allowed_values=("p",)))
    definition = FormDefinition(registration_type="T", fields=[field])
    again = FormDefinition.from_json(definition.to_json())
    assert again.fields == [field]
    assert again.field("s.f") == field


@pytest.mark.django_db
def test_stale_definitions_are_refreshed_from_aws(sim):
    get_definition("SG_SENDER_ID_REGISTRATION")
    RegistrationDefinition.objects.update(fetched_at=timezone.now() - timedelta(days=2))
    before = sim.count("DescribeRegistrationFieldDefinitions")
    get_definition("SG_SENDER_ID_REGISTRATION")
    assert sim.count("DescribeRegistrationFieldDefinitions") == before + 1


@pytest.mark.django_db
def test_a_stale_copy_is_used_when_aws_is_unreachable(sim, settings, monkeypatch):
    get_definition("SG_SENDER_ID_REGISTRATION")
    RegistrationDefinition.objects.update(fetched_at=timezone.now() - timedelta(days=2))
    from smsvoice.gateway import reset_gateway

    monkeypatch.setenv("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", "http://127.0.0.1:9")
    reset_gateway()
    definition = get_definition("SG_SENDER_ID_REGISTRATION")
    assert definition.field("companyInfo.companyId") is not None


@pytest.mark.django_db
def test_refresh_command_reads_every_type_in_use(sim, countries, capsys):
    call_command("refresh_registration_definitions")
    out = capsys.readouterr().out
    assert "IN_SENDER_ID_REGISTRATION:" in out and "SG_SENDER_ID_REGISTRATION:" in out
    assert set(RegistrationDefinition.objects.values_list("registration_type", flat=True)) >= {
        "IN_SENDER_ID_REGISTRATION",
        "SG_SENDER_ID_REGISTRATION",
    }


@pytest.mark.django_db
def test_refresh_command_fails_for_a_type_aws_does_not_offer(sim):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("refresh_registration_definitions", "XX_SENDER_ID_REGISTRATION")


@pytest.mark.django_db
def test_pages_read_only_the_cache_which_starts_empty(sim):
    from registrations.definitions import cached_definition

    assert cached_definition("SG_SENDER_ID_REGISTRATION") is None
    assert sim.operations() == []  # reading the cache never calls AWS


@pytest.mark.django_db
def test_a_stale_cached_copy_is_still_what_the_page_shows(sim):
    from registrations.definitions import cached_definition

    get_definition("SG_SENDER_ID_REGISTRATION")
    RegistrationDefinition.objects.update(fetched_at=timezone.now() - timedelta(days=30))
    before = len(sim.operations())

    definition = cached_definition("SG_SENDER_ID_REGISTRATION")

    assert definition is not None and definition.field("companyInfo.companyId") is not None
    assert len(sim.operations()) == before


@pytest.mark.django_db
def test_the_daily_refresh_asks_for_every_type_in_use(
    countries, sent_tasks, django_capture_on_commit_callbacks
):
    from registrations.tasks import refresh_registration_definitions

    with django_capture_on_commit_callbacks(execute=True):
        refresh_registration_definitions.apply()

    # Each type its own task (retried on its own); the beat entry is "refresh-definitions".
    assert set(sent_tasks["registrations.tasks.refresh_registration_definition"]) >= {
        ("IN_SENDER_ID_REGISTRATION", True),
        ("SG_SENDER_ID_REGISTRATION", True),
    }
