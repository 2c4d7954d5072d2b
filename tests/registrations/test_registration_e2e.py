"""The Singapore registration form in headless Chromium: fieldsets from AWS, a conditional field that
turns required as the answers change, a server-side error, an upload, then Submit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from registrations.models import Registration
from tests.e2e.conftest import browser, browser_problems, logged_in_page, new_page  # noqa: F401

from .conftest import PDF, SINGAPORE_VALUES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SELECT_PATHS = {
    "companyInfo.areaOfBusiness",
    "messagingUseCase.useCaseCategory",
    "messagingUseCase.monthlyMessageVolume",
}
RADIO_PATHS = {"sgSidSpecificInfo.onBehalfOfAnotherEntity", "sgSidSpecificInfo.ssirAcknowledgement"}


def fill(page, values: dict) -> None:
    for path, value in values.items():
        if path in RADIO_PATHS:
            page.locator(f'input[name="{path}"][value="{value}"]').check()
        elif path in SELECT_PATHS:
            page.locator(f'select[name="{path}"]').select_option(value)
        else:
            page.locator(f'[name="{path}"]').fill(value)


def test_singapore_form_in_the_browser(sim, definitions, make_request, owner, logged_in_page, tmp_path):  # noqa: F811
    request = make_request("SG", "EXAMPLESG")
    page = logged_in_page(owner)
    page.goto(f"/registrations/{request.pk}/")

    expect(page.locator("fieldset legend", has_text="Singapore specific info")).to_be_visible()
    expect(page.locator('input[name="senderIdInfo.senderId"]')).to_have_value("EXAMPLESG")
    expect(page.locator('input[name="senderIdInfo.senderId"]')).to_be_disabled()
    letter = page.locator('[data-field-path="senderIdInfo.letterOfAuthorization"]')
    expect(letter.locator(".opt-marker")).to_be_visible()

    fill(page, {**SINGAPORE_VALUES, "sgSidSpecificInfo.onBehalfOfAnotherEntity": "Yes"})
    expect(letter.locator(".req-marker")).to_have_text("(required)")  # the rule now matches
    page.locator("#submit-registration").click()
    expect(letter.locator(".errorlist")).to_contain_text("Required for the answers given above.")

    pdf = tmp_path / "authorization.pdf"
    pdf.write_bytes(PDF)
    page.locator('input[name="senderIdInfo.letterOfAuthorization"]').set_input_files(str(pdf))
    page.locator("#submit-registration").click()

    expect(page.locator(".messages")).to_contain_text("submitted to AWS as soon as your request is approved")
    registration = Registration.objects.get(request=request)
    assert registration.submit_requested
    assert registration.field_values.get(field_path="senderIdInfo.letterOfAuthorization").attachment
    assert sim.mutations() == []
