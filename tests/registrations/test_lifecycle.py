"""A registration from draft to active against the simulator, for India and Singapore, and the DENY path.

Steps run as the worker runs them (registration_start = the pipeline's step, registration_sync = the
task after a save, registrations_poll = the beat task); the simulator's clock is advanced, never slept.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from registrations import selectors
from registrations.models import Registration, RegistrationVersion
from registrations.services import aws, poller
from senderids.choices import Status
from tests.process_factories import approve_and_claim

from .conftest import INDIA_VALUES, PDF, SINGAPORE_VALUES, poll, save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

REVIEW = 100.0  # review delay: SUBMITTED until 20 s, REVIEWING until 80 s, COMPLETE at 100 s


def reload(request):
    request.refresh_from_db()
    return request


# --- India ------------------------------------------------------------------------------------------
def test_india_draft_submitted_before_approval_goes_to_aws_once_approved(sim, make_request):
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=True)
    assert sim.mutations() == []  # a local draft until approval

    aws.registration_start(request=approve_and_claim(request))

    assert reload(request).status == Status.REGISTRATION_SUBMITTED
    assert sim.count("CreateRegistration") == 1
    pushed = {c["params"]["FieldPath"] for c in sim.calls("PutRegistrationFieldValue")}
    assert pushed == {*INDIA_VALUES, "senderIdInfo.senderId"}
    assert sim.count("SubmitRegistrationVersion") == 1
    events = [(e.from_status, e.to_status) for e in request.events.all()][-2:]
    assert events == [
        (Status.SUBMITTING, Status.REGISTRATION_DRAFT),
        (Status.REGISTRATION_DRAFT, Status.REGISTRATION_SUBMITTED),
    ]


def test_india_reviewing_then_complete_makes_the_request_active(sim, make_request):
    sim.configure(review_delay=REVIEW)
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    registration = Registration.objects.get(request=request)

    sim.advance(30)
    report = poll()
    registration.refresh_from_db()
    assert registration.aws_status == "REVIEWING"
    assert reload(request).status == Status.REGISTRATION_SUBMITTED
    assert request.aws_status == "REVIEWING"
    assert report.changes

    sim.advance(REVIEW)
    poll()
    registration.refresh_from_db()
    assert registration.aws_status == "COMPLETE"
    assert registration.approved_version_number == 1
    assert reload(request).status == Status.ACTIVE
    assert request.aws_sender_id_arn.endswith("sender-id/EXMPLE/IN")
    # Associate on approval: the portal never asks for the sender ID itself.
    assert sim.count("RequestSenderId") == 0
    assert sim.count("DescribeSenderIds") >= 1
    assert RegistrationVersion.objects.get(registration=registration, version_number=1).status == "APPROVED"


def test_a_redelivered_start_never_creates_a_second_registration(sim, make_request):
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=False)
    approve_and_claim(request)
    registration = selectors.registration_for_request(request=request)
    # A first attempt reached AWS, then the worker died before recording the answer.
    sim.client().create_registration(
        RegistrationType="IN_SENDER_ID_REGISTRATION", ClientToken=str(registration.client_token)
    )

    aws.registration_start(request=request)

    assert len(sim.registrations()) == 1
    registration.refresh_from_db()
    assert registration.aws_registration_id in sim.registrations()
    assert reload(request).status == Status.REGISTRATION_DRAFT


def test_register_later_then_fill_and_submit(
    sim, make_request, sync_enqueued, django_capture_on_commit_callbacks
):
    request = make_request("IN", "EXMPLE", registration_choice="later")
    aws.registration_start(request=approve_and_claim(request))
    assert reload(request).status == Status.REGISTRATION_DRAFT
    # Only the sender ID (fixed by the request) was pushed.
    assert [c["params"]["FieldPath"] for c in sim.calls("PutRegistrationFieldValue")] == [
        "senderIdInfo.senderId"
    ]

    with django_capture_on_commit_callbacks(execute=True):
        registration = save(request, INDIA_VALUES, submit=True)
    assert sync_enqueued == [registration.pk]
    aws.registration_sync(registration_id=registration.pk)

    assert reload(request).status == Status.REGISTRATION_SUBMITTED
    assert sim.count("SubmitRegistrationVersion") == 1


def test_later_saves_push_only_changed_fields(sim, make_request, sync_enqueued):
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=False)
    aws.registration_start(request=approve_and_claim(request))
    before = sim.count("PutRegistrationFieldValue")

    registration = save(request, {**INDIA_VALUES, "companyInfo.companyName": "Renamed Corp"}, submit=False)
    aws.registration_sync(registration_id=registration.pk)

    puts = sim.calls("PutRegistrationFieldValue")[before:]
    assert [(c["params"]["FieldPath"], c["params"]["TextValue"]) for c in puts] == [
        ("companyInfo.companyName", "Renamed Corp")
    ]
    aws.registration_sync(registration_id=registration.pk)  # nothing changed: nothing sent
    assert sim.count("PutRegistrationFieldValue") == before + 1


def test_an_attachment_is_uploaded_once_and_referenced(sim, make_request):
    request = make_request("IN", "EXMPLE")
    proof = SimpleUploadedFile("brand.pdf", PDF)  # India's "Proof of sender ID connection"
    save(request, INDIA_VALUES, submit=True, files={"senderIdInfo.proofOfSenderIdConnection": proof})

    aws.registration_start(request=approve_and_claim(request))

    (upload,) = sim.calls("CreateRegistrationAttachment")
    assert upload["outcome"] == "ok"
    (put,) = [
        c for c in sim.calls("PutRegistrationFieldValue")
        if c["params"]["FieldPath"] == "senderIdInfo.proofOfSenderIdConnection"
    ]  # fmt: skip
    assert put["params"]["RegistrationAttachmentId"].startswith("attachment-")
    assert reload(request).status == Status.REGISTRATION_SUBMITTED


def test_an_incomplete_form_is_created_but_not_submitted(sim, make_request):
    request = make_request("IN", "EXMPLE")
    registration = save(request, {"companyInfo.companyName": "Half Done"}, submit=False)
    registration.submit_requested = True  # e.g. AWS added a required field since the owner submitted
    registration.save(update_fields=["submit_requested"])

    aws.registration_start(request=approve_and_claim(request))

    assert reload(request).status == Status.REGISTRATION_DRAFT
    assert sim.count("SubmitRegistrationVersion") == 0
    registration.refresh_from_db()
    assert "required fields are empty" in registration.last_error


# --- Singapore ---------------------------------------------------------------------------------------
def test_singapore_submitted_and_completed(sim, make_request):
    request = make_request("SG", "EXAMPLESG")
    save(request, SINGAPORE_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    assert reload(request).status == Status.REGISTRATION_SUBMITTED

    poll()  # review delay 0: already COMPLETE

    assert reload(request).status == Status.ACTIVE
    assert request.aws_status == "COMPLETE"


def test_singapore_deny_shows_reasons_and_a_new_version_is_approved(sim, make_request, sync_enqueued):
    sim.configure(review_delay=REVIEW)
    request = make_request("SG", "DENYSG")
    save(request, SINGAPORE_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    sim.advance(REVIEW)

    poll()

    assert reload(request).status == Status.REQUIRES_UPDATES
    registration = Registration.objects.get(request=request)
    assert registration.aws_status == "REQUIRES_UPDATES"
    assert registration.latest_denied_version_number == 1
    denied = RegistrationVersion.objects.get(registration=registration, version_number=1)
    assert denied.status == "DENIED"
    assert denied.denied_reasons[0]["reason"] == "SENDER_ID_NOT_PERMITTED"
    assert "could not be verified" in denied.feedback
    field = registration.field_values.get(field_path="senderIdInfo.senderId")
    assert field.denied_reason == "Sender ID not permitted"
    event = request.events.last()
    assert event.to_status == Status.REQUIRES_UPDATES
    assert "could not be linked to the company" in event.aws_message

    # The owner answers with a letter of authorization (optional on the form) and submits a new version.
    letter = SimpleUploadedFile("authorization.pdf", PDF)
    files = {"senderIdInfo.letterOfAuthorization": letter}
    registration = save(request, SINGAPORE_VALUES, submit=True, files=files)
    aws.registration_sync(registration_id=registration.pk)

    assert sim.count("CreateRegistrationVersion") == 1
    (put,) = [
        c for c in sim.calls("PutRegistrationFieldValue")
        if c["params"]["FieldPath"] == "senderIdInfo.letterOfAuthorization"
    ]  # fmt: skip
    assert put["params"]["RegistrationAttachmentId"].startswith("attachment-")
    assert sim.count("SubmitRegistrationVersion") == 2
    assert reload(request).status == Status.REGISTRATION_SUBMITTED
    registration.refresh_from_db()
    assert registration.current_version_number == 2

    sim.advance(REVIEW)
    poll()
    assert reload(request).status == Status.ACTIVE
    registration.refresh_from_db()
    assert registration.approved_version_number == 2


def test_a_resubmission_redelivered_creates_one_new_version(sim, make_request, sync_enqueued):
    request = make_request("SG", "DENYSG")
    save(request, SINGAPORE_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    poll()
    assert reload(request).status == Status.REQUIRES_UPDATES
    registration = save(request, SINGAPORE_VALUES, submit=True)
    # A first sync opened the version at AWS and died before recording it.
    sim.client().create_registration_version(RegistrationId=registration.aws_registration_id)

    aws.registration_sync(registration_id=registration.pk)

    assert sim.count("CreateRegistrationVersion") == 1
    assert reload(request).status == Status.REGISTRATION_SUBMITTED


# --- the poller ----------------------------------------------------------------------------------------
def test_a_poll_lists_in_pages_instead_of_asking_per_registration(sim, make_request):
    sim.configure(review_delay=REVIEW)
    for n in range(3):
        request = make_request("SG", f"SENDER{n}")
        save(request, SINGAPORE_VALUES, submit=True)
        aws.registration_start(request=approve_and_claim(request))
    sim.advance(30)  # all three REVIEWING
    poll()
    before = len(sim.calls())

    report = poll()  # nothing changed since

    calls = sim.calls()[before:]
    # Three due rows: one call for all of them. Asked by id (≤5 per call) because that costs no more
    # than the paged listing (≤100 per page); more due rows than 5 per page are read by the listing.
    assert [c["operation"] for c in calls] == ["DescribeRegistrations"]
    assert len(calls[0]["params"]["RegistrationIds"]) == 3
    assert report.looked_up == 3 and report.changes == []


def test_rows_polled_recently_are_not_processed_again(sim, make_request):
    sim.configure(review_delay=REVIEW)
    request = make_request("SG", "SENDER1")
    save(request, SINGAPORE_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    sim.advance(30)
    first = poller.registrations_poll(now=timezone.now())
    sim.advance(REVIEW)
    second = poller.registrations_poll(now=timezone.now())  # a parallel cycle: the row is not due
    assert first.changes and not second.changes
    assert request.events.filter(to_status=Status.REGISTRATION_SUBMITTED).count() == 1


def test_a_registration_that_left_review_is_looked_up_by_id(sim, make_request):
    sim.configure(review_delay=REVIEW)
    request = make_request("SG", "SENDER1")
    save(request, SINGAPORE_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    sim.advance(REVIEW)  # COMPLETE: no longer in the in-review listing
    before = len(sim.calls())

    poll()

    ops = [c["operation"] for c in sim.calls()[before:]]
    assert ops[0] == "DescribeRegistrations"
    by_id = [c for c in sim.calls("DescribeRegistrations") if "RegistrationIds" in c["params"]]
    assert by_id and by_id[-1]["params"]["RegistrationIds"] == [
        Registration.objects.get(request=request).aws_registration_id
    ]
    assert reload(request).status == Status.ACTIVE


def test_poll_without_open_registrations_calls_nothing(sim, make_request):
    report = poll()
    assert sim.operations() == []
    assert report.listed == 0
