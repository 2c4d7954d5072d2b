"""On a 360 px phone screen the business user's pages keep to the screen: nothing scrolls sideways (a
wide table scrolls inside its own box), and every status badge says its state with text and an icon,
not colour alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from senderids.choices import Status
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_the_main_pages_fit_a_360_pixel_screen(logged_in_page, owner, countries, locale):
    request = SenderIdRequestFactory(owner=owner, sender_id="WWLOGISTICS", status=Status.REQUIRES_UPDATES)
    SenderIdRequestFactory(owner=owner, sender_id="ACMEBANK", status=Status.ACTIVE)
    page = logged_in_page(owner, locale=locale)
    page.set_viewport_size(PHONE)
    for path in (
        "/",
        reverse("senderids:detail", args=[request.pk]),
        "/sender-ids/request/country/",
        "/countries/",
        "/sender-ids/mine/",
    ):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path}: {width} px wide on a 360 px screen ({locale})"


def test_a_status_badge_has_an_icon_beside_its_text(logged_in_page, owner):
    request = SenderIdRequestFactory(owner=owner, status=Status.ACTIVE)
    page = logged_in_page(owner)
    page.goto(reverse("senderids:detail", args=[request.pk]))
    badge = page.locator(".badge[data-status='active']").first
    assert badge.inner_text().strip()
    icon = badge.evaluate("el => getComputedStyle(el, '::before').content")
    assert "✓" in icon
