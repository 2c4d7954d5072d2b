"""Release in headless Chromium: "Release sender ID" stays disabled until `release` is typed — live with
JavaScript, after "Check the word" without it — and the release then starts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from senderids import enqueue
from senderids.choices import Status
from senderids.models import SenderIdRequest
from tests.senderids.release_support import active_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def releases_enqueued(monkeypatch) -> list[int]:
    sent: list[int] = []

    def capture(task_name: str, args: tuple) -> None:
        if task_name == "senderids.tasks.release_sender_id":
            sent.append(args[0])

    monkeypatch.setattr(enqueue, "_send", capture)
    return sent


def open_release_page(page: Page, request: SenderIdRequest) -> None:
    page.goto("/sender-ids/mine/")
    page.get_by_role("link", name="Release…").click()
    expect(page).to_have_url(re.compile(rf"/sender-ids/{request.pk}/release/$"))
    expect(page.locator("#billing")).to_contain_text("charges stop from the next calendar month")


def test_button_is_disabled_until_release_is_typed(logged_in_page, owner, releases_enqueued):
    request = active_request(owner, "ACMEBANK")
    page = logged_in_page(owner)
    open_release_page(page, request)
    box = page.get_by_label("To confirm, type “release”")
    button = page.get_by_role("button", name="Release sender ID")

    expect(button).to_be_disabled()
    expect(page.get_by_role("button", name="Check the word")).to_have_count(0)  # JavaScript does it live
    for wrong in ("Release", "releasex", "r\u0435lease", ""):
        box.fill(wrong)
        expect(button).to_be_disabled()
    box.fill("  release ")
    expect(button).to_be_enabled()
    button.click()

    expect(page).to_have_url(re.compile(rf"/sender-ids/{request.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("ACMEBANK is being released")
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.RELEASING
    assert releases_enqueued == [request.pk]


def test_without_javascript_the_server_enables_the_button(logged_in_page, owner, releases_enqueued):
    request = active_request(owner, "ACMEBANK")
    page = logged_in_page(owner, javascript=False)
    open_release_page(page, request)
    box = page.get_by_label("To confirm, type “release”")
    button = page.get_by_role("button", name="Release sender ID")
    check = page.get_by_role("button", name="Check the word")

    expect(button).to_be_disabled()
    box.fill("Release")
    check.click()
    expect(page.locator("#confirmation-errors")).to_be_visible()
    expect(button).to_be_disabled()

    page.get_by_label("To confirm, type “release”").fill("release")
    check.click()
    expect(button).to_be_enabled()
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.ACTIVE
    button.click()
    expect(page).to_have_url(re.compile(rf"/sender-ids/{request.pk}/$"))
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.RELEASING
    assert releases_enqueued == [request.pk]
