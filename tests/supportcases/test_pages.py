"""/support-cases/<id>/: who may see it, what it shows (what to expect, why this country, the state in words,
the raw status for staff only), the old /registrations/<id>/ address; every page that names a support-case
request links to it (request page, home, tracking, the admin's approval queue); the poll command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from senderids import registry
from senderids.choices import Status
from supportcases.admin import SupportCaseInline
from tests.process_factories import RegistrationFactory, SupportCaseFactory, SupportCaseRequestFactory
from tests.security.test_headers import assert_inline_blocks_allowed

from .helpers import open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

EXPECTATIONS = (
    "AWS Support usually gives a first answer within 24 hours. In many countries the sender ID is provided"
)


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
    assert client.get(reverse("supportcases:case_text", kwargs={"pk": vn_request.pk})).status_code == 404


def test_before_approval_the_owner_reads_what_to_expect_and_why(owner_client, vn_request):
    page = owner_client.get(url(vn_request)).content.decode()
    assert "The support case is opened once your request is approved." in page
    assert EXPECTATIONS in page and "in some countries it takes several weeks longer" in page
    assert "AWS registers sender IDs for Vietnam through an AWS Support case" in page


def test_india_promotional_says_why_it_takes_a_support_case(owner_client, owner, countries, settings):
    settings.AWS_REGION = "ap-south-1"  # where India's registration form works, for transactional ones
    request = SupportCaseRequestFactory(owner=owner, country=countries["IN"], message_type="PROMOTIONAL")
    page = owner_client.get(url(request)).content.decode()
    assert "promotional India sender IDs are registered through an AWS Support case" in page


def test_a_country_an_admin_switched_says_so(owner_client, owner, countries):
    countries["DE"].sender_id_process, countries["DE"].process_overridden = "support_case", True
    countries["DE"].save()
    request = SupportCaseRequestFactory(owner=owner, country=countries["DE"])
    page = owner_client.get(url(request)).content.decode()
    assert "An administrator set Germany to request sender IDs through an AWS Support case." in page


def test_the_owner_sees_the_state_in_words_and_staff_also_see_the_raw_status(
    owner_client, client, owner, staff_user, countries
):
    case = SupportCaseFactory(
        request__owner=owner, request__country=countries["VN"], status="work-in-progress"
    )
    body = owner_client.get(url(case.request)).content.decode()
    assert case.case_id in body
    assert 'data-state="open">Open</p>' in body
    assert "work-in-progress" not in body
    assert 'id="confirm-support-case"' not in body  # only staff confirm, and only once resolved

    client.force_login(staff_user)
    assert "work-in-progress" in client.get(url(case.request)).content.decode()


def test_support_staff_read_but_get_no_action(client, staff_user, countries):
    case = SupportCaseFactory(
        request__status=Status.SUPPORT_CASE_RESOLVED, request__country=countries["VN"], status="resolved"
    )
    client.force_login(staff_user)
    page = client.get(url(case.request)).content.decode()
    assert 'id="confirm-support-case"' not in page and 'id="case-state-form"' not in page
    assert "changing it needs the permission to manage or confirm support cases" in page


def test_staff_who_may_confirm_see_the_confirm_button_once_aws_resolved_the_case(
    client, confirmer, countries
):
    case = SupportCaseFactory(
        request__status=Status.SUPPORT_CASE_RESOLVED,
        request__country=countries["VN"],
        status="resolved",
        state="resolved",
    )
    client.force_login(confirmer)
    assert 'id="confirm-support-case"' in client.get(url(case.request)).content.decode()


def test_a_registration_request_has_no_support_case_page(owner_client, owner, countries):
    registration = RegistrationFactory(request__owner=owner, request__country=countries["IN"])
    assert owner_client.get(url(registration.request)).status_code == 404


def test_the_old_registrations_address_redirects_here(owner_client, vn_request):
    response = owner_client.get(f"/registrations/{vn_request.pk}/")
    assert response.status_code == 302 and response["Location"] == url(vn_request)


def test_the_request_page_home_and_tracking_link_to_the_case_page(
    owner_client, client, admin_user_, vn_request
):
    link = f'href="{url(vn_request)}"'
    assert link in owner_client.get(reverse("senderids:detail", args=[vn_request.pk])).content.decode()
    assert link in owner_client.get(reverse("senderids:home")).content.decode()
    client.force_login(admin_user_)
    assert link in client.get(reverse("senderids:tracking")).content.decode()


def test_the_admin_approval_queue_links_to_the_case_page(client, admin_user_, vn_request):
    open_case(vn_request)
    client.force_login(admin_user_)
    page = client.get(
        reverse("admin:senderids_senderidrequest_change", args=[vn_request.pk])
    ).content.decode()
    assert f'href="{url(vn_request)}" class="support-case-link"' in page


def test_the_inline_is_read_only_and_offered_to_the_request_admin():
    assert SupportCaseInline.has_add_permission(None, None, None) is False
    assert SupportCaseInline.can_delete is False
    assert set(SupportCaseInline.fields) == set(SupportCaseInline.readonly_fields)
    assert SupportCaseInline in registry.admin_inlines()


def test_the_case_pages_inline_blocks_are_allowed_by_the_csp(owner_client, client, manager, vn_request):
    open_case(vn_request)
    assert assert_inline_blocks_allowed(owner_client.get(url(vn_request))) >= 1
    client.force_login(manager)
    assert (
        assert_inline_blocks_allowed(client.get(reverse("supportcases:case_text", args=[vn_request.pk]))) >= 1
    )


def test_my_sender_ids_says_it_came_through_a_support_case(countries):
    case = SupportCaseFactory(request__status=Status.ACTIVE, request__country=countries["VN"])
    assert registry.sender_id_labels([case.request]) == {case.request.pk: "Through an AWS support case"}


def test_the_poll_command_without_open_cases_calls_nothing(capsys):
    call_command("poll_support_cases")
    assert capsys.readouterr().out.strip() == "support cases: listed 0, 0 changed"


def test_the_case_pages_never_write_on_get(client, manager, vn_request):
    from tests.config.test_get_never_writes import writes_during

    open_case(vn_request)
    client.force_login(manager)
    for name in ("supportcases:detail", "supportcases:case_text"):
        assert writes_during(client, reverse(name, args=[vn_request.pk])) == [], name


def test_the_tasks_services_enqueue_by_name_exist():
    from config.celery import app
    from supportcases import tasks
    from supportcases.services.replies import SEND_ANSWER_TASK
    from supportcases.services.states import REPLY_NEEDED_EMAIL_TASK

    assert {SEND_ANSWER_TASK, REPLY_NEEDED_EMAIL_TASK} <= set(app.tasks)
    assert tasks.send_support_case_answer.name == SEND_ANSWER_TASK
