"""Validation tables for the use-case and registration steps (the sender step has its own file)."""

import pytest

from senderids.wizard.steps import RegistrationForm, UseCaseForm

pytestmark = pytest.mark.django_db

USE_CASE_OK = {
    "capabilities": ["SMS"],
    "message_type": "TRANSACTIONAL",
    "monthly_volume": "",
    "company_hq": "",
}


def use_case(**changes):
    data = {f"use-case-{key}": value for key, value in {**USE_CASE_OK, **changes}.items()}
    return UseCaseForm(data=data, prefix="use-case")


@pytest.mark.parametrize(
    ("changes", "error_field"),
    [
        ({}, None),
        ({"capabilities": ["VOICE"]}, "capabilities"),  # a sender ID sends SMS only
        ({"capabilities": ["SMS", "VOICE"]}, None),
        ({"monthly_volume": "10000001+", "company_hq": "local"}, None),
        ({"message_type": "PROMOTIONAL", "company_hq": "international"}, None),
        ({"capabilities": []}, "capabilities"),
        ({"capabilities": ["FAX"]}, "capabilities"),
        ({"message_type": ""}, "message_type"),
        ({"message_type": "transactional "}, "message_type"),
        ({"message_type": "MARKETING"}, "message_type"),
        ({"monthly_volume": "1-2"}, "monthly_volume"),
        ({"company_hq": "moon"}, "company_hq"),
    ],
)
def test_use_case_step(changes, error_field):
    form = use_case(**changes)
    assert form.is_valid() is (error_field is None), form.errors
    if error_field:
        assert list(form.errors) == [error_field]


VOICE_ONLY_REASON = "A sender ID can only send SMS, so choose SMS. Voice calls need a phone number"


@pytest.mark.parametrize("capabilities", [["VOICE"], ["VOICE"] * 300])
def test_voice_without_sms_is_refused_with_the_reason(capabilities):
    form = use_case(capabilities=capabilities)
    assert not form.is_valid()
    (error,) = form.errors["capabilities"]
    assert VOICE_ONLY_REASON in error
    assert form.errors.as_data()["capabilities"][0].code == "voice_only"


def test_sms_and_voice_is_accepted_and_the_review_says_voice_is_not_part_of_a_sender_id():
    form = use_case(capabilities=["SMS", "VOICE"])
    assert form.is_valid()
    (note,) = form.summary_notes()
    assert "Voice is not part of a sender ID" in note


def test_sms_alone_has_nothing_to_note():
    form = use_case()
    assert form.is_valid()
    assert form.summary_notes() == []


def test_capabilities_are_kept_once_each_in_a_stable_order():
    form = use_case(capabilities=["VOICE", "SMS", "VOICE"])
    assert form.is_valid()
    assert form.cleaned_data["capabilities"] == ["SMS", "VOICE"]


@pytest.mark.parametrize(
    ("name", "choice", "error_field"),
    [
        ("ACME India", "now", None),
        ("ACME India", "later", None),
        ("Ünïcode ✓ name", "later", None),
        ("", "later", "registration_form_name"),
        ("   ", "later", "registration_form_name"),
        ("x" * 101, "later", "registration_form_name"),
        ("ACME", "", "registration_choice"),
        ("ACME", "soon", "registration_choice"),
    ],
)
def test_registration_step(name, choice, error_field):
    data = {"registration-registration_form_name": name, "registration-registration_choice": choice}
    form = RegistrationForm(data=data, prefix="registration")
    assert form.is_valid() is (error_field is None), form.errors
    if error_field:
        assert list(form.errors) == [error_field]
