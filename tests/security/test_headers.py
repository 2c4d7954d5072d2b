"""Limits and headers (config/middleware.py): body size, CSP and the other headers, no-store when private."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from registrations.services import aws
from tests.process_factories import approve_and_claim
from tests.registrations.conftest import SINGAPORE_VALUES, save
from tests.senderids.release_support import active_request

pytestmark = pytest.mark.django_db


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


# --- request size --------------------------------------------------------------------------------
def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(client):
    response = client.post(
        "/accounts/login/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(150 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "Request too large" in html and "150.0\xa0MB" in html and "8.0\xa0MB" in html
    assert response["Connection"] == "close"


def test_the_413_page_is_in_the_browser_s_language(client):
    response = client.post(
        "/sender-ids/request/country/",
        data=b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BODY_BYTES + 1),
        HTTP_ACCEPT_LANGUAGE="fr",
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert '<html lang="fr">' in response.content.decode()


def test_a_body_at_the_limit_reaches_the_view(client):
    body = b"x" * settings.REQUEST_MAX_BODY_BYTES
    response = client.post("/healthz", data=body, content_type="application/octet-stream")
    assert response.status_code == 405  # the view answered: only GET


def test_the_largest_legitimate_upload_fits_under_the_limit():
    # 12 attachments of 500 KB (Indonesia's form) plus 34 text fields of 2,048 characters, multipart.
    largest = 12 * 500 * 1024 + 34 * (2048 * 4 + 200)
    assert largest < settings.REQUEST_MAX_BODY_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= 500 * 1024  # an attachment stays in memory


# --- headers on every answer ------------------------------------------------------------------------
def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def test_every_answer_carries_the_security_headers(client):
    response = client.get("/countries/")
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    # Nothing inline: no hash, no nonce, no 'unsafe-inline', and no -attr/-elem directive to loosen them.
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert not [name for name in csp if name.startswith(("script-src-", "style-src-"))]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"] and csp["base-uri"] == ["'self'"]
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_error_answers_carry_them_too(client):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    assert "Content-Security-Policy" in client.get("/countries/", {"q": "\x00"})


def test_a_public_page_for_an_anonymous_visitor_is_not_marked_private(client):
    assert "no-store" not in client.get("/countries/").get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/", "/countries/", "/sender-ids/mine/", "/sender-ids/request/country/"])
def test_every_page_for_a_logged_in_user_is_no_store(owner_client, url):
    response = owner_client.get(url, follow=True)
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_admin_pages_are_no_store_and_under_the_csp(client, admin_user_):
    client.force_login(admin_user_)
    response = client.get(reverse("admin:senderids_senderidrequest_changelist"))
    assert "no-store" in response["Cache-Control"]
    assert_inline_blocks_allowed(response)


# --- nothing inline: the CSP (script-src 'self'; style-src 'self') would block it ------------------------
# What the policy blocks in a page: an inline <script> (not type="application/json": json_script's data is
# not run), a <style> block, a style="" attribute, an on…="" event handler, a javascript: address.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}


class InlineFinder(HTMLParser):
    """The inline code a page (or a template's source) carries, and the scripts and stylesheets it loads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline: list[str] = []
        self.loaded: list[str] = []
        self._script: str | None = None  # the inline script being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = f"line {self.getpos()[0]}: <{tag}"
        for name, value in values.items():
            is_url = name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:")
            if name == "style" or name.startswith("on") or is_url:
                self.inline.append(f'{line} {name}="{value[:80]}">')
        if tag == "script":
            if values.get("src"):
                self.loaded.append(values["src"])
            elif values.get("type", "").lower() not in DATA_SCRIPT_TYPES:
                self._script = line
        elif tag == "style":
            self.inline.append(f"{line}>")
        elif tag == "link" and "stylesheet" in values.get("rel", "").split():
            self.loaded.append(values.get("href", ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None and data.strip():
            self.inline.append(f"{self._script}>{data.strip()[:120]}")
            self._script = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def find_inline(html: str) -> InlineFinder:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder


def assert_inline_blocks_allowed(response) -> int:
    """The page carries nothing the CSP blocks (see InlineFinder) and loads its scripts and stylesheets
    from the portal itself ('self': a path on this host). Returns how many it loads."""
    assert directives(response)["script-src"] == ["'self'"]
    found = find_inline(response.content.decode())
    assert not found.inline, (
        "inline code the CSP blocks (move it to a file under static/; pass values in data- attributes "
        "or json_script):\n" + "\n".join(dict.fromkeys(found.inline))
    )
    foreign = [url for url in found.loaded if not url.startswith("/") or url.startswith("//")]
    assert not foreign, f"scripts or stylesheets from another origin: {foreign}"
    return len(found.loaded)


def project_templates() -> list[Path]:
    """Every template of the portal: the TEMPLATES DIRS and the portal's own apps' templates/ folders (not
    the installed packages': Django's admin is checked by its pages below)."""
    base = Path(settings.BASE_DIR).resolve()
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            dirs.append(path / "templates")
    return sorted({t for d in dirs if d.is_dir() for t in d.rglob("*.html")})


TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)


def test_no_template_carries_an_inline_script_style_or_handler():
    templates = project_templates()
    assert len(templates) > 40 and any(t.name == "country_list.html" for t in templates)
    found = {}
    for template in templates:
        # Template syntax out of the way (a tag inside an attribute would confuse the parser), kept as
        # "x" so that `style="{{ … }}"` still reads as a style attribute.
        source = TEMPLATE_TAG.sub("x", template.read_text())
        if inline := find_inline(source).inline:
            found[str(template.relative_to(settings.BASE_DIR))] = inline
    assert not found, f"inline code the CSP blocks, move it to static/: {found}"


def test_no_admin_drops_both_action_bars():
    # Django's admin/change_list.html has an inline <style> for a changelist without either action bar.
    from django.contrib import admin

    bare = [str(m) for m in admin.site._registry.values() if not (m.actions_on_top or m.actions_on_bottom)]
    assert not bare, f"these changelists would carry Django's inline <style>: {bare}"


def test_the_finder_sees_what_the_csp_blocks():
    html = """<script>alert(1)</script><style>p{}</style><p style="color:red" onclick="go()">x</p>
    <a href="javascript:go()">y</a><script type="application/json" id="d">{"a": 1}</script>
    <script src="/static/js/live.js"></script><link rel="stylesheet" href="/static/css/portal.css">"""
    found = find_inline(html)
    assert len(found.inline) == 5
    assert found.loaded == ["/static/js/live.js", "/static/css/portal.css"]


def test_the_catalogue_wizard_and_detail_pages_carry_nothing_inline(owner_client, owner, countries):
    request = active_request(owner)
    for url in (
        "/countries/",
        "/countries/DE/",
        "/sender-ids/request/country/",
        f"/sender-ids/{request.pk}/",
    ):
        response = owner_client.get(url, follow=True)
        assert response.status_code == 200, url
        assert assert_inline_blocks_allowed(response) >= 2, url  # portal.css and the page's own


def test_the_staff_and_profile_pages_carry_nothing_inline(client, owner_client, admin_user_, countries):
    assert assert_inline_blocks_allowed(owner_client.get(reverse("profiles:profile"))) >= 2
    client.force_login(admin_user_)
    assert assert_inline_blocks_allowed(client.get(reverse("senderids:tracking"))) >= 2


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_registration_page_carries_nothing_inline_in_every_language(
    owner_client, indonesia, make_request, language
):
    request = make_request("ID", "EXAMPLEID")
    response = owner_client.get(
        reverse("registrations:detail", kwargs={"pk": request.pk}), HTTP_ACCEPT_LANGUAGE=language
    )
    html = response.content.decode()
    assert 'id="conditional-rules"' in html and "js/registration_conditional.js" in html
    assert assert_inline_blocks_allowed(response) >= 3  # portal.css, registration.css, the script
    # The markers' words reach the script through the form's data- attributes, in the page's language.
    with translation.override(language):
        required, optional = translation.gettext("(required)"), translation.gettext("(optional)")
    assert f'data-label-required="{required}" data-label-optional="{optional}"' in html


def test_the_registration_page_waiting_script_is_loaded_not_inline(
    owner_client, sim, definitions, make_request
):
    sim.configure(review_delay=100)
    request = make_request("SG", "EXAMPLESG")
    detail = reverse("registrations:detail", kwargs={"pk": request.pk})
    owner_client.post(detail, {**SINGAPORE_VALUES, "action": "submit"})
    approve_and_claim(request)
    aws.registration_start(request=request)
    response = owner_client.get(detail)
    html = response.content.decode()
    assert 'id="waiting"' in html and "js/registration_waiting.js" in html
    assert '<progress class="progress-bar"' in html  # the bar's width is its value, not a style attribute
    assert assert_inline_blocks_allowed(response) >= 3


def test_the_admin_registration_page_carries_nothing_inline(
    client, admin_user_, sim, definitions, make_request
):
    request = make_request("SG", "EXAMPLESG")
    registration = save(request, SINGAPORE_VALUES, submit=False)  # the content table has rows
    client.force_login(admin_user_)
    response = client.get(reverse("admin:registrations_registration_change", args=[registration.pk]))
    assert response.status_code == 200 and "Example Pte Ltd" in response.content.decode()
    assert_inline_blocks_allowed(response)


def test_a_login_page_is_never_cached(client):
    response = Client().get("/accounts/login/")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
