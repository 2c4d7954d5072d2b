"""The registration form in headless Chromium: a failed submit of the long India form starts at the error
summary and each of its links takes focus to its field; in French, no English label remains on the form
except AWS's texts the catalogue does not know, which are marked lang="en".

The French test passes once the lead has compiled the catalogue's translations (locale/fr).
"""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from registrations.field_texts import catalogue_english
from tests.e2e.conftest import browser, browser_problems, logged_in_page, new_page  # noqa: F401
from tests.registrations.conftest import definitions, make_request, sim  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Catalogue texts whose French is the same word: seeing them is no sign of a missing translation.
SAME_IN_FRENCH = {"Agriculture", "Communication", "Construction", "Notifications"}


# The form's texts as a reader hears them, without the parts marked lang="en" (AWS's own English) and
# without the values typed or chosen (inputs): every label, legend, help text and option label.
@pytest.fixture
def india_request(sim, definitions, make_request):  # noqa: F811
    """An India registration request of the owner (its form is the long one), the definitions cached."""
    return make_request("IN", "EXMPLE")


VISIBLE_TEXTS = """
(form) => {
  const out = [];
  form.querySelectorAll("label, legend, .helptext, .section-help, option").forEach((el) => {
    if (el.closest("[lang='en']")) { return; }
    const copy = el.cloneNode(true);
    copy.querySelectorAll("[lang='en'], input, select, textarea").forEach((child) => child.remove());
    const text = copy.textContent.replace(/\\s+/g, " ").trim();
    if (text) { out.push(text); }
  });
  return out;
}
"""


def test_failed_long_form_focuses_summary_and_links_focus_fields(india_request, owner, logged_in_page):  # noqa: F811
    request = india_request
    page = logged_in_page(owner)
    page.goto(f"/registrations/{request.pk}/")
    page.locator('[name="messageSamples.messageSample1"]').fill("Your code is 123456.")
    page.locator("#submit-registration").click()  # everything else required is empty

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    links = summary.locator("a")
    count = links.count()
    assert count >= 10  # a long form: most of India's required fields
    expect(page.locator("#missing-fields")).to_contain_text(f"{count} required fields are still empty")
    for index in range(count):
        link = links.nth(index)
        target = link.get_attribute("href")[1:]
        link.click()
        focused = page.evaluate("() => document.activeElement && document.activeElement.id")
        assert focused == target, f"link {index} ({target}) left focus on {focused!r}"
        expect(page.locator(f'[id="{target}"]')).to_be_in_viewport()


def test_without_javascript_the_summary_links_are_plain_anchors(india_request, owner, logged_in_page):  # noqa: F811
    request = india_request
    page = logged_in_page(owner, javascript=False)
    page.goto(f"/registrations/{request.pk}/")
    page.locator("#submit-registration").click()
    first = page.locator("#error-summary a").first
    target = first.get_attribute("href")[1:]
    assert page.locator(f'[id="{target}"]').count() == 1
    first.click()
    assert page.url.endswith(f"#{target}")


def test_french_india_form_has_no_english_label_outside_lang_en(india_request, owner, logged_in_page):  # noqa: F811
    request = india_request
    page = logged_in_page(owner, locale="fr-FR")
    # Accept-Language: fr (the browser's locale) is how a French reader arrives.
    page.goto(f"/registrations/{request.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    texts = page.locator("#registration-form").evaluate(VISIBLE_TEXTS)
    english = {text for text in catalogue_english() if text not in SAME_IN_FRENCH}
    left = sorted({t for t in texts for e in english if t == e or (len(e) > 12 and e in t)})
    assert not left, f'English texts on the French form outside lang="en": {left}'
    # And the catalogue's French is what shows (one of each kind: label, section, option).
    with translation.override("fr"):
        expected = [translation.gettext(s) for s in ("Company website", "Company address", "Yes")]
    for text in expected:
        assert any(text in t for t in texts), text
