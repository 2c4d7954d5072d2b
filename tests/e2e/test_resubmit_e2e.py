"""The registration page after AWS sent it back (issue 17): in headless Chromium the owner fixes the form
and presses "Submit new version"; the page then shows the Submitted state — no denial box, no form to
edit, one plain sentence and the next step — and follows what happens next by itself, without a reload
by anyone: the worker submits the version to AWS (run here as the worker runs it), then AWS approves it.

Until the worker has submitted it the request keeps its status (requires_updates): the page showed that
status, AWS's reasons and an editable form under the success message, and never refreshed (issue 17).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from registrations.models import Registration
from registrations.services import aws
from senderids import enqueue
from senderids.choices import Status
from tests.process_factories import approve_and_claim
from tests.registrations.conftest import (  # noqa: F401
    PDF,
    SINGAPORE_VALUES,
    SYNC_TASK,
    definitions,
    make_request,
    poll,
    save,
    sim,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REVIEW = 100.0  # the simulator's review: SUBMITTED until 20 s, REVIEWING until 80 s, COMPLETE at 100 s
LETTER = "senderIdInfo.letterOfAuthorization"


@pytest.fixture
def worker_queue(monkeypatch) -> list[tuple[str, tuple]]:
    """What the portal sends to the workers, kept here instead: the test runs it when it chooses (no worker
    would otherwise consume it, and a real one could finish before the page is looked at)."""
    sent: list[tuple[str, tuple]] = []
    monkeypatch.setattr(enqueue, "_send", lambda name, args: sent.append((name, args)))
    return sent


def fast_polling(route: Route) -> None:
    """The registration page as served, asking the status every second instead of every 10 or 15 (GETs
    only: a form's POST goes through as it is, redirect included)."""
    if route.request.method != "GET":
        route.continue_()
        return
    response = route.fetch()
    body = (
        response.text()
        .replace('data-poll-seconds="10"', 'data-poll-seconds="1"')
        .replace('data-live-seconds="15"', 'data-live-seconds="1"')
    )
    route.fulfill(response=response, body=body)


@pytest.fixture
def denied_request(sim, definitions, make_request):  # noqa: F811
    """A Singapore registration AWS sent back: version 1 denied (the simulator denies DENY… sender IDs
    with reasons), the request in requires_updates."""
    sim.configure(review_delay=REVIEW)
    request = make_request("SG", "DENYSG")
    save(request, SINGAPORE_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    sim.advance(REVIEW)
    poll()
    request.refresh_from_db()
    assert request.status == Status.REQUIRES_UPDATES
    return request


def editable_fields(page: Page):
    return page.locator(
        "#registration-form input:not([type=hidden]), #registration-form select, #registration-form textarea"
    )


def test_submit_new_version_shows_submitted_and_the_page_follows_aws(
    denied_request,
    sim,  # noqa: F811
    owner,
    logged_in_page,
    worker_queue,
):
    request = denied_request
    registration = Registration.objects.get(request=request)
    page = logged_in_page(owner)
    page.route(f"**/registrations/{request.pk}/", fast_polling)
    page.goto(f"/registrations/{request.pk}/")

    # What AWS sent back: its reasons, the field it marked, a form to fix.
    expect(page.locator("#live-head .badge")).to_have_text("Registration requires updates")
    expect(page.locator("#denied-reasons")).to_contain_text("version 1 was denied")
    expect(page.locator('[data-field-path="senderIdInfo.senderId"] .denied')).to_contain_text("Denied:")
    assert editable_fields(page).count() > 5

    # The owner answers with a letter of authorization and submits a new version.
    page.locator(f'[name="{LETTER}"]').set_input_files(
        files=[{"name": "authorization.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Submit new version").click()

    # Submitted: the success message, and a page that says so — nothing of the denial, nothing to edit.
    expect(page.locator(".messages")).to_contain_text(
        "Registration submitted: it is sent to AWS for review now."
    )
    expect(page.locator("#live-head .badge")).to_have_text("Registration submitted")
    expect(page.locator("#status-headline")).to_have_text("AWS is reviewing your registration.")
    expect(page.locator("#what-next")).to_contain_text("Nothing to do until they answer")
    expect(page.locator("#waiting")).to_contain_text("Your request is being sent to AWS.")
    expect(page.locator("#progress li.current")).to_have_attribute("data-step", "submitted")
    expect(page.locator("#denied-reasons")).to_have_count(0)
    expect(page.locator(".denied")).to_have_count(0)
    expect(page.locator(".has-denial")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit new version")).to_have_count(0)
    expect(editable_fields(page)).to_have_count(0)
    expect(page.locator("#registration-form")).to_contain_text("authorization.pdf")
    assert page.locator("body").inner_text().count("Registration requires updates") == 0
    request.refresh_from_db()
    assert request.status == Status.REQUIRES_UPDATES  # the worker has not run yet
    assert (SYNC_TASK, (registration.pk,)) in worker_queue

    # The worker opens version 2 at AWS, pushes the letter and submits: the page follows by itself.
    aws.registration_sync(registration_id=registration.pk)
    assert sim.count("CreateRegistrationVersion") == 1 and sim.count("SubmitRegistrationVersion") == 2
    expect(page.locator("#waiting")).to_contain_text("AWS is reviewing your registration.", timeout=15_000)
    expect(page.locator("#live-head .badge")).to_have_text("Registration submitted")
    expect(page.locator("#denied-reasons")).to_have_count(0)
    expect(editable_fields(page)).to_have_count(0)
    expect(page.locator("#aws-status")).to_have_text("SUBMITTED")

    # AWS approves version 2: the page shows the sender ID active, again without anyone reloading it.
    sim.advance(REVIEW)
    poll()
    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    expect(page.locator("#live-head .badge")).to_have_text("Active", timeout=15_000)
    expect(page.locator("#waiting")).to_have_count(0)
    expect(page.locator("#progress li.current")).to_have_attribute("data-step", "complete")
    expect(page.locator("#denied-reasons")).to_have_count(0)


def test_a_second_click_on_submit_is_not_an_error(denied_request, owner, logged_in_page, worker_queue):
    """Two tabs (or a double click): the second Submit finds the version on its way and says nothing
    alarming; the page still shows it submitted."""
    request = denied_request
    first, second = logged_in_page(owner), logged_in_page(owner)
    for page in (first, second):
        page.goto(f"/registrations/{request.pk}/")
    first.get_by_role("button", name="Submit new version").click()
    expect(first.locator("#live-head .badge")).to_have_text("Registration submitted")

    second.get_by_role("button", name="Submit new version").click()

    expect(second.locator("#live-head .badge")).to_have_text("Registration submitted")
    expect(second.locator(".messages .error")).to_have_count(0)
    expect(second.locator("#denied-reasons")).to_have_count(0)
    assert len([name for name, _args in worker_queue if name == SYNC_TASK]) == 1
