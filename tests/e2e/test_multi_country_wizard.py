"""Several countries in one wizard run, in headless Chromium, driven with the keyboard only (Tab,
Shift+Tab, Enter, Space, arrow keys and typing through ``page.keyboard``; no mouse clicks): countries
become chips with "Add another country", a chip's remove button hands focus to its neighbour, an
unsupported country is refused at the country step with the reason, India gets its own variant on the
sender step, the review has one row per country, and the last step lands on the batch page. The same
country step also works without JavaScript (the buttons make a round trip).

No AWS call is made: the requests wait for approval (the default).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from senderids.models import RequestBatch
from tests.catalogue import ensure_batch_countries, team_in_ireland_and_mumbai

from .test_wizard_e2e import at_step

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHOSEN = ["DE", "FR", "IN", "SG"]
KEPT = ["DE", "IN", "SG"]  # France is removed again
NAMES = {"DE": "Germany", "FR": "France", "IN": "India", "SG": "Singapore", "BR": "Brazil"}
TAB_LIMIT = 80  # more Tab presses than any wizard page has focusable elements


@pytest.fixture
def team(owner, settings, countries):
    """France and Brazil (not supported) join the test catalogue; the team sends from Ireland, and from
    Mumbai for India (the routing table's pick)."""
    settings.AWS_REGION = "eu-west-1"
    ensure_batch_countries()
    return team_in_ireland_and_mumbai(owner)


# --- keyboard helpers -----------------------------------------------------------------------------
FOCUSED_MATCHES = "s => !!document.activeElement && document.activeElement.matches(s)"
FOCUSED_DESCRIPTION = """() => {
  const n = document.activeElement;
  if (!n) { return "nothing"; }
  return n.tagName.toLowerCase() + (n.id ? "#" + n.id : "") + (n.name ? "[name=" + n.name + "]" : "")
    + (n.getAttribute("aria-label") ? " '" + n.getAttribute("aria-label") + "'" : "")
    + (n.textContent && n.tagName === "BUTTON" ? " '" + n.textContent.trim() + "'" : "");
}"""


def focused(page: Page) -> str:
    return page.evaluate(FOCUSED_DESCRIPTION)


def is_focused(page: Page, selector: str) -> bool:
    return page.evaluate(FOCUSED_MATCHES, selector)


def tab_to(page: Page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab backwards) until the element matching `selector` has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(TAB_LIMIT):
        page.keyboard.press(key)
        if is_focused(page, selector):
            return
    raise AssertionError(f"{key} never reached {selector!r} (focus is on {focused(page)})")


def expect_focus(page: Page, selector: str) -> None:
    expect(page.locator(selector)).to_be_focused()


def pick_country(page: Page, iso: str) -> None:
    """With the country list focused, type the country's name (the list's type-ahead picks it)."""
    expect_focus(page, "#id_country-country")
    page.keyboard.type(NAMES[iso])
    expect(page.locator("#id_country-country")).to_have_value(iso)


def add_country_by_keyboard(page: Page, iso: str) -> None:
    """From the country list: pick `iso`, Tab to "Add another country", Enter. Focus comes back."""
    pick_country(page, iso)
    expect(page.locator("#country-details")).to_be_visible()
    tab_to(page, "#add-country")
    page.keyboard.press("Enter")
    expect(page.locator(f"#country-chips li.chip[data-iso={iso}]")).to_have_count(1)
    expect_focus(page, "#id_country-country")  # ready for the next one


def chips(page: Page) -> list[str]:
    return page.locator("#country-chips li.chip").evaluate_all("nodes => nodes.map(n => n.dataset.iso)")


def remove_button(iso: str) -> str:
    return f"#country-chips li.chip[data-iso={iso}] .chip-remove"


def press_next(page: Page) -> None:
    """Tab to the wizard's primary button ("Next", or "Request sender ID" on the last step), Enter."""
    tab_to(page, "form.wizard-form button[name=wizard_next]")
    page.keyboard.press("Enter")


def start_wizard_by_keyboard(page: Page) -> None:
    page.goto("/")
    tab_to(page, "main a[href='/sender-ids/request/']")
    page.keyboard.press("Enter")
    at_step(page, "country")


# --- the tests --------------------------------------------------------------------------------------
@pytest.mark.usefixtures("team")
def test_countries_by_keyboard_from_chips_to_the_batch_page(logged_in_page, owner):
    page = logged_in_page(owner)
    start_wizard_by_keyboard(page)
    tab_to(page, "#id_country-country")

    # Germany, France, India, Singapore: each picked in the list and added as a chip.
    for iso in CHOSEN:
        add_country_by_keyboard(page, iso)
    assert chips(page) == CHOSEN
    expect(page.locator("#chosen-countries [data-role=chip-count]")).to_have_text("4")
    expect(page.locator(remove_button("FR"))).to_have_attribute("aria-label", "Remove France")

    # Remove France: Shift+Tab back from the list to its button, Space. Focus goes to the next chip's
    # button (India), so a keyboard user keeps their place.
    tab_to(page, remove_button("FR"), backwards=True)
    page.keyboard.press("Space")
    expect(page.locator("#country-chips li.chip[data-iso=FR]")).to_have_count(0)
    expect_focus(page, remove_button("IN"))
    assert chips(page) == KEPT
    expect(page.locator("#chosen-countries [data-role=chip-count]")).to_have_text("3")

    # Brazil does not take sender IDs: "Next" refuses it at the country step, with the reason.
    tab_to(page, "#id_country-country")
    add_country_by_keyboard(page, "BR")
    press_next(page)
    at_step(page, "country")
    errors = page.locator("form.wizard-form .errorlist")
    expect(errors).to_contain_text("Sender IDs are not supported in Brazil")
    expect(errors).to_contain_text("messages there arrive from a phone number instead")
    expect(errors).to_contain_text("Remove it to continue with the other countries.")
    assert chips(page) == [*KEPT, "BR"]  # nothing chosen is lost
    # Brazil is the last chip: removing it sends focus to Singapore's button.
    tab_to(page, remove_button("BR"))
    page.keyboard.press("Enter")
    expect(page.locator("#country-chips li.chip[data-iso=BR]")).to_have_count(0)
    expect_focus(page, remove_button("SG"))
    assert chips(page) == KEPT
    press_next(page)
    at_step(page, "use-case")

    # Use case: SMS is already ticked; volume by arrow keys, HQ and message type as radio groups.
    tab_to(page, "#id_use-case-monthly_volume")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_use-case-monthly_volume")).not_to_have_value("")
    tab_to(page, "input[name='use-case-company_hq']")
    page.keyboard.press("Space")
    tab_to(page, "input[name='use-case-message_type']")
    page.keyboard.press("Space")
    expect(page.locator("input[name='use-case-message_type']:checked")).to_have_count(1)
    transactional = page.locator("input[name='use-case-message_type'][value=TRANSACTIONAL]")
    if not transactional.is_checked():
        page.keyboard.press("ArrowUp")
    expect(transactional).to_be_checked()
    press_next(page)
    at_step(page, "sender")

    # Sender: one sender ID for all, and India's own (3–6 letters there) in its row of the table.
    table = page.locator("#sender-countries")
    expect(table.locator("tbody tr")).to_have_count(len(KEPT))
    tab_to(page, "#id_sender-sender_id")
    page.keyboard.type("ACME-PAY")
    tab_to(page, "input[name=sender-variant_IN]")
    page.keyboard.type("acmein")
    press_next(page)
    at_step(page, "review")

    # Review: one row per country, in the order chosen, India with its variant and its Region.
    rows = page.locator("#country-plans tbody tr")
    expect(rows).to_have_count(len(KEPT))
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.iso)") == KEPT
    india = page.locator("#country-plans tr[data-iso=IN]")
    expect(india.locator("td").nth(0)).to_have_text("ACMEIN")
    expect(india.locator("td").nth(1)).to_contain_text("ap-south-1")
    for iso in ("DE", "SG"):
        row = page.locator(f"#country-plans tr[data-iso={iso}]")
        expect(row.locator("td").nth(0)).to_have_text("ACME-PAY")
        expect(row.locator("td").nth(1)).to_contain_text("eu-west-1")
    press_next(page)
    at_step(page, "registration")

    # India and Singapore register: "Register later", then the last step's button.
    tab_to(page, "input[name='registration-registration_choice']")
    later = page.locator("input[name='registration-registration_choice'][value=later]")
    for _ in range(4):
        if later.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(later).to_be_checked()
    expect(page.locator("form.wizard-form button[name=wizard_next]")).to_have_text("Request sender ID")
    press_next(page)

    expect(page).to_have_url(re.compile(r"/sender-ids/batches/\d+/$"))
    batch = RequestBatch.objects.get()
    assert page.url.endswith(f"/sender-ids/batches/{batch.pk}/")
    expect(page.locator(".message.success")).to_contain_text("Your requests for 3 countries were received.")
    children = page.locator("#batch-children tbody tr")
    expect(children).to_have_count(len(KEPT))
    listed = children.evaluate_all("rows => rows.map(r => r.dataset.iso)")
    assert sorted(listed) == sorted(KEPT)
    by_iso = {r.country_id: r for r in batch.requests.all()}
    assert set(by_iso) == set(KEPT)
    for iso, request in by_iso.items():
        row = page.locator(f"#batch-children tr[data-request='{request.pk}']")
        expect(row).to_have_attribute("data-iso", iso)
        expect(row.locator("code")).to_have_text(request.sender_id)
        expect(row).to_contain_text(request.aws_region)
    assert by_iso["IN"].sender_id == "ACMEIN" and by_iso["IN"].aws_region == "ap-south-1"
    assert {by_iso[iso].sender_id for iso in ("DE", "SG")} == {"ACME-PAY"}


@pytest.mark.usefixtures("team")
def test_country_step_chips_without_javascript(logged_in_page, owner):
    page = logged_in_page(owner, javascript=False)
    page.goto("/sender-ids/request/")
    at_step(page, "country")
    expect(page.locator("#chosen-countries")).to_be_hidden()

    # Each "Add another country" is a round trip: the page comes back with the country as a chip.
    for iso, count in (("DE", 1), ("FR", 2), ("SG", 3)):
        tab_to(page, "#id_country-country")
        pick_country(page, iso)
        tab_to(page, "#add-country")
        page.keyboard.press("Enter")
        at_step(page, "country")
        expect(page.locator("#country-chips li.chip")).to_have_count(count)
        expect(page.locator("#chosen-countries [data-role=chip-count]")).to_have_text(str(count))
    assert chips(page) == ["DE", "FR", "SG"]

    # "Remove France" is a submit button of its own: another round trip, the other two stay.
    tab_to(page, remove_button("FR"))
    expect(page.locator(remove_button("FR"))).to_have_attribute("aria-label", "Remove France")
    page.keyboard.press("Enter")
    at_step(page, "country")
    assert chips(page) == ["DE", "SG"]
    press_next(page)
    at_step(page, "use-case")
