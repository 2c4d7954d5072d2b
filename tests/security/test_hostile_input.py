"""Hostile input refused with a clear 400, never a 500 (config/middleware.py HostileInputMiddleware),
and the release confirmation's repeated key (senderids/forms.py ReleaseConfirmForm)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from config.middleware import HostileInputMiddleware
from senderids.choices import Status
from tests.factories import CountryFactory, SenderIdRequestFactory
from tests.senderids.release_support import active_request, release_url, status_of

pytestmark = pytest.mark.django_db

REFUSED = "control character"


def assert_refused(response, status: int = 400, message: str = REFUSED) -> None:
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_a_control_character_in_a_query_string_is_refused(client, countries, char):
    assert_refused(client.get("/countries/", {"q": f"in{char}dia"}))


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\x7f", "é", "\u202e"])
def test_tab_newline_and_printable_characters_pass(client, countries, char):
    assert client.get("/countries/", {"q": f"in{char}dia"}).status_code == 200


def test_the_wizard_search_with_a_nul_byte_is_refused_not_a_500(owner_client, countries):
    response = owner_client.get("/sender-ids/request/country/", {"q": "\x00"})
    assert_refused(response)
    assert "the field “q”" in response.content.decode()


def test_a_nul_byte_in_a_field_name_or_the_path_is_refused(owner_client, countries):
    assert_refused(owner_client.post("/sender-ids/request/country/", {"na\x00me": "x"}))
    assert_refused(owner_client.get("/sender-ids/request/coun%00try/"))


def test_a_nul_byte_in_a_file_name_never_reaches_a_view(rf):
    # Django's multipart parser drops non-printable characters from upload names; the middleware would
    # refuse one that arrived some other way (a custom parser).
    seen = []
    middleware = HostileInputMiddleware(lambda request: seen.append(request.FILES["proof"].name) or None)
    request = rf.post("/", {"proof": SimpleUploadedFile("pro\x00of\x01.pdf", b"%PDF-1.4")})
    middleware(request)
    assert seen == ["proof.pdf"]


def test_a_control_character_in_a_parsed_file_name_is_refused(rf):
    request = rf.post("/", {"proof": SimpleUploadedFile("proof.pdf", b"%PDF-1.4")})
    request.FILES["proof"].name = "pro\x00of.pdf"
    request.user = AnonymousUser()
    assert_refused(HostileInputMiddleware(lambda request: None)(request))


def test_the_refusal_is_translated(client, countries):
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/countries/", {"q": "\x00"})
    assert response.status_code == 400
    assert '<html lang="fr">' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [{"country__iso_code__exact": "D\x00E"}, {"process__exact": "\x00"}, {"q": "\x00"}, {"status": "\x00"}],
)
def test_admin_list_filters_with_a_nul_byte_are_refused(client, admin_user_, params):
    client.force_login(admin_user_)
    assert_refused(client.get(reverse("admin:senderids_senderidrequest_changelist"), params))


@pytest.mark.parametrize(
    "params",
    [
        {"name__regex": "("},
        {"name__iregex": "(?P<n>a)"},
        {"created_at__year": "0"},
        {"created_at__year": "-1"},
        {"updated_at__year": "10000"},
        {"created_at__year__in": "2026,0"},
        {"id__range": "1"},
    ],
    ids=str,
)
def test_admin_lookups_the_database_cannot_run_are_refused_not_a_500(client, admin_user_, countries, params):
    # Django's admin accepts any lookup on a model's own fields and checks the value only in the database.
    client.force_login(admin_user_)
    for url in ("admin:countries_country_changelist", "admin:senderids_senderidrequest_changelist"):
        assert_refused(client.get(reverse(url), params), message="the database cannot use")


@pytest.mark.parametrize(
    "params", [{"created_at__year": "2026"}, {"created_at__year": "abc"}, {"id__range": "1,9"}]
)
def test_usable_or_plainly_wrong_admin_lookups_are_left_to_the_admin(client, admin_user_, params):
    client.force_login(admin_user_)
    response = client.get(reverse("admin:senderids_senderidrequest_changelist"), params)
    assert response.status_code in (200, 302)  # 302: Django's own "?e=1" for a value it can't parse


def test_a_nul_byte_in_an_admin_search_of_countries_is_refused(client, admin_user_):
    client.force_login(admin_user_)
    assert_refused(client.get(reverse("admin:countries_country_changelist"), {"q": "\x00"}))


@pytest.mark.parametrize("selected", ["abc", "1.5", "", "1 OR 1=1", "0x10"])
def test_a_non_integer_admin_selection_is_refused_not_a_500(client, admin_user_, owner, selected):
    client.force_login(admin_user_)
    request = SenderIdRequestFactory(owner=owner, country=CountryFactory())
    response = client.post(
        reverse("admin:senderids_senderidrequest_changelist") + "?status=all",
        {"action": "approve", "_selected_action": [str(request.pk), selected]},
    )
    assert_refused(response, message="were not understood")
    assert status_of(request) == Status.PENDING_REVIEW


def test_an_id_too_large_for_the_column_selects_nothing(client, admin_user_, owner):
    client.force_login(admin_user_)
    request = SenderIdRequestFactory(owner=owner, country=CountryFactory())
    response = client.post(
        reverse("admin:senderids_senderidrequest_changelist") + "?status=all",
        {"action": "approve", "_selected_action": ["9" * 40]},
    )
    assert response.status_code == 302
    assert status_of(request) == Status.PENDING_REVIEW


def test_a_non_integer_selection_in_a_country_action_is_refused(client, admin_user_, countries):
    client.force_login(admin_user_)
    response = client.post(
        reverse("admin:countries_country_changelist"),
        {"action": "clear_process_override", "_selected_action": ["DE", "x" * 10]},
    )
    # Country ids are ISO codes (text): any string is a well-formed id, so the action just finds none.
    assert response.status_code == 302


# --- the release confirmation -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "answers", [["x", "release"], ["release", "x"], ["release", "release"], ["release", ""]]
)
def test_a_repeated_release_confirmation_is_refused(owner_client, owner, releases_enqueued, answers):
    request = active_request(owner)
    response = owner_client.post(release_url(request), {"confirmation": answers, "action": "release"})
    assert response.status_code == 200
    assert "The confirmation was sent more than once" in response.content.decode()
    assert status_of(request) == Status.ACTIVE and releases_enqueued == []


def test_a_nul_byte_in_the_release_confirmation_is_refused(owner_client, owner, releases_enqueued):
    request = active_request(owner)
    response = owner_client.post(release_url(request), {"confirmation": "release\x00", "action": "release"})
    assert_refused(response)
    assert status_of(request) == Status.ACTIVE and releases_enqueued == []


def test_the_release_still_works_with_one_answer(
    owner_client, owner, releases_enqueued, django_capture_on_commit_callbacks
):
    request = active_request(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(release_url(request), {"confirmation": "release", "action": "release"})
    assert response.status_code == 302
    assert releases_enqueued == [request.pk]
