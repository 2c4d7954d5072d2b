"""The whole journey in a real browser with the real moving parts: a business user requests a sender
ID, an admin approves it in Django admin, a real Celery worker submits it to the SMS simulator over
the AWS wire protocol, and the user sees it active."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from senderids.choices import Status
from senderids.models import SenderIdRequest
from tests.conftest import wait_for
from tests.e2e.test_wizard_e2e import choose_country, fill_sender, fill_use_case, press, start_wizard

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_request_approve_and_see_it_active(
    logged_in_page, owner, admin_user_, countries, sms_simulator, celery_worker_factory, purge_broker
):
    celery_worker_factory()
    user_page = logged_in_page(owner)
    start_wizard(user_page)
    choose_country(user_page, "Germ", "DE", "Supported")
    fill_use_case(user_page)
    fill_sender(user_page, "JOURNEY")
    press(user_page, "Request sender ID")
    expect(user_page.locator(".page-head .badge")).to_have_text("Pending review")
    request = SenderIdRequest.objects.get(sender_id="JOURNEY")

    admin_page = logged_in_page(admin_user_)
    admin_page.goto("/admin/senderids/senderidrequest/")
    row = admin_page.locator("#result_list tbody tr", has_text="JOURNEY")
    row.locator("input.action-select").check()
    admin_page.locator("select[name=action]").select_option("approve")
    admin_page.get_by_role("button", name="Go").click()
    expect(admin_page.locator(".messagelist")).to_contain_text("Approved 1 request")

    wait_for(lambda: SenderIdRequest.objects.get(pk=request.pk).status == Status.ACTIVE, timeout=30)
    user_page.reload()
    expect(user_page.locator(".page-head .badge")).to_have_text("Active")
    expect(user_page.locator("#timeline")).to_contain_text("Approved")
    assert len(sms_simulator.calls("RequestSenderId")) == 1
