"""/tracking/: support staff and admins see every request, filter it and export it."""

import csv
import io

import pytest
from django.core.management import call_command

from senderids.choices import Status
from tests.factories import CountryFactory, SenderIdRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_client(client):
    call_command("seed_demo", stdout=io.StringIO())
    client.login(username="support", password="support")
    return client


def test_anonymous_is_sent_to_login(client):
    response = client.get("/tracking/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_business_user_is_forbidden(client, owner):
    client.force_login(owner)
    assert client.get("/tracking/").status_code == 403


def test_support_staff_sees_every_users_requests(support_client):
    SenderIdRequestFactory(sender_id="ALPHA", owner=UserFactory(username="ann"))
    SenderIdRequestFactory(sender_id="BRAVO", owner=UserFactory(username="bob"))
    body = support_client.get("/tracking/").content.decode()
    assert "ALPHA" in body and "BRAVO" in body and "ann" in body and "bob" in body


def test_filters_by_status_country_and_search(support_client):
    fr = CountryFactory(iso_code="FR", name="France")
    SenderIdRequestFactory(sender_id="KEEPME", country=fr, status=Status.ACTIVE)
    SenderIdRequestFactory(sender_id="OTHERFR", country=fr, status=Status.PENDING_REVIEW)
    SenderIdRequestFactory(sender_id="KEEPDE", status=Status.ACTIVE)
    body = support_client.get(
        "/tracking/", {"status": "active", "country": "FR", "q": "keep"}
    ).content.decode()
    assert "KEEPME" in body
    assert "OTHERFR" not in body and "KEEPDE" not in body


def test_csv_export_has_every_matching_row_and_neutralises_formulas(support_client):
    owner = UserFactory(username="=cmd|calc")
    SenderIdRequestFactory(sender_id="ALPHA", owner=owner)
    SenderIdRequestFactory(sender_id="BRAVO")
    response = support_client.get("/tracking/", {"format": "csv"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "sender_id", "country"]
    assert {r[1] for r in rows[1:]} == {"ALPHA", "BRAVO"}
    assert "'=cmd|calc" in {r[6] for r in rows[1:]}


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "not-a-date"},
        {"date_from": "2026-05-01", "date_to": "2026-01-01"},
        {"status": "<script>"},
        {"country": "ZZ"},
        {"q": "x" * 5000},
        {"page": "999999"},
        {"page": "-1"},
    ],
)
def test_bad_filters_answer_with_the_page_not_an_error(support_client, params):
    response = support_client.get("/tracking/", params)
    assert response.status_code == 200
    assert b"<script>" not in response.content.split(b"<main")[1].replace(b"&lt;script&gt;", b"")


def test_query_count_does_not_grow_with_requests(support_client, django_assert_max_num_queries):
    SenderIdRequestFactory.create_batch(3)
    with django_assert_max_num_queries(12) as small:
        support_client.get("/tracking/")
    SenderIdRequestFactory.create_batch(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        support_client.get("/tracking/")
