"""Sender IDs in the simulator: request, idempotency, demo rules, deletion protection, filters, paging."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.smsvoice.conftest import aws_error


def test_a_requested_sender_id_is_listed(sms):
    created = sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE", MessageTypes=["TRANSACTIONAL"])
    (listed,) = sms.describe_sender_ids()["SenderIds"]
    assert listed["SenderIdArn"] == created["SenderIdArn"]
    assert (listed["Registered"], listed["DeletionProtectionEnabled"]) == (False, False)


def test_the_same_client_token_never_leases_twice(sms):
    first = sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE", ClientToken="request-42")
    again = sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE", ClientToken="request-42")
    assert again["SenderIdArn"] == first["SenderIdArn"]
    assert len(sms.describe_sender_ids()["SenderIds"]) == 1


def test_a_second_request_for_an_existing_sender_id_conflicts(sms):
    sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE", ClientToken="one")
    with pytest.raises(ClientError) as caught:
        sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE", ClientToken="two")
    assert aws_error(caught) == ("ConflictException", "RESOURCE_ALREADY_EXISTS")


def test_a_taken_sender_id_conflicts(sms):
    with pytest.raises(ClientError) as caught:
        sms.request_sender_id(SenderId="TAKENCO", IsoCountryCode="DE")
    assert aws_error(caught) == ("ConflictException", "RESOURCE_ALREADY_EXISTS")
    assert caught.value.response["ResourceType"] == "sender-id"


@pytest.mark.parametrize("country", ["IN", "SG", "GB", "OM"])
def test_registration_countries_refuse_a_plain_request(sms, country):
    with pytest.raises(ClientError) as caught:
        sms.request_sender_id(SenderId="ACME", IsoCountryCode=country)
    assert aws_error(caught) == ("ValidationException", "SENDER_ID_REQUIRES_REGISTRATION")


@pytest.mark.parametrize("country", ["US", "CA", "BR"])
def test_countries_without_sender_ids_refuse_them(sms, country):
    with pytest.raises(ClientError) as caught:
        sms.request_sender_id(SenderId="ACME", IsoCountryCode=country)
    assert aws_error(caught) == ("ValidationException", "SENDER_ID_NOT_SUPPORTED")


def test_deletion_protection_blocks_release_until_switched_off(sms):
    sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE", DeletionProtectionEnabled=True)
    with pytest.raises(ClientError) as caught:
        sms.release_sender_id(SenderId="ACME", IsoCountryCode="DE")
    assert aws_error(caught) == ("ConflictException", "DELETION_PROTECTION_ENABLED")

    sms.update_sender_id(SenderId="ACME", IsoCountryCode="DE", DeletionProtectionEnabled=False)
    released = sms.release_sender_id(SenderId="ACME", IsoCountryCode="DE")
    assert released["SenderId"] == "ACME"
    assert sms.describe_sender_ids()["SenderIds"] == []


def test_release_accepts_the_sender_id_arn(sms):
    arn = sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE")["SenderIdArn"]
    assert sms.release_sender_id(SenderId=arn, IsoCountryCode="DE")["SenderIdArn"] == arn


@pytest.mark.parametrize("operation", ["release_sender_id", "update_sender_id"])
def test_an_unknown_sender_id_is_not_found(sms, operation):
    with pytest.raises(ClientError) as caught:
        getattr(sms, operation)(SenderId="NOPE", IsoCountryCode="DE")
    assert aws_error(caught)[0] == "ResourceNotFoundException"
    assert caught.value.response["ResourceId"] == "NOPE"


def test_describing_an_unknown_sender_id_is_not_found(sms):
    with pytest.raises(ClientError) as caught:
        sms.describe_sender_ids(SenderIds=[{"SenderId": "NOPE", "IsoCountryCode": "DE"}])
    assert aws_error(caught)[0] == "ResourceNotFoundException"


def test_filters_combine(sms):
    sms.request_sender_id(SenderId="ACME", IsoCountryCode="DE", MessageTypes=["PROMOTIONAL"])
    sms.request_sender_id(SenderId="ACME", IsoCountryCode="FR", MessageTypes=["TRANSACTIONAL"])
    sms.request_sender_id(SenderId="OTHER", IsoCountryCode="FR", MessageTypes=["TRANSACTIONAL"])
    found = sms.describe_sender_ids(
        Filters=[
            {"Name": "sender-id", "Values": ["ACME"]},
            {"Name": "message-type", "Values": ["TRANSACTIONAL"]},
        ]
    )["SenderIds"]
    assert [(s["SenderId"], s["IsoCountryCode"]) for s in found] == [("ACME", "FR")]


def test_a_boolean_filter_takes_only_true_or_false(sms):
    with pytest.raises(ClientError) as caught:
        sms.describe_sender_ids(Filters=[{"Name": "registered", "Values": ["maybe"]}])
    assert aws_error(caught) == ("ValidationException", "INVALID_FILTER_VALUES")


def test_sender_ids_are_paged_with_next_token(sms):
    for n in range(5):
        sms.request_sender_id(SenderId=f"ID{n}", IsoCountryCode="DE")
    pages = list(sms.get_paginator("describe_sender_ids").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["SenderIds"]) for p in pages] == [2, 2, 1]
    assert sorted(s["SenderId"] for p in pages for s in p["SenderIds"]) == [f"ID{n}" for n in range(5)]


def test_the_sender_id_quota_is_enforced(sms, sms_simulator):
    sms_simulator.configure(max_sender_ids=1)
    sms.request_sender_id(SenderId="ONE", IsoCountryCode="DE")
    with pytest.raises(ClientError) as caught:
        sms.request_sender_id(SenderId="TWO", IsoCountryCode="DE")
    assert aws_error(caught) == ("ServiceQuotaExceededException", "SENDER_IDS_PER_ACCOUNT")
