"""The registration form's texts in the interface language (registrations.field_texts): AWS's English
translated where the catalogue knows it, else shown as AWS sent it and marked lang="en"; values never change.

French strings already in the compiled catalogue ("Company name", "Company address", "Yes", "Country")
test the mechanism; strings added with the catalogue are French once the lead compiles them.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.utils import translation

from registrations.definitions import SELECT, TEXT, FieldDef, FormDefinition, SectionDef
from registrations.field_texts import (
    FieldText,
    catalogue_english,
    choice_label,
    field_help,
    field_title,
    section_help,
    section_title,
)
from registrations.forms import RegistrationForm

COMPANY_NAME = FieldDef(
    section_path="companyInfo",
    field_path="companyInfo.companyName",
    field_type=TEXT,
    requirement="REQUIRED",
    title="Company name",
    short_description="The legal name of the company.",
    example="Example Corp",
    max_length=100,
)
ACKNOWLEDGEMENT = FieldDef(
    section_path="inSidSpecificInfo",
    field_path="inSidSpecificInfo.sendingParametersAcknowledgement",
    field_type=SELECT,
    requirement="REQUIRED",
    title="Acknowledgement of required sending parameters",
    options=("Yes",),
)
# A field AWS may add tomorrow: nothing in the catalogue.
NEW_FIELD = FieldDef(
    section_path="companyInfo",
    field_path="companyInfo.brandNickname",
    field_type=SELECT,
    requirement="OPTIONAL",
    title="Brand nickname",
    short_description="What customers call you.",
    options=("Short", "Long"),
)


def definition(*fields: FieldDef) -> FormDefinition:
    return FormDefinition(
        registration_type="IN_SENDER_ID_REGISTRATION",
        title="India Sender ID Registration",
        sections=[SectionDef(section_path="companyInfo", title="Company info")],
        fields=list(fields),
    )


def test_a_known_title_is_translated():
    with translation.override("fr"):
        title = field_title(COMPANY_NAME)
    assert (title, title.lang) == ("Nom de l'entreprise", "")


def test_a_known_title_in_english_is_awss_text_unmarked():
    title = field_title(COMPANY_NAME)
    assert (title, title.lang) == ("Company name", "")


def test_each_known_english_variant_of_a_path_is_recognised():
    india = FieldDef(**{**COMPANY_NAME.__dict__, "title": "Company Name"})  # India's form capitalises it
    with translation.override("fr"):
        title = field_title(india)
        assert (title, title.lang) == (translation.gettext("Company Name"), "")  # French once compiled


def test_when_aws_rewords_a_text_its_new_english_is_shown_marked_not_a_stale_translation():
    reworded = FieldDef(**{**COMPANY_NAME.__dict__, "title": "Registered company name"})
    with translation.override("fr"):
        title = field_title(reworded)
    assert (title, title.lang) == ("Registered company name", "en")


def test_a_known_english_text_under_another_path_is_not_borrowed():
    """The catalogue is keyed by FieldPath: the same words under an unknown path stay AWS's English."""
    elsewhere = FieldDef(**{**COMPANY_NAME.__dict__, "field_path": "companyInfo.parentCompanyName"})
    with translation.override("fr"):
        assert field_title(elsewhere).lang == "en"


def test_an_unknown_field_is_awss_english_marked():
    with translation.override("fr"):
        assert (field_title(NEW_FIELD), field_title(NEW_FIELD).lang) == ("Brand nickname", "en")
        assert [(h, h.lang) for h in field_help(NEW_FIELD)] == [("What customers call you.", "en")]
        assert choice_label(NEW_FIELD, "Short").lang == "en"


def test_an_empty_text_stays_empty_and_unmarked():
    blank = FieldDef(**{**NEW_FIELD.__dict__, "title": ""})
    assert field_title(blank) == "" and field_title(blank).lang == ""


def test_section_titles_and_descriptions_are_looked_up_by_section_path():
    section = SectionDef(
        section_path="companyAddress",
        title="Company address",
        short_description="The registered address of the company.",
    )
    with translation.override("fr"):
        assert (section_title(section), section_title(section).lang) == ("Adresse de l'entreprise", "")
        assert section_title(SectionDef(section_path="newSection", title="New section")).lang == "en"
    assert [p.lang for p in section_help(section)] == [""]


