"""Account-level behaviour of the simulator: deleting registrations, the registration quota, a released
sender ID closing its registration, associations, DescribeAccountLimits, tags and the 500 KB attachment
limit; the new operations are throttled and logged like every other."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.smsvoice.conftest import aws_error, new_registration, registration_status

PDF = b"%PDF-1.4\n% letter of authorization\n"


def limits(client) -> dict[str, tuple[int, int]]:
    return {a["Name"]: (a["Used"], a["Max"]) for a in client.describe_account_limits()["AccountLimits"]}


# --- release → CLOSED → delete --------------------------------------------------------------------------
def test_releasing_the_sender_id_closes_its_registration_and_names_it(sms):
    registration_id = new_registration(sms, "ACMEUK")
    released = sms.release_sender_id(SenderId="ACMEUK", IsoCountryCode="GB")
    assert (released["Registered"], released["RegistrationId"]) == (True, registration_id)
    assert registration_status(sms, registration_id) == "CLOSED"
    deleted = sms.delete_registration(RegistrationId=registration_id)
    assert (deleted["RegistrationId"], deleted["RegistrationStatus"]) == (registration_id, "DELETED")
    with pytest.raises(ClientError) as caught:
        sms.describe_registrations(RegistrationIds=[registration_id])
    assert aws_error(caught)[0] == "ResourceNotFoundException"
    assert sms.describe_registrations()["Registrations"] == []


def test_a_registration_with_its_sender_id_cannot_be_deleted_by_default(sms):
    registration_id = new_registration(sms, "ACMEUK")
    with pytest.raises(ClientError) as caught:
        sms.delete_registration(RegistrationId=registration_id)
    assert aws_error(caught) == ("ConflictException", "RESOURCE_DELETION_NOT_ALLOWED")
    assert registration_status(sms, registration_id) == "COMPLETE"


def test_delete_can_disassociate_the_sender_id_when_configured(sms, sms_simulator):
    sms_simulator.configure(sender_id_disassociation="DELETE_REGISTRATION_DISASSOCIATES")
    (served,) = sms.describe_registration_type_definitions(RegistrationTypes=["GB_SENDER_ID_REGISTRATION"])[
        "RegistrationTypeDefinitions"
    ]
    assert served["SupportedAssociations"][0]["DisassociationBehavior"] == "DELETE_REGISTRATION_DISASSOCIATES"
    registration_id = new_registration(sms, "ACMEUK")
    sms.delete_registration(RegistrationId=registration_id)
    (sender,) = sms.describe_sender_ids()["SenderIds"]
    assert (sender["SenderId"], sender["Registered"]) == ("ACMEUK", False)


def test_a_draft_registration_can_be_deleted(sms):
    registration_id = new_registration(sms, "ACMEUK", submit=False)
    sms.delete_registration(RegistrationId=registration_id)
    with pytest.raises(ClientError) as caught:
        sms.delete_registration(RegistrationId=registration_id)
    assert aws_error(caught)[0] == "ResourceNotFoundException"


def test_deleted_registrations_can_stay_visible_as_deleted(sms, sms_simulator):
    sms_simulator.configure(deleted_registrations_visible=True)
    registration_id = new_registration(sms, "ACMEUK", submit=False)
    sms.delete_registration(RegistrationId=registration_id)
    assert registration_status(sms, registration_id) == "DELETED"
    listed = sms.describe_registrations(Filters=[{"Name": "registration-status", "Values": ["DELETED"]}])
    assert [r["RegistrationId"] for r in listed["Registrations"]] == [registration_id]
    with pytest.raises(ClientError) as caught:
        sms.put_registration_field_value(
            RegistrationId=registration_id, FieldPath="companyInfo.companyName", TextValue="X"
        )
    assert aws_error(caught)[0] == "ResourceNotFoundException"


# --- the registration quota -------------------------------------------------------------------------------
def test_the_26th_registration_is_refused_and_deleting_one_frees_a_place(sms):
    created = [
        sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")["RegistrationId"]
        for _ in range(25)
    ]
    assert limits(sms)["REGISTRATIONS"] == (25, 25)
    with pytest.raises(ClientError) as caught:
        sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")
    assert aws_error(caught) == ("ServiceQuotaExceededException", "REGISTRATIONS_PER_ACCOUNT")
    assert "25" in caught.value.response["Error"]["Message"]
    sms.delete_registration(RegistrationId=created[0])
    sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")


def test_a_closed_registration_counts_until_it_is_deleted(sms, sms_simulator):
    sms_simulator.configure(max_registrations=1)
    registration_id = new_registration(sms, "ACMEUK")
    sms.release_sender_id(SenderId="ACMEUK", IsoCountryCode="GB")
    with pytest.raises(ClientError) as caught:
        sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")
    assert aws_error(caught)[0] == "ServiceQuotaExceededException"
    sms.delete_registration(RegistrationId=registration_id)
    sms.create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")


def test_the_quota_is_per_region(sms_simulator):
    sms_simulator.configure(max_registrations=1)
    for region in ("us-east-1", "eu-west-2"):
        sms_simulator.client(region).create_registration(RegistrationType="GB_SENDER_ID_REGISTRATION")


# --- associations -----------------------------------------------------------------------------------------
def test_the_sender_id_created_on_approval_is_listed_as_the_association(sms):
    registration_id = new_registration(sms, "ACMEUK")
    listed = sms.list_registration_associations(RegistrationId=registration_id)
    assert (listed["RegistrationId"], listed["RegistrationType"]) == (
        registration_id,
        "GB_SENDER_ID_REGISTRATION",
    )
    (association,) = listed["RegistrationAssociations"]
    (sender,) = sms.describe_sender_ids()["SenderIds"]
    assert association == {
        "ResourceArn": sender["SenderIdArn"],
        "ResourceId": "ACMEUK",
        "ResourceType": "sender-id",
        "IsoCountryCode": "GB",
    }


def test_associations_are_empty_before_approval_and_filterable(sms, sms_simulator):
    draft_id = new_registration(sms, "ACMEUK", submit=False)
    assert sms.list_registration_associations(RegistrationId=draft_id)["RegistrationAssociations"] == []
    sms_simulator.configure(association_resource_type="SENDER_ID")
    registration_id = new_registration(sms, "ACMEUK2")
    by_type = sms.list_registration_associations(
        RegistrationId=registration_id, Filters=[{"Name": "resource-type", "Values": ["SENDER_ID"]}]
    )
    assert [a["ResourceId"] for a in by_type["RegistrationAssociations"]] == ["ACMEUK2"]
    elsewhere = sms.list_registration_associations(
        RegistrationId=registration_id, Filters=[{"Name": "iso-country-code", "Values": ["DE"]}]
    )
    assert elsewhere["RegistrationAssociations"] == []


# --- DescribeAccountLimits --------------------------------------------------------------------------------
def test_account_limits_name_every_quota_with_usage(sms, sms_simulator):
    sms_simulator.configure(max_sender_ids=150)
    sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE")
    new_registration(sms, "ACMEUK", submit=False)
    sms.create_registration_attachment(AttachmentBody=PDF)
    found = limits(sms)
    assert set(found) == {
        "PHONE_NUMBERS",
        "POOLS",
        "CONFIGURATION_SETS",
        "OPT_OUT_LISTS",
        "SENDER_IDS",
        "REGISTRATIONS",
        "REGISTRATION_ATTACHMENTS",
        "VERIFIED_DESTINATION_NUMBERS",
    }
    assert found["SENDER_IDS"] == (1, 150)
    assert found["REGISTRATIONS"] == (1, 25)
    assert found["REGISTRATION_ATTACHMENTS"][0] == 1


def test_account_limits_come_in_pages(sms):
    first = sms.describe_account_limits(MaxResults=5)
    rest = sms.describe_account_limits(NextToken=first["NextToken"])
    assert len(first["AccountLimits"]) + len(rest["AccountLimits"]) == 8
    assert "NextToken" not in rest


# --- tags ---------------------------------------------------------------------------------------------------
def test_the_name_tag_of_a_registration_is_kept(sms):
    created = sms.create_registration(
        RegistrationType="GB_SENDER_ID_REGISTRATION", Tags=[{"Key": "Name", "Value": "Acme UK alerts"}]
    )
    assert created["Tags"] == [{"Key": "Name", "Value": "Acme UK alerts"}]
    arn = created["RegistrationArn"]
    assert sms.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "Name", "Value": "Acme UK alerts"}]
    sms.tag_resource(
        ResourceArn=arn, Tags=[{"Key": "Name", "Value": "Renamed"}, {"Key": "team", "Value": "ops"}]
    )
    sms.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sms.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "Name", "Value": "Renamed"}]


def test_tags_of_an_unknown_resource_are_not_found(sms):
    with pytest.raises(ClientError) as caught:
        sms.list_tags_for_resource(ResourceArn="arn:aws:sms-voice:us-east-1:123456789012:registration/nope")
    assert aws_error(caught)[0] == "ResourceNotFoundException"


# --- attachments ------------------------------------------------------------------------------------------
def test_an_attachment_over_500_kb_is_refused_with_the_reason(sms):
    sms.create_registration_attachment(AttachmentBody=PDF + b"0" * (500 * 1024 - len(PDF)))
    with pytest.raises(ClientError) as caught:
        sms.create_registration_attachment(AttachmentBody=PDF + b"0" * (500 * 1024 - len(PDF) + 1))
    assert aws_error(caught) == ("ValidationException", "MAXIMUM_SIZE_EXCEEDED")
    assert "500 KB" in caught.value.response["Error"]["Message"]


def test_the_attachment_limit_is_a_setting(sms, sms_simulator):
    sms_simulator.configure(max_attachment_bytes=2 * 1024 * 1024)
    sms.create_registration_attachment(AttachmentBody=PDF + b"0" * (1024 * 1024))


# --- throttling and the call log -------------------------------------------------------------------------
def test_the_new_operations_are_throttled_and_logged(sms, sms_simulator):
    sms_simulator.configure(tps=1)
    sms.describe_account_limits()
    with pytest.raises(ClientError) as caught:
        sms.describe_account_limits()
    assert aws_error(caught)[0] == "ThrottlingException"
    outcomes = [c["outcome"] for c in sms_simulator.calls("DescribeAccountLimits")]
    assert outcomes == ["ok", "ThrottlingException"]


def test_the_new_operations_validate_their_input(sms):
    with pytest.raises(ClientError) as caught:
        sms.list_registration_associations(RegistrationId="registration-1", MaxResults=1000)
    assert aws_error(caught) == ("ValidationException", "INVALID_PARAMETER")
