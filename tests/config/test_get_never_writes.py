"""A GET never writes a row (DESIGN.md "Layout"): pages read; writes and AWS calls happen on POST or in tasks.

Only Django's own session row may change on a GET (the wizard keeps its answers there).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from senderids.choices import Status
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def writes_during(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    return [q["sql"] for q in queries if WRITE.match(q["sql"]) and "django_session" not in q["sql"]]


def test_the_owners_pages_never_write_on_get(owner_client, owner, countries):
    active = SenderIdRequestFactory(owner=owner, country=countries["DE"], status=Status.ACTIVE)
    registering = SenderIdRequestFactory(owner=owner, country=countries["IN"], sender_id="ACMEIN")
    case = SenderIdRequestFactory(owner=owner, country=countries["VN"], sender_id="ACMEVN")
    urls = [
        "/",
        "/sender-ids/mine/",
        f"/sender-ids/{active.pk}/",
        f"/sender-ids/{active.pk}/release/",
        f"/sender-ids/{registering.pk}/",
        f"/sender-ids/{case.pk}/",
        "/sender-ids/request/",
        "/sender-ids/request/country/",
        "/countries/",
    ]
    for url in urls:
        assert writes_during(owner_client, url) == [], url


def test_staff_pages_never_write_on_get(client, admin_user_, owner, countries):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"])
    client.force_login(admin_user_)
    for url in [
        "/tracking/",
        "/tracking/?format=csv",
        "/admin/senderids/senderidrequest/",
        f"/admin/senderids/senderidrequest/{request.pk}/change/",
    ]:
        assert writes_during(client, url) == [], url
