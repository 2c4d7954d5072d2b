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
        ({"capabilities": ["VOICE"]}, None),
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
