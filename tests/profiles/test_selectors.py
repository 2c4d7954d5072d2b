"""Reads: the mapping between FieldPaths and the profile, brand names, the documents a form may use and
the clear refusal of an expired one."""

from __future__ import annotations

import pytest

from profiles import mapping, selectors, services
from profiles.models import CompanyProfile, DocumentKind
from profiles.uploads import human_date

from .conftest import days, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(owner, team) -> CompanyProfile:
    return services.profile_save(
        team=team,
        data={
            "legal_name": "Acme Corporation Ltd",
            "trading_name": "Acme",
            "website": "https://www.acme-corp.co.uk/about",
            "postal_code": "LS1 4AP",
            "city": "Leeds",
            "contact_email": "sms@acme.example",
        },
        actor=owner,
    )


# --- mapping -------------------------------------------------------------------------------------
def test_known_paths_with_a_value_are_prefilled_and_others_left_out(profile):
    values = mapping.prefill_values(
        profile,
        [
            "companyInfo.companyName",
            "companyAddress.zipCode",
            "companyAddress.postalCode",
            "companyAddress.address1",  # known, but blank in the profile
            "inSidSpecificInfo.principalEntityId",  # unknown to the mapping
            "contactInfo.emailAddress",
        ],
    )
    assert values == {
        "companyInfo.companyName": "Acme Corporation Ltd",
        "companyAddress.zipCode": "LS1 4AP",
        "companyAddress.postalCode": "LS1 4AP",
        "contactInfo.emailAddress": "sms@acme.example",
    }


def test_no_profile_prefills_nothing():
    assert mapping.prefill_values(None, ["companyInfo.companyName"]) == {}


def test_answers_map_to_attributes_and_a_multiple_choice_is_not_taken():
    assert mapping.answers_to_profile(
        {
            "companyInfo.companyName": " Acme ",
            "companyAddress.zipCode": "LS1",
            "companyInfo.areaOfBusiness": ["Retail", "Technology"],
            "messageSamples.messageSample2": "",
            "senderIdInfo.senderId": "ACME",
        }
    ) == {"legal_name": "Acme", "postal_code": "LS1"}


def test_every_mapped_attribute_is_a_profile_field_and_every_attachment_kind_a_kind():
    fields = {f.name for f in CompanyProfile._meta.get_fields()}
    assert set(mapping.FIELD_ATTRIBUTES.values()) <= fields
    assert set(mapping.ATTACHMENT_KINDS.values()) <= set(DocumentKind.values)
    assert mapping.document_kind_for("idSidSpecificInfo.letterOfAuthorization4") == "letter_of_authorization"
    assert (
        mapping.document_kind_for("idSidSpecificInfo.nomorIndukBerusahaDocument")
        == "registration_certificate"
    )
    assert mapping.document_kind_for("idSidSpecificInfo.nomorPokokWajibPajakDocument") == "tax_document"
    assert mapping.document_kind_for("idSidSpecificInfo.regulatoryAgencyLicense") == "regulatory_license"
    assert mapping.document_kind_for("senderIdInfo.proofOfSenderIdConnection") is None


# --- brand names ---------------------------------------------------------------------------------
def test_brand_names_are_the_legal_and_trading_names_and_the_websites_label(profile, team):
    assert selectors.brand_names(team) == ["Acme Corporation Ltd", "Acme", "acme-corp"]


def test_a_team_without_profile_has_no_brand_names(team):
    assert selectors.brand_names(team) == []


@pytest.mark.parametrize(
    ("website", "label"),
    [
        ("https://www.acme-corp.co.uk", "acme-corp"),
        ("acme.com", "acme"),
        ("http://shop.example.com.au/x", "example"),
        ("https://example.in", "example"),
        ("", ""),
    ],
)
def test_the_websites_main_label(website, label):
    assert selectors.website_label(website) == label


# --- documents a form may use --------------------------------------------------------------------
def test_usable_documents_are_current_and_for_the_country_or_any(team, add_document, rival_team, stranger):
    any_country = add_document(title="Any", expires_on=days(10))
    for_india = add_document(title="India", country="IN")
    add_document(title="Indonesia", country="ID")
    add_document(title="Expired", expires_on=days(-1))
    add_document(title="Tax", kind=DocumentKind.TAX_DOCUMENT)
    add_document(title="Rival", for_team=rival_team, actor=stranger)
    usable = selectors.usable_documents(
        team=team, country_iso="in", kind=DocumentKind.LETTER_OF_AUTHORIZATION
    )
    assert sorted(d.title for d in usable) == sorted([any_country.title, for_india.title])


def test_an_expired_document_is_refused_with_the_clear_message(team, add_document):
    document = add_document(title="Acme LOA", expires_on=days(-3))
    with pytest.raises(services.DocumentUnusable) as exc:
        selectors.document_for_use(team=team, pk=document.pk)
    assert str(exc.value) == (
        f"The letter of authorization “Acme LOA” expired on {human_date(days(-3))}: "
        "upload a current one on your company profile."
    )


def test_the_message_says_the_date_as_people_write_it():
    import datetime

    assert human_date(datetime.date(2026, 5, 3)) == "3 May 2026"


def test_a_document_valid_today_may_be_used(team, add_document):
    document = add_document(expires_on=today())
    assert selectors.document_for_use(team=team, pk=document.pk) == document


def test_another_teams_document_cannot_be_used(team, add_document, rival_team, stranger):
    theirs = add_document(for_team=rival_team, actor=stranger)
    with pytest.raises(services.DocumentUnusable, match="no longer on your company profile"):
        selectors.document_for_use(team=team, pk=theirs.pk)


def test_a_document_for_another_country_or_kind_cannot_be_used(team, add_document):
    document = add_document(country="ID")
    with pytest.raises(services.DocumentUnusable, match="another country"):
        selectors.document_for_use(team=team, pk=document.pk, country_iso="IN")
    with pytest.raises(services.DocumentUnusable, match="is not a tax document"):
        selectors.document_for_use(team=team, pk=document.pk, kind=DocumentKind.TAX_DOCUMENT)


@pytest.mark.parametrize(
    ("offset", "state", "text"),
    [
        (None, "no_expiry", "Valid (no expiry date)"),
        (90, "valid", "Valid until"),
        (30, "expiring", "Expires in 30 days"),
        (1, "expiring", "Expires in 1 day ("),
        (0, "expiring", "Expires today"),
        (-1, "expired", "Expired on"),
    ],
)
def test_the_expiry_state_is_said_in_words(team, add_document, offset, state, text):
    document = add_document(expires_on=None if offset is None else days(offset))
    expiry = selectors.document_expiry(document, today())
    assert expiry.state == state
    assert expiry.text.startswith(text)
