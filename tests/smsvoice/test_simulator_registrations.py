"""Registrations in the simulator: definitions per Region, field validation, the review lifecycle,
denial and resubmission, ASSOCIATE_ON_APPROVAL, attachments and paging."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smsvoice.gateway import get_gateway
from smsvoice.simulator import definitions
from tests.smsvoice.conftest import aws_error, fill_registration, new_registration, registration_status

PDF = b"%PDF-1.4\n% letter of authorization\n"


def field_paths(client, registration_type: str) -> dict[str, dict]:
    fields = client.describe_registration_field_definitions(
        RegistrationType=registration_type, MaxResults=100
    )
    return {f["FieldPath"]: f for f in fields["RegistrationFieldDefinitions"]}


# --- definitions ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("region", "offered"), [("ap-south-1", True), ("ap-south-2", True), ("us-east-1", False)]
)
def test_india_registration_type_exists_only_in_mumbai_and_hyderabad(sms_simulator, region, offered):
    listed = sms_simulator.client(region).describe_registration_type_definitions(
        Filters=[{"Name": "supported-association-iso-country-code", "Values": ["IN"]}]
    )["RegistrationTypeDefinitions"]
    assert [t["RegistrationType"] for t in listed] == (["IN_SENDER_ID_REGISTRATION"] if offered else [])


def test_sender_id_types_associate_on_approval(sms):
    (singapore,) = sms.describe_registration_type_definitions(
        RegistrationTypes=["SG_SENDER_ID_REGISTRATION"]
    )["RegistrationTypeDefinitions"]
    assert singapore["SupportedAssociations"] == [
        {
            "ResourceType": "SENDER_ID",
            "IsoCountryCode": "SG",
            "AssociationBehavior": "ASSOCIATE_ON_APPROVAL",
            "DisassociationBehavior": "DISASSOCIATE_ALL_ALLOWS_DELETE_REGISTRATION",
        }
    ]


def test_the_gateway_reads_every_type_across_pages(sms_simulator):
    types = get_gateway().describe_registration_type_definitions()
    assert len(types) == len(definitions.REGISTRATION_FORM_COUNTRIES) - 1  # all but India in us-east-1
    assert sms_simulator.calls("DescribeRegistrationTypeDefinitions")[0]["params"]["MaxResults"] == 100


def test_sections_are_described(sms):
    sections = sms.describe_registration_section_definitions(RegistrationType="SG_SENDER_ID_REGISTRATION")
    paths = [s["SectionPath"] for s in sections["RegistrationSectionDefinitions"]]
    assert paths == [
        "companyInfo",
        "companyAddress",
        "contactInfo",
        "senderIdInfo",
        "messagingUseCase",
        "messageSamples",
    ]


def test_field_definitions_come_in_pages_unless_more_are_asked_for(sms):
    first = sms.describe_registration_field_definitions(RegistrationType="SG_SENDER_ID_REGISTRATION")
    rest = sms.describe_registration_field_definitions(
        RegistrationType="SG_SENDER_ID_REGISTRATION", NextToken=first["NextToken"]
    )
    every = first["RegistrationFieldDefinitions"] + rest["RegistrationFieldDefinitions"]
    assert [f["FieldPath"] for f in every] == list(field_paths(sms, "SG_SENDER_ID_REGISTRATION"))
    assert "NextToken" not in rest


def test_an_unknown_registration_type_is_refused(sms):
    with pytest.raises(ClientError) as caught:
        sms.create_registration(RegistrationType="IN_SENDER_ID_REGISTRATION")
    assert aws_error(caught) == ("ValidationException", "UNKNOWN_REGISTRATION_TYPE")


# --- creating and filling ---------------------------------------------------------------------------------
def test_the_same_client_token_creates_one_registration(sms):
    first = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION", ClientToken="reg-1")
    again = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION", ClientToken="reg-1")
    assert again["RegistrationId"] == first["RegistrationId"]
    assert (first["RegistrationStatus"], first["CurrentVersionNumber"]) == ("CREATED", 1)
    assert len(sms.describe_registrations()["Registrations"]) == 1


def test_an_unknown_field_is_refused(sms):
    registration_id = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as caught:
        sms.put_registration_field_value(
            RegistrationId=registration_id, FieldPath="company.shoeSize", TextValue="9"
        )
    assert aws_error(caught) == ("ValidationException", "UNKNOWN_REGISTRATION_FIELD")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("senderIdInfo.senderId", {"TextValue": "MUCH-TOO-LONG"}),
        ("companyInfo.companyName", {"TextValue": "   "}),
        ("messageSamples.messageSample1", {"TextValue": "\n\t"}),
        ("companyAddress.isoCountryCode", {"TextValue": "GBR"}),
        ("messagingUseCase.monthlyMessageVolume", {"SelectChoices": ["A lot"]}),
        ("messagingUseCase.useCaseCategory", {"SelectChoices": ["Other", "Info on demand"]}),
    ],
)
def test_a_value_outside_the_field_rules_is_refused(sms, path, value):
    registration_id = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as caught:
        sms.put_registration_field_value(RegistrationId=registration_id, FieldPath=path, **value)
    assert aws_error(caught) == ("ValidationException", "FIELD_VALIDATION_FAILED")
    assert caught.value.response["Fields"][0]["Name"] == path


def test_a_value_of_the_wrong_kind_is_refused(sms):
    registration_id = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as caught:
        sms.put_registration_field_value(
            RegistrationId=registration_id,
            FieldPath="messagingUseCase.monthlyMessageVolume",
            TextValue="10",
        )
    assert aws_error(caught)[0] == "ValidationException"


def test_an_incomplete_registration_cannot_be_submitted(sms):
    registration_id = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
    sms.put_registration_field_value(
        RegistrationId=registration_id, FieldPath="companyInfo.companyName", TextValue="Example Corp"
    )
    with pytest.raises(ClientError) as caught:
        sms.submit_registration_version(RegistrationId=registration_id)
    assert aws_error(caught) == ("ValidationException", "FIELD_VALIDATION_FAILED")
    missing = {f["Name"] for f in caught.value.response["Fields"]}
    assert "senderIdInfo.senderId" in missing
    assert "companyInfo.companyName" not in missing


# --- the lifecycle ------------------------------------------------------------------------------------------
def test_review_moves_submitted_reviewing_provisioning_complete_over_the_delay(sms, sms_simulator):
    sms_simulator.configure(review_delay=100)
    registration_id = new_registration(sms, "ACMEUK")
    assert registration_status(sms, registration_id) == "SUBMITTED"
    sms_simulator.advance(30)
    assert registration_status(sms, registration_id) == "REVIEWING"
    sms_simulator.advance(60)
    assert registration_status(sms, registration_id) == "PROVISIONING"
    assert sms.describe_sender_ids()["SenderIds"] == []
    sms_simulator.advance(20)
    assert registration_status(sms, registration_id) == "COMPLETE"


def test_approval_creates_the_registered_sender_id_itself(sms):
    registration_id = new_registration(sms, "ACMEUK")
    (registration,) = sms.describe_registrations(RegistrationIds=[registration_id])["Registrations"]
    assert (registration["RegistrationStatus"], registration["ApprovedVersionNumber"]) == ("COMPLETE", 1)
    (sender,) = sms.describe_sender_ids(Filters=[{"Name": "registered", "Values": ["true"]}])["SenderIds"]
    assert (sender["SenderId"], sender["IsoCountryCode"], sender["RegistrationId"]) == (
        "ACMEUK",
        "GB",
        registration_id,
    )


def test_version_history_records_each_step(sms, sms_simulator):
    sms_simulator.configure(review_delay=10)
    registration_id = new_registration(sms, "ACMEUK")
    sms_simulator.advance(10)
    (version,) = sms.describe_registration_versions(RegistrationId=registration_id)["RegistrationVersions"]
    assert version["RegistrationVersionStatus"] == "APPROVED"
    history = version["RegistrationVersionStatusHistory"]
    assert history["DraftTimestamp"] <= history["SubmittedTimestamp"] < history["ReviewingTimestamp"]
    assert history["ReviewingTimestamp"] < history["ApprovedTimestamp"]


def test_a_deny_sender_id_is_denied_with_reasons_and_field_feedback(sms):
    registration_id = new_registration(sms, "DENYME")
    (registration,) = sms.describe_registrations(RegistrationIds=[registration_id])["Registrations"]
    assert (registration["RegistrationStatus"], registration["LatestDeniedVersionNumber"]) == (
        "REQUIRES_UPDATES",
        1,
    )

    (version,) = sms.describe_registration_versions(RegistrationId=registration_id)["RegistrationVersions"]
    assert version["RegistrationVersionStatus"] == "DENIED"
    assert version["DeniedReasons"][0]["Reason"] == "SENDER_ID_NOT_PERMITTED"
    assert {"ShortDescription", "LongDescription", "DocumentationLink"} <= set(version["DeniedReasons"][0])
    assert "DENYME" in version["Feedback"]

    values = sms.describe_registration_field_values(RegistrationId=registration_id)["RegistrationFieldValues"]
    with_feedback = [v for v in values if "Feedback" in v]
    assert [v["FieldPath"] for v in with_feedback] == ["senderIdInfo.senderId"]
    assert with_feedback[0]["DeniedReason"] == "Sender ID not permitted"
    assert sms.describe_sender_ids()["SenderIds"] == []


def test_a_denied_registration_is_fixed_in_a_new_version_and_resubmitted(sms):
    registration_id = new_registration(sms, "DENYME")
    draft = sms.create_registration_version(RegistrationId=registration_id)
    assert (draft["VersionNumber"], draft["RegistrationVersionStatus"]) == (2, "DRAFT")
    # The new draft starts from the denied version's values.
    values = sms.describe_registration_field_values(RegistrationId=registration_id, VersionNumber=2)
    assert len(values["RegistrationFieldValues"]) > 10

    sms.put_registration_field_value(
        RegistrationId=registration_id, FieldPath="senderIdInfo.senderId", TextValue="ACME"
    )
    sms.submit_registration_version(RegistrationId=registration_id)
    (registration,) = sms.describe_registrations(RegistrationIds=[registration_id])["Registrations"]
    assert (registration["RegistrationStatus"], registration["ApprovedVersionNumber"]) == ("COMPLETE", 2)
    assert [s["SenderId"] for s in sms.describe_sender_ids()["SenderIds"]] == ["ACME"]
    statuses = [
        v["RegistrationVersionStatus"]
        for v in sms.describe_registration_versions(RegistrationId=registration_id)["RegistrationVersions"]
    ]
    assert statuses == ["APPROVED", "DENIED"]  # newest first


def test_a_submitted_version_cannot_be_edited(sms, sms_simulator):
    sms_simulator.configure(review_delay=60)
    registration_id = new_registration(sms, "ACMEUK")
    with pytest.raises(ClientError) as caught:
        sms.put_registration_field_value(
            RegistrationId=registration_id, FieldPath="senderIdInfo.senderId", TextValue="X"
        )
    assert aws_error(caught) == ("ConflictException", "EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED")


def test_a_submitted_version_cannot_be_submitted_again(sms, sms_simulator):
    sms_simulator.configure(review_delay=60)
    registration_id = new_registration(sms, "ACMEUK")
    with pytest.raises(ClientError) as caught:
        sms.submit_registration_version(RegistrationId=registration_id)
    assert aws_error(caught) == ("ConflictException", "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED")


def test_a_new_version_needs_a_decided_registration(sms):
    registration_id = new_registration(sms, "ACMEUK", submit=False)
    with pytest.raises(ClientError) as caught:
        sms.create_registration_version(RegistrationId=registration_id)
    assert aws_error(caught) == ("ConflictException", "CREATE_REGISTRATION_VERSION_NOT_ALLOWED")


def test_an_unknown_registration_is_not_found(sms):
    with pytest.raises(ClientError) as caught:
        sms.describe_registrations(RegistrationIds=["registration-nope"])
    assert aws_error(caught)[0] == "ResourceNotFoundException"
    assert caught.value.response["ResourceType"] == "registration"


def test_releasing_the_registered_sender_id_closes_its_registration(sms):
    registration_id = new_registration(sms, "ACMEUK")
    sms.release_sender_id(SenderId="ACMEUK", IsoCountryCode="GB")
    assert registration_status(sms, registration_id) == "CLOSED"


def test_sender_id_registrations_cannot_be_associated_by_hand(sms):
    sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    registration_id = new_registration(sms, "ACMEUK", submit=False)
    with pytest.raises(ClientError) as caught:
        sms.create_registration_association(RegistrationId=registration_id, ResourceId="ACME")
    assert aws_error(caught) == ("ValidationException", "INVALID_REGISTRATION_ASSOCIATION")


def test_the_registration_quota_is_enforced(sms, sms_simulator):
    sms_simulator.configure(max_registrations=2)
    for _ in range(2):
        sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")
    with pytest.raises(ClientError) as caught:
        sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")
    assert aws_error(caught) == ("ServiceQuotaExceededException", "REGISTRATIONS_PER_ACCOUNT")


# --- paging -------------------------------------------------------------------------------------------------
def test_the_gateway_pages_through_more_than_a_hundred_registrations(sms, sms_simulator):
    sms_simulator.configure(max_registrations=500)
    created = [
        sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
        for _ in range(130)
    ]
    found = [r.registration_id for r in get_gateway().describe_registrations(statuses=["CREATED"])]
    assert found == created
    calls = sms_simulator.calls("DescribeRegistrations")
    assert [len(c["params"].get("NextToken", "")) > 0 for c in calls] == [False, True]
    assert all(c["params"]["MaxResults"] == 100 for c in calls)


def test_the_gateway_asks_for_registrations_five_ids_at_a_time(sms, sms_simulator):
    created = [
        sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
        for _ in range(7)
    ]
    found = [r.registration_id for r in get_gateway().describe_registrations(registration_ids=created)]
    assert found == created
    assert [len(c["params"]["RegistrationIds"]) for c in sms_simulator.calls("DescribeRegistrations")] == [
        5,
        2,
    ]


def test_a_forged_next_token_is_refused(sms):
    with pytest.raises(ClientError) as caught:
        sms.describe_registrations(NextToken="bm90IGEgdG9rZW4=")
    assert aws_error(caught) == ("ValidationException", "INVALID_NEXT_TOKEN")


def test_a_status_filter_must_name_a_real_status(sms):
    with pytest.raises(ClientError) as caught:
        sms.describe_registrations(Filters=[{"Name": "registration-status", "Values": ["FINISHED"]}])
    assert aws_error(caught) == ("ValidationException", "INVALID_FILTER_VALUES")


# --- attachments --------------------------------------------------------------------------------------------
def test_an_uploaded_pdf_is_ready_to_use(sms):
    created = sms.create_registration_attachment(AttachmentBody=PDF, ClientToken="loa-1")
    assert created["AttachmentStatus"] == "UPLOAD_COMPLETE"
    again = sms.create_registration_attachment(AttachmentBody=PDF, ClientToken="loa-1")
    assert again["RegistrationAttachmentId"] == created["RegistrationAttachmentId"]


def test_an_upload_completes_after_the_attachment_delay(sms, sms_simulator):
    sms_simulator.configure(attachment_delay=5)
    attachment_id = sms.create_registration_attachment(AttachmentBody=PDF)["RegistrationAttachmentId"]
    (info,) = get_gateway().describe_registration_attachments(attachment_ids=[attachment_id])
    assert info.status == "UPLOAD_IN_PROGRESS"
    sms_simulator.advance(5)
    (info,) = get_gateway().describe_registration_attachments(attachment_ids=[attachment_id])
    assert info.status == "UPLOAD_COMPLETE"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"AttachmentBody": b"plain text is not a document"}, "ATTACHMENT_TYPE_NOT_SUPPORTED"),
        ({"AttachmentBody": b"%PDF" + b"0" * 500 * 1024}, "MAXIMUM_SIZE_EXCEEDED"),
        ({"AttachmentUrl": "https://example.com/loa.pdf"}, "INVALID_PARAMETER"),
        ({}, "MISSING_PARAMETER"),
    ],
)
def test_bad_attachments_are_refused(sms, kwargs, reason):
    with pytest.raises(ClientError) as caught:
        sms.create_registration_attachment(**kwargs)
    assert aws_error(caught) == ("ValidationException", reason)


def test_an_s3_url_attachment_is_accepted(sms):
    created = sms.create_registration_attachment(AttachmentUrl="s3://bucket/loa.pdf")
    (listed,) = sms.describe_registration_attachments(
        RegistrationAttachmentIds=[created["RegistrationAttachmentId"]]
    )["RegistrationAttachments"]
    assert listed["AttachmentUrl"] == "s3://bucket/loa.pdf"


def test_fill_registration_helper_covers_every_required_field(sms):
    registration_id = sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
    fill_registration(sms, registration_id, "GB_SENDER_ID_REGISTRATION", "ACMEUK")
    assert sms.submit_registration_version(RegistrationId=registration_id)["VersionNumber"] == 1
