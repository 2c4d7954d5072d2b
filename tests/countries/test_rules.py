"""The sender-ID rule engine: the console's base rule plus each country's rules, as data."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from countries.rules import (
    base_rule_text,
    describe_base_rule,
    describe_rules,
    normalise_sender_id,
    rules_errors,
    sender_id_errors,
    validate_sender_id,
)
from countries.services import catalogue_rows

RULES = {row["iso_code"]: row["sender_id_rules"] for row in catalogue_rows()}
INDIA, FRANCE, AUSTRIA = RULES["IN"], RULES["FR"], RULES["AT"]
BEFORE_FRANCE_BAN, FRANCE_BAN = dt.date(2026, 2, 28), dt.date(2026, 3, 1)
API_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,11}")


@pytest.mark.parametrize(
    ("country", "sender_id", "today", "valid"),
    [
        ("IN", "ACMEIN", None, True),
        ("IN", "ACME-1", None, False),  # hyphen and digit: India allows letters only
        ("IN", "ACME1", None, False),
        ("IN", "AC", None, False),  # under 3
        ("IN", "ACMEIND", None, False),  # over 6
        ("IN", "ACM", None, True),
        ("FR", "ACME-SHOP", BEFORE_FRANCE_BAN, True),
        ("FR", "ACME-SHOP", FRANCE_BAN, False),
        ("FR", "ACMESHOP", FRANCE_BAN, True),
        ("FR", "Acme2Shop", FRANCE_BAN, True),
        ("AT", "Acme_Shop", None, True),  # underscore allowed in Austria (the API allows it too)
        ("AT", "Acme-Shop", None, True),
        ("AT", "Ac", None, False),  # Austria: at least 3
        ("AT", "Acme Shop", None, False),  # RTR allows a space; AWS's API cannot send it
        ("AT", "Acme&Co", None, False),
        ("AT", "Acme+", None, False),
        ("DE", "ACME-SHOP", None, True),  # no country rules: the console's base rule
        ("DE", "ACME_SHOP", None, False),  # the console's rule has no underscore
        ("DE", "1ACME", None, False),  # must start with a letter
        ("DE", "ABCDEFGHIJKL", None, False),  # 12 > 11
        ("DE", "ÉCOLE", None, False),  # ASCII letters only
        ("DE", "", None, False),
        ("DE", "ABC-", None, False),  # AWS: a sender ID cannot end with a hyphen
        ("DE", "A-B", None, True),  # a hyphen inside is fine
        ("DE", "A-", None, False),
        ("IN", "ABC-", None, False),
        ("AT", "Acme-", None, False),  # a country's charset does not lift the base rule
    ],
)
def test_rule_table(country, sender_id, today, valid):
    errors = sender_id_errors(sender_id, RULES.get(country, {}), today=today)
    assert (errors == []) is valid, errors


def test_india_rejection_says_letters_only():
    assert "only letters A–Z" in " ".join(sender_id_errors("ACME-1", INDIA))


def test_france_hyphen_rejection_names_the_character():
    errors = sender_id_errors("ACME-SHOP", FRANCE, today=FRANCE_BAN)
    assert errors == ["This country does not allow these characters in sender IDs: -"]


def test_france_hyphen_ban_applies_today():
    # The ban started on 2026-03-01; without a pinned date the engine uses today's date.
    if dt.date.today() >= FRANCE_BAN:
        assert sender_id_errors("ACME-SHOP", FRANCE)


def test_austria_error_explains_the_allowed_set_including_underscores():
    (error,) = sender_id_errors("Acme Shop", AUSTRIA)
    assert "underscores" in error and "' '" in error


def test_austria_note_says_space_plus_ampersand_cannot_be_sent():
    assert "space" in AUSTRIA["note"] and "+" in AUSTRIA["note"] and "&" in AUSTRIA["note"]
    assert "cannot be sent" in AUSTRIA["note"]


def test_every_broken_rule_is_reported():
    assert len(sender_id_errors("1-ABCDEFGHIJK", INDIA)) == 3  # length, letters only, first char


def test_validate_sender_id_raises_with_all_messages():
    with pytest.raises(ValidationError) as excinfo:
        validate_sender_id("ACME-1", INDIA)
    assert [e.code for e in excinfo.value.error_list] == ["invalid_sender_id"]


def test_validate_sender_id_honours_pinned_date():
    validate_sender_id("ACME-SHOP", FRANCE, today=BEFORE_FRANCE_BAN)


def test_normalise_upper_cases_by_default():
    assert normalise_sender_id("  acme-shop ", FRANCE) == "ACME-SHOP"


def test_normalise_keeps_case_where_case_sensitive():
    assert normalise_sender_id(" Acme_Shop ", AUSTRIA) == "Acme_Shop"


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ("not a dict", "JSON object"),
        ({"max_len": 6}, "Unknown rule keys: max_len"),
        ({"min_length": 0}, "min_length"),
        ({"max_length": 12}, "max_length"),
        ({"max_length": "6"}, "max_length"),
        ({"min_length": 7, "max_length": 6}, "greater than"),
        ({"letters_only": "yes"}, "letters_only must be true or false"),
        ({"charset": "A-Za-z "}, "not sendable: ' '"),
        ({"charset": "A-Z&"}, "not sendable: '&'"),
        ({"charset": "z-a"}, "not sendable"),
        ({"forbidden_chars": "-", "forbidden_from": "1 March 2026"}, "YYYY-MM-DD"),
        ({"forbidden_from": "2026-03-01"}, "needs forbidden_chars"),
    ],
)
def test_bad_rules_are_refused(rules, problem):
    assert problem in " ".join(rules_errors(rules))


def test_the_data_file_rules_are_all_valid():
    assert {iso: rules_errors(r) for iso, r in RULES.items() if rules_errors(r)} == {}


def test_describe_rules_in_words():
    assert describe_rules(INDIA)[:2] == ["3–6 characters", "letters only"]
    assert "not allowed since" in describe_rules(FRANCE, today=FRANCE_BAN)[0]
    assert "not allowed from" in describe_rules(FRANCE, today=BEFORE_FRANCE_BAN)[0]
    assert "case-sensitive" in describe_rules(AUSTRIA)
    assert describe_rules({}) == []


def test_trailing_hyphen_is_refused_with_its_reason():
    assert sender_id_errors("ABC-", {}) == ["A sender ID cannot end with a hyphen."]


def test_a_hyphen_inside_is_allowed():
    assert sender_id_errors("A-B", {}) == []


@pytest.mark.parametrize("sender_id", ["1ABC", "-ABC", "9-A"])
def test_first_character_must_still_be_a_letter(sender_id):
    assert "A sender ID must start with a letter." in sender_id_errors(sender_id, {})


def test_a_lone_hyphen_breaks_both_ends():
    assert sender_id_errors("-", {}) == [
        "A sender ID must start with a letter.",
        "A sender ID cannot end with a hyphen.",
    ]


def test_base_rule_in_words():
    assert base_rule_text() == (
        "1–11 characters: letters A–Z, digits 0–9 and hyphens; the first character must be a letter "
        "and the last cannot be a hyphen"
    )
    assert describe_base_rule() == f"Only the base rule: {base_rule_text()}."


@given(
    sender_id=st.text(alphabet=st.characters(codec="utf-8"), max_size=14), iso=st.sampled_from(sorted(RULES))
)
def test_whatever_passes_the_rules_can_be_sent_to_aws(sender_id, iso):
    if not sender_id_errors(sender_id, RULES[iso], today=FRANCE_BAN):
        assert API_PATTERN.fullmatch(sender_id)


@given(sender_id=st.from_regex(r"[A-Za-z](?:[A-Za-z0-9-]{0,9}[A-Za-z0-9])?", fullmatch=True))
def test_anything_the_console_accepts_passes_the_base_rule(sender_id):
    assert sender_id_errors(sender_id, {}) == []


@given(sender_id=st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,9}-", fullmatch=True))
def test_nothing_ending_with_a_hyphen_passes(sender_id):
    assert "A sender ID cannot end with a hyphen." in sender_id_errors(sender_id, {})
