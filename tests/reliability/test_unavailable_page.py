"""A database or broker that does not answer gives a friendly 503 with Retry-After, never a bare
"Server Error (500)"; any other failure gives the portal's own 500 page."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client
from kombu.exceptions import OperationalError as BrokerError

from senderids import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    return client


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("could not connect to server: Connection refused"),
        BrokerError("Error 111 connecting"),
    ],
)
def test_a_backing_service_down_is_a_503_page_that_says_to_retry(browser, monkeypatch, error):
    def down(**_kwargs):
        raise error

    monkeypatch.setattr(selectors, "sender_id_request_page_for_member", down)
    response = browser.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    html = response.content.decode()
    assert "temporarily unavailable" in html and "Nothing you already submitted is lost" in html
    assert "Connection refused" not in html and "Error 111" not in html  # no internals shown


def test_a_bug_is_the_portals_own_500_page(browser, monkeypatch):
    def bug(**_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "sender_id_request_page_for_member", bug)
    response = browser.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "secret internals" not in html


def test_the_503_page_is_french_for_a_french_reader(browser, monkeypatch):
    def down(**_kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(selectors, "sender_id_request_page_for_member", down)
    response = browser.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 503 and 'lang="fr"' in response.content.decode()
