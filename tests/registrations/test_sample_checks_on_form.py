"""The registration form shows the checks engine's findings on the message sample they concern (a
country whose operators mask URLs in messages, as Turkey's do), from what is stored."""

from __future__ import annotations

import pytest

from countries.calendar import RuleKind, RuleSeverity
from countries.models import CountryRule
from registrations.models import RegistrationFieldValue

pytestmark = pytest.mark.django_db

SAMPLE = "messageSamples.messageSample1"


def field_block(html: str, path: str) -> str:
    start = html.index(f'name="{path}"')
    return html[start : html.index("</div>", start)]


@pytest.fixture
def india_masks_urls(countries):
    return CountryRule.objects.create(
        country=countries["IN"],
        code="in-url-masking",
        kind=RuleKind.SAMPLE_URLS,
        severity=RuleSeverity.WARN,
        text="Operators replace links in messages: a sample with a URL may be refused.",
    )


@pytest.mark.usefixtures("definitions", "india_masks_urls")
def test_a_url_in_a_sample_is_flagged_on_that_field(owner_client, make_request):
    request = make_request("IN")
    RegistrationFieldValue.objects.create(
        registration=request.registration, field_path=SAMPLE, text_value="Code 1234: https://acme.example/x"
    )

    html = owner_client.get(f"/registrations/{request.pk}/").content.decode()

    assert "Operators replace links in messages" in field_block(html, SAMPLE)


@pytest.mark.usefixtures("definitions", "india_masks_urls")
def test_a_sample_without_a_url_has_no_such_flag(owner_client, make_request):
    request = make_request("IN")
    RegistrationFieldValue.objects.create(
        registration=request.registration, field_path=SAMPLE, text_value="Your code is 1234."
    )

    html = owner_client.get(f"/registrations/{request.pk}/").content.decode()

    assert "Operators replace links in messages" not in html
