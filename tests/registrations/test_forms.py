"""The registration form is built from AWS's definitions (read from the simulator) and validates by them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registrations.definitions import get_definition
from registrations.forms import MAX_ATTACHMENT_BYTES, RegistrationForm
from smsvoice.simulator import definitions as sim_definitions

from .conftest import INDIA_VALUES, INDONESIA_TYPE, INDONESIA_VALUES, PDF, PNG, SINGAPORE_VALUES

pytestmark = pytest.mark.django_db

# India's only attachment: "Proof of sender ID connection – optional" (India has no letter of authorization).
PROOF = "senderIdInfo.proofOfSenderIdConnection"
# Indonesia's documents that are CONDITIONAL ("required if company is local to Indonesia"): with the
# simulator's modelled rules, REQUIRED for a company address in ID, DISALLOWED otherwise.
ID_LOCAL_DOCUMENTS = (
    "idSidSpecificInfo.letterOfAuthorization1",
    "idSidSpecificInfo.letterOfAuthorization2",
    "idSidSpecificInfo.letterOfAuthorization4",
    "idSidSpecificInfo.nomorPokokWajibPajakDocument",
    "idSidSpecificInfo.nomorIndukBerusahaDocument",
)
ID_XL_LETTER = "idSidSpecificInfo.letterOfAuthorization3"  # REQUIRED whatever the answers
# A complete United Kingdom form (GB: zip code required, no area of business or opt-in description).
GB_VALUES = {
    **{k: v for k, v in SINGAPORE_VALUES.items() if not k.endswith(("areaOfBusiness", "optInDescription"))},
    "companyInfo.companyName": "Example Ltd",
    "companyInfo.companyId": "01234567",
    "companyAddress.zipCode": "EC1A 1BB",
    "companyAddress.isoCountryCode": "GB",
    "senderIdInfo.senderId": "EXAMPLE",
}


def india_form(data=None, files=None, **kwargs):
    definition = get_definition("IN_SENDER_ID_REGISTRATION")
    return RegistrationForm(data, files, definition=definition, **kwargs)


def singapore_form(data=None, files=None, **kwargs):
    definition = get_definition("SG_SENDER_ID_REGISTRATION")
    return RegistrationForm(data, files, definition=definition, **kwargs)


def indonesia_form(data=None, files=None, **kwargs):
    definition = get_definition(INDONESIA_TYPE)
    return RegistrationForm(data, files, definition=definition, **kwargs)


def gb_form(data=None, files=None, **kwargs):
    definition = get_definition("GB_SENDER_ID_REGISTRATION")
    return RegistrationForm(data, files, definition=definition, **kwargs)


def pdfs(*paths):
    return {path: SimpleUploadedFile(f"{path.rsplit('.', 1)[-1]}.pdf", PDF) for path in paths}


def post(values, action="save", **extra):
    return {**values, "action": action, **extra}


def test_india_form_has_every_field_and_section_aws_defines(sim):
    form = india_form()
    _sections, served = sim_definitions.form("IN_SENDER_ID_REGISTRATION")
    assert list(form.fields) == [f["FieldPath"] for f in served]  # every field, in AWS's order
    titles = [section.title for section, _rows in form.sections()]
    assert titles[:2] == ["Sender ID info", "India specific info"]
    # AWS's own script: the PEID and chain IDs 1, 2, 3 and 5 (no chain ID 4), all required.
    india = [path for path in form.fields if path.startswith("inSidSpecificInfo.")]
    assert india == [
        "inSidSpecificInfo.principalEntityId",
        "inSidSpecificInfo.chainId1",
        "inSidSpecificInfo.chainId2",
        "inSidSpecificInfo.chainId3",
        "inSidSpecificInfo.chainId5",
        "inSidSpecificInfo.sendingParametersAcknowledgement",
    ]
    assert form.fields["inSidSpecificInfo.principalEntityId"].label == "Chain ID: Principal Entity ID (PEID)"
    assert form.fields["inSidSpecificInfo.chainId5"].label == "Chain ID: Infobip India Private Limited"
    assert dict(form.fields["inSidSpecificInfo.sendingParametersAcknowledgement"].choices) == {
        "": "—",
        "Yes": "Yes",
    }
    # No letter of authorization for India; the proof of sender ID connection is an optional upload.
    assert "senderIdInfo.letterOfAuthorization" not in form.fields
    assert form.definition.field(PROOF).field_type == "ATTACHMENT"
    assert form.definition.field(PROOF).requirement == "OPTIONAL"
    # Promotions are not an India use case: the definition's options, not ours, decide.
    choices = dict(form.fields["messagingUseCase.useCaseCategory"].choices)
    assert "One-time passcodes" in choices and "Promotions and marketing" not in choices
    assert sim.mutations() == []


def test_singapore_stand_in_form_says_so_and_has_the_generic_fields(sim):
    """AWS has published no Singapore definitions: the simulator serves its generic form, marked as a
    stand-in, and the portal shows what it is given (no Singapore-only fields invented)."""
    form = singapore_form()
    note = "Simulator stand-in: AWS has not published this form's definitions."
    assert note in form.definition.short_description and note in form.definition.long_description
    _sections, generic = sim_definitions.generic_form()
    assert list(form.fields) == [f["FieldPath"] for f in generic]
    assert not [path for path in form.fields if path.startswith("sgSidSpecificInfo.")]
    assert [s.section_path for s, _rows in form.sections()] == [
        "companyInfo",
        "companyAddress",
        "contactInfo",
        "senderIdInfo",
        "messagingUseCase",
        "messageSamples",
    ]
    assert form.fields["companyInfo.companyId"].label == "Company registration number"
    assert form.fields["companyInfo.companyId"].help_text == "The company's registration or tax number."
    letter = form.definition.field("senderIdInfo.letterOfAuthorization")
    assert (letter.field_type, letter.requirement) == ("ATTACHMENT", "OPTIONAL")
    help_text = form.fields["senderIdInfo.letterOfAuthorization"].help_text
    assert "Needed when the sender ID is not obviously your company's name or brand." in help_text
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
    assert form.errors["messageSamples.messageSample1"] == ["Enter 1 to 306 characters. You entered 307."]
    assert sim.mutations() == []


def test_text_not_matching_the_definition_pattern_is_a_field_error(sim):
    # The only pattern AWS has shown: non-blank. A whitespace-only answer is no answer.
    definition = get_definition("IN_SENDER_ID_REGISTRATION")
    assert definition.field("companyInfo.companyName").pattern == r"^(?=\s*\S)[\s\S]+$"
    values = {**INDIA_VALUES, "senderIdInfo.senderId": "EXMPLE", "companyInfo.companyName": " \t\n "}
    form = india_form(post(values, "submit"))
    assert not form.is_valid()
    assert form.errors == {"companyInfo.companyName": ["This field is required to submit."]}
    # In a draft it is kept as empty, never as blanks that would be sent to AWS.
    draft = india_form(post({"companyInfo.companyName": "   "}, "save"))
    assert draft.is_valid(), draft.errors
    assert draft.field_inputs()["companyInfo.companyName"].text == ""
    assert sim.mutations() == []


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("companyInfo.website", "a.b", "Enter 4 to 100 characters. You entered 3."),
        ("companyAddress.isoCountryCode", "I", "Enter exactly 2 characters. You entered 1."),
    ],
)
def test_text_shorter_than_the_minimum_is_a_field_error(sim, path, value, message):
    form = india_form(post({path: value}))
    assert not form.is_valid()
    assert form.errors[path] == [message]


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
    form = india_form(post({}), {PROOF: exe})
    assert not form.is_valid()
    assert form.errors[PROOF] == ["Upload a PDF, PNG or JPEG file."]


def test_a_file_with_a_wrong_extension_is_a_field_error(sim):
    renamed = SimpleUploadedFile("letter.docx", PDF, content_type="application/pdf")
    form = india_form(post({}), {PROOF: renamed})
    assert not form.is_valid()
    assert form.errors[PROOF] == ["Upload a PDF, PNG or JPEG file."]


def test_a_file_larger_than_aws_accepts_is_a_field_error(sim):
    assert (
        MAX_ATTACHMENT_BYTES == 500 * 1024
    )  # CreateRegistrationAttachment: "The maximum file size is 500KB"
    big = SimpleUploadedFile("letter.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES, content_type="application/pdf")
    form = india_form(post({}), {PROOF: big})
    assert not form.is_valid()
    message = form.errors[PROOF][0]
    assert "AWS accepts files of at most 500.0\xa0KB" in message


def test_pdf_png_and_jpeg_files_are_accepted(sim):
    for name, body in (("a.pdf", PDF), ("a.png", PNG), ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)):
        upload = SimpleUploadedFile(name, body)
        form = india_form(post({}), {PROOF: upload})
        assert form.is_valid(), (name, form.errors)
        assert form.field_inputs()[PROOF].upload is upload


def test_conditional_field_is_required_when_its_rule_matches(sim, indonesia):
    values = {**INDONESIA_VALUES, "senderIdInfo.senderId": "EXAMPLE"}  # a company in Indonesia
    letter = ID_LOCAL_DOCUMENTS[0]
    files = pdfs(ID_XL_LETTER, *ID_LOCAL_DOCUMENTS[1:])  # everything but Telkomsel's letter
    form = indonesia_form(post(values, "submit"), files)
    assert form.definition.field(letter).requirement == "CONDITIONAL"
    assert not form.is_valid()
    assert form.errors == {letter: ["Required for the answers given above."]}
    assert "Required when “Country” is ID." in form.fields[letter].help_text


def test_conditional_field_is_not_required_when_no_rule_matches(sim, indonesia):
    values = {**INDONESIA_VALUES, "senderIdInfo.senderId": "EXAMPLE", "companyAddress.isoCountryCode": "SG"}
    form = indonesia_form(post(values, "submit"), pdfs(ID_XL_LETTER, ID_LOCAL_DOCUMENTS[0]))
    assert form.is_valid(), form.errors
    inputs = form.field_inputs()
    assert inputs[ID_XL_LETTER].upload is not None
    # Not part of the form for a company outside Indonesia (DISALLOWED): the file is dropped, never sent.
    assert inputs[ID_LOCAL_DOCUMENTS[0]].upload is None


def test_conditional_field_without_rules_is_optional(sim):
    # GB's letter of authorization is CONDITIONAL with no ConditionalBehavior (as AWS published it):
    # the portal does not demand it; AWS decides on submission.
    form = gb_form(post(GB_VALUES, "submit"))
    assert form.definition.field("senderIdInfo.letterOfAuthorization").requirement == "CONDITIONAL"
    assert form.is_valid(), form.errors


def test_conditional_field_is_satisfied_by_an_upload(sim, indonesia):
    values = {**INDONESIA_VALUES, "senderIdInfo.senderId": "EXAMPLE"}
    form = indonesia_form(post(values, "submit"), pdfs(ID_XL_LETTER, *ID_LOCAL_DOCUMENTS))
    assert form.is_valid(), form.errors
    inputs = form.field_inputs()
    assert all(inputs[path].upload is not None for path in ID_LOCAL_DOCUMENTS)


def test_locked_sender_id_ignores_what_is_posted(sim):
    form = india_form(post({"senderIdInfo.senderId": "HACKED"}), locked={"senderIdInfo.senderId": "EXMPLE"})
    assert form.is_valid(), form.errors
    assert form.field_inputs()["senderIdInfo.senderId"].text == "EXMPLE"
