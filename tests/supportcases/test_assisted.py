"""assisted mode (the default) end to end, with no Support API reachable at all (every AWS endpoint is a
closed port): the case is prepared exactly as the Support Center form asks for it, staff copy it, open it
in the console and record its id, then set its state by hand; the team answers through staff; staff
confirm → active. And: refused → failed with the reason, retried with a new case; an assisted case is
followed with DescribeCases once check_aws found the Support API."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone, translation

from senderids import events, lifecycle
from senderids.choices import Status
from senderids.wizard.support_case import support_case_rows
from smsvoice.models import AwsCall
from supportcases import services
from supportcases.models import CaseState, Delivery, Direction, SupportCase, SupportCaseMode
from supportcases.services.states import REPLY_NEEDED_EMAIL_TASK
from tests.process_factories import SupportCaseRequestFactory

from .conftest import DETAILS, confirm_support_api
from .helpers import case_url, open_case, owner_emails, poll, poll_until_settled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher", "assisted_mode")]

MOTO_STYLE_ID = "case-12345678910-2020-abcdefghijklmABC"
REAL_STYLE_ID = "case-123456789012-muen-2024-1a2b3c4d5e6f7890"


@pytest.fixture
def fr_request(countries, owner):
    """A French-speaking owner's request: the console offers English or Japanese only."""
    return SupportCaseRequestFactory(
        owner=owner,
        country=countries["VN"],
        sender_id="ACMEVN",
        support_case_details={**DETAILS, "contact_language": "fr"},
    )


def test_the_case_is_prepared_with_every_seed_field_and_staff_are_alerted(
    fr_request, admin_user_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(fr_request)

    assert fr_request.status == Status.SUPPORT_CASE_OPEN
    assert (case.mode, case.state, case.reference) == (SupportCaseMode.ASSISTED, CaseState.AWAITING_STAFF, "")
    assert case.language == "en"  # French is not offered by the console for this case
    with translation.override("en"):
        rows = support_case_rows(fr_request.support_case_details)
    assert len(rows) == len(DETAILS)
    positions = [case.body.index(f"{label}: {value}") for label, value in rows]
    assert positions == sorted(positions)  # every field, in the seed's order and wording
    assert "Sender ID: ACMEVN" in case.body and "Country: Vietnam (VN)" in case.body
    (event,) = fr_request.events.filter(kind="support_case_prepared")
    assert "waiting for staff to open it" in event.reason
    assert [m for m in mail.outbox if admin_user_.email in m.to]  # staff are alerted: they must act
    assert AwsCall.objects.count() == 0


def test_staff_copy_the_case_text_for_the_support_center(client, manager, fr_request):
    case = open_case(fr_request)
    client.force_login(manager)
    page = client.get(case_url(fr_request, "case_text")).content.decode()
    assert "https://console.aws.amazon.com/support/home#/case/create?issueType=service-limit-increase" in page
    for expected in (
        "Pinpoint SMS",
        "Sender ID Registration",
        "Transactional/Notifications/OTP/2FA",
        "ap-southeast-1",
        "English",
    ):
        assert expected in page
    assert "The Support Center offers English or Japanese" in page
    # Readable without JavaScript: the text is in the page, the copy button only appears with a clipboard.
    assert "readonly>Sender ID registration request (service limit increase)" in page
    assert case.subject in page
    assert 'data-copy="case-body" hidden' in page


def test_india_promotional_cases_use_the_template_registration_resource_type(
    client, manager, countries, owner
):
    request = SupportCaseRequestFactory(
        owner=owner,
        country=countries["IN"],
        message_type="PROMOTIONAL",
        support_case_details={**DETAILS, "message_type": "promotional", "region": "ap-south-1"},
    )
    open_case(request)
    client.force_login(manager)
    page = client.get(case_url(request, "case_text")).content.decode()
    assert "Template Registration" in page and "<dd>Promotional</dd>" in page


def test_assisted_end_to_end_without_the_support_api(
    client, owner, manager, confirmer, fr_request, sent_tasks, django_capture_on_commit_callbacks
):
    open_case(fr_request)
    client.force_login(manager)
    # A malformed id is refused, nothing recorded.
    response = client.post(case_url(fr_request, "record"), {"reference": "case-123"})
    assert response.status_code == 400
    assert "This is not an AWS Support case ID" in response.content.decode()
    assert SupportCase.objects.get(request=fr_request).reference == ""

    client.post(case_url(fr_request, "record"), {"reference": f"  {REAL_STYLE_ID} "})
    case = SupportCase.objects.get(request=fr_request)
    assert (case.case_id, case.state, case.opened_by) == (REAL_STYLE_ID, CaseState.OPEN, manager)
    assert fr_request.events.filter(kind="support_case_recorded", actor=manager).exists()
    assert poll(timezone.now()).listed == 0  # nobody can ask AWS: staff follow it by hand

    # AWS asks for information: staff copy the question in.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            case_url(fr_request, "state"),
            {"state": CaseState.CUSTOMER_ACTION, "note": "Please send a letter of authorization."},
        )
    case.refresh_from_db()
    assert case.state == CaseState.CUSTOMER_ACTION
    (note,) = fr_request.events.filter(kind="support_case_reply_needed")
    assert note.actor == manager and "Please send a letter of authorization." in note.reason
    assert sent_tasks[REPLY_NEEDED_EMAIL_TASK] == [note.pk]

    # The owner reads it and answers; the answer waits for staff to paste it.
    client.force_login(owner)
    page = client.get(case_url(fr_request)).content.decode()
    assert "AWS is waiting for your reply" in page
    assert 'id="last-aws-message">Please send a letter of authorization.' in page
    client.post(case_url(fr_request, "answer"), {"body": "Our letter is attached to the request."})
    answer = case.communications.get(direction=Direction.TO_AWS)
    assert answer.delivery == Delivery.QUEUED
    assert (
        REPLY_NEEDED_EMAIL_TASK in sent_tasks
        and "supportcases.tasks.send_support_case_answer" not in sent_tasks
    )

    client.force_login(manager)
    page = client.get(case_url(fr_request)).content.decode()
    assert 'id="answers-to-paste"' in page and "Our letter is attached to the request." in page
    client.post(case_url(fr_request, "pasted", answer_pk=answer.pk))
    answer.refresh_from_db()
    case.refresh_from_db()
    assert (answer.delivery, answer.delivered_by, case.state) == (Delivery.PASTED, manager, CaseState.OPEN)

    # AWS resolves it; staff say so; a confirmer confirms.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            case_url(fr_request, "state"), {"state": CaseState.RESOLVED, "note": "Sender ID registered."}
        )
    fr_request.refresh_from_db()
    assert fr_request.status == Status.SUPPORT_CASE_RESOLVED
    assert any("Support case resolved" in m.subject for m in owner_emails(mail.outbox, owner))
    client.force_login(confirmer)
    client.post(case_url(fr_request, "confirm"))
    fr_request.refresh_from_db()
    assert fr_request.status == Status.ACTIVE
    assert AwsCall.objects.count() == 0  # not one call to AWS, start to end


