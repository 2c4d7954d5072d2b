"""A request's page left open follows the request: from pending review to active without a reload
(the JSON status is polled, the changed parts are swapped in place), in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Route, expect

from senderids import events, lifecycle
from senderids.choices import Status
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fast_polling(route: Route) -> None:
    """The page as served, polling every second instead of every 15 (the test waits less)."""
    response = route.fetch()
    body = response.text().replace('data-live-seconds="15"', 'data-live-seconds="1"')
    route.fulfill(response=response, body=body)


def test_an_open_page_goes_from_pending_review_to_active_by_itself(
    logged_in_page, owner, admin_user_, countries
):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="LIVEPAGE")
    page = logged_in_page(owner)
    page.route(f"**/sender-ids/{request.pk}/", fast_polling)
    page.goto(f"/sender-ids/{request.pk}/")
    expect(page.locator("#live-head .badge")).to_have_text("Pending review")
    page.evaluate("window.__sameDocument = true")  # gone if the page were reloaded

    lifecycle.transition(request, Status.APPROVED, event=events.approved(admin_user_))
    lifecycle.transition(request, Status.SUBMITTING, event=events.submission_claimed())
    lifecycle.transition(
        request, Status.ACTIVE, event=events.sender_id_created(), aws_sender_id_arn="arn:aws:sms-voice:x"
    )

    expect(page.locator("#live-head .badge")).to_have_text("Active", timeout=15_000)
    expect(page.locator("#timeline li")).to_have_count(3)
    expect(page.locator("#what-next")).to_contain_text("Ready to use")
    assert page.evaluate("window.__sameDocument") is True