def test_select_labels_are_translated_and_values_stay_awss():
    form_def = definition(ACKNOWLEDGEMENT)
    with translation.override("fr"):
        form = RegistrationForm(definition=form_def)
        field = form.fields[ACKNOWLEDGEMENT.field_path]
        html = str(form[ACKNOWLEDGEMENT.field_path])
    assert [value for value, _label in field.choices] == ["", "Yes"]  # what is sent to AWS
    assert dict(field.choices)["Yes"] == "Oui"
    assert re.search(r'value="Yes"[^>]*>\s*Oui</label>', html)
    assert 'lang="en"' not in html


def test_a_mocked_french_catalogue_translates_a_new_msgid():
    """The mechanism, whether or not the new msgids are compiled yet: a French gettext answers them."""
    french = {
        "Use case category": "Catégorie de cas d'utilisation",
        "One-time passcodes": "Codes à usage unique",
    }
    field = FieldDef(
        section_path="messagingUseCase",
        field_path="messagingUseCase.useCaseCategory",
        field_type=SELECT,
        requirement="REQUIRED",
        title="Use case category",
        options=("One-time passcodes", "Brand new category"),
    )
    real_gettext = translation._trans.gettext

    def fake_gettext(message):
        if translation.get_language() == "fr" and message in french:
            return french[message]
        return real_gettext(message)

    with translation.override("fr"), mock.patch.object(translation._trans, "gettext", fake_gettext):
        assert field_title(field) == "Catégorie de cas d'utilisation"
        assert choice_label(field, "One-time passcodes") == "Codes à usage unique"
        assert choice_label(field, "Brand new category").lang == "en"


def test_english_fallbacks_are_marked_lang_en_on_labels_and_options():
    with translation.override("fr"):
        form = RegistrationForm(definition=definition(COMPANY_NAME, NEW_FIELD))
        html = str(form[NEW_FIELD.field_path])
    assert form[NEW_FIELD.field_path].label.lang == "en"
    assert form[COMPANY_NAME.field_path].label.lang == ""
    # Two options: radio buttons; each English label is in a lang="en" span, its value unchanged.
    assert '<span lang="en">Short</span>' in html and 'value="Short"' in html
    assert [p.lang for p in form.fields[NEW_FIELD.field_path].help_parts] == ["en"]


def test_a_select_list_marks_english_options_on_the_option_element():
    many = FieldDef(**{**NEW_FIELD.__dict__, "options": ("A1", "B2", "C3", "D4", "E5")})
    with translation.override("fr"):
        html = str(RegistrationForm(definition=definition(many))[many.field_path])
    assert '<option value="A1" lang="en">A1</option>' in html


def test_help_parts_keep_our_own_sentences_unmarked():
    with translation.override("fr"):
        parts = (
            RegistrationForm(definition=definition(COMPANY_NAME)).fields[COMPANY_NAME.field_path].help_parts
        )
    assert [p.lang for p in parts] == ["", ""]
    assert parts[1] == "Exemple\u00a0: Example Corp"


def test_the_catalogue_english_contains_every_entry_and_no_blank():
    english = catalogue_english()
    assert "Company name" in english and "Company Name" in english and "Yes" in english
    assert all(text.strip() == text and text for text in english)


def test_field_text_survives_the_forms_deep_copy():
    import copy

    text = copy.deepcopy(FieldText("Brand nickname", lang="en"))
    assert (text, text.lang) == ("Brand nickname", "en")


@pytest.mark.django_db
def test_the_french_india_page_shows_known_texts_in_french(owner_client, sim, definitions, make_request):
    owner_client.cookies["django_language"] = "fr"
    body = owner_client.get(f"/registrations/{make_request('IN', 'EXMPLE').pk}/").content.decode()
    website = body[body.index('data-field-path="companyInfo.website"') :]
    assert re.match(r'[^>]*>\s*<label for="id_companyInfo.website">Site web de l', website)
    assert "<legend>Adresse de l" in body  # a section title
    assert re.search(r'value="Yes"[^>]*>\s*Oui</label>', body)  # India's acknowledgement: label only
    assert 'name="inSidSpecificInfo.sendingParametersAcknowledgement" value="Yes"' in body
