"""Registration behaviours AWS documents only in part, each switchable in the simulator: AwsReview with
per-field Feedback, CREATED right after submission, value copying into a new version, AUTH… sender IDs
waiting in REQUIRES_AUTHENTICATION, discarding a submitted version, deleting field values."""

from __future__ import annotations

import urllib.error

import pytest
from botocore.exceptions import ClientError

from tests.smsvoice.conftest import aws_error, fill_registration, new_registration, registration_status

SHORT_OPT_IN = "Users sign up on our website."  # under the 40 characters the country pages ask for


def versions(client, registration_id: str) -> list[dict]:
    return client.describe_registration_versions(RegistrationId=registration_id)["RegistrationVersions"]


def field_values(client, registration_id: str, version: int | None = None) -> dict[str, dict]:
    kwargs = {"VersionNumber": version} if version else {}
    values = client.describe_registration_field_values(RegistrationId=registration_id, **kwargs)
    return {v["FieldPath"]: v for v in values["RegistrationFieldValues"]}


def filled(client, sender_id: str = "ACMEUK", country: str = "GB", **overrides) -> str:
    registration_type = f"{country}_SENDER_ID_REGISTRATION"
    registration_id = client.create_registration(RegistrationType=registration_type)["RegistrationId"]
    fill_registration(client, registration_id, registration_type, sender_id, **overrides)
    return registration_id


# --- AwsReview --------------------------------------------------------------------------------------------
def test_aws_review_with_findings_sends_the_version_back_to_draft_with_field_feedback(sms, sms_simulator):
    sms_simulator.configure(review_delay=100)
    registration_id = filled(sms, "DENYME")
    answer = sms.submit_registration_version(RegistrationId=registration_id, AwsReview=True)
    assert (answer["RegistrationVersionStatus"], answer["AwsReview"]) == ("AWS_REVIEWING", True)
    assert registration_status(sms, registration_id) == "AWS_REVIEWING"
    assert "Feedback" not in field_values(sms, registration_id)["senderIdInfo.senderId"]

    sms_simulator.advance(10)
    (version,) = versions(sms, registration_id)
    assert version["RegistrationVersionStatus"] == "DRAFT"
    assert "AwsReviewingTimestamp" in version["RegistrationVersionStatusHistory"]
    assert "pre-review" in version["Feedback"]
    assert registration_status(sms, registration_id) == "CREATED"
    assert "DENYME" in field_values(sms, registration_id)["senderIdInfo.senderId"]["Feedback"]

    # Editable again: fix the field and submit without the pre-review.
    sms.put_registration_field_value(
        RegistrationId=registration_id, FieldPath="senderIdInfo.senderId", TextValue="ACMEUK"
    )
    assert sms.submit_registration_version(RegistrationId=registration_id)["RegistrationVersionStatus"] == (
        "SUBMITTED"
    )


def test_aws_review_can_leave_the_registration_requires_updates(sms, sms_simulator):
    sms_simulator.configure(aws_review_draft_status="REQUIRES_UPDATES")
    registration_id = filled(sms, "ACMESG", "SG", **{"messagingUseCase.optInDescription": SHORT_OPT_IN})
    sms.submit_registration_version(RegistrationId=registration_id, AwsReview=True)
    assert registration_status(sms, registration_id) == "REQUIRES_UPDATES"
    assert versions(sms, registration_id)[0]["RegistrationVersionStatus"] == "DRAFT"
    feedback = field_values(sms, registration_id)["messagingUseCase.optInDescription"]["Feedback"]
    assert "40 characters" in feedback


def test_aws_review_findings_can_be_advisory(sms, sms_simulator):
    sms_simulator.configure(aws_review_returns_draft=False)
    registration_id = filled(sms, "ACMESG", "SG", **{"messagingUseCase.optInDescription": SHORT_OPT_IN})
    sms.submit_registration_version(RegistrationId=registration_id, AwsReview=True)
    assert registration_status(sms, registration_id) == "COMPLETE"
    assert "Feedback" in field_values(sms, registration_id)["messagingUseCase.optInDescription"]


def test_a_clean_aws_review_goes_on_to_the_real_review(sms, sms_simulator):
    sms_simulator.configure(review_delay=100)
    registration_id = filled(sms)
    sms.submit_registration_version(RegistrationId=registration_id, AwsReview=True)
    sms_simulator.advance(15)
    assert registration_status(sms, registration_id) == "SUBMITTED"
    sms_simulator.advance(90)
    assert registration_status(sms, registration_id) == "COMPLETE"
    history = versions(sms, registration_id)[0]["RegistrationVersionStatusHistory"]
    assert history["AwsReviewingTimestamp"] <= history["ReviewingTimestamp"] < history["ApprovedTimestamp"]
    assert not any("Feedback" in v for v in field_values(sms, registration_id).values())


