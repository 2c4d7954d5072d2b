"""/sender-ids/mine/: the owner's active sender IDs per country, with message types, registration
status, deletion protection and the monthly fee; a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import Registration
from senderids.choices import Status
from tests.senderids.release_support import active_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

MINE = reverse("senderids:mine")


def rows(html: str) -> dict[str, str]:
    """sender ID → its table row's HTML."""
    return {
        match.group(2): match.group(0)
        for match in re.finditer(r'<tr data-request="(\d+)">.*?<strong>([^<]+)</strong>.*?</tr>', html, re.S)
    }


def country_order(html: str) -> list[str]:
    return re.findall(r'class="card country-group" data-country="([A-Z]{2})"', html)


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(MINE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_home_page_links_to_my_sender_ids(owner_client):
    assert f'href="{MINE}"' in owner_client.get("/").content.decode()


def test_lists_only_the_owners_held_sender_ids_grouped_per_country(owner_client, owner, stranger, countries):
    active_request(owner, "ACMEDE", "DE")
    active_request(owner, "ACMEAT", "AT")
    active_request(owner, "LEAVING", "DE", status=Status.RELEASING)
    active_request(owner, "GONE", "DE", status=Status.RELEASED)
    active_request(owner, "WAITING", "DE", status=Status.PENDING_REVIEW)
    active_request(stranger, "THEIRS", "DE")

    html = owner_client.get(MINE).content.decode()

    assert set(rows(html)) == {"ACMEDE", "ACMEAT", "LEAVING"}
    assert country_order(html) == ["AT", "DE"]  # Austria before Germany: by country name
    assert (
        'href="/sender-ids/{}/release/"'.format(owner.sender_id_requests.get(sender_id="ACMEDE").pk)
        in rows(html)["ACMEDE"]
    )
    assert "/release/" not in rows(html)["LEAVING"]  # already being released


def test_each_sender_id_shows_message_types_registration_protection_and_fee(owner_client, owner, countries):
    active_request(owner, "ACMEDE", "DE", deletion_protection=True, monthly_leasing_price="3.00")
    india = active_request(owner, "ACMEIN", "IN", message_type="PROMOTIONAL", monthly_leasing_price="")
    Registration.objects.create(
        request=india, registration_type="IN_SENDER_ID_REGISTRATION", aws_status="COMPLETE"
    )
    active_request(owner, "NOREGIN", "IN")  # registration not started (no Registration row)

    html = owner_client.get(MINE).content.decode()
    found = rows(html)

    assert 'data-role="message-types">Transactional<' in found["ACMEDE"]
    assert 'data-role="registration">Not required<' in found["ACMEDE"]
    assert 'data-role="protection">On<' in found["ACMEDE"]
    assert "USD 3.00 per month" in found["ACMEDE"]
    assert 'data-role="message-types">Promotional<' in found["ACMEIN"]
    assert 'data-role="registration">COMPLETE<' in found["ACMEIN"]
    assert 'data-role="protection">Off<' in found["ACMEIN"]
    assert "See AWS pricing" in found["ACMEIN"]
    assert 'data-role="registration">Not started<' in found["NOREGIN"]
    assert "whatever the status of its registration, until it is released" in html


def test_no_sender_ids_says_so(owner_client):
    html = owner_client.get(MINE).content.decode()
    assert 'id="no-sender-ids"' in html


def test_query_count_does_not_grow_with_sender_ids_and_registrations(owner_client, owner, countries):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(MINE).status_code == 200
        return len(captured)

    india = active_request(owner, "ONE", "IN")
    Registration.objects.create(
        request=india, registration_type="IN_SENDER_ID_REGISTRATION", aws_status="REVIEWING"
    )
    few = queries()
    for n in range(10):
        request = active_request(owner, f"MANY{n}", "IN" if n % 2 else "DE")
        if n % 2:
            Registration.objects.create(request=request, registration_type="IN_X", aws_status="COMPLETE")
    assert queries() == few
