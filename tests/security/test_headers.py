"""Limits and headers (config/middleware.py): body size, CSP and the other headers, no-store when private."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from config.middleware import _BLOCK, csp_hash, static_inline_blocks
from registrations.services import aws
from tests.process_factories import approve_and_claim
from tests.registrations.conftest import SINGAPORE_VALUES
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
    assert csp["script-src"][0] == "'self'" and all(v.startswith("'sha256-") for v in csp["script-src"][1:])
    assert csp["style-src"][0] == "'self'" and all(v.startswith("'sha256-") for v in csp["style-src"][1:])
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"] and csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] + csp["style-src"]
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


# --- the CSP allows exactly the inline blocks the pages carry -------------------------------------
def inline_blocks(html: str) -> list[tuple[str, str]]:
    return [
        (kind.lower(), body)
        for kind, attrs, body in _BLOCK.findall(html)
        if "src=" not in attrs and "application/json" not in attrs and body.strip()
    ]


def assert_inline_blocks_allowed(response) -> int:
    csp = directives(response)
    blocks = inline_blocks(response.content.decode())
    for kind, body in blocks:
        assert f"'{csp_hash(body)}'" in csp[f"{kind}-src"], (
            f"an inline <{kind}> is not allowed by the CSP: move it to static/ or, if it has template "
            f"variables, add {csp_hash(body)} to config.middleware.RENDERED_INLINE_SCRIPT_HASHES:\n"
            f"{body[:300]}"
        )
    return len(blocks)


def test_the_catalogue_wizard_and_detail_pages_inline_blocks_are_allowed(owner_client, owner, countries):
    request = active_request(owner)
    for url in ("/countries/", "/sender-ids/request/country/", f"/sender-ids/{request.pk}/"):
        response = owner_client.get(url, follow=True)
        assert assert_inline_blocks_allowed(response) >= 1, url


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_registration_page_scripts_are_allowed_in_every_language(
    owner_client, indonesia, make_request, language
):
    request = make_request("ID", "EXAMPLEID")
    response = owner_client.get(
        reverse("registrations:detail", kwargs={"pk": request.pk}), HTTP_ACCEPT_LANGUAGE=language
    )
    assert 'id="conditional-rules"' in response.content.decode()
    assert assert_inline_blocks_allowed(response) >= 2  # its <style> and the conditional-fields script


def test_the_registration_page_waiting_script_is_allowed(owner_client, sim, definitions, make_request):
    sim.configure(review_delay=100)
    request = make_request("SG", "EXAMPLESG")
    detail = reverse("registrations:detail", kwargs={"pk": request.pk})
    owner_client.post(detail, {**SINGAPORE_VALUES, "action": "submit"})
    approve_and_claim(request)
    aws.registration_start(request=request)
    response = owner_client.get(detail)
    assert 'id="waiting"' in response.content.decode()
    assert assert_inline_blocks_allowed(response) >= 2


def test_the_static_inline_blocks_are_found_in_the_template_sources():
    found = {(path.name, kind) for path, kind, _body in static_inline_blocks()}
    assert ("country_list.html", "style") in found and ("detail.html", "script") in found
    assert not any(re.search(r"\{[{%]", body) for _p, _k, body in static_inline_blocks())


def test_a_login_page_is_never_cached(client):
    response = Client().get("/accounts/login/")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
