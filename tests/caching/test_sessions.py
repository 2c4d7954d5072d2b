"""Sessions through config.sessions: Redis in front of the session table, the table the truth when the
cache fails (on the real Redis of `make test`)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

import caching
from config import sessions

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_password_hasher")]
PAGE = "/sender-ids/mine/"


@pytest.fixture(autouse=True)
def _cache_answers(monkeypatch):
    monkeypatch.setattr(caching, "_down_until", 0.0)
    monkeypatch.setattr(sessions, "_stale", set())


@pytest.fixture
def member(client):
    user = get_user_model().objects.create_user("session-member", password="pw-session-1")
    login = {"username": user.username, "password": "pw-session-1"}
    assert client.post("/accounts/login/", login).status_code == 302
    return user


def _session_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    return sum('FROM "django_session"' in q["sql"] for q in captured.captured_queries)


def _cache_down():
    down = ConnectionError("redis down")
    cache = sessions.SessionStore()._cache
    return mock.patch.multiple(
        cache, get=mock.Mock(side_effect=down), set=mock.Mock(side_effect=down),
        delete=mock.Mock(side_effect=down), delete_many=mock.Mock(side_effect=down),
        get_many=mock.Mock(side_effect=down), set_many=mock.Mock(side_effect=down),
    )  # fmt: skip


def test_a_warm_page_reads_no_session_row(client, member):
    assert _session_queries(client) == 0


def test_pages_work_from_the_table_while_the_cache_is_down(client, member):
    with _cache_down():
        assert client.get(PAGE).status_code == 200
        assert client.get(PAGE).wsgi_request.user == member


def test_a_logout_during_an_outage_stays_a_logout(client, member):
    cookie = client.cookies["sessionid"].value
    client.get(PAGE)  # the session is in the cache
    with _cache_down():
        client.post("/accounts/logout/")
    caching._down_until = 0.0  # the cache answers again
    client.cookies["sessionid"] = cookie  # the old cookie, replayed
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_session_written_during_an_outage_is_not_undone(client, member):
    client.get(PAGE)
    with _cache_down():
        session = client.session
        session["marker"] = "written during the outage"
        session.save()
    caching._down_until = 0.0
    assert client.get(PAGE).wsgi_request.session.get("marker") == "written during the outage"
