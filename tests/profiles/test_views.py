"""/profile/: who sees and changes what, refused input that comes back as typed, downloads, the page of a
user without a team. (Every URL × persona is also in tests/security/test_permission_matrix.py.)"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles import services
from profiles.models import CompanyProfile, Document, DocumentKind

from .conftest import PDF, days

pytestmark = pytest.mark.django_db

PROFILE_URL = "/profile/"
ADD_URL = "/profile/documents/"


def download_url(document: Document) -> str:
    return f"/profile/documents/{document.pk}/download/"


def delete_url(document: Document) -> str:
    return f"/profile/documents/{document.pk}/delete/"


def login(client, user):
    client.force_login(user)
    return client


def upload_data(**extra):
    return {
        "upload": SimpleUploadedFile("loa.pdf", PDF, content_type="application/pdf"),
        "kind": DocumentKind.LETTER_OF_AUTHORIZATION,
        "title": "Acme LOA",
        "country": "",
        **extra,
    }


# --- who may do what -----------------------------------------------------------------------------
def test_anonymous_users_are_sent_to_login(client):
    response = client.get(PROFILE_URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_member_sees_the_profile_and_documents_read_only(client, owner, team, teammate, add_document):
    services.profile_save(team=team, data={"legal_name": "Acme Ltd"}, actor=owner)
    add_document(title="Acme LOA")
    body = login(client, teammate).get(PROFILE_URL).content.decode()
    assert "Acme Ltd" in body and "Acme LOA" in body
    assert 'id="profile-form"' not in body and 'id="document-form"' not in body
    assert "/delete/" not in body


def test_a_member_cannot_change_the_profile_or_documents(client, team, teammate, add_document):
    document = add_document()
    login(client, teammate)
    assert client.post(PROFILE_URL, {"legal_name": "Hijack"}).status_code == 403
    assert client.post(ADD_URL, upload_data()).status_code == 403
    assert client.get(delete_url(document)).status_code == 403
    assert client.post(delete_url(document)).status_code == 403
    assert not CompanyProfile.objects.exists() and Document.objects.count() == 1


def test_a_team_admin_edits_the_profile(client, owner, team):
    response = login(client, owner).post(PROFILE_URL, {"legal_name": "Acme Ltd", "iso_country_code": "gb"})
    assert response.status_code == 302
    profile = CompanyProfile.objects.get(team=team)
    assert (profile.legal_name, profile.iso_country_code) == ("Acme Ltd", "GB")
    assert "Company profile saved." in client.get(PROFILE_URL).content.decode()


def test_another_teams_document_is_404_everywhere(client, stranger, rival_team, add_document):
    document = add_document()
    login(client, stranger)
    assert client.get(download_url(document)).status_code == 404
    assert client.get(delete_url(document)).status_code == 404
    assert client.post(delete_url(document)).status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()
    assert "Letter from Acme" not in client.get(PROFILE_URL).content.decode()


def test_a_user_without_a_team_gets_a_clear_page(client, staff_user):
    response = login(client, staff_user).get(PROFILE_URL)
    assert response.status_code == 200
    assert 'id="no-team"' in response.content.decode()
    assert client.post(PROFILE_URL, {"legal_name": "x"}).status_code == 404


def test_the_nav_links_to_the_profile(client, owner, team):
    assert 'href="/profile/">Company profile</a>' in login(client, owner).get("/team/").content.decode()


# --- refused input comes back with what was typed ------------------------------------------------
def test_a_refused_profile_keeps_what_was_typed_and_says_why(client, owner, team):
    response = login(client, owner).post(
        PROFILE_URL, {"legal_name": "x" * 101, "city": "Leeds", "contact_email": "nope"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ensure this value has at most 100 characters (it has 101)." in body
    assert "Enter a valid email address." in body
    assert 'value="Leeds"' in body and 'value="nope"' in body
    assert not CompanyProfile.objects.exists()


def test_a_nul_byte_is_refused_cleanly(client, owner, team):
    response = login(client, owner).post(PROFILE_URL, {"legal_name": "Acme\x00", "city": "Leeds"})
    assert response.status_code == 400
    assert "control character" in response.content.decode()
    assert not CompanyProfile.objects.exists()


def test_the_profile_form_refuses_a_nul_byte_too():
    from profiles.forms import CompanyProfileForm

    form = CompanyProfileForm({"legal_name": "Acme\x00"})
    assert not form.is_valid() and "Null characters are not allowed." in form.errors["legal_name"][0]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"upload": SimpleUploadedFile("loa.pdf", b"GIF89a" + b"\x00" * 16)},
            "Upload a PDF, PNG or JPEG file.",
        ),
        ({"upload": SimpleUploadedFile("loa.pdf", PDF + b"0" * 512 * 1024)}, "AWS accepts files of at most"),
        ({"upload": SimpleUploadedFile("loa.pdf", b"")}, "The submitted file is empty."),
        ({"expires_on": days(-1).isoformat()}, "This document expired on"),
        ({"issued_on": days(-5).isoformat(), "expires_on": days(-9).isoformat()}, "is before the issue date"),
        ({"expires_on": "31/31/2026"}, "Enter a valid date."),
        ({"title": "t" * 101}, "at most 100 characters"),
    ],
    ids=[
        "disguised-type",
        "oversized",
        "empty",
        "expired",
        "expires-before-issued",
        "bad-date",
        "long-title",
    ],
)
def test_a_refused_upload_says_why_and_keeps_the_other_answers(client, owner, team, extra, message):
    response = login(client, owner).post(ADD_URL, upload_data(**{"title": "Acme LOA", **extra}))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if "title" not in extra:
        assert 'value="Acme LOA"' in body
    assert not Document.objects.exists()


def test_a_team_admin_uploads_a_document(client, owner, team):
    response = login(client, owner).post(ADD_URL, upload_data(country="ID", expires_on=days(20).isoformat()))
    assert response.status_code == 302
    document = Document.objects.get(team=team)
    assert (document.title, document.country, document.expires_on) == ("Acme LOA", "ID", days(20))
    body = client.get(PROFILE_URL).content.decode()
    assert "Document “Acme LOA” added." in body
    assert 'data-expiry="expiring">Expires in 20 days' in body


def test_a_get_of_the_add_url_is_not_allowed(client, owner, team):
    assert login(client, owner).get(ADD_URL).status_code == 405


# --- delete and download -------------------------------------------------------------------------
def test_a_team_admin_confirms_then_deletes(client, owner, add_document):
    document = add_document(title="Old letter")
    login(client, owner)
    confirmation = client.get(delete_url(document))
    assert confirmation.status_code == 200 and "Delete “Old letter”" in confirmation.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()  # a GET only asks
    assert client.post(delete_url(document)).status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()


def test_any_team_member_downloads_as_an_attachment(client, teammate, add_document):
    document = add_document()
    response = login(client, teammate).get(download_url(document))
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_page_says_each_documents_validity_in_words(client, owner, add_document):
    add_document(title="Old", expires_on=days(-2))
    add_document(title="Soon", expires_on=days(7))
    add_document(title="Fine", expires_on=days(200))
    body = login(client, owner).get(PROFILE_URL).content.decode()
    assert 'data-expiry="expired">Expired on' in body
    assert 'data-expiry="expiring">Expires in 7 days' in body
    assert 'data-expiry="valid">Valid until' in body
