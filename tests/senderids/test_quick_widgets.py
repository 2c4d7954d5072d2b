"""senderids/widgets.py's quick widgets write exactly the markup Django's own widgets write (escaping,
attributes, choice groups, selected/checked values): a Django upgrade that changes its markup fails here."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from senderids import widgets

CHOICES = [
    (None, "none"),
    ("a<", mark_safe("<b>x</b>")),
    ("Group", [("1", "o&e"), (2, 3)]),
    (None, [("z", "zz")]),
    ("", "empty"),
]
ATTRS = [{"id": "i", "class": "c"}, {}, {"class": "k", "data-x": '"<&>', "required": True, "disabled": False}]


@pytest.mark.parametrize(
    ("quick", "django_widget"),
    [
        (widgets.QuickSelect, forms.Select),
        (widgets.QuickRadioSelect, forms.RadioSelect),
        (widgets.QuickCheckboxSelectMultiple, forms.CheckboxSelectMultiple),
    ],
)
@pytest.mark.parametrize("value", ["1", ["1", "a<"], None, "", 2, "None"])
@pytest.mark.parametrize("attrs", ATTRS)
def test_choice_widgets_write_what_django_writes(quick, django_widget, value, attrs):
    ours = quick(attrs={"title": "t"}, choices=CHOICES).render('na"me', value, attrs=attrs)
    assert ours == django_widget(attrs={"title": "t"}, choices=CHOICES).render('na"me', value, attrs=attrs)


@pytest.mark.parametrize(
    ("quick", "django_widget", "value"),
    [
        (widgets.QuickTextInput, forms.TextInput, 'a "b" <c>'),
        (widgets.QuickTextInput, forms.TextInput, None),
        (widgets.QuickNumberInput, forms.NumberInput, 5),
        (widgets.QuickDateInput, forms.DateInput, "2024-01-02"),
        (widgets.QuickHiddenInput, forms.HiddenInput, "-id"),
        (widgets.QuickCheckbox, forms.CheckboxInput, True),
        (widgets.QuickCheckbox, forms.CheckboxInput, ""),
    ],
)
@pytest.mark.parametrize("attrs", ATTRS)
def test_input_widgets_write_what_django_writes(quick, django_widget, value, attrs):
    assert quick().render("n", value, attrs=attrs) == django_widget().render("n", value, attrs=attrs)
