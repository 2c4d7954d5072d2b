"""api mode against moto's AWS Support server: CreateCase once (whatever is redelivered), only with the
codes check_aws confirmed, documents attached, the case followed to resolved, AWS's messages shown and
the team's answers sent; staff confirm."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from senderids import lifecycle
from senderids.choices import Status
from senderids.events import Event
from senderids.services.submission import sender_id_request_submit
from senderids.wizard.support_case import support_case_rows
from smsvoice.gateway import get_gateway
from supportcases import services
from supportcases.models import CaseState, Delivery, Direction, SupportCase, SupportCaseDocument
from supportcases.services.opening import NOT_CONFIRMED_CODE
from supportcases.services.replies import SEND_ANSWER_TASK
from tests.process_factories import approve_and_claim

from . import moto_ext
from .conftest import DETAILS
from .helpers import case_url, open_case, poll, poll_until_settled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher", "api_mode")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def all_cases(moto_support) -> list[dict]:
    return moto_support.client().describe_cases(includeResolvedCases=True, includeCommunications=True)[
        "cases"
    ]


def test_opening_a_case_sends_every_detail_and_moves_the_request(moto_support, vn_request):
    case = open_case(vn_request)

    assert vn_request.status == Status.SUPPORT_CASE_OPEN
    assert (case.mode, case.state, case.language) == ("api", CaseState.OPEN, "ja")
    (aws_case,) = all_cases(moto_support)
    assert aws_case["caseId"] == case.case_id
    assert aws_case["subject"].startswith("Sender ID Registration: ACMEVN (VN)")
    assert (aws_case["serviceCode"], aws_case["categoryCode"]) == (
        "service-limit-increase",
        "service-code-pinpoint-sms",
    )
    assert aws_case["language"] == "ja"
    body = aws_case["recentCommunications"]["communications"][0]["body"]
    with translation.override("ja"):  # the case's language (the portal has no Japanese: Django's words only)
        rows = support_case_rows(DETAILS)
    assert len(rows) == len(DETAILS)
    for label, value in rows:  # every field, labelled as in the wizard, choices by their label
        assert f"{label}: {value}" in body
    assert "Link to the site or app that sends the messages: https://example.com/app" in body
    assert "Preferred contact language: 日本語" in body
    assert "resource type Sender ID Registration, quota Transactional/Notifications/OTP/2FA" in body
    assert vn_request.events.last().reason == f"AWS Support case {case.case_id} opened."


def test_running_the_submission_twice_opens_one_case(moto_support, vn_request):
    lifecycle.transition(vn_request, Status.APPROVED, event=Event("approved", "test-approver"))

    sender_id_request_submit(request_id=vn_request.pk)
    sender_id_request_submit(request_id=vn_request.pk)

    assert len(all_cases(moto_support)) == 1
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_OPEN
    assert vn_request.events.filter(kind="support_case_opened").count() == 1


def test_a_redelivery_after_a_crash_finds_the_case_instead_of_opening_another(moto_support, vn_request):
    approve_and_claim(vn_request)
    case = SupportCase.objects.create(request=vn_request)
    # The first attempt opened the case at AWS and died before storing its id.
    case_id = get_gateway().create_case(
        subject=services.support_case_subject(vn_request, str(case.marker)),
        communication_body="first attempt",
        service_code="service-limit-increase",
        category_code="service-code-pinpoint-sms",
    )
    SupportCase.objects.filter(pk=case.pk).update(create_attempted_at=timezone.now())

    services.support_case_open(request=vn_request)

    assert len(all_cases(moto_support)) == 1
    assert SupportCase.objects.get(pk=case.pk).case_id == case_id
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_OPEN


def test_a_stored_case_id_is_reused(moto_support, vn_request):
    approve_and_claim(vn_request)
    SupportCase.objects.create(request=vn_request, case_id="case-already-open", status="opened")
    services.support_case_open(request=vn_request)
    assert all_cases(moto_support) == []


def test_api_mode_without_confirmed_codes_fails_the_request_saying_what_to_check(
    moto_support, vn_request, api_mode
):
    api_mode.delete()
    lifecycle.transition(vn_request, Status.APPROVED, event=Event("approved", "test-approver"))

    sender_id_request_submit(request_id=vn_request.pk)

    vn_request.refresh_from_db()
    assert (vn_request.status, vn_request.aws_error_code) == (Status.FAILED, NOT_CONFIRMED_CODE)
    assert "manage.py check_aws" in vn_request.aws_error_message
    assert all_cases(moto_support) == []


def test_codes_confirmed_for_other_codes_do_not_count(moto_support, vn_request, settings):
    settings.SUPPORT_CASE_CATEGORY_CODE = "sender-id-registration"  # appears in no source
    lifecycle.transition(vn_request, Status.APPROVED, event=Event("approved", "test-approver"))
    sender_id_request_submit(request_id=vn_request.pk)
    vn_request.refresh_from_db()
    assert vn_request.aws_error_code == NOT_CONFIRMED_CODE
    assert all_cases(moto_support) == []


def test_the_poller_follows_a_case_to_resolved(moto_support, vn_request):
    case = open_case(vn_request)
    report = poll(timezone.now())
    vn_request.refresh_from_db()
    assert (vn_request.status, report.listed) == (Status.SUPPORT_CASE_OPEN, 1)

    moto_support.resolve_case(case.case_id)
    poll_until_settled(timezone.now() + timezone.timedelta(hours=1))

    vn_request.refresh_from_db()
    assert (vn_request.status, vn_request.aws_status) == (Status.SUPPORT_CASE_RESOLVED, "resolved")
    case.refresh_from_db()
    assert (case.state, case.status) == (CaseState.RESOLVED, "resolved") and case.resolved_at
    assert vn_request.events.filter(kind="support_case_resolved").count() == 1


def test_aws_messages_are_shown_newest_first_and_the_reply_it_waits_for(
    owner_client, moto_support, support_api_extension, vn_request
):
    case = open_case(vn_request)
    support_api_extension.aws_says(case.case_id, "Thank you, we are looking into it.")
    support_api_extension.aws_says(case.case_id, "Please send the letter of authorization.")
    moto_ext.set_case_status(case.case_id, "pending-customer-action")
    poll_until_settled()

    case.refresh_from_db()
    assert case.state == CaseState.CUSTOMER_ACTION
    messages = list(case.communications.order_by("-time_created", "-pk"))
    assert [m.body for m in messages] == [
        "Please send the letter of authorization.",
        "Thank you, we are looking into it.",
    ]  # the case text itself is not repeated as a message
    assert all(m.direction == Direction.FROM_AWS for m in messages)
    page = owner_client.get(case_url(vn_request)).content.decode()
    assert "AWS is waiting for your reply" in page
    assert page.index("Please send the letter") < page.index("Thank you, we are looking")
    assert 'id="last-aws-message">Please send the letter of authorization.' in page
    assert "pending-customer-action" not in page  # the raw status is for staff


def test_documents_go_to_the_case_through_add_attachments_to_set(
    owner_client, moto_support, support_api_extension, vn_request
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("loa.pdf", PDF, content_type="application/pdf")
    assert owner_client.post(case_url(vn_request, "documents"), {"document": upload}).status_code == 302
    assert SupportCaseDocument.objects.filter(request=vn_request).count() == 1

    case = open_case(vn_request)

    ((set_id, files),) = support_api_extension.attachment_sets.items()
    assert files == [("loa.pdf", PDF)]
    assert support_api_extension.backend().cases[case.case_id].attachment_set_id == set_id


def test_the_owners_answer_goes_through_add_communication_to_case(
    owner_client,
    moto_support,
    support_api_extension,
    vn_request,
    sent_tasks,
    django_capture_on_commit_callbacks,
):
    case = open_case(vn_request)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(case_url(vn_request, "answer"), {"body": "Attached: our letter."})
    assert response.status_code == 302
    (answer,) = case.communications.all()
    assert (answer.direction, answer.delivery) == (Direction.TO_AWS, Delivery.QUEUED)
    assert sent_tasks[SEND_ANSWER_TASK] == [answer.pk]

    assert services.support_case_answer_send(communication_id=answer.pk) is True
    assert (
        services.support_case_answer_send(communication_id=answer.pk) is False
    )  # a redelivery sends nothing

    assert support_api_extension.answers == [(case.case_id, "Attached: our letter.")]
    answer.refresh_from_db()
    assert answer.delivery == Delivery.SENT
    poll(timezone.now())  # AWS lists the answer back: it is the same message, not a second one
    assert case.communications.count() == 1


def test_an_answer_aws_cannot_take_now_is_retried_and_one_it_refuses_is_marked_failed(
    owner_client, moto_support, vn_request
):
    from smsvoice.errors import RetryableAwsError

    case = open_case(vn_request)
    owner_client.post(case_url(vn_request, "answer"), {"body": "Here it is."})
    answer = case.communications.get()
    with pytest.raises(RetryableAwsError):  # plain moto: HTTP 500, AddCommunicationToCase not implemented
        services.support_case_answer_send(communication_id=answer.pk)
    answer.refresh_from_db()
    assert answer.delivery == Delivery.QUEUED  # given back for the retry

    services.support_case_answer_gave_up(communication_id=answer.pk, message="InternalServerError: boom")
    answer.refresh_from_db()
    assert (answer.delivery, answer.error) == (Delivery.FAILED, "InternalServerError: boom")


def _resolved(moto_support, vn_request) -> SupportCase:
    case = open_case(vn_request)
    moto_support.resolve_case(case.case_id)
    poll_until_settled()
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_RESOLVED
    return case


def test_staff_who_may_confirm_confirm_a_resolved_case_and_the_request_is_active(
    client, moto_support, vn_request, confirmer
):
    case = _resolved(moto_support, vn_request)
    client.force_login(confirmer)
    page = client.get(case_url(vn_request)).content.decode()
    assert 'id="confirm-support-case"' in page and case.case_id in page

    response = client.post(case_url(vn_request, "confirm"))

    assert response.status_code == 302
    vn_request.refresh_from_db()
    assert vn_request.status == Status.ACTIVE
    assert vn_request.events.last().actor == confirmer
    case.refresh_from_db()
    assert case.confirmed_by == confirmer


def test_the_owner_cannot_confirm(owner_client, moto_support, vn_request):
    _resolved(moto_support, vn_request)
    page = owner_client.get(case_url(vn_request)).content.decode()
    assert 'id="confirm-support-case"' not in page
    assert owner_client.post(case_url(vn_request, "confirm")).status_code == 404
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_RESOLVED


def test_an_open_case_cannot_be_confirmed(client, moto_support, vn_request, confirmer):
    open_case(vn_request)
    client.force_login(confirmer)
    client.post(case_url(vn_request, "confirm"))
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_OPEN


def test_admins_confirm_from_the_support_case_admin(client, moto_support, vn_request, admin_user_):
    case = _resolved(moto_support, vn_request)
    client.force_login(admin_user_)
    response = client.post(
        reverse("admin:supportcases_supportcase_changelist"),
        {"action": "confirm_support_cases", "_selected_action": [case.pk]},
    )
    assert response.status_code == 302
    vn_request.refresh_from_db()
    assert vn_request.status == Status.ACTIVE
