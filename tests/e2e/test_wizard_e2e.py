"""The request wizard in headless Chromium: a supported country, India (registration) and a
support-case country end to end, the page without JavaScript, and hostile input on every step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from senderids.choices import RegistrationChoice, Status
from senderids.models import SenderIdRequest
from tests.senderids.wizard_support import ANSWERS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _india_region(settings):
    """The portal sends from Mumbai here, so India's registration form is the way (AWS offers it only in
    ap-south-1 / ap-south-2)."""
    settings.AWS_REGION = "ap-south-1"


def at_step(page: Page, step: str) -> None:
    expect(page).to_have_url(re.compile(rf"/sender-ids/request/{step}/(\?.*)?$"))
    expect(page.locator("form.wizard-form")).to_have_attribute("data-step", step)
    page.wait_for_load_state()  # deferred scripts have run: the page reacts to input from here on


def press(page: Page, name: str) -> None:
    page.locator("form.wizard-form").get_by_role("button", name=name, exact=True).click()


def start_wizard(page: Page) -> None:
    page.goto("/")
    page.locator("main").get_by_role("link", name="Request sender ID").click()
    at_step(page, "country")


def choose_country(page: Page, search: str, iso: str, process_label: str) -> None:
    page.get_by_label("Search countries").fill(search)
    select = page.get_by_label("Destination country")
    if select.input_value() != iso:  # the filter picks the only match by itself
        select.select_option(iso)
    details = page.locator("#country-details")
    expect(details).to_be_visible()
    expect(details.locator("[data-role=badge]")).to_have_text(process_label)
    press(page, "Next")
    at_step(page, "use-case")


def fill_use_case(page: Page, message_type: str = "Transactional") -> None:
    expect(page.get_by_label("SMS", exact=True)).to_be_checked()
    page.get_by_label("Voice", exact=True).check()
    page.get_by_label("Estimated monthly SMS volume").select_option("10001-100000")
    page.get_by_label("Local", exact=True).check()
    page.get_by_label(message_type, exact=True).check()
    press(page, "Next")
    at_step(page, "sender")


def fill_sender(page: Page, sender_id: str) -> None:
    expect(page.locator("input[name='sender-sender_type'][value='sender_id']")).to_be_checked()
    expect(page.get_by_text("Not offered here")).to_have_count(4)
    page.locator("#id_sender-sender_id").fill(sender_id)
    press(page, "Next")
    at_step(page, "review")


def fill_support_case(page: Page) -> None:
    for key, value in ANSWERS["support-case"].items():
        field = page.locator(f"[name='{key}']")
        kind = field.first.evaluate("node => node.tagName + ':' + (node.type || '')")
        if kind.startswith("SELECT"):
            field.select_option(value)
        elif kind == "INPUT:radio":
            page.locator(f"[name='{key}'][value='{value}']").check()
        else:
            field.fill(value)


def test_supported_country_from_login_to_result_page(logged_in_page, owner, countries):
    page = logged_in_page(owner, via_form=True, password="olivia-pass-1")
    start_wizard(page)
    choose_country(page, "Germ", "DE", "Supported")
    fill_use_case(page)
    fill_sender(page, "acme-1")
    review = page.locator(".review")
    for text in ("Germany (DE)", "SMS, Voice", "10,001 – 100,000", "Local", "Transactional", "ACME-1"):
        expect(review).to_contain_text(text)
    press(page, "Request sender ID")

    expect(page.get_by_role("heading", level=1)).to_have_text("ACME-1 in Germany")
    expect(page.locator(".message.success")).to_contain_text("was received")
    expect(page.locator(".page-head .badge")).to_have_text("Pending review")
    expect(page.locator("#timeline li")).to_have_count(1)
    expect(page.locator("#timeline")).to_contain_text("by olivia")
    created = SenderIdRequest.objects.get()
    assert (created.sender_id, created.country_id, created.sms, created.voice) == ("ACME-1", "DE", True, True)
    page.goto("/")
    expect(page.locator("table.requests")).to_contain_text("ACME-1")
    expect(page.locator("table.requests .badge")).to_have_text("Pending review")


def test_india_registration_later_then_reminded_on_home(logged_in_page, owner, countries):
    page = logged_in_page(owner)
    start_wizard(page)
    choose_country(page, "India", "IN", "Registration required")
    expect(page.locator(".stepper li")).to_have_count(5)
    fill_use_case(page)
    page.locator("#id_sender-sender_id").fill("ACME-1")
    press(page, "Next")
    at_step(page, "sender")
    expect(page.locator(".errorlist")).to_contain_text("only letters")
    expect(page.locator("#country-rules")).to_contain_text("letters only")
    fill_sender(page, "acmein")
    press(page, "Next")
    at_step(page, "registration")
    expect(page.locator("#lease-fee-warning")).to_contain_text("charged whatever the registration status")
    expect(page.get_by_label("Registration form name")).to_have_value("ACMEIN – India")
    page.get_by_label("Register later").check()
    press(page, "Request sender ID")

    expect(page.get_by_role("heading", level=1)).to_have_text("ACMEIN in India")
    created = SenderIdRequest.objects.get()
    assert (created.process, created.registration_choice) == ("registration", RegistrationChoice.LATER)
    page.goto("/")
    expect(page.locator("#register-later")).to_contain_text("Complete the registration of ACMEIN in India")


def test_support_case_country_end_to_end(logged_in_page, owner, countries):
    page = logged_in_page(owner)
    start_wizard(page)
    choose_country(page, "Viet", "VN", "Support case required")
    fill_use_case(page)
    fill_sender(page, "ACME")
    press(page, "Next")
    at_step(page, "support-case")
    expect(page.locator("#id_support-case-destination_countries")).to_have_value("Vietnam")
    fill_support_case(page)
    press(page, "Request sender ID")

    expect(page.get_by_role("heading", level=1)).to_have_text("ACME in Vietnam")
    details = page.locator("#support-case-details")
    expect(details).to_contain_text("Asia Pacific (Singapore) ap-southeast-1")
    expect(details).to_contain_text("+33123456789")
    created = SenderIdRequest.objects.get()
    assert created.status == Status.PENDING_REVIEW
    assert created.support_case_details["opt_in_process"] == "Customers tick a box when they sign up."


def test_previous_and_edit_from_review_keep_answers(logged_in_page, owner, countries):
    page = logged_in_page(owner)
    start_wizard(page)
    choose_country(page, "Germ", "DE", "Supported")
    fill_use_case(page)
    page.locator("#id_sender-sender_id").fill("KEEPME")
    press(page, "Previous")
    at_step(page, "use-case")
    press(page, "Next")
    at_step(page, "sender")
    expect(page.locator("#id_sender-sender_id")).to_have_value("KEEPME")
    press(page, "Next")
    at_step(page, "review")
    page.locator("[data-section=use-case]").get_by_role("link", name="Edit").click()
    at_step(page, "use-case")
    page.get_by_label("Promotional", exact=True).check()
    press(page, "Save and return to review")  # the step opened from the review says where it goes
    at_step(page, "review")
    expect(page.locator("[data-section=use-case]")).to_contain_text("Promotional")


def test_country_step_works_without_javascript(logged_in_page, owner, countries):
    page = logged_in_page(owner, javascript=False)
    page.goto("/sender-ids/request/")
    at_step(page, "country")
    expect(page.locator("#country-details")).to_be_hidden()
    page.get_by_label("Search countries").fill("ind")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#id_country-country option[value=DE]")).to_have_count(0)
    page.get_by_label("Destination country").select_option("IN")
    press(page, "Show sender ID support")
    at_step(page, "country")
    expect(page.locator("#country-details")).to_contain_text("Registration required")
    expect(page.locator("#country-details")).to_contain_text("IN_SENDER_ID_REGISTRATION")
    press(page, "Next")
    at_step(page, "use-case")


def test_an_unsupported_country_stops_at_the_country_step(logged_in_page, owner, countries):
    page = logged_in_page(owner)
    start_wizard(page)
    page.get_by_label("Search countries").fill("United States")
    select = page.get_by_label("Destination country")
    if select.input_value() != "US":
        select.select_option("US")
    expect(page.locator("#country-details [data-role=badge]")).to_have_text("Not supported")
    press(page, "Next")
    at_step(page, "country")  # nothing else is asked before the dead end
    expect(page.locator("form.wizard-form")).to_contain_text("Sender IDs are not supported in United States")
    expect(page.locator("form.wizard-form")).to_contain_text("Choose another country.")


HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"


SET_VALUE_JS = """(node, value) => {
  if (node.tagName === "SELECT") { node.options[node.selectedIndex || 0].value = value; }
  else { node.removeAttribute("maxlength"); node.value = value; }
}"""


def set_value(page: Page, selector: str, value: str) -> None:
    """Set a field's value as a tampering client would, past maxlength and option lists."""
    page.locator(selector).evaluate(SET_VALUE_JS, value)