def test_a_refused_case_fails_the_request_with_the_reason_and_a_retry_prepares_a_new_case(
    client, manager, admin_user_, fr_request, sent_tasks, django_capture_on_commit_callbacks
):
    open_case(fr_request)
    client.force_login(manager)
    client.post(case_url(fr_request, "record"), {"reference": MOTO_STYLE_ID})
    client.post(
        case_url(fr_request, "state"), {"state": CaseState.REFUSED, "note": "The brand is not yours."}
    )
    fr_request.refresh_from_db()
    assert (fr_request.status, fr_request.aws_error_code) == (Status.FAILED, "SupportCaseRefused")
    assert fr_request.aws_error_message == "The brand is not yours."
    assert "The brand is not yours." in fr_request.events.last().reason

    client.force_login(admin_user_)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(case_url(fr_request, "retry"))
    assert sent_tasks["senderids.tasks.submit_sender_id_request"] == [fr_request.pk]
    fr_request.refresh_from_db()
    lifecycle.transition(fr_request, Status.SUBMITTING, event=events.submission_claimed())
    services.support_case_open(request=fr_request)
    case = SupportCase.objects.get(request=fr_request)
    assert (case.state, case.reference, case.previous_case_ids) == (
        CaseState.AWAITING_STAFF,
        "",
        [MOTO_STYLE_ID],
    )
    assert "The previous case" in fr_request.events.last().reason


def test_a_refusal_after_aws_resolved_the_case_fails_the_request(client, manager, fr_request):
    open_case(fr_request)
    client.force_login(manager)
    client.post(case_url(fr_request, "record"), {"reference": REAL_STYLE_ID})
    client.post(case_url(fr_request, "state"), {"state": CaseState.RESOLVED, "note": "Closed by AWS."})
    client.post(
        case_url(fr_request, "state"), {"state": CaseState.REFUSED, "note": "AWS said no in its answer."}
    )
    fr_request.refresh_from_db()
    assert (fr_request.status, fr_request.aws_error_message) == (Status.FAILED, "AWS said no in its answer.")


def test_an_assisted_case_is_followed_with_describe_cases_once_check_aws_found_the_api(
    client, manager, fr_request, moto_support
):
    confirm_support_api(available=True, confirmed=False)  # the plan has the API; the codes do not matter
    aws_case = moto_support.client().create_case(
        subject="Sender ID Registration: ACMEVN (VN)",
        communicationBody="pasted text",
        serviceCode="x",
        categoryCode="y",
    )["caseId"]
    open_case(fr_request)
    client.force_login(manager)
    client.post(case_url(fr_request, "record"), {"reference": aws_case})
    page = client.get(case_url(fr_request)).content.decode()
    assert 'value="refused"' in page and 'value="resolved"' not in page  # AWS reports the rest

    moto_support.resolve_case(aws_case)
    poll_until_settled()

    fr_request.refresh_from_db()
    assert fr_request.status == Status.SUPPORT_CASE_RESOLVED
    response = client.post(case_url(fr_request, "state"), {"state": CaseState.OPEN, "note": "no"})
    assert response.status_code == 400


def test_a_case_recorded_by_its_support_center_number_learns_its_case_id(fr_request, stubbed_gateway):
    confirm_support_api(available=True, confirmed=False)
    open_case(fr_request)
    manager_user = _manager()
    services.support_case_record(request=fr_request, actor=manager_user, reference="17123456789")
    _gateway, _sms, support = stubbed_gateway
    found = {"caseId": REAL_STYLE_ID, "displayId": "17123456789", "status": "opened", "subject": "s"}
    support.add_response(
        "describe_cases",
        {"cases": [found]},
        {"displayId": "17123456789", "includeResolvedCases": True, "includeCommunications": True},
    )
    support.add_response(
        "describe_cases",
        {"cases": [found]},
        {"caseIdList": [REAL_STYLE_ID], "includeResolvedCases": True, "includeCommunications": True},
    )
    poll(timezone.now())
    case = SupportCase.objects.get(request=fr_request)
    assert (case.case_id, case.display_id, case.status) == (REAL_STYLE_ID, "17123456789", "opened")


def _manager():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("max", "max@portal.example", "x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="manage_supportcase"))
    return get_user_model().objects.get(pk=user.pk)
