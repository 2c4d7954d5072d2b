"""The wizard's step pages from the read cache (senderids/wizard/page_cache.py): drawn once for the
same answers, each view with its own working CSRF token, and drawn again when anything the page shows
changes. With committed transactions (inside a test's transaction the cache is bypassed)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from countries.models import Country
from senderids.wizard import page_cache
from tests.senderids.wizard_support import ANSWERS, hidden_fields, step_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_password_hasher")]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def browser(owner, countries):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    return client


@pytest.fixture
def draws(monkeypatch):
    """How many times a step's page was drawn (not served from the cache)."""
    counted = {"n": 0}
    original = page_cache.page

    def counting(request, key_parts, draw):
        def counted_draw():
            counted["n"] += 1
            return draw()

        return original(request, key_parts, counted_draw)

    monkeypatch.setattr(page_cache, "page", counting)
    return counted


def test_the_same_page_is_drawn_once_and_each_view_has_a_token_that_works(browser, draws):
    first = browser.get(step_url("country")).content.decode()
    second = browser.get(step_url("country")).content.decode()
    assert draws["n"] == 1
    tokens = TOKEN.findall(second)
    assert tokens and "\x00" not in second
    assert TOKEN.sub("", first) == TOKEN.sub("", second)  # the same page, but for its tokens
    data = {**hidden_fields(second), **ANSWERS["country"], "csrfmiddlewaretoken": tokens[0]}
    assert browser.post(step_url("country"), data).status_code == 302  # the token is accepted


def test_another_answer_or_language_is_another_page(browser, draws):
    before = browser.get(step_url("country")).content.decode()
    data = {**hidden_fields(before), **ANSWERS["country"], "csrfmiddlewaretoken": TOKEN.findall(before)[0]}
    assert browser.post(step_url("country"), data).status_code == 302
    after = browser.get(step_url("country")).content.decode()
    assert TOKEN.sub("", after) != TOKEN.sub("", before)  # the stored answer shows
    french = browser.get(step_url("country"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="fr"' in french
    assert draws["n"] == 3  # before the answer, after it, in French


def test_a_catalogue_change_draws_the_page_again(browser, draws):
    browser.get(step_url("country"))
    Country.objects.filter(iso_code="DE").update(name="Germany (renamed)")
    assert "Germany (renamed)" in browser.get(step_url("country")).content.decode()
    assert draws["n"] == 2


def test_a_waiting_message_is_shown_not_cached(browser, owner, draws):
    browser.get(step_url("country"))
    browser.get(step_url("use-case"))  # not reachable yet: redirected with a message
    page = browser.get(step_url("country")).content.decode()
    assert 'class="messages"' in page
    assert 'class="messages"' not in browser.get(step_url("country")).content.decode()
