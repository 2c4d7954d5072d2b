"""Browser fixtures for end-to-end tests: Playwright's sync API driving Debian's Chromium
(`/usr/bin/chromium`, never a downloaded browser) against pytest-django's `live_server`.

Fixture API (reuse it; see tests/e2e/test_wizard_e2e.py for examples):

* ``browser`` (session) — one headless Chromium for the whole run. Tests outside tests/e2e/ can
  import the fixtures: ``from tests.e2e.conftest import browser, browser_problems, logged_in_page,
  new_page  # noqa: F401`` — they still share the one browser.
* ``new_page(*, javascript=True, locale="en-US")`` — a page in a fresh browser context (its own
  cookies) whose relative URLs go to the live server: ``page.goto("/countries/")``.
* ``logged_in_page(user, *, via_form=False, password=None, **new_page_kwargs)`` — the same, logged in
  as ``user``: by a session cookie (fast), or through the login form with ``password``.
* ``browser_problems`` — JavaScript errors, dialogs (``alert()``…), console errors and 5xx answers
  seen by any page of the test. The test fails at teardown if it is not empty.

Tests need ``@pytest.mark.e2e`` and ``@pytest.mark.django_db(transaction=True)`` (the live server
runs in another thread, so data must be committed). They are skipped when Chromium is missing or
``SKIP_BROWSER_TESTS=1``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 15_000


# One Playwright and one Chromium per process, even when another test package imports these
# fixtures (`from tests.e2e.conftest import browser, ...`) and so defines them a second time:
# a second sync Playwright cannot start while the first one's event loop runs.
_shared: dict[str, object] = {}


def _start_browser() -> object:
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        # Sync Playwright keeps an event loop running in this thread from here on: Django's ORM
        # would refuse to run "in an async context" in every later test of the session without this.
        _shared["async_unsafe_was"] = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    return _shared["browser"]


def _stop_browser() -> None:
    if "playwright" not in _shared:
        return
    browser = _shared.pop("browser", None)
    playwright = _shared.pop("playwright")
    try:
        if browser is not None:
            browser.close()
    finally:
        playwright.stop()
        previous = _shared.pop("async_unsafe_was", None)
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if os.environ.get("SKIP_BROWSER_TESTS") == "1" or not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # CI must never pass by silently skipping the browser
            pytest.fail(f"CI: browser tests need {CHROMIUM} (make test installs it)")
        pytest.skip(f"browser tests need {CHROMIUM} (and SKIP_BROWSER_TESTS unset)")
    yield _start_browser()
    _stop_browser()


@pytest.fixture
def browser_problems() -> Iterator[list[str]]:
    problems: list[str] = []
    yield problems
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


def _watch(page, problems: list[str]) -> None:
    def on_dialog(dialog) -> None:
        problems.append(f"dialog {dialog.type}: {dialog.message!r} on {page.url}")
        dialog.dismiss()

    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error} on {page.url}"))
    page.on("dialog", on_dialog)
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text} on {page.url}"),
    )
    page.on(
        "response",
        lambda response: response.status >= 500 and problems.append(f"{response.status} for {response.url}"),
    )


@pytest.fixture
def new_page(browser, live_server, browser_problems) -> Iterator[Callable[..., object]]:
    contexts = []

    def make(*, javascript: bool = True, locale: str = "en-US"):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, locale=locale)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        # The site has no favicon; Chromium's automatic request for one is not the page's problem.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        contexts.append(context)
        page = context.new_page()
        _watch(page, browser_problems)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def logged_in_page(new_page, live_server) -> Callable[..., object]:
    def make(user, *, via_form: bool = False, password: str | None = None, **page_kwargs):
        page = new_page(**page_kwargs)
        if via_form:
            assert password, "logging in through the form needs the user's password"
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill(user.get_username())
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{live_server.url}/")
        else:
            from django.test import Client

            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            page.context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
            )
        return page

    return make