# --- CREATED right after submission -------------------------------------------------------------------
def test_describe_registrations_can_answer_created_right_after_submission(sms, sms_simulator):
    sms_simulator.configure(created_after_submit=True, created_after_submit_seconds=5, review_delay=100)
    registration_id = new_registration(sms, "ACMEUK")
    assert registration_status(sms, registration_id) == "CREATED"
    listed = sms.describe_registrations(Filters=[{"Name": "registration-status", "Values": ["CREATED"]}])
    assert [r["RegistrationId"] for r in listed["Registrations"]] == [registration_id]
    assert versions(sms, registration_id)[0]["RegistrationVersionStatus"] == "SUBMITTED"
    sms_simulator.advance(5)
    assert registration_status(sms, registration_id) == "SUBMITTED"


def test_by_default_the_submitted_status_shows_at_once(sms, sms_simulator):
    sms_simulator.configure(review_delay=100)
    assert registration_status(sms, new_registration(sms, "ACMEUK")) == "SUBMITTED"


# --- a new version's values ---------------------------------------------------------------------------
@pytest.mark.parametrize(("copy", "expected"), [(True, True), (False, False)])
def test_a_new_version_copies_the_values_only_when_configured(sms, sms_simulator, copy, expected):
    sms_simulator.configure(copy_values_on_new_version=copy)
    registration_id = new_registration(sms, "DENYME")
    sms.create_registration_version(RegistrationId=registration_id)
    assert bool(field_values(sms, registration_id, version=2)) is expected
    assert field_values(sms, registration_id, version=1)  # the denied version keeps its values


def test_an_empty_new_version_is_refilled_and_resubmitted(sms, sms_simulator):
    sms_simulator.configure(copy_values_on_new_version=False)
    registration_id = new_registration(sms, "DENYME")
    sms.create_registration_version(RegistrationId=registration_id)
    with pytest.raises(ClientError) as caught:
        sms.submit_registration_version(RegistrationId=registration_id)
    assert aws_error(caught) == ("ValidationException", "FIELD_VALIDATION_FAILED")
    fill_registration(sms, registration_id, "GB_SENDER_ID_REGISTRATION", "ACME")
    sms.submit_registration_version(RegistrationId=registration_id)
    assert registration_status(sms, registration_id) == "COMPLETE"


# --- REQUIRES_AUTHENTICATION ----------------------------------------------------------------------------
def test_an_auth_sender_id_waits_for_authentication(sms, sms_simulator):
    sms_simulator.configure(review_delay=100)
    registration_id = new_registration(sms, "AUTHME")
    sms_simulator.advance(25)
    assert registration_status(sms, registration_id) == "REQUIRES_AUTHENTICATION"
    sms_simulator.advance(100)
    assert registration_status(sms, registration_id) == "REQUIRES_AUTHENTICATION"  # stays, no timer yet

    answer = sms_simulator.authenticate(registration_id)
    assert answer["registration_id"] == registration_id
    assert registration_status(sms, registration_id) == "REVIEWING"
    sms_simulator.advance(60)
    assert registration_status(sms, registration_id) == "PROVISIONING"
    sms_simulator.advance(20)
    assert registration_status(sms, registration_id) == "COMPLETE"
    history = versions(sms, registration_id)[0]["RegistrationVersionStatusHistory"]
    assert history["RequiresAuthenticationTimestamp"] < history["ReviewingTimestamp"]


def test_authentication_times_out_after_twice_the_review_delay(sms, sms_simulator):
    sms_simulator.configure(review_delay=100)
    registration_id = new_registration(sms, "AUTHME")
    sms_simulator.advance(199)
    assert registration_status(sms, registration_id) == "REQUIRES_AUTHENTICATION"
    sms_simulator.advance(1)
    assert registration_status(sms, registration_id) == "REVIEWING"


def test_authenticate_refuses_what_does_not_wait_for_it(sms, sms_simulator):
    registration_id = new_registration(sms, "ACMEUK")
    with pytest.raises(urllib.error.HTTPError) as conflict:
        sms_simulator.authenticate(registration_id)
    assert conflict.value.code == 409
    with pytest.raises(urllib.error.HTTPError) as missing:
        sms_simulator.authenticate("registration-nope")
    assert missing.value.code == 404


# --- discarding a submitted version -----------------------------------------------------------------------
def test_a_submitted_version_is_discarded_and_a_new_draft_opens(sms, sms_simulator):
    sms_simulator.configure(review_delay=100)
    registration_id = new_registration(sms, "ACMEUK")
    answer = sms.discard_registration_version(RegistrationId=registration_id)
    assert (answer["VersionNumber"], answer["RegistrationVersionStatus"]) == (1, "DISCARDED")
    assert "DiscardedTimestamp" in answer["RegistrationVersionStatusHistory"]
    assert registration_status(sms, registration_id) == "CREATED"
    assert [v["RegistrationVersionStatus"] for v in versions(sms, registration_id)] == ["DRAFT", "DISCARDED"]
    assert field_values(sms, registration_id)  # the new draft starts from the discarded values
    sms.submit_registration_version(RegistrationId=registration_id)
    assert registration_status(sms, registration_id) == "SUBMITTED"


