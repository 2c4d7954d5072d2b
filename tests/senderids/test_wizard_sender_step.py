"""The sender step: the console's base rule, the country's rules, duplicates and unsupported countries.

The tables are the specification: each row is one sender ID and what the form must say about it.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from countries.rules import sender_id_errors
from senderids.choices import Status
from senderids.wizard.steps import SenderForm
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

# The console's rule plus AWS's "no trailing hyphen", as a regular expression: the oracle the
# validator must agree with.
BASE_ORACLE = re.compile(r"[A-Za-z](?:[A-Za-z0-9-]{0,9}[A-Za-z0-9])?")
INDIA_ORACLE = re.compile(r"[A-Za-z]{3,6}")


def sender_form(country, sender_id, *, owner=None, sender_type="sender_id"):
    data = {"sender-sender_type": sender_type, "sender-sender_id": sender_id}
    return SenderForm(data=data, prefix="sender", country=country, owner=owner)


def errors_of(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


VALID = [
    # typed, stored
    ("A", "A"),
    ("ACME", "ACME"),
    ("acme", "ACME"),
    ("Acme-1", "ACME-1"),
    ("A-B", "A-B"),
    ("A2345678901", "A2345678901"),  # 11 characters: the maximum
    ("  ACME  ", "ACME"),  # surrounding whitespace is trimmed
    ("\tACME\n", "ACME"),
    ("\u00a0ACME", "ACME"),  # no-break space counts as surrounding whitespace
]

INVALID = [
    # typed, what the message must say
    ("", "Enter a sender ID."),
    ("   ", "Enter a sender ID."),
    ("A23456789012", "1 to 11 characters long (this one has 12)"),
    ("1ACME", "must start with a letter"),
    ("-ACME", "must start with a letter"),
    ("ABC-", "A sender ID cannot end with a hyphen."),  # AWS's rule on top of the console's
    ("A-", "A sender ID cannot end with a hyphen."),
    ("ACME--", "A sender ID cannot end with a hyphen."),
    ("abc- ", "A sender ID cannot end with a hyphen."),  # judged after trimming
    ("AC ME", "not allowed: ' '"),
    ("ACME_1", "not allowed: '_'"),  # the API allows "_", the console (our rule) does not
    ("ÄCME", "not allowed: 'Ä'"),
    ("ＡＣＭＥ", "not allowed"),  # full-width letters are not A–Z
    ("AC\u200bME", "not allowed"),  # zero-width space inside
    ("ACME😀", "not allowed"),
    ("AC\x00ME", "Null characters are not allowed."),
    ("<script>", "not allowed: '<'"),
    ("A" * 5000, "this one has 5000"),
]


@pytest.mark.parametrize(("typed", "stored"), VALID)
def test_base_rule_accepts(countries, typed, stored):
    form = sender_form(countries["DE"], typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["sender_id"] == stored


@pytest.mark.parametrize(("typed", "message"), INVALID)
def test_base_rule_rejects_with_a_message_naming_the_rule(countries, typed, message):
    form = sender_form(countries["DE"], typed)
    assert not form.is_valid()
    assert message in errors_of(form)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ACMEIN", None),
        ("abc", None),
        ("AC", "3 to 6 characters long (this one has 2)"),
        ("ACMEIND", "3 to 6 characters long (this one has 7)"),
        ("ACM1", "only letters"),
        ("AC-ME", "only letters"),
    ],
)
def test_india_rules_come_on_top_of_the_base_rule(countries, typed, message):
    form = sender_form(countries["IN"], typed)
    assert form.is_valid() is (message is None), form.errors
    if message:
        assert message in errors_of(form)


def test_help_text_states_the_base_rule_with_the_trailing_hyphen(countries):
    help_text = str(sender_form(countries["DE"], "ACME").fields["sender_id"].help_text)
    assert "the first character must be a letter and the last cannot be a hyphen" in help_text


def test_case_sensitive_country_keeps_the_case_as_typed(countries):
    form = sender_form(countries["AT"], "AcMe")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["sender_id"] == "AcMe"


def test_duplicate_of_an_open_request_is_refused(countries, owner):
    SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="ACME", status=Status.ACTIVE)
    form = sender_form(countries["DE"], "acme", owner=owner)
    assert not form.is_valid()
    assert "Your team already requested ACME in Germany" in errors_of(form)


@pytest.mark.parametrize("status", [Status.RELEASED, Status.REJECTED, Status.FAILED])
def test_closed_request_does_not_block_a_new_one(countries, owner, status):
    SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="ACME", status=status)
    assert sender_form(countries["DE"], "ACME", owner=owner).is_valid()


def test_same_sender_id_elsewhere_or_for_someone_else_is_not_a_duplicate(countries, owner, stranger):
    SenderIdRequestFactory(owner=stranger, country=countries["DE"], sender_id="ACME")
    SenderIdRequestFactory(owner=owner, country=countries["AT"], sender_id="ACME")
    assert sender_form(countries["DE"], "ACME", owner=owner).is_valid()


def test_case_sensitive_country_compares_duplicates_with_case(countries, owner):
    SenderIdRequestFactory(owner=owner, country=countries["AT"], sender_id="ACME")
    assert sender_form(countries["AT"], "Acme", owner=owner).is_valid()
    assert not sender_form(countries["AT"], "ACME", owner=owner).is_valid()


def test_unsupported_country_explains_instead_of_asking_for_a_sender_id(countries):
    form = sender_form(countries["US"], "")
    assert not form.is_valid()
    assert not form.sender_id_possible
    assert "sender_id" not in form.errors
    assert "Sender IDs are not supported in United States" in errors_of(form)


def test_without_a_country_the_step_cannot_be_valid():
    form = sender_form(None, "ACME")
    assert not form.is_valid()
    assert "Choose a destination country first." in errors_of(form)


@pytest.mark.parametrize("sender_type", ["short_code", "toll_free", "", "<b>x</b>"])
def test_only_the_sender_id_type_can_be_chosen(countries, sender_type):
    form = sender_form(countries["DE"], "ACME", sender_type=sender_type)
    assert not form.is_valid()
    assert "sender_type" in form.errors


# --- property tests: the validator accepts exactly the strings of the rule ----------------------
candidate_strings = st.one_of(
    st.text(max_size=14),
    st.text(alphabet="Aa9-_ é\t", max_size=13),
    st.from_regex(BASE_ORACLE, fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(candidate_strings)
def test_base_validator_accepts_exactly_the_console_rule(sender_id):
    assert (sender_id_errors(sender_id, {}) == []) == bool(BASE_ORACLE.fullmatch(sender_id))


@settings(max_examples=200, deadline=None)
@given(st.one_of(candidate_strings, st.from_regex(INDIA_ORACLE, fullmatch=True)))
def test_india_validator_accepts_exactly_3_to_6_letters(sender_id):
    rules = {"min_length": 3, "max_length": 6, "letters_only": True}
    assert (sender_id_errors(sender_id, rules) == []) == bool(INDIA_ORACLE.fullmatch(sender_id))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sender_id=candidate_strings)
def test_sender_step_accepts_exactly_the_rule_after_trimming(countries, sender_id):
    form = sender_form(countries["DE"], sender_id)
    assert form.is_valid() == bool(BASE_ORACLE.fullmatch(sender_id.strip()))