def test_hostile_input_on_every_step_is_refused_and_never_runs(logged_in_page, owner, countries):
    """Each step first gets hostile or oversized input (errors, escaped, no script runs — the
    `browser_problems` fixture fails the test on any dialog), then valid input to move on."""
    page = logged_in_page(owner)
    start_wizard(page)
    # country: a value that is not in the catalogue
    page.get_by_label("Destination country").select_option("VN")
    set_value(page, "#id_country-country", HOSTILE)
    press(page, "Next")
    at_step(page, "country")
    expect(page.locator(".errorlist")).to_contain_text("Choose a country from the list.")
    choose_country(page, "Viet", "VN", "Support case required")
    # use case: no capability, a message type that does not exist
    page.get_by_label("SMS", exact=True).uncheck()
    page.get_by_label("Transactional", exact=True).check()
    set_value(page, "input[name='use-case-message_type']:checked", HOSTILE)
    press(page, "Next")
    at_step(page, "use-case")
    expect(page.locator(".errorlist").first).to_contain_text("Select at least one capability")
    page.get_by_label("SMS", exact=True).check()
    fill_use_case(page)
    # sender: markup, and 5,000 characters
    for value, message in ((HOSTILE, "not allowed"), ("A" * 5000, "this one has 5000")):
        page.locator("#id_sender-sender_id").fill(value)
        press(page, "Next")
        at_step(page, "sender")
        expect(page.locator(".errorlist")).to_contain_text(message)
    fill_sender(page, "ACME")
    # review: a tampered management form restarts the wizard cleanly
    set_value(page, "input[name='sender_id_request_wizard-current_step']", "../../admin")
    press(page, "Next")
    at_step(page, "country")
    expect(page.locator(".messages")).to_contain_text("could not be read")
    choose_country(page, "Viet", "VN", "Support case required")
    fill_use_case(page)
    fill_sender(page, "ACME")
    press(page, "Next")
    at_step(page, "support-case")
    # support case: every text field hostile or oversized, a URL with a javascript: scheme
    fill_support_case(page)
    set_value(page, "#id_support-case-site_url", "javascript:alert(1)")
    set_value(page, "#id_support-case-company_name", HOSTILE * 100)
    set_value(page, "#id_support-case-opt_in_process", HOSTILE)
    set_value(page, "#id_support-case-company_phone", "<b>+1</b>")
    press(page, "Request sender ID")
    at_step(page, "support-case")
    expect(page.locator("#id_support-case-site_url_error")).to_contain_text("Enter a valid URL")
    expect(page.locator("#id_support-case-company_name_error")).to_contain_text("at most 100 characters")
    expect(page.locator("#id_support-case-company_phone_error")).to_contain_text("international format")
    assert SenderIdRequest.objects.count() == 0
    fill_support_case(page)
    page.locator("#id_support-case-opt_in_process").fill(HOSTILE)  # valid text, shown escaped later
    press(page, "Request sender ID")
    expect(page.get_by_role("heading", level=1)).to_have_text("ACME in Vietnam")
    expect(page.locator("#support-case-details")).to_contain_text(HOSTILE)


def test_hostile_registration_step(logged_in_page, owner, countries):
    page = logged_in_page(owner)
    start_wizard(page)
    choose_country(page, "India", "IN", "Registration required")
    fill_use_case(page)
    fill_sender(page, "ACMEIN")
    press(page, "Next")
    at_step(page, "registration")
    set_value(page, "#id_registration-registration_form_name", HOSTILE * 50)
    set_value(page, "input[name='registration-registration_choice']:checked", "now; DROP TABLE")
    press(page, "Request sender ID")
    at_step(page, "registration")
    expect(page.locator("#id_registration-registration_form_name_error")).to_contain_text("at most 100")
    expect(page.locator("#id_registration-registration_choice_error")).to_contain_text(
        "Select a valid choice"
    )
    assert SenderIdRequest.objects.count() == 0
