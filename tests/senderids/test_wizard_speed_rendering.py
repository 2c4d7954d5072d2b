"""senderids/wizard/rendering.py writes exactly what Django's templates write for the wizard's fields:
each step's field groups, labels, legends and error lists, unbound, valid and with errors, byte for
byte (a Django upgrade that changes django/forms/field.html, label.html or the error list fails here)."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe

from senderids.wizard.rendering import QuickBoundField, QuickErrorList
from senderids.wizard.steps import CountryForm, RegistrationForm, SenderForm, UseCaseForm
from senderids.wizard.support_case import SupportCaseForm

QUICK = {"error_class": QuickErrorList, "bound_field_class": QuickBoundField}


def _pair(form_class, data, **kwargs):
    """The same form twice: with the quick classes, and as Django renders it."""
    return form_class(data=data, **QUICK, **kwargs), form_class(data=data, **kwargs)


def _assert_same(ours: forms.Form, django: forms.Form) -> None:
    assert ours.is_valid() == django.is_valid()
    assert str(ours.non_field_errors()) == str(django.non_field_errors())
    for name in django.fields:
        mine, theirs = ours[name], django[name]
        assert type(mine) is QuickBoundField
        assert mine.as_field_group() == theirs.as_field_group(), name
        assert mine.label_tag() == theirs.label_tag(), name
        assert mine.legend_tag() == theirs.legend_tag(), name
        assert str(mine.errors) == str(theirs.errors), name
        assert mine.errors.__html__() == theirs.errors.__html__(), name


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {
            "use-case-capabilities": ["SMS", "VOICE"],
            "use-case-monthly_volume": "10001-100000",
            "use-case-company_hq": "international",
            "use-case-message_type": "TRANSACTIONAL",
        },
        {"use-case-capabilities": ["VOICE"], "use-case-message_type": "<b>nope</b>"},
    ],
)
def test_use_case_step(data, language):
    with translation.override(language):
        _assert_same(*_pair(UseCaseForm, data, prefix="use-case"))


@pytest.mark.django_db
@pytest.mark.parametrize("isos", [["DE"], ["DE", "IN", "AT"]])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"sender-sender_type": "sender_id", "sender-sender_id": "ACME"},
        {"sender-sender_type": "phone", "sender-sender_id": 'A "<&>" very long sender ID'},
        {"sender-sender_type": "sender_id", "sender-sender_id": "ACME", "sender-variant_IN": "<x>"},
    ],
)
def test_sender_step(countries, isos, data):
    chosen = [countries[iso] for iso in isos]
    ours, django = _pair(SenderForm, data, prefix="sender", countries=chosen)
    _assert_same(ours, django)


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize(
    "data",
    [None, {}, {"registration-registration_form_name": "x" * 101, "registration-registration_choice": "?"}],
)
def test_registration_step(data, batch):
    _assert_same(*_pair(RegistrationForm, data, prefix="registration", batch=batch))


@pytest.mark.parametrize("data", [None, {}, {"support-case-use_case_description": "<script>"}])
def test_support_case_step(data):
    _assert_same(*_pair(SupportCaseForm, data, prefix="support-case"))


@pytest.mark.parametrize("data", [None, {"country-country": ["ZZ"], "country-placement": "1:x"}])
def test_country_step(data):
    kwargs = {"prefix": "country", "countries_lookup": lambda isos: {}, "placements": []}
    _assert_same(*_pair(CountryForm, data, **kwargs))


@pytest.mark.parametrize(
    "attrs",
    [{}, {"class": "a<b", "data-x": mark_safe("<i>"), "hidden": True, "disabled": False}],
)
@pytest.mark.parametrize("label", ["Name", "Name?", mark_safe("<b>Bold</b>"), "  spaced  ", ""])
@pytest.mark.parametrize("auto_id", ["id_%s", False])
def test_labels_and_error_lists(attrs, label, auto_id):
    class Form(forms.Form):
        required_css_class = "required"
        name = forms.CharField(label=label, help_text="<em>help</em>")
        choice = forms.ChoiceField(label=label, choices=[("a", "A")], widget=forms.RadioSelect)

    ours = Form(data={"choice": "z"}, auto_id=auto_id, **QUICK)
    django = Form(data={"choice": "z"}, auto_id=auto_id)
    _assert_same(ours, django)
    for name in ("name", "choice"):
        for contents in (None, "Other <x>", mark_safe("<b>safe</b>")):
            for suffix in (None, "", " →"):
                assert ours[name].label_tag(contents, dict(attrs), suffix) == django[name].label_tag(
                    contents, dict(attrs), suffix
                )
    errors = {"error_class": "nonfield", "field_id": "f<"}
    assert str(QuickErrorList(["a<", mark_safe("<b>"), "  "], **errors)) == str(
        forms.utils.ErrorList(["a<", mark_safe("<b>"), "  "], **errors)
    )
    assert str(QuickErrorList([])) == str(forms.utils.ErrorList([])) == ""
