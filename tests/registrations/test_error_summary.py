"""A failed save or submit of the registration form: the error summary at the top (GOV.UK pattern), messages
that name the rule and give AWS's example, and a "still empty" counter of what was submitted."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from registrations.definitions import TEXT, FieldDef
from registrations.forms import length_message, pattern_message

from .conftest import INDIA_VALUES, SINGAPORE_VALUES

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """Every id on the page, and the error summary's attributes and links."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.summary: dict[str, str] | None = None
        self.links: list[str] = []
        self._in_summary = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("id") == "error-summary":
            self.summary = attrs
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if self._in_summary and tag == "div":
            self._in_summary -= 1


def url(request) -> str:
    return f"/registrations/{request.pk}/"


def post(client, request, values, action="save"):
    return client.post(url(request), {**values, "action": action})


def test_a_failed_submit_shows_the_summary_with_a_link_to_each_field(owner_client, definitions, make_request):
    request = make_request("IN", "EXMPLE")
    values = {k: v for k, v in INDIA_VALUES.items() if k != "companyInfo.companyName"}
    values["messageSamples.messageSample1"] = "x" * 400
    values.pop("inSidSpecificInfo.sendingParametersAcknowledgement")  # radio buttons
    response = post(owner_client, request, values, "submit")
    body = response.content.decode()
    page = Page(body)
    assert page.summary is not None
    assert page.summary["role"] == "alert" and page.summary["tabindex"] == "-1"
    assert "There is a problem" in body
    assert page.links == [  # in the form's order (AWS's: India's own section comes first)
        "#id_inSidSpecificInfo.sendingParametersAcknowledgement_0",  # a radio list: its first option
        "#id_companyInfo.companyName",
        "#id_messageSamples.messageSample1",
    ]
    assert all(link[1:] in page.ids for link in page.links)
    assert "js/error_summary.js" in body


def test_a_form_error_links_to_the_forms_error_box(owner_client, definitions, make_request):
    request = make_request("IN", "EXMPLE")
    page = Page(post(owner_client, request, {"companyInfo.notAField": "x"}).content.decode())
    assert page.links == ["#form-errors"] and "form-errors" in page.ids


def test_no_summary_and_no_script_without_errors(owner_client, definitions, make_request):
    body = owner_client.get(url(make_request("IN", "EXMPLE"))).content.decode()
    assert 'id="error-summary"' not in body and "error_summary.js" not in body


def test_the_still_empty_counter_counts_what_was_submitted(owner_client, definitions, make_request):
    """Nothing is stored yet (every required field is empty there); the submitted answers leave two
    required fields empty, and one answer is too long, so the save fails: the page counts two."""
    request = make_request("IN", "EXMPLE")
    values = {
        k: v for k, v in INDIA_VALUES.items() if k not in ("companyInfo.companyName", "companyAddress.city")
    }
    values["messageSamples.messageSample1"] = "x" * 400  # filled, though refused: not empty
    body = post(owner_client, request, values).content.decode()
    assert 'id="error-summary"' in body
    counter = re.search(r'<p class="helptext" id="missing-fields">([^<]*)</p>', body)
    assert counter is not None and counter.group(1) == "2 required fields are still empty."


def test_the_counter_of_a_page_read_counts_the_stored_values(owner_client, definitions, make_request):
    body = owner_client.get(url(make_request("IN", "EXMPLE"))).content.decode()
    counter = re.search(r'id="missing-fields">(\d+) required', body)
    # Every required field but the sender ID (set by the request).
    assert counter is not None and int(counter.group(1)) > 2


def test_a_length_error_names_the_rule_and_gives_awss_example(owner_client, definitions, make_request):
    request = make_request("SG", "EXAMPLE")
    values = {**SINGAPORE_VALUES, "contactInfo.phoneNumber": "+65" + "1" * 40}
    body = post(owner_client, request, values).content.decode()
    phone = body[body.index('data-field-path="contactInfo.phoneNumber"') :]
    errors = phone[phone.index('class="errorlist') : phone.index("</ul>")]
    assert "Enter 3 to 30 characters. You entered 43. For example: +447700900123." in errors


E164 = FieldDef(
    section_path="contactInfo",
    field_path="contactInfo.phoneNumber",
    field_type=TEXT,
    requirement="REQUIRED",
    title="Phone number",
    pattern=r"^\+[1-9]\d{1,14}$",
    example="+14255550100",
)


def test_a_pattern_error_describes_a_known_pattern_and_gives_the_example():
    message = pattern_message(E164, E164.pattern)
    assert "international format" in message
    assert "Use the format AWS expects, for example: +14255550100." in message
    assert "expected format" not in message


def test_a_pattern_error_without_example_or_known_pattern_still_says_the_rule():
    odd = FieldDef(**{**E164.__dict__, "example": "", "pattern": r"^[a-z]{3}-\d$"})
    message = pattern_message(odd, odd.pattern)
    assert r"^[a-z]{3}-\d$" in message and "expected format" not in message


def test_awss_validation_description_is_in_the_message_marked_english():
    described = FieldDef(
        **{**E164.__dict__, "pattern": r"^[a-z]+$", "text_validation_description": "Lowercase only"}
    )
    message = pattern_message(described, described.pattern)
    assert '<span lang="en">Lowercase only</span>' in message


def test_a_pattern_error_on_the_form(sim):
    from registrations.forms import RegistrationForm
    from tests.registrations.test_field_texts import definition

    form = RegistrationForm({E164.field_path: "0425 555 0100", "action": "save"}, definition=definition(E164))
    assert not form.is_valid()
    assert "for example: +14255550100." in form.errors[E164.field_path][0]


@pytest.mark.parametrize(
    ("bounds", "length", "message"),
    [
        ((1, 100), 120, "Enter 1 to 100 characters. You entered 120."),
        ((2, 2), 1, "Enter exactly 2 characters. You entered 1."),
        ((None, 11), 12, "Enter at most 11 characters. You entered 12."),
    ],
)
def test_length_messages_name_the_rule(bounds, length, message):
    assert length_message(*bounds, length) == message