def test_without_a_new_draft_the_discarded_registration_needs_a_new_version(sms, sms_simulator):
    sms_simulator.configure(review_delay=100, discard_creates_draft=False)
    registration_id = new_registration(sms, "ACMEUK")
    sms.discard_registration_version(RegistrationId=registration_id)
    assert registration_status(sms, registration_id) == "CREATED"
    with pytest.raises(ClientError) as caught:
        sms.put_registration_field_value(
            RegistrationId=registration_id, FieldPath="senderIdInfo.senderId", TextValue="ACME"
        )
    assert aws_error(caught) == ("ConflictException", "EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED")
    assert sms.create_registration_version(RegistrationId=registration_id)["VersionNumber"] == 2


@pytest.mark.parametrize(("advance", "allowed_when_reviewing"), [(0, False), (50, False), (50, True)])
def test_only_a_submitted_version_can_be_discarded_by_default(
    sms, sms_simulator, advance, allowed_when_reviewing
):
    sms_simulator.configure(review_delay=100, discard_while_reviewing=allowed_when_reviewing)
    draft_id = new_registration(sms, "ACMEUK", submit=False)
    with pytest.raises(ClientError) as caught:
        sms.discard_registration_version(RegistrationId=draft_id)
    assert aws_error(caught) == ("ConflictException", "DISCARD_REGISTRATION_VERSION_NOT_ALLOWED")

    registration_id = new_registration(sms, "ACMEUK")
    sms_simulator.advance(advance)
    if advance == 0 or allowed_when_reviewing:
        assert sms.discard_registration_version(RegistrationId=registration_id)[
            "RegistrationVersionStatus"
        ] == ("DISCARDED")
    else:
        with pytest.raises(ClientError) as caught:
            sms.discard_registration_version(RegistrationId=registration_id)
        assert aws_error(caught) == ("ConflictException", "DISCARD_REGISTRATION_VERSION_NOT_ALLOWED")


# --- deleting field values --------------------------------------------------------------------------------
def test_a_field_value_is_deleted_from_the_draft(sms):
    registration_id = filled(sms, **{"senderIdInfo.senderIdDescription": "Our brand."})
    answer = sms.delete_registration_field_value(
        RegistrationId=registration_id, FieldPath="senderIdInfo.senderIdDescription"
    )
    assert (answer["FieldPath"], answer["TextValue"], answer["VersionNumber"]) == (
        "senderIdInfo.senderIdDescription",
        "Our brand.",
        1,
    )
    assert "senderIdInfo.senderIdDescription" not in field_values(sms, registration_id)


def test_deleting_a_required_value_makes_the_submission_fail(sms):
    registration_id = filled(sms)
    sms.delete_registration_field_value(RegistrationId=registration_id, FieldPath="companyInfo.companyName")
    with pytest.raises(ClientError) as caught:
        sms.submit_registration_version(RegistrationId=registration_id)
    assert [f["Name"] for f in caught.value.response["Fields"]] == ["companyInfo.companyName"]


def test_deleting_an_absent_value_succeeds_unless_configured_otherwise(sms, sms_simulator):
    registration_id = filled(sms)
    path = "messageSamples.messageSample3"
    answer = sms.delete_registration_field_value(RegistrationId=registration_id, FieldPath=path)
    assert "TextValue" not in answer
    sms_simulator.configure(delete_absent_value_error=True)
    with pytest.raises(ClientError) as caught:
        sms.delete_registration_field_value(RegistrationId=registration_id, FieldPath=path)
    assert aws_error(caught) == ("ValidationException", "REGISTRATION_FIELD_CANNOT_BE_DELETED")


def test_values_of_a_submitted_version_cannot_be_deleted(sms, sms_simulator):
    sms_simulator.configure(review_delay=100)
    registration_id = new_registration(sms, "ACMEUK")
    with pytest.raises(ClientError) as caught:
        sms.delete_registration_field_value(
            RegistrationId=registration_id, FieldPath="companyInfo.companyName"
        )
    assert aws_error(caught) == ("ConflictException", "EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED")


def test_an_unknown_field_cannot_be_deleted(sms):
    registration_id = filled(sms)
    with pytest.raises(ClientError) as caught:
        sms.delete_registration_field_value(RegistrationId=registration_id, FieldPath="company.shoeSize")
    assert aws_error(caught) == ("ValidationException", "UNKNOWN_REGISTRATION_FIELD")
