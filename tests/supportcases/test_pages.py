"""/support-cases/<id>/: who may see it, what it shows, the old /registrations/<id>/ address; the admin's
read-only inline; the poll command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from senderids import registry
from senderids.choices import Status
from supportcases.admin import SupportCaseInline
from tests.process_factories import RegistrationFactory, SupportCaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def url(request) -> str:
    return reverse("supportcases:detail", kwargs={"pk": request.pk})


def test_the_page_lives_at_support_cases(vn_request):
    assert url(vn_request) == f"/support-cases/{vn_request.pk}/"
    assert registry.detail_url(vn_request) == url(vn_request)


def test_anonymous_users_are_sent_to_login(client, vn_request):
    response = client.get(url(vn_request))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_customer_gets_404(client, stranger, vn_request):
    client.force_login(stranger)
    assert client.get(url(vn_request)).status_code == 404


def test_before_approval_the_owner_reads_when_the_case_is_opened(owner_client, vn_request):
    response = owner_client.get(url(vn_request))
    assert response.status_code == 200
    assert "The support case is opened once your request is approved." in response.content.decode()


def test_the_owner_sees_the_case_id_and_its_status(owner_client, owner, countries):
    case = SupportCaseFactory(
        request__owner=owner, request__country=countries["VN"], status="work-in-progress"
    )
    body = owner_client.get(url(case.request)).content.decode()
    assert case.case_id in body
    assert "work-in-progress" in body
    assert 'id="confirm-support-case"' not in body  # only staff confirm, and only once resolved


def test_staff_see_the_confirm_button_once_aws_resolved_the_case(client, staff_user, countries):
    case = SupportCaseFactory(
        request__status=Status.SUPPORT_CASE_RESOLVED, request__country=countries["VN"], status="resolved"
    )
    client.force_login(staff_user)
    assert 'id="confirm-support-case"' in client.get(url(case.request)).content.decode()


def test_a_registration_request_has_no_support_case_page(owner_client, owner, countries):
    registration = RegistrationFactory(request__owner=owner, request__country=countries["IN"])
    assert owner_client.get(url(registration.request)).status_code == 404


def test_the_old_registrations_address_redirects_here(owner_client, vn_request):
    response = owner_client.get(f"/registrations/{vn_request.pk}/")
    assert response.status_code == 302 and response["Location"] == url(vn_request)


def test_the_inline_is_read_only_and_offered_to_the_request_admin():
    assert SupportCaseInline.has_add_permission(None, None, None) is False
    assert SupportCaseInline.can_delete is False
    assert set(SupportCaseInline.fields) == set(SupportCaseInline.readonly_fields)
    assert SupportCaseInline in registry.admin_inlines()


def test_my_sender_ids_says_it_came_through_a_support_case(countries):
    case = SupportCaseFactory(request__status=Status.ACTIVE, request__country=countries["VN"])
    assert registry.sender_id_labels([case.request]) == {case.request.pk: "Through an AWS support case"}


def test_the_poll_command_without_open_cases_calls_nothing(capsys):
    call_command("poll_support_cases")
    assert capsys.readouterr().out.strip() == "support cases: listed 0, 0 changed"
