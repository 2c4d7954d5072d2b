"""The registration form is built from AWS's definitions (read from the simulator) and validates by them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registrations.definitions import get_definition
from registrations.forms import MAX_ATTACHMENT_BYTES, RegistrationForm

from .conftest import INDIA_VALUES, PDF, PNG, SINGAPORE_VALUES

pytestmark = pytest.mark.django_db


def india_form(data=None, files=None, **kwargs):
    definition = get_definition("IN_SENDER_ID_REGISTRATION")
    return RegistrationForm(data, files, definition=definition, **kwargs)


def singapore_form(data=None, files=None, **kwargs):
    definition = get_definition("SG_SENDER_ID_REGISTRATION")
    return RegistrationForm(data, files, definition=definition, **kwargs)


def post(values, action="save", **extra):
    return {**values, "action": action, **extra}


def test_india_form_has_every_field_and_section_aws_defines(sim):
    form = india_form()
    titles = [section.title for section, _rows in form.sections()]
    assert "India specific info" in titles
    assert "inSidSpecificInfo.principalEntityId" in form.fields
    assert form.fields["inSidSpecificInfo.principalEntityId"].label == "Principal entity ID (PEID)"
    # Promotions are not an India use case: the definition's options, not ours, decide.
    choices = dict(form.fields["messagingUseCase.useCaseCategory"].choices)
    assert "One-time passcodes" in choices and "Promotions and marketing" not in choices
    assert sim.mutations() == []


def test_singapore_form_has_its_own_fields_and_help_texts(sim):
    form = singapore_form()
    assert form.fields["companyInfo.companyId"].label == "Tax ID (UEN)"
    assert "UEN" in form.fields["companyInfo.companyId"].help_text
    section = next(s for s, _rows in form.sections() if s.section_path == "sgSidSpecificInfo")
    assert "SSIR" in section.long_description
    help_text = form.fields["senderIdInfo.letterOfAuthorization"].help_text
    assert "Required when “Registering on behalf of another entity?” is Yes." in help_text
    assert help_text.count("PDF, PNG or JPEG") == 1


def test_definitions_are_cached_after_the_first_read(sim):
    get_definition("IN_SENDER_ID_REGISTRATION")
    calls = len(sim.calls())
    get_definition("IN_SENDER_ID_REGISTRATION")
    assert len(sim.calls()) == calls


def test_a_complete_india_form_is_valid_for_submit(sim):
    form = india_form(post({**INDIA_VALUES, "senderIdInfo.senderId": "EXMPLE"}, "submit"))
    assert form.is_valid(), form.errors


def test_draft_may_be_incomplete_but_submit_may_not(sim):
    partial = {"companyInfo.companyName": "Example Corp India"}
    assert india_form(post(partial, "save")).is_valid()
    form = india_form(post(partial, "submit"))
    assert not form.is_valid()
    assert "inSidSpecificInfo.principalEntityId" in form.errors


def test_text_longer_than_the_definition_allows_is_a_field_error(sim):
    form = india_form(post({"messageSamples.messageSample1": "x" * 307}))
    assert not form.is_valid()
    assert "At most 306 characters" in form.errors["messageSamples.messageSample1"][0]
    assert sim.mutations() == []


def test_text_not_matching_the_definition_pattern_is_a_field_error(sim):
    form = india_form(post({"inSidSpecificInfo.principalEntityId": "not-digits-at-all"}))
    assert not form.is_valid()
    assert form.errors["inSidSpecificInfo.principalEntityId"] == ["12 to 19 digits"]


def test_text_shorter_than_the_minimum_is_a_field_error(sim):
    form = singapore_form(post({"companyInfo.companyId": "1234"}))
    assert not form.is_valid()
    assert "At least 9 characters" in form.errors["companyInfo.companyId"][0]


def test_a_select_option_not_in_the_definition_is_a_field_error(sim):
    form = india_form(post({"messagingUseCase.useCaseCategory": "Promotions and marketing"}))
    assert not form.is_valid()
    assert "messagingUseCase.useCaseCategory" in form.errors
    assert sim.mutations() == []


def test_a_field_path_not_in_the_definition_is_refused(sim):
    form = india_form(post({"companyInfo.companyName": "Example", "companyInfo.favouriteColour": "blue"}))
    assert not form.is_valid()
    assert (
        "“companyInfo.favouriteColour” is not a field of this registration form." in form.non_field_errors()
    )


def test_a_file_of_the_wrong_type_is_a_field_error(sim):
    exe = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    form = india_form(post({}), {"senderIdInfo.letterOfAuthorization": exe})
    assert not form.is_valid()
    assert form.errors["senderIdInfo.letterOfAuthorization"] == ["Upload a PDF, PNG or JPEG file."]


def test_a_file_with_a_wrong_extension_is_a_field_error(sim):
    renamed = SimpleUploadedFile("letter.docx", PDF, content_type="application/pdf")
    form = india_form(post({}), {"senderIdInfo.letterOfAuthorization": renamed})
    assert not form.is_valid()
    assert "senderIdInfo.letterOfAuthorization" in form.errors


def test_a_file_larger_than_aws_accepts_is_a_field_error(sim):
    assert MAX_ATTACHMENT_BYTES == 500 * 1024  # CreateRegistrationAttachment: "The maximum file size is 500KB"
    big = SimpleUploadedFile("letter.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES, content_type="application/pdf")
    form = india_form(post({}), {"senderIdInfo.letterOfAuthorization": big})
    assert not form.is_valid()
    message = form.errors["senderIdInfo.letterOfAuthorization"][0]
    assert "AWS accepts files of at most 500.0\xa0KB" in message


def test_pdf_png_and_jpeg_files_are_accepted(sim):
    for name, body in (("a.pdf", PDF), ("a.png", PNG), ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)):
        upload = SimpleUploadedFile(name, body)
        form = india_form(post({}), {"senderIdInfo.letterOfAuthorization": upload})
        assert form.is_valid(), (name, form.errors)


def test_conditional_field_is_required_when_its_rule_matches(sim):
    values = {
        **SINGAPORE_VALUES,
        "senderIdInfo.senderId": "EXAMPLE",
        "sgSidSpecificInfo.onBehalfOfAnotherEntity": "Yes",
    }
    form = singapore_form(post(values, "submit"))
    assert not form.is_valid()
    assert form.errors["senderIdInfo.letterOfAuthorization"] == ["Required for the answers given above."]


def test_conditional_field_is_optional_when_no_rule_matches(sim):
    values = {**SINGAPORE_VALUES, "senderIdInfo.senderId": "EXAMPLE"}
    form = singapore_form(post(values, "submit"))
    assert form.is_valid(), form.errors


def test_conditional_field_is_satisfied_by_an_upload(sim):
    values = {
        **SINGAPORE_VALUES,
        "senderIdInfo.senderId": "EXAMPLE",
        "sgSidSpecificInfo.onBehalfOfAnotherEntity": "Yes",
    }
    letter = SimpleUploadedFile("authorization.pdf", PDF)
    form = singapore_form(post(values, "submit"), {"senderIdInfo.letterOfAuthorization": letter})
    assert form.is_valid(), form.errors


def test_locked_sender_id_ignores_what_is_posted(sim):
    form = india_form(post({"senderIdInfo.senderId": "HACKED"}), locked={"senderIdInfo.senderId": "EXMPLE"})
    assert form.is_valid(), form.errors
    assert form.field_inputs()["senderIdInfo.senderId"].text == "EXMPLE"
