"""/registrations/<id>/: who may see it, the form built from the cached definitions, draft save, submit,
errors; a GET that only reads; the page while the definitions are being fetched."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import Registration, RegistrationDefinition, RegistrationFieldValue
from registrations.services import aws, poller
from registrations.tasks import refresh_registration_definition
from senderids import lifecycle
from senderids.choices import Status
from senderids.events import Event
from tests.process_factories import approve_and_claim

from .conftest import INDIA_VALUES, PDF, REFRESH_TASK, SINGAPORE_VALUES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


# India's only attachment field (India has no letter of authorization).
PROOF = "senderIdInfo.proofOfSenderIdConnection"


def url(request) -> str:
    return reverse("registrations:detail", kwargs={"pk": request.pk})


def test_anonymous_users_are_sent_to_login(client, sim, make_request):
    response = client.get(url(make_request("IN")))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_stranger_gets_404(client, sim, make_request, stranger):
    client.force_login(stranger)
    assert client.get(url(make_request("IN"))).status_code == 404


def test_an_unknown_request_is_404(owner_client, sim):
    assert owner_client.get("/registrations/999999/").status_code == 404


def test_a_supported_country_request_has_no_registration_page(owner_client, sim, owner):
    from tests.factories import SenderIdRequestFactory

    request = SenderIdRequestFactory(owner=owner)
    assert owner_client.get(url(request)).status_code == 404


def test_a_support_case_request_redirects_to_its_support_case_page(owner_client, make_request):
    request = make_request("VN", "ACMEVN", registration_form_name="")
    response = owner_client.get(url(request))
    assert response.status_code == 302
    assert response["Location"] == reverse("supportcases:detail", kwargs={"pk": request.pk})
    assert response["Location"] == f"/support-cases/{request.pk}/"


def test_the_owner_sees_the_india_form_built_from_definitions(owner_client, sim, definitions, make_request):
    response = owner_client.get(url(make_request("IN", "EXMPLE")))
    assert response.status_code == 200
    body = response.content.decode()
    assert "India specific info" in body  # a section (fieldset) from AWS
    assert 'name="inSidSpecificInfo.principalEntityId"' in body
    assert 'name="inSidSpecificInfo.chainId5"' in body and "inSidSpecificInfo.chainId4" not in body
    assert "Chain ID: Infobip India Private Limited" in body  # the field's title from AWS as label
    # India's upload: the proof of sender ID connection (no letter of authorization), with its help text.
    assert 'type="file" name="senderIdInfo.proofOfSenderIdConnection"' in body
    assert "senderIdInfo.letterOfAuthorization" not in body
    proof = body[body.index('data-field-path="senderIdInfo.proofOfSenderIdConnection"') :]
    assert "(optional)" in proof[: proof.index("</label>")]
    assert "PDF, PNG or JPEG, at most 500 KB." in proof[: proof.index("</div>")]
    assert 'id="save-draft"' in body and 'id="submit-registration"' in body
    assert "waiting for approval" in body


def test_staff_see_the_form_read_only_and_cannot_post(client, sim, definitions, make_request, staff_user):
    request = make_request("IN", "EXMPLE")
    client.force_login(staff_user)
    response = client.get(url(request))
    assert response.status_code == 200
    assert 'id="submit-registration"' not in response.content.decode()
    assert client.post(url(request), {"action": "save"}).status_code == 403


def test_saving_a_draft_stores_values_locally_and_calls_no_aws(owner_client, sim, definitions, make_request):
    request = make_request("IN", "EXMPLE")
    response = owner_client.post(url(request), {"companyInfo.companyName": "Example Corp", "action": "save"})
    assert response.status_code == 302
    assert (
        RegistrationFieldValue.objects.get(field_path="companyInfo.companyName").text_value == "Example Corp"
    )
    assert sim.mutations() == []
    page = owner_client.get(url(request)).content.decode()
    assert "Draft saved." in page and 'value="Example Corp"' in page


def test_submit_before_approval_records_the_intent(owner_client, sim, definitions, make_request):
    request = make_request("IN", "EXMPLE")
    response = owner_client.post(url(request), {**INDIA_VALUES, "action": "submit"})
    assert response.status_code == 302
    registration = Registration.objects.get(request=request)
    assert registration.submit_requested
    assert sim.mutations() == []
    assert (
        "submitted to AWS as soon as your request is approved"
        in owner_client.get(url(request)).content.decode()
    )


def test_submit_of_an_incomplete_form_shows_required_errors(owner_client, sim, definitions, make_request):
    request = make_request("IN", "EXMPLE")
    response = owner_client.post(url(request), {"companyInfo.companyName": "Example", "action": "submit"})
    assert response.status_code == 200  # the form again, with its errors
    assert "This field is required to submit." in response.content.decode()
    assert not Registration.objects.get(request=request).submit_requested


@pytest.mark.parametrize(
    ("data", "files", "message"),
    [
        ({"messageSamples.messageSample1": "x" * 400}, {}, "Enter 1 to 306 characters. You entered 400."),
        ({"messagingUseCase.useCaseCategory": "Free money"}, {}, "Select a valid choice"),
        ({"companyInfo.notAField": "x"}, {}, "is not a field of this registration form"),
        (
            {},
            {PROOF: ("proof.pdf", b"GIF89a fake")},
            "Upload a PDF, PNG or JPEG",
        ),
        (
            {},
            # 501 KB: one KB over what AWS accepts (CreateRegistrationAttachment: "500KB").
            {PROOF: ("proof.pdf", PDF + b"0" * (501 * 1024 - len(PDF)))},
            "AWS accepts files of at most 500.0\xa0KB",
        ),
        (
            # Otherwise complete: the only refusal is the blank name (AWS's pattern is non-blank).
            {**INDIA_VALUES, "companyInfo.companyName": "   ", "action": "submit"},
            {},
            "This field is required to submit.",
        ),
    ],
    ids=[
        "oversized-text",
        "wrong-option",
        "unknown-field-path",
        "wrong-file-type",
        "file-too-large",
        "whitespace-only-required-text",
    ],
)
def test_bad_input_is_a_field_error_and_nothing_reaches_aws(
    owner_client, sim, definitions, make_request, sync_enqueued, data, files, message
):
    request = make_request("IN", "EXMPLE")
    approve_and_claim(request)
    aws.registration_start(request=request)  # exists at AWS: a valid save would push
    before = sim.mutations()
    uploads = {name: SimpleUploadedFile(*spec) for name, spec in files.items()}

    response = owner_client.post(url(request), {"action": "save", **data, **uploads})

    assert response.status_code == 200  # the form again, with its errors
    assert message in response.content.decode()
    assert not Registration.objects.get(request=request).submit_requested
    assert sim.mutations() == before
    assert sync_enqueued == []
    assert not RegistrationFieldValue.objects.exclude(field_path="senderIdInfo.senderId").exists()


def test_a_save_after_creation_enqueues_the_push(
    owner_client, sim, definitions, make_request, sync_enqueued, django_capture_on_commit_callbacks
):
    request = make_request("IN", "EXMPLE")
    approve_and_claim(request)
    aws.registration_start(request=request)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            url(request), {"companyInfo.companyName": "Example Corp", "action": "save"}
        )
    assert response.status_code == 302
    registration = Registration.objects.get(request=request)
    assert sync_enqueued == [registration.pk]


def test_denial_reasons_are_shown_next_to_the_fields(
    owner_client, sim, definitions, make_request, sync_enqueued
):
    request = make_request("SG", "DENYSG")
    owner_client.post(url(request), {**SINGAPORE_VALUES, "action": "submit"})
    approve_and_claim(request)
    aws.registration_start(request=request)
    poller.registrations_poll()
    request.refresh_from_db()
    assert request.status == Status.REQUIRES_UPDATES

    body = owner_client.get(url(request)).content.decode()

    assert 'id="denied-reasons"' in body
    assert "The sender ID could not be linked to the company." in body
    field_html = body[body.index('data-field-path="senderIdInfo.senderId"') :]
    field_html = field_html[: field_html.index("</div>", field_html.index("Denied:")) + 6]
    assert "Sender ID not permitted" in field_html
    assert "Submit new version" in body


def test_waiting_on_aws_shows_progress(owner_client, sim, definitions, make_request):
    sim.configure(review_delay=100)
    request = make_request("SG", "EXAMPLESG")
    owner_client.post(url(request), {**SINGAPORE_VALUES, "action": "submit"})
    approve_and_claim(request)
    aws.registration_start(request=request)

    body = owner_client.get(url(request)).content.decode()

    assert 'id="waiting"' in body and "AWS is reviewing your registration" in body
    assert 'aria-current="step"' in body
    assert 'id="submit-registration"' not in body  # read-only while AWS reviews
    status = owner_client.get(reverse("registrations:status", kwargs={"pk": request.pk})).json()
    assert status["status"] == Status.REGISTRATION_SUBMITTED


def test_an_attachment_upload_is_kept_and_shown(owner_client, sim, definitions, make_request):
    request = make_request("IN", "EXMPLE")
    proof = SimpleUploadedFile("brand-letter.pdf", PDF)
    response = owner_client.post(url(request), {"action": "save", PROOF: proof})
    assert response.status_code == 302
    body = owner_client.get(url(request)).content.decode()
    assert "Current file: brand-letter.pdf" in body
    # Saving again without a new file keeps it.
    owner_client.post(url(request), {"action": "save", "companyInfo.companyName": "X"})
    assert RegistrationFieldValue.objects.get(field_path=PROOF).attachment
    assert "Current file: brand-letter.pdf" in owner_client.get(url(request)).content.decode()


def test_the_form_cannot_be_changed_while_aws_reviews(owner_client, sim, definitions, make_request):
    sim.configure(review_delay=100)
    request = make_request("SG", "EXAMPLESG")
    owner_client.post(url(request), {**SINGAPORE_VALUES, "action": "submit"})
    approve_and_claim(request)
    aws.registration_start(request=request)
    response = owner_client.post(url(request), {"companyInfo.companyName": "Changed", "action": "save"})
    assert response.status_code == 302
    assert RegistrationFieldValue.objects.get(field_path="companyInfo.companyName").text_value != "Changed"


def test_a_rejected_request_shows_the_form_read_only(owner_client, sim, definitions, make_request):
    request = make_request("IN", "EXMPLE")
    lifecycle.transition(request, Status.REJECTED, event=Event("rejected", "admin", "no"))
    body = owner_client.get(url(request)).content.decode()
    assert 'id="save-draft"' not in body


# --- a GET only reads ----------------------------------------------------------------------------------
WRITE_SQL = ("INSERT", "UPDATE", "DELETE")


def test_a_get_of_the_form_writes_no_row_and_calls_no_aws(owner_client, sim, definitions, make_request):
    request = make_request("IN", "EXMPLE")
    before = sim.operations()

    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(url(request))

    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(WRITE_SQL) and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert sim.operations() == before


def test_without_cached_definitions_the_page_says_the_form_is_being_fetched(
    owner_client, sim, make_request, sent_tasks, django_capture_on_commit_callbacks
):
    request = make_request("IN", "EXMPLE")
    sent_tasks[REFRESH_TASK].clear()  # what the request's creation asked for is not this test's

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.get(url(request))

    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.content.decode()
    assert 'id="definition-pending"' in body and "being fetched from AWS" in body
    assert 'http-equiv="refresh"' in body  # the page comes back by itself
    assert sim.operations() == []  # the page never calls AWS
    assert not RegistrationDefinition.objects.exists()
    assert sent_tasks[REFRESH_TASK] == []  # a GET writes nothing, not even an outbox row


def test_a_missing_definition_is_fetched_again_by_beat_within_minutes(
    sim, make_request, sent_tasks, django_capture_on_commit_callbacks
):
    from registrations.tasks import refresh_missing_registration_definitions

    make_request("IN", "EXMPLE")  # its creation's fetch "failed": nothing is cached
    sent_tasks[REFRESH_TASK].clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_missing_registration_definitions.apply().get() == 1
    assert sent_tasks[REFRESH_TASK] == ["IN_SENDER_ID_REGISTRATION"]


def test_once_the_refresh_task_ran_the_page_shows_the_form(owner_client, sim, make_request):
    request = make_request("IN", "EXMPLE")
    assert owner_client.get(url(request)).status_code == 503

    refresh_registration_definition.apply(args=("IN_SENDER_ID_REGISTRATION",))

    response = owner_client.get(url(request))
    assert response.status_code == 200
    assert 'name="inSidSpecificInfo.principalEntityId"' in response.content.decode()


def test_a_refresh_of_a_cached_type_calls_no_aws_unless_forced(sim, definitions):
    before = sim.count("DescribeRegistrationFieldDefinitions")
    refresh_registration_definition.apply(args=("IN_SENDER_ID_REGISTRATION",))
    assert sim.count("DescribeRegistrationFieldDefinitions") == before
    refresh_registration_definition.apply(args=("IN_SENDER_ID_REGISTRATION",), kwargs={"force": True})
    assert sim.count("DescribeRegistrationFieldDefinitions") == before + 1


def test_a_registration_request_without_its_row_has_no_form_page(
    owner_client, sim, definitions, owner, countries
):
    from tests.factories import SenderIdRequestFactory

    request = SenderIdRequestFactory(owner=owner, country=countries["IN"], sender_id="NOROW")
    assert owner_client.get(url(request)).status_code == 404
    assert not Registration.objects.filter(request=request).exists()  # and the GET did not make one
