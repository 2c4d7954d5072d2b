"""The support-case process against moto's AWS Support API: open once, mirror its status, staff confirm."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from senderids.choices import Status
from senderids.wizard.support_case import support_case_rows
from smsvoice.gateway import get_gateway
from supportcases import services
from supportcases.models import SupportCase
from tests.process_factories import approve_and_claim

from .conftest import DETAILS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def all_cases(moto_support) -> list[dict]:
    return moto_support.client().describe_cases(includeResolvedCases=True, includeCommunications=True)[
        "cases"
    ]


def test_opening_a_case_sends_every_detail_and_moves_the_request(moto_support, vn_request):
    services.support_case_open(request=approve_and_claim(vn_request))

    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_OPEN
    case = SupportCase.objects.get(request=vn_request)
    (aws_case,) = all_cases(moto_support)
    assert aws_case["caseId"] == case.case_id
    assert aws_case["subject"].startswith("Sender ID Registration: ACMEVN (VN)")
    assert aws_case["language"] == "ja"
    body = aws_case["recentCommunications"]["communications"][0]["body"]
    with translation.override("en"):
        rows = support_case_rows(DETAILS)
    assert len(rows) == len(DETAILS)
    for label, value in rows:  # every field, labelled as in the wizard, choices by their label
        assert f"{label}: {value}" in body
    assert "Link to the site or app that sends the messages: https://example.com/app" in body
    assert "Preferred contact language: Japanese" in body
    assert vn_request.events.last().reason == f"AWS Support case {case.case_id} opened."


def test_a_redelivery_after_a_crash_finds_the_case_instead_of_opening_another(moto_support, vn_request):
    approve_and_claim(vn_request)
    case = SupportCase.objects.create(request=vn_request)
    # The first attempt opened the case at AWS and died before storing its id.
    case_id = get_gateway().create_case(
        subject=services.support_case_subject(vn_request, str(case.marker)),
        communication_body="first attempt",
        service_code="amazon-pinpoint",
        category_code="sender-id-registration",
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


def test_the_poller_mirrors_a_resolved_case(moto_support, vn_request):
    services.support_case_open(request=approve_and_claim(vn_request))
    case = SupportCase.objects.get(request=vn_request)

    report = services.support_cases_poll()
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_OPEN
    assert report.listed == 1

    moto_support.resolve_case(case.case_id)
    services.support_cases_poll(now=timezone.now() + timezone.timedelta(hours=1))

    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_RESOLVED
    case.refresh_from_db()
    assert case.status == "resolved" and case.resolved_at


def _resolved(moto_support, vn_request) -> SupportCase:
    services.support_case_open(request=approve_and_claim(vn_request))
    case = SupportCase.objects.get(request=vn_request)
    moto_support.resolve_case(case.case_id)
    services.support_cases_poll()
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_RESOLVED
    return case


def test_staff_confirm_a_resolved_case_and_the_request_is_active(
    client, moto_support, vn_request, staff_user
):
    case = _resolved(moto_support, vn_request)
    client.force_login(staff_user)
    page = client.get(reverse("supportcases:detail", kwargs={"pk": vn_request.pk})).content.decode()
    assert 'id="confirm-support-case"' in page and case.case_id in page

    response = client.post(reverse("supportcases:confirm", kwargs={"pk": vn_request.pk}))

    assert response.status_code == 302
    vn_request.refresh_from_db()
    assert vn_request.status == Status.ACTIVE
    assert vn_request.events.last().actor == staff_user
    case.refresh_from_db()
    assert case.confirmed_by == staff_user


def test_the_owner_cannot_confirm(owner_client, moto_support, vn_request):
    _resolved(moto_support, vn_request)
    page = owner_client.get(reverse("supportcases:detail", kwargs={"pk": vn_request.pk})).content.decode()
    assert 'id="confirm-support-case"' not in page
    response = owner_client.post(reverse("supportcases:confirm", kwargs={"pk": vn_request.pk}))
    assert response.status_code == 404
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_RESOLVED


def test_an_open_case_cannot_be_confirmed(client, moto_support, vn_request, staff_user):
    services.support_case_open(request=approve_and_claim(vn_request))
    client.force_login(staff_user)
    client.post(reverse("supportcases:confirm", kwargs={"pk": vn_request.pk}))
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
