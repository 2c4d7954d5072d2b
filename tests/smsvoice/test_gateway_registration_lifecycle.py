"""The gateway's registration-lifecycle calls, each checked by Stubber against AWS's own model:
friendly name as a Name tag, AwsReview, deleting values and registrations, discarding a version,
associations, account limits."""

from __future__ import annotations

import pytest

from tests.smsvoice.test_gateway_calls import NOW, REG_ARN, REG_ID, SENDER_ARN, registration_payload

pytestmark = pytest.mark.django_db


def test_the_friendly_name_is_sent_as_awss_name_tag(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "create_registration",
        {**registration_payload(RegistrationStatus="CREATED"), "AdditionalAttributes": {}, "Tags": []},
        {
            "RegistrationType": "GB_SENDER_ID_REGISTRATION",
            "ClientToken": "reg-token",
            "Tags": [{"Key": "senderid-portal:request", "Value": "7"}, {"Key": "Name", "Value": "ACME – UK"}],
        },
    )
    gateway.create_registration(
        registration_type="GB_SENDER_ID_REGISTRATION",
        client_token="reg-token",
        name="ACME – UK",
        tags={"senderid-portal:request": "7"},
    )
    sms.assert_no_pending_responses()


@pytest.mark.parametrize(("aws_review", "sent"), [(False, {}), (True, {"AwsReview": True})])
def test_submit_asks_for_awss_pre_review_only_when_told(stubbed_gateway, aws_review, sent):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "submit_registration_version",
        {
            "RegistrationArn": REG_ARN,
            "RegistrationId": REG_ID,
            "VersionNumber": 1,
            "RegistrationVersionStatus": "AWS_REVIEWING" if aws_review else "SUBMITTED",
            "RegistrationVersionStatusHistory": {"DraftTimestamp": NOW, "SubmittedTimestamp": NOW},
            "AwsReview": aws_review,
        },
        {"RegistrationId": REG_ID, **sent},
    )
    version = gateway.submit_registration_version(registration_id=REG_ID, aws_review=aws_review)
    assert version.aws_review is aws_review


def test_a_cleared_field_is_deleted_at_aws(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "delete_registration_field_value",
        {
            "RegistrationArn": REG_ARN,
            "RegistrationId": REG_ID,
            "VersionNumber": 2,
            "FieldPath": "senderIdInfo.letterOfAuthorization",
        },
        {"RegistrationId": REG_ID, "FieldPath": "senderIdInfo.letterOfAuthorization"},
    )
    gateway.delete_registration_field_value(
        registration_id=REG_ID, field_path="senderIdInfo.letterOfAuthorization"
    )
    sms.assert_no_pending_responses()


def test_discarding_the_submitted_version(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "discard_registration_version",
        {
            "RegistrationArn": REG_ARN,
            "RegistrationId": REG_ID,
            "VersionNumber": 1,
            "RegistrationVersionStatus": "DISCARDED",
            "RegistrationVersionStatusHistory": {"DraftTimestamp": NOW, "DiscardedTimestamp": NOW},
        },
        {"RegistrationId": REG_ID},
    )
    version = gateway.discard_registration_version(registration_id=REG_ID)
    assert (version.version_number, version.status) == (1, "DISCARDED")


def test_deleting_a_closed_registration(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "delete_registration",
        {**registration_payload(RegistrationStatus="DELETED"), "AdditionalAttributes": {}},
        {"RegistrationId": REG_ID},
    )
    assert gateway.delete_registration(registration_id=REG_ID).status == "DELETED"


def test_registration_associations_are_read_across_pages(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    base = {
        "RegistrationArn": REG_ARN,
        "RegistrationId": REG_ID,
        "RegistrationType": "GB_SENDER_ID_REGISTRATION",
    }
    association = {
        "ResourceArn": SENDER_ARN,
        "ResourceId": "ACME",
        "ResourceType": "sender-id",
        "IsoCountryCode": "GB",
    }
    sms.add_response(
        "list_registration_associations",
        {**base, "RegistrationAssociations": [association], "NextToken": "t1"},
        {"RegistrationId": REG_ID, "MaxResults": 100},
    )
    sms.add_response(
        "list_registration_associations",
        {**base, "RegistrationAssociations": []},
        {"RegistrationId": REG_ID, "MaxResults": 100, "NextToken": "t1"},
    )
    (found,) = gateway.list_registration_associations(registration_id=REG_ID)
    assert (found.resource_id, found.iso_country_code, found.resource_arn) == ("ACME", "GB", SENDER_ARN)


def test_account_limits_by_name(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "describe_account_limits",
        {
            "AccountLimits": [
                {"Name": "REGISTRATIONS", "Used": 25, "Max": 25},
                {"Name": "SENDER_IDS", "Used": 3, "Max": 200},
            ]
        },
        {"MaxResults": 100},
    )
    limits = gateway.describe_account_limits()
    assert limits["REGISTRATIONS"].reached and not limits["SENDER_IDS"].reached
