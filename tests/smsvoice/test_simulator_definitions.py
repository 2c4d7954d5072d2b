"""The registration forms the simulator serves: GB, IN and ID from AWS's verbatim output and scripts
(shared/data/aws-reference), every other type a marked stand-in; non-blank text; conditional fields."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from smsvoice.simulator import definitions, reference
from tests.smsvoice.conftest import aws_error, fill_registration, raw_post

PDF = b"%PDF-1.4\n% letter of authorization\n"
NON_BLANK = r"^(?=\s*\S)[\s\S]+$"


def field_definitions(client, registration_type: str) -> dict[str, dict]:
    fields = client.describe_registration_field_definitions(
        RegistrationType=registration_type, MaxResults=100
    )
    return {f["FieldPath"]: f for f in fields["RegistrationFieldDefinitions"]}


def reference_fields(iso: str) -> dict[str, dict]:
    return {f["FieldPath"]: f for f in reference.forms()["types"][iso]["fields"] if f.get("FieldPath")}


# --- the sourced forms ------------------------------------------------------------------------------------
def test_the_uk_form_serves_the_fields_aws_published_verbatim(sms):
    fields = field_definitions(sms, "GB_SENDER_ID_REGISTRATION")
    keys = ("SectionPath", "FieldPath", "FieldType", "FieldRequirement", "TextValidation", "SelectValidation")
    for path, source in reference_fields("GB").items():
        assert source["confidence"] == "verbatim"
        served = fields[path]
        assert {k: served.get(k) for k in keys} == {k: source.get(k) for k in keys}
        assert served["DisplayHints"] == source["DisplayHints"]


def test_the_uk_letter_of_authorization_is_conditional_without_rules(sms):
    loa = field_definitions(sms, "GB_SENDER_ID_REGISTRATION")["senderIdInfo.letterOfAuthorization"]
    assert (loa["FieldType"], loa["FieldRequirement"]) == ("ATTACHMENT", "CONDITIONAL")
    assert "ConditionalBehavior" not in loa


def test_the_india_form_follows_aws_s_script(sms_simulator):
    fields = field_definitions(sms_simulator.client("ap-south-1"), "IN_SENDER_ID_REGISTRATION")
    chain = [p for p in fields if p.startswith("inSidSpecificInfo.chainId")]
    assert chain == [f"inSidSpecificInfo.chainId{n}" for n in (1, 2, 3, 5)]  # no chainId4
    assert {fields[p]["FieldRequirement"] for p in [*chain, "inSidSpecificInfo.principalEntityId"]} == {
        "REQUIRED"
    }
    acknowledgement = fields["inSidSpecificInfo.sendingParametersAcknowledgement"]
    assert (acknowledgement["FieldType"], acknowledgement["FieldRequirement"]) == ("SELECT", "REQUIRED")
    assert acknowledgement["SelectValidation"]["Options"] == ["Yes"]
    assert not any("letterOfAuthorization" in p for p in fields)
    assert fields["senderIdInfo.senderId"]["TextValidation"] == {
        "MinLength": 3,
        "MaxLength": 6,
        "Pattern": NON_BLANK,
    }
    categories = fields["messagingUseCase.useCaseCategory"]["SelectValidation"]["Options"]
    assert "Promotions and marketing" not in categories
    for path, source in reference_fields("IN").items():
        assert (fields[path]["SectionPath"], fields[path]["FieldType"]) == (
            source["SectionPath"],
            source["FieldType"],
        )


def test_an_india_registration_needs_every_chain_id(sms_simulator):
    client = sms_simulator.client("ap-south-1")
    registration_id = client.create_registration(RegistrationType="IN_SENDER_ID_REGISTRATION")[
        "RegistrationId"
    ]
    fill_registration(client, registration_id, "IN_SENDER_ID_REGISTRATION", "EXMPLE")
    client.delete_registration_field_value(
        RegistrationId=registration_id, FieldPath="inSidSpecificInfo.chainId5"
    )
    with pytest.raises(ClientError) as caught:
        client.submit_registration_version(RegistrationId=registration_id)
    assert [f["Name"] for f in caught.value.response["Fields"]] == ["inSidSpecificInfo.chainId5"]
    client.put_registration_field_value(
        RegistrationId=registration_id, FieldPath="inSidSpecificInfo.chainId5", TextValue="CHAIN005"
    )
    client.submit_registration_version(RegistrationId=registration_id)
    (sender,) = client.describe_sender_ids()["SenderIds"]
    assert (sender["SenderId"], sender["IsoCountryCode"], sender["RegistrationId"]) == (
        "EXMPLE",
        "IN",
        registration_id,
    )


def test_the_indonesia_form_asks_for_its_own_documents(sms):
    fields = field_definitions(sms, "ID_SENDER_ID_REGISTRATION")
    requirements = {
        "idSidSpecificInfo.letterOfAuthorization1": "CONDITIONAL",
        "idSidSpecificInfo.letterOfAuthorization2": "CONDITIONAL",
        "idSidSpecificInfo.letterOfAuthorization3": "REQUIRED",
        "idSidSpecificInfo.letterOfAuthorization4": "CONDITIONAL",
        "idSidSpecificInfo.regulatoryAgencyLicense": "OPTIONAL",
        "idSidSpecificInfo.nomorPokokWajibPajakDocument": "CONDITIONAL",
        "idSidSpecificInfo.nomorIndukBerusahaDocument": "CONDITIONAL",
        "senderIdInfo.proofOfSenderIdConnection": "OPTIONAL",
    }
    assert {p: fields[p]["FieldRequirement"] for p in requirements} == requirements
    assert {fields[p]["FieldType"] for p in requirements} == {"ATTACHMENT"}
    assert not any("ConditionalBehavior" in f for f in fields.values())
    assert set(reference_fields("ID")) <= set(fields)


def test_singapore_keeps_the_generic_form_without_invented_paths(sms):
    fields = field_definitions(sms, "SG_SENDER_ID_REGISTRATION")
    assert not any(p.startswith("sgSidSpecificInfo") for p in fields)
    assert [f["FieldPath"] for f in definitions.generic_form()[1]] == list(fields)


def test_every_text_field_is_non_blank(sms_simulator):
    for region, registration_type in [
        ("us-east-1", "GB_SENDER_ID_REGISTRATION"),
        ("us-east-1", "ID_SENDER_ID_REGISTRATION"),
        ("us-east-1", "SG_SENDER_ID_REGISTRATION"),
        ("ap-south-1", "IN_SENDER_ID_REGISTRATION"),
    ]:
        fields = field_definitions(sms_simulator.client(region), registration_type)
        patterns = {f["TextValidation"]["Pattern"] for f in fields.values() if f["FieldType"] == "TEXT"}
        assert patterns == {NON_BLANK}, registration_type


@pytest.mark.parametrize("blank", [" ", "   ", "\t\n"])
def test_a_whitespace_only_value_is_refused(sms, blank):
    registration_id = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as caught:
        sms.put_registration_field_value(
            RegistrationId=registration_id, FieldPath="companyInfo.companyName", TextValue=blank
        )
    assert aws_error(caught) == ("ValidationException", "FIELD_VALIDATION_FAILED")
    assert caught.value.response["Fields"] == [
        {
            "Name": "companyInfo.companyName",
            "Message": "must match at least one character that is not a space",
        }
    ]


def test_text_with_surrounding_spaces_is_still_a_value(sms):
    registration_id = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
    answer = sms.put_registration_field_value(
        RegistrationId=registration_id, FieldPath="companyInfo.companyName", TextValue="  Example Corp "
    )
    assert answer["TextValue"] == "  Example Corp "


# --- stand-in markers -------------------------------------------------------------------------------------
def _definitions_call(sms_simulator, operation: str, body: dict) -> tuple[int, dict[str, str], dict]:
    status, headers, raw = raw_post(
        sms_simulator.url,
        json.dumps(body).encode(),
        {"X-Amz-Target": f"PinpointSMSVoiceV2.{operation}", "Content-Type": "application/x-amz-json-1.0"},
    )
    return status, {k.lower(): v for k, v in headers.items()}, json.loads(raw)


@pytest.mark.parametrize(
    "operation", ["DescribeRegistrationFieldDefinitions", "DescribeRegistrationSectionDefinitions"]
)
def test_stand_in_forms_say_so_in_a_header(sms_simulator, operation):
    _, stand_in, _ = _definitions_call(
        sms_simulator, operation, {"RegistrationType": "SG_SENDER_ID_REGISTRATION"}
    )
    _, sourced, _ = _definitions_call(
        sms_simulator, operation, {"RegistrationType": "GB_SENDER_ID_REGISTRATION"}
    )
    assert stand_in.get("x-simulator-stand-in") == "true"
    assert "x-simulator-stand-in" not in sourced


def test_stand_in_types_say_so_in_their_display_hints(sms, sms_simulator):
    listed = sms.describe_registration_type_definitions(
        RegistrationTypes=["SG_SENDER_ID_REGISTRATION", "GB_SENDER_ID_REGISTRATION"]
    )["RegistrationTypeDefinitions"]
    hints = {t["RegistrationType"]: t["DisplayHints"] for t in listed}
    note = "Simulator stand-in: AWS has not published this form's definitions"
    assert note in hints["SG_SENDER_ID_REGISTRATION"]["ShortDescription"]
    assert note in hints["SG_SENDER_ID_REGISTRATION"]["LongDescription"]
    assert note not in json.dumps(hints["GB_SENDER_ID_REGISTRATION"])
    _, headers, body = _definitions_call(
        sms_simulator,
        "DescribeRegistrationTypeDefinitions",
        {"RegistrationTypes": ["GB_SENDER_ID_REGISTRATION"]},
    )
    assert "x-simulator-stand-in" not in headers
    assert [t["RegistrationType"] for t in body["RegistrationTypeDefinitions"]] == [
        "GB_SENDER_ID_REGISTRATION"
    ]


# --- the reference data -----------------------------------------------------------------------------------
def test_the_committed_copy_matches_the_reference(monkeypatch):
    path = reference.reference_path()
    if not path.is_file():
        pytest.skip(f"no reference data at {path} (a clean clone): the committed copy is used")
    committed = json.loads(reference.COMMITTED_COPY.read_text(encoding="utf-8"))
    assert committed == reference.trim(json.loads(path.read_text(encoding="utf-8")))


def test_without_the_reference_the_committed_copy_is_served(monkeypatch, tmp_path):
    monkeypatch.setenv(reference.REFERENCE_DIR_VAR, str(tmp_path / "no-such-folder"))
    reference.forms.cache_clear()
    try:
        assert reference.forms() == json.loads(reference.COMMITTED_COPY.read_text(encoding="utf-8"))
    finally:
        monkeypatch.undo()
        reference.forms.cache_clear()


def test_the_committed_copy_says_where_it_came_from():
    committed = json.loads(reference.COMMITTED_COPY.read_text(encoding="utf-8"))
    assert "shared/data/aws-reference/registration-fields.json" in committed["_about"]
    assert sorted(committed["types"]) == ["GB", "ID", "IN"]


# --- conditional fields at submission ---------------------------------------------------------------------
def _indonesia_registration(sms, *, country: str, with_letters: bool) -> str:
    registration_id = sms.create_registration(RegistrationType="ID_SENDER_ID_REGISTRATION")["RegistrationId"]
    letter = sms.create_registration_attachment(AttachmentBody=PDF)["RegistrationAttachmentId"]
    overrides = {"companyAddress.isoCountryCode": country, "idSidSpecificInfo.letterOfAuthorization3": letter}
    if with_letters:
        overrides["idSidSpecificInfo.letterOfAuthorization1"] = letter
    fill_registration(sms, registration_id, "ID_SENDER_ID_REGISTRATION", "ACMEID", **overrides)
    return registration_id


def test_with_modelled_rules_a_conditional_document_is_required_for_a_local_company(sms, sms_simulator):
    sms_simulator.configure(conditional_rules=True)
    loa = field_definitions(sms, "ID_SENDER_ID_REGISTRATION")["idSidSpecificInfo.letterOfAuthorization1"]
    assert loa["ConditionalBehavior"]["DefaultBehavior"] == "DISALLOWED"
    registration_id = _indonesia_registration(sms, country="ID", with_letters=False)
    with pytest.raises(ClientError) as caught:
        sms.submit_registration_version(RegistrationId=registration_id)
    assert aws_error(caught) == ("ValidationException", "FIELD_VALIDATION_FAILED")
    assert {f["Name"] for f in caught.value.response["Fields"]} == {
        "idSidSpecificInfo.letterOfAuthorization1",
        "idSidSpecificInfo.letterOfAuthorization2",
        "idSidSpecificInfo.letterOfAuthorization4",
        "idSidSpecificInfo.nomorPokokWajibPajakDocument",
        "idSidSpecificInfo.nomorIndukBerusahaDocument",
    }


def test_a_disallowed_value_blocks_submission_until_it_is_deleted(sms, sms_simulator):
    sms_simulator.configure(conditional_rules=True)
    registration_id = _indonesia_registration(sms, country="SG", with_letters=True)
    with pytest.raises(ClientError) as caught:
        sms.submit_registration_version(RegistrationId=registration_id)
    assert aws_error(caught) == ("ValidationException", "FIELD_VALIDATION_FAILED")
    assert [f["Name"] for f in caught.value.response["Fields"]] == [
        "idSidSpecificInfo.letterOfAuthorization1"
    ]
    assert "must be empty" in caught.value.response["Fields"][0]["Message"]

    sms.delete_registration_field_value(
        RegistrationId=registration_id, FieldPath="idSidSpecificInfo.letterOfAuthorization1"
    )
    assert sms.submit_registration_version(RegistrationId=registration_id)["RegistrationVersionStatus"] == (
        "APPROVED"
    )


def test_without_rules_a_conditional_field_follows_the_unruled_setting(sms, sms_simulator):
    registration_id = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
    fill_registration(sms, registration_id, "GB_SENDER_ID_REGISTRATION", "ACMEUK")
    sms_simulator.configure(unruled_conditional="REQUIRED")
    with pytest.raises(ClientError) as caught:
        sms.submit_registration_version(RegistrationId=registration_id)
    assert [f["Name"] for f in caught.value.response["Fields"]] == ["senderIdInfo.letterOfAuthorization"]
    sms_simulator.configure(unruled_conditional="OPTIONAL")
    assert sms.submit_registration_version(RegistrationId=registration_id)["VersionNumber"] == 1


def test_an_unknown_choice_for_a_setting_is_refused(sms_simulator):
    with pytest.raises(Exception, match="400"):
        sms_simulator.configure(unruled_conditional="SOMETIMES")
    assert sms_simulator.config()["unruled_conditional"] == "OPTIONAL"
