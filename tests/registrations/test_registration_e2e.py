"""The Indonesia registration form in headless Chromium: fieldsets from AWS, conditional documents that
turn required (or leave the form) as the answers change, a server-side error, uploads, then Submit.

Indonesia because its CONDITIONAL fields carry a ConditionalBehavior (the simulator's modelled rules,
`conditional_rules`): REQUIRED for a company address in Indonesia, DISALLOWED otherwise.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from registrations.models import Registration
from tests.e2e.conftest import browser, browser_problems, logged_in_page, new_page  # noqa: F401

from .conftest import INDONESIA_VALUES, PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SELECT_PATHS = {
    "companyInfo.areaOfBusiness",
    "messagingUseCase.useCaseCategory",
    "messagingUseCase.monthlyMessageVolume",
}
COUNTRY = "companyAddress.isoCountryCode"
XL_LETTER = "idSidSpecificInfo.letterOfAuthorization3"  # REQUIRED whatever the answers
LOCAL_DOCUMENTS = (  # REQUIRED for a company in Indonesia, DISALLOWED otherwise
    "idSidSpecificInfo.letterOfAuthorization1",
    "idSidSpecificInfo.letterOfAuthorization2",
    "idSidSpecificInfo.letterOfAuthorization4",
    "idSidSpecificInfo.nomorPokokWajibPajakDocument",
    "idSidSpecificInfo.nomorIndukBerusahaDocument",
)


def fill(page, values: dict) -> None:
    for path, value in values.items():
        if path in SELECT_PATHS:
            page.locator(f'select[name="{path}"]').select_option(value)
        else:
            field = page.locator(f'[name="{path}"]')
            field.fill(value)
            field.press("Tab")  # a text input's change event fires when it loses focus


def upload(page, pdf, *paths: str) -> None:
    for path in paths:
        page.locator(f'input[name="{path}"]').set_input_files(str(pdf))


def test_indonesia_form_in_the_browser(sim, indonesia, make_request, owner, logged_in_page, tmp_path):  # noqa: F811
    request = make_request("ID", "EXAMPLEID")
    page = logged_in_page(owner)
    page.goto(f"/registrations/{request.pk}/")

    expect(page.locator("fieldset legend", has_text="Indonesia specific info")).to_be_visible()
    expect(page.locator('input[name="senderIdInfo.senderId"]')).to_have_value("EXAMPLEID")
    expect(page.locator('input[name="senderIdInfo.senderId"]')).to_be_disabled()
    telkomsel = page.locator(f'[data-field-path="{LOCAL_DOCUMENTS[0]}"]')
    expect(telkomsel).to_be_hidden()  # no company country yet: not part of the form

    fill(page, {**INDONESIA_VALUES, COUNTRY: "SG"})
    expect(telkomsel).to_be_hidden()  # a company outside Indonesia
    fill(page, {COUNTRY: "ID"})
    expect(telkomsel).to_be_visible()
    expect(telkomsel.locator(".req-marker")).to_have_text("(required)")  # the rule now matches

    pdf = tmp_path / "authorization.pdf"
    pdf.write_bytes(PDF)
    upload(page, pdf, XL_LETTER)
    page.locator("#submit-registration").click()
    expect(telkomsel.locator(".errorlist")).to_contain_text("Required for the answers given above.")
    expect(page.locator(f'input[name="{COUNTRY}"]')).to_have_value("ID")  # the answers are kept

    upload(page, pdf, XL_LETTER, *LOCAL_DOCUMENTS)
    page.locator("#submit-registration").click()

    expect(page.locator(".messages")).to_contain_text("submitted to AWS as soon as your request is approved")
    registration = Registration.objects.get(request=request)
    assert registration.submit_requested
    for path in (XL_LETTER, *LOCAL_DOCUMENTS):
        assert registration.field_values.get(field_path=path).attachment, path
    assert sim.mutations() == []
