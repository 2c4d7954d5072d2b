"""The company profile in the registration form (/registrations/<id>/): fields pre-filled from it, a
vault document chosen for an ATTACHMENT field (an expired one refused with the clear message, nothing
else lost), and a team admin's "Save these answers to the company profile"."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from profiles import services
from profiles.models import CompanyProfile, DocumentKind
from profiles.uploads import human_date
from registrations.models import Registration, RegistrationAttachment, RegistrationFieldValue
from registrations.services import draft

from .conftest import LOA, PDF, PNG, days

pytestmark = pytest.mark.django_db


def url(request) -> str:
    return reverse("registrations:detail", kwargs={"pk": request.pk})


def field_box(body: str, path: str) -> str:
    """The HTML of one field's box on the form (up to the next field's)."""
    start = body.index(f'data-field-path="{path}"')
    ends = [i for i in (body.find("data-field-path=", start + 1), body.find("</fieldset>", start)) if i != -1]
    return body[start : min(ends)]


@pytest.fixture
def profile(owner, team) -> CompanyProfile:
    return services.profile_save(
        team=team,
        data={
            "legal_name": "Acme Ltd",
            "website": "https://acme.example",
            "city": "Leeds",
            "postal_code": "LS1 4AP",
            "area_of_business": "Technology",
        },
        actor=owner,
    )


def stored(request) -> dict[str, str]:
    return dict(
        RegistrationFieldValue.objects.filter(registration__request=request).values_list(
            "field_path", "text_value"
        )
    )


# --- prefill -------------------------------------------------------------------------------------
def test_empty_fields_are_prefilled_from_the_profile_and_say_so(owner_client, profile, registration_request):
    body = owner_client.get(url(registration_request)).content.decode()
    assert 'name="companyInfo.companyName" value="Acme Ltd"' in body
    assert 'name="companyAddress.zipCode" value="LS1 4AP"' in body
    assert "Pre-filled from your company profile" in field_box(body, "companyInfo.companyName")
    assert 'id="prefilled-note"' in body and 'href="/profile/"' in body
    # The select takes the profile's value when it is one of its options.
    assert re.search(r'value="Technology"[^>]* checked', field_box(body, "companyInfo.areaOfBusiness"))


def test_a_path_the_mapping_does_not_know_is_left_blank(owner_client, profile, registration_request):
    body = owner_client.get(url(registration_request)).content.decode()
    box = field_box(body, "inSidSpecificInfo.principalEntityId")
    assert 'name="inSidSpecificInfo.principalEntityId"' in box and "value=" not in box
    assert "Pre-filled" not in box


def test_a_stored_value_wins_over_the_profile(owner_client, owner, profile, registration_request):
    owner_client.post(url(registration_request), {"companyAddress.city": "York", "action": "save"})
    body = owner_client.get(url(registration_request)).content.decode()
    assert 'name="companyAddress.city" value="York"' in body
    assert "Pre-filled" not in field_box(body, "companyAddress.city")


def test_the_locked_sender_id_keeps_priority(owner_client, profile, registration_request):
    body = owner_client.get(url(registration_request)).content.decode()
    assert 'value="ACMEIN"' in field_box(body, "senderIdInfo.senderId")


def test_without_a_profile_nothing_is_prefilled(owner_client, registration_request):
    body = owner_client.get(url(registration_request)).content.decode()
    assert "Pre-filled" not in body and 'id="prefilled-note"' not in body


def test_a_get_with_a_profile_writes_nothing(owner_client, profile, registration_request):
    owner_client.get(url(registration_request))
    assert stored(registration_request) == {}


def test_the_real_india_form_is_prefilled(owner_client, profile, make_request, definitions):
    request = make_request("IN", "EXMPLE")
    body = owner_client.get(url(request)).content.decode()
    assert 'name="companyInfo.companyName" value="Acme Ltd"' in body
    assert 'name="companyInfo.website" value="https://acme.example"' in body


# --- vault documents for ATTACHMENT fields -------------------------------------------------------
def test_usable_documents_are_offered_beside_the_upload(owner_client, add_document, registration_request):
    add_document(title="Acme LOA", expires_on=days(60))
    add_document(title="For Indonesia", country="ID")
    add_document(title="Expired LOA", expires_on=days(-1))
    add_document(title="Tax card", kind=DocumentKind.TAX_DOCUMENT)
    box = field_box(owner_client.get(url(registration_request)).content.decode(), LOA)
    assert f'name="vault:{LOA}"' in box and 'type="file"' in box
    assert "Acme LOA" in box
    assert all(name not in box for name in ("For Indonesia", "Expired LOA", "Tax card"))


def test_a_chosen_document_is_stored_as_the_fields_attachment(
    owner_client, add_document, registration_request
):
    document = add_document(title="Acme LOA", expires_on=days(60))
    response = owner_client.post(url(registration_request), {f"vault:{LOA}": document.pk, "action": "save"})
    assert response.status_code == 302
    attachment = RegistrationAttachment.objects.get(registration__request=registration_request)
    assert (attachment.field_path, attachment.file_name, bytes(attachment.body)) == (LOA, "letter.pdf", PDF)
    assert attachment.content_type == "application/pdf"
    assert RegistrationFieldValue.objects.get(field_path=LOA).attachment == attachment


def test_a_chosen_document_answers_a_required_field_on_submit(
    owner_client, add_document, registration_request
):
    document = add_document()
    response = owner_client.post(
        url(registration_request),
        {"companyInfo.companyName": "Acme Ltd", f"vault:{LOA}": document.pk, "action": "submit"},
    )
    assert response.status_code == 302
    assert Registration.objects.get(request=registration_request).submit_requested


def test_an_uploaded_file_wins_over_a_chosen_document(owner_client, add_document, registration_request):
    document = add_document()
    owner_client.post(
        url(registration_request),
        {f"vault:{LOA}": document.pk, LOA: SimpleUploadedFile("mine.png", PNG), "action": "save"},
    )
    assert (
        RegistrationAttachment.objects.get(registration__request=registration_request).file_name == "mine.png"
    )


def test_an_expired_document_is_refused_with_the_clear_message_and_nothing_is_lost(
    owner_client, add_document, registration_request
):
    expired = add_document(title="Acme LOA", expires_on=days(-2))  # expired since the page was drawn
    response = owner_client.post(
        url(registration_request),
        {"companyInfo.companyName": "Acme Typed Ltd", f"vault:{LOA}": expired.pk, "action": "save"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    message = (
        f"The letter of authorization “Acme LOA” expired on {human_date(days(-2))}: "
        "upload a current one on your company profile."
    )
    assert message in field_box(body, LOA)
    assert 'name="companyInfo.companyName" value="Acme Typed Ltd"' in body
    assert stored(registration_request) == {}
    assert not RegistrationAttachment.objects.exists()


def test_another_teams_document_cannot_be_chosen(
    owner_client, add_document, rival_team, stranger, registration_request
):
    theirs = add_document(for_team=rival_team, actor=stranger)
    response = owner_client.post(url(registration_request), {f"vault:{LOA}": theirs.pk, "action": "save"})
    assert response.status_code == 200
    assert "no longer on your company profile" in response.content.decode()
    assert not RegistrationAttachment.objects.exists()


def test_a_vault_choice_for_a_field_without_one_is_an_unknown_field(owner_client, registration_request):
    response = owner_client.post(
        url(registration_request), {"vault:companyInfo.companyName": "1", "action": "save"}
    )
    assert response.status_code == 200
    assert "is not a field of this registration form" in response.content.decode()


def test_the_attachment_path_stores_a_held_file_like_an_upload(registration_request, form_definition, owner):
    from registrations.inputs import FieldInput

    value = FieldInput.from_stored_file(name="held.pdf", content=PDF, content_type="application/pdf")
    draft.registration_save(
        registration=registration_request.registration,
        definition=form_definition,
        inputs={LOA: value},
        submit=False,
        actor=owner,
    )
    attachment = RegistrationAttachment.objects.get()
    assert (attachment.file_name, attachment.size, attachment.content_type) == (
        "held.pdf",
        len(PDF),
        "application/pdf",
    )


# --- save back to the profile --------------------------------------------------------------------
def test_a_team_admin_saves_the_answers_to_the_profile(owner_client, profile, registration_request):
    body = owner_client.get(url(registration_request)).content.decode()
    assert 'name="save_to_profile"' in body
    response = owner_client.post(
        url(registration_request),
        {"companyInfo.companyName": "Acme Group Ltd", "companyAddress.city": "York", "save_to_profile": "on",
         "action": "save"},
    )  # fmt: skip
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.legal_name, profile.city) == ("Acme Group Ltd", "York")
    assert (
        "2 answers saved to the company profile."
        in owner_client.get(url(registration_request)).content.decode()
    )
    assert stored(registration_request)["companyInfo.companyName"] == "Acme Group Ltd"


def test_without_the_box_the_profile_is_unchanged(owner_client, profile, registration_request):
    owner_client.post(url(registration_request), {"companyInfo.companyName": "Other Ltd", "action": "save"})
    profile.refresh_from_db()
    assert profile.legal_name == "Acme Ltd"


def test_a_member_is_not_offered_the_save_back_and_a_forged_one_changes_nothing(
    client, teammate, profile, registration_request
):
    client.force_login(teammate)
    assert 'name="save_to_profile"' not in client.get(url(registration_request)).content.decode()
    response = client.post(
        url(registration_request),
        {"companyInfo.companyName": "Tom's Ltd", "save_to_profile": "on", "action": "save"},
    )
    assert response.status_code == 302  # the draft is saved: members edit registrations
    profile.refresh_from_db()
    assert profile.legal_name == "Acme Ltd"
