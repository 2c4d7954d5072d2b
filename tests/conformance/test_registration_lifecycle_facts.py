"""AWS facts of a registration's life, each played to the portal by the simulator (switched to the
documented behaviour, or to each plausible one where AWS documents none) — one test per fact, its source
in the docstring: a registration CREATED again after submission, a discarded version,
REQUIRES_AUTHENTICATION, values cleared or no longer allowed, new versions that may or may not carry the
old values, AWS's pre-review, the registrations quota, Region-specific types, release of a registered
sender ID."""

from __future__ import annotations

import dataclasses

import pytest

from registrations.models import Registration
from registrations.services import aws, withdrawal
from senderids.choices import Status
from smsvoice import gateway as gateway_module
from tests.process_factories import approve_and_claim
from tests.registrations.conftest import INDIA_VALUES, poll, save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

REVIEW = 100.0


def reload(request):
    request.refresh_from_db()
    return request


def submitted_india_request(sim, make_request, sender_id: str = "EXMPLE"):
    sim.configure(review_delay=REVIEW)
    request = make_request("IN", sender_id)
    save(request, INDIA_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    assert reload(request).status == Status.REGISTRATION_SUBMITTED
    return request


def answer_created(monkeypatch, *, version_status: str) -> None:
    """AWS answers CREATED for every registration, and `version_status` for its versions."""
    real_describe = gateway_module.SmsVoiceGateway.describe_registrations
    real_versions = gateway_module.SmsVoiceGateway.describe_registration_versions

    def describe(self, **kwargs):
        for info in real_describe(self, **kwargs):
            yield dataclasses.replace(info, status="CREATED")

    def versions(self, **kwargs):
        return [dataclasses.replace(v, status=version_status) for v in real_versions(self, **kwargs)]

    monkeypatch.setattr(gateway_module.SmsVoiceGateway, "describe_registrations", describe)
    monkeypatch.setattr(gateway_module.SmsVoiceGateway, "describe_registration_versions", versions)


def test_a_submitted_registration_that_aws_reports_created_and_discarded_goes_back_to_draft(
    sim, make_request, monkeypatch
):
    """A discarded version leaves the registration CREATED ("you can discard a registration version only if
    it's status is Submitted").
    https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-discard.html"""
    request = submitted_india_request(sim, make_request)
    answer_created(monkeypatch, version_status="DISCARDED")

    report = poll()

    assert report.errors == []
    assert reload(request).status == Status.REGISTRATION_DRAFT
    event = request.events.last()
    assert (event.kind, event.from_status, event.to_status) == (
        "registration_back_to_draft",
        Status.REGISTRATION_SUBMITTED,
        Status.REGISTRATION_DRAFT,
    )
    assert "DISCARDED" in event.reason
    registration = Registration.objects.get(request=request)
    assert registration.submitted_version_number is None  # the owner can submit again
    # The next cycle has nothing left to complain about.
    assert poll().errors == []


def test_created_while_the_submitted_version_is_still_in_review_is_a_lag_not_a_draft(
    sim, make_request, monkeypatch
):
    """AWS's walkthrough shows CREATED right after SubmitRegistrationVersion while the version is in review.
    https://aws.amazon.com/blogs/messaging-and-targeting/automate-sender-id-registration-in-aws-end-user-messaging/"""
    request = submitted_india_request(sim, make_request)
    answer_created(monkeypatch, version_status="SUBMITTED")

    for _ in range(3):
        assert poll().errors == []
        assert reload(request).status == Status.REGISTRATION_SUBMITTED
    monkeypatch.undo()
    sim.advance(REVIEW * 2)
    poll()
    assert reload(request).status == Status.ACTIVE


# --- REQUIRES_AUTHENTICATION ---------------------------------------------------------------------------
def test_requires_authentication_asks_the_owner_to_act_on_the_page_and_by_email(
    sim, make_request, owner_client, definitions, mailoutbox, django_capture_on_commit_callbacks
):
    """REQUIRES_AUTHENTICATION: "you need to complete email authentication" before the review goes on.
    https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-status.html"""
    request = submitted_india_request(sim, make_request, sender_id="AUTHIN")
    sim.advance(REVIEW * 0.3)

    with django_capture_on_commit_callbacks(execute=True):
        assert poll().errors == []

    assert reload(request).status == Status.ACTION_REQUIRED
    assert request.aws_status == "REQUIRES_AUTHENTICATION"
    (message,) = [m for m in mailoutbox if "Action required" in m.subject]
    assert "AWS needs you to act" in message.body
    page = owner_client.get(f"/registrations/{request.pk}/").content.decode()
    assert 'id="action-required"' in page and "authentication step" in page

    # Once the owner has authenticated, the review goes on and ends as AWS decides.
    sim.authenticate(Registration.objects.get(request=request).aws_registration_id)
    sim.advance(REVIEW * 2)
    poll()
    assert reload(request).status == Status.ACTIVE


# --- pushing = making AWS's values equal to ours -----------------------------------------------------
def test_a_cleared_field_is_deleted_at_aws_and_never_sent_again(sim, make_request, sync_enqueued):
    """A value stays at AWS until DeleteRegistrationFieldValue removes it.
    https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_DeleteRegistrationFieldValue.html"""
    request = make_request("IN", "EXMPLE")
    save(request, {**INDIA_VALUES, "messageSamples.messageSample2": "Your code is 654321."}, submit=False)
    aws.registration_start(request=approve_and_claim(request))
    assert reload(request).status == Status.REGISTRATION_DRAFT

    save(request, {**INDIA_VALUES, "messageSamples.messageSample2": ""}, submit=True)
    aws.registration_sync(registration_id=Registration.objects.get(request=request).pk)

    deleted = [c["params"]["FieldPath"] for c in sim.calls("DeleteRegistrationFieldValue")]
    assert deleted == ["messageSamples.messageSample2"]
    assert reload(request).status == Status.REGISTRATION_SUBMITTED
    aws.registration_sync(registration_id=Registration.objects.get(request=request).pk)
    assert sim.count("DeleteRegistrationFieldValue") == 1


# --- a new version after a denial: with and without AWS copying the values ---------------------------
@pytest.mark.parametrize("copies", [True, False], ids=["aws-copies-values", "aws-starts-empty"])
def test_a_resubmission_after_a_denial_works_whether_or_not_aws_copies_the_values(
    sim, make_request, sync_enqueued, copies
):
    """After a denial a new version is opened (CreateRegistrationVersion); whether it copies the previous
    values is undocumented, so the portal reads them back and pushes what differs — both behaviours run.
    https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_CreateRegistrationVersion.html"""
    sim.configure(review_delay=REVIEW, copy_values_on_new_version=copies)
    request = make_request("IN", "DENYIN")
    save(request, INDIA_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    sim.advance(REVIEW * 2)
    poll()
    assert reload(request).status == Status.REQUIRES_UPDATES

    save(
        request,
        {**INDIA_VALUES, "messagingUseCase.useCaseDescription": "Login codes, reworded."},
        submit=True,
    )
    aws.registration_sync(registration_id=Registration.objects.get(request=request).pk)

    assert reload(request).status == Status.REGISTRATION_SUBMITTED
    assert sim.count("CreateRegistrationVersion") == 1
    # Read back, never assumed: the new version's values were compared with ours.
    assert sim.count("DescribeRegistrationFieldValues") >= 1
    sim.advance(REVIEW * 2)
    poll()
    assert reload(request).status == Status.ACTIVE


# --- the registrations quota ---------------------------------------------------------------------------
def test_a_registration_beyond_the_accounts_quota_is_refused_in_plain_words_before_aws_sees_it(
    sim, make_request
):
    """25 registrations per account and Region (raisable; DescribeAccountLimits tells the real figure).
    https://docs.aws.amazon.com/sms-voice/latest/userguide/quotas.html"""
    from senderids import lifecycle
    from senderids.events import Event
    from senderids.services.submission import sender_id_request_submit

    for n in range(25):
        aws.registration_start(request=approve_and_claim(make_request("IN", f"SID{chr(65 + n)}")))
    assert sim.count("CreateRegistration") == 25

    twenty_sixth = make_request("IN", "LAST")
    lifecycle.transition(twenty_sixth, Status.APPROVED, event=Event("approved", "test"))
    sender_id_request_submit(request_id=twenty_sixth.pk)

    twenty_sixth = reload(twenty_sixth)
    assert twenty_sixth.status == Status.FAILED
    assert "has reached its registration quota (25 registrations in ap-south-1)" in (
        twenty_sixth.aws_error_message
    )
    assert twenty_sixth.events.last().kind == "process_refused"
    assert sim.count("CreateRegistration") == 25  # the 26th never reached AWS


def test_a_registration_type_aws_does_not_offer_in_the_region_is_refused_in_plain_words(
    sim, make_request, settings
):
    """Registration types are per Region (India's form only in ap-south-1 / ap-south-2).
    https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid-india-support.html"""
    from smsvoice.gateway import reset_gateway

    settings.AWS_REGION = "eu-west-1"  # India's form exists only in ap-south-1 / ap-south-2
    reset_gateway()
    request = make_request("IN", "EXMPLE")
    from senderids import lifecycle
    from senderids.events import Event
    from senderids.services.submission import sender_id_request_submit

    lifecycle.transition(request, Status.APPROVED, event=Event("approved", "test"))
    sender_id_request_submit(request_id=request.pk)

    request = reload(request)
    assert request.status == Status.FAILED
    assert "does not offer the registration form IN_SENDER_ID_REGISTRATION in eu-west-1" in (
        request.aws_error_message
    )
    assert sim.count("CreateRegistration") == 0


# --- discarding a version ------------------------------------------------------------------------------
def test_the_owner_discards_the_submitted_version_and_gets_an_editable_draft(
    sim, make_request, owner_client, definitions, sent_tasks, django_capture_on_commit_callbacks
):
    """DiscardRegistrationVersion withdraws the submitted version so it can be changed and submitted again.
    https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_DiscardRegistrationVersion.html"""
    request = submitted_india_request(sim, make_request)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/registrations/{request.pk}/discard/")
    assert response.status_code == 302
    (registration_pk,) = sent_tasks["registrations.tasks.discard_registration_version"]

    withdrawal.registration_discard(registration_id=registration_pk)

    assert reload(request).status == Status.REGISTRATION_DRAFT
    assert request.events.last().kind == "registration_discarded"
    assert sim.count("DiscardRegistrationVersion") == 1
    page = owner_client.get(f"/registrations/{request.pk}/").content.decode()
    assert 'id="submit-registration"' in page  # editable again
    # Submitting again sends a new version.
    save(request, INDIA_VALUES, submit=True)
    aws.registration_sync(registration_id=registration_pk)
    assert reload(request).status == Status.REGISTRATION_SUBMITTED


def test_a_stranger_cannot_discard_and_nothing_reaches_aws(sim, make_request, client, stranger):
    """(Portal rule on the same AWS operation: only the owner may withdraw a version.)
    https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_DiscardRegistrationVersion.html"""
    request = submitted_india_request(sim, make_request)
    client.force_login(stranger)
    assert client.post(f"/registrations/{request.pk}/discard/").status_code == 404
    assert sim.count("DiscardRegistrationVersion") == 0


# --- release of a registered sender ID -----------------------------------------------------------------
def test_releasing_a_registered_sender_id_deletes_its_closed_registration(
    sim, make_request, sent_tasks, django_capture_on_commit_callbacks
):
    """Releasing a registered sender ID closes its registration: "you must also delete the registration".
    https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-delete.html"""
    from senderids.services.release import sender_id_request_release, sender_id_request_release_execute

    request = submitted_india_request(sim, make_request)
    sim.advance(REVIEW * 2)
    poll()
    request = reload(request)
    assert request.status == Status.ACTIVE

    sender_id_request_release(request=request, actor=request.owner)
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_release_execute(request_id=request.pk)
    assert reload(request).status == Status.RELEASED
    (registration_pk,) = sent_tasks["registrations.tasks.delete_registration"]

    withdrawal.registration_delete(registration_id=registration_pk)
    withdrawal.registration_delete(registration_id=registration_pk)  # a redelivery changes nothing

    registration = Registration.objects.get(pk=registration_pk)
    assert registration.aws_status == "DELETED"
    assert sim.count("DeleteRegistration") == 1
    assert sim.registrations()[registration.aws_registration_id]["deleted_at"]  # deleted at AWS
    assert request.events.filter(kind="registration_deleted").count() == 1


# --- CONDITIONAL fields that become DISALLOWED ---------------------------------------------------------
INDONESIA_VALUES = {
    **{k: v for k, v in INDIA_VALUES.items() if not k.startswith("inSidSpecificInfo")},
    "companyInfo.companyName": "PT Contoh Indonesia",
    "companyAddress.city": "Jakarta",
    "companyAddress.isoCountryCode": "ID",
}
LOCAL_DOCUMENTS = (
    "idSidSpecificInfo.letterOfAuthorization1",
    "idSidSpecificInfo.letterOfAuthorization2",
    "idSidSpecificInfo.letterOfAuthorization4",
    "idSidSpecificInfo.nomorPokokWajibPajakDocument",
    "idSidSpecificInfo.nomorIndukBerusahaDocument",
)


def test_a_conditional_attachment_no_longer_allowed_is_deleted_at_aws_and_the_submission_succeeds(
    sim, make_request, sync_enqueued
):
    """ConditionalBehavior: a field whose rule resolves to DISALLOWED must have no value (botocore 1.44.8
    model, ConditionalRule.RuleBehavior). https://pypi.org/project/botocore/1.44.8/"""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.registrations.conftest import PDF

    sim.configure(conditional_rules=True)
    request = make_request("ID", "CONTOH")
    files = {
        path: SimpleUploadedFile(f"{path.rsplit('.', 1)[1]}.pdf", PDF)
        for path in (*LOCAL_DOCUMENTS, "idSidSpecificInfo.letterOfAuthorization3")
    }
    save(request, INDONESIA_VALUES, submit=False, files=files)
    aws.registration_start(request=approve_and_claim(request))
    assert reload(request).status == Status.REGISTRATION_DRAFT
    assert {c["params"]["FieldPath"] for c in sim.calls("PutRegistrationFieldValue")} >= set(LOCAL_DOCUMENTS)

    # The company turns out to be registered in Singapore: the local documents are now DISALLOWED.
    save(request, {**INDONESIA_VALUES, "companyAddress.isoCountryCode": "SG"}, submit=True)
    aws.registration_sync(registration_id=Registration.objects.get(request=request).pk)

    deleted = {c["params"]["FieldPath"] for c in sim.calls("DeleteRegistrationFieldValue")}
    assert deleted == set(LOCAL_DOCUMENTS)
    assert reload(request).status == Status.REGISTRATION_SUBMITTED  # AWS accepted the submission


# --- AWS's pre-review (AwsReview) ----------------------------------------------------------------------
def test_asking_for_awss_pre_review_shows_its_feedback_next_to_the_fields(
    sim, make_request, owner_client, definitions
):
    """SubmitRegistrationVersion AwsReview: AWS reviews first (AWS_REVIEWING) and leaves Feedback per field.
    https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_SubmitRegistrationVersion.html"""
    sim.configure(review_delay=REVIEW)
    request = make_request("IN", "EXMPLE")
    short_opt_in = {**INDIA_VALUES, "messagingUseCase.optInDescription": "At sign-up."}
    registration = Registration.objects.get(request=request)
    from registrations.definitions import get_definition
    from registrations.services import draft
    from tests.registrations.conftest import inputs

    draft.registration_save(
        registration=registration,
        definition=get_definition(registration.registration_type),
        inputs=inputs(short_opt_in),
        submit=True,
        actor=request.owner,
        aws_review=True,
    )
    aws.registration_start(request=approve_and_claim(request))
    (submitted,) = sim.calls("SubmitRegistrationVersion")
    assert submitted["params"].get("AwsReview") is True
    assert Registration.objects.get(request=request).aws_status == "AWS_REVIEWING"

    sim.advance(REVIEW * 0.2)
    assert poll().errors == []

    assert reload(request).status == Status.REGISTRATION_DRAFT
    assert request.events.last().kind == "registration_pre_review_feedback"
    page = owner_client.get(f"/registrations/{request.pk}/").content.decode()
    opt_in_box = page[page.index('data-field-path="messagingUseCase.optInDescription"') :][:3000]
    assert "Feedback:" in opt_in_box and "opt-in" in opt_in_box


def test_a_revoked_registration_fails_the_request_and_support_staff_are_emailed(
    sim, make_request, monkeypatch, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    """RegistrationVersionStatus REVOKED: AWS withdrew an approval; the registration is then CLOSED.
    https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_RegistrationVersionInformation.html"""
    from django.contrib.auth.models import Group

    support = django_user_model.objects.create_user("sam2", "sam2@portal.example", "x", is_staff=True)
    support.groups.add(Group.objects.get_or_create(name="Support staff")[0])
    request = submitted_india_request(sim, make_request)
    real_describe = gateway_module.SmsVoiceGateway.describe_registrations
    real_versions = gateway_module.SmsVoiceGateway.describe_registration_versions

    def closed(self, **kwargs):
        for info in real_describe(self, **kwargs):
            yield dataclasses.replace(info, status="CLOSED")

    def revoked(self, **kwargs):
        return [dataclasses.replace(v, status="REVOKED") for v in real_versions(self, **kwargs)]

    monkeypatch.setattr(gateway_module.SmsVoiceGateway, "describe_registrations", closed)
    monkeypatch.setattr(gateway_module.SmsVoiceGateway, "describe_registration_versions", revoked)
    with django_capture_on_commit_callbacks(execute=True):
        assert poll().errors == []

    assert reload(request).status == Status.FAILED
    assert request.events.last().kind == "registration_revoked"
    alerts = [m for m in mailoutbox if m.to == ["sam2@portal.example"]]
    assert len(alerts) == 1 and "Needs support staff" in alerts[0].subject
