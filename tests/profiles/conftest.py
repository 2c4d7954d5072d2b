"""Fixtures for the company-profile suite: one team (Olivia its admin, Tom a member), Mallory in a team of
her own, documents made through the real service, and a registration form with the paths the profile
knows (cached, as pages read it).

The personas `owner` (Olivia) and `stranger` (Mallory) are tests/conftest.py's.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from profiles import services
from profiles.models import Document, DocumentKind
from registrations.definitions import (
    ATTACHMENT,
    OPTIONAL,
    REQUIRED,
    SELECT,
    TEXT,
    FieldDef,
    FormDefinition,
    SectionDef,
)
from registrations.models import RegistrationDefinition
from teams.models import Role, Team
from teams.services import membership_set, team_ensure_for
from tests.factories import SenderIdRequestFactory
from tests.process_factories import RegistrationFactory

# The registrations suite's simulator and cached India form, for the test on AWS's real paths.
from tests.registrations.conftest import definitions, make_request, sim  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LOA = "senderIdInfo.letterOfAuthorization"
FORM_TYPE = "IN_SENDER_ID_REGISTRATION"


def pdf(name: str = "letter.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _fast(fast_password_hasher):
    """No test here is about passwords."""


@pytest.fixture
def team(owner) -> Team:
    """Olivia's team ("olivia"): she is its team admin."""
    return team_ensure_for(owner)


@pytest.fixture
def teammate(django_user_model, team):
    """Tom, a member (not a team admin) of Olivia's team."""
    tom = django_user_model.objects.create_user("tom", "tom@acme.example", "tom-pass-1")
    membership_set(team=team, user=tom, role=Role.MEMBER)
    return tom


@pytest.fixture
def rival_team(stranger) -> Team:
    return team_ensure_for(stranger)


@pytest.fixture
def add_document(owner, team):
    """Add a document to Olivia's team's vault through the service (the checks run). `expires_on` in
    the past is stored directly: the service refuses it, but documents expire after upload."""

    def add(
        *,
        kind: str = DocumentKind.LETTER_OF_AUTHORIZATION,
        title: str = "Letter from Acme",
        country: str = "",
        expires_on: datetime.date | None = None,
        for_team: Team | None = None,
        actor: Any = None,
        content: bytes = PDF,
    ) -> Document:
        expired = expires_on is not None and expires_on < today()
        document = services.document_add(
            team=for_team or team,
            actor=actor or owner,
            upload=pdf(content=content),
            kind=kind,
            title=title,
            country=country,
            expires_on=None if expired else expires_on,
        )
        if expired:
            Document.objects.filter(pk=document.pk).update(expires_on=expires_on)
            document.refresh_from_db()
        return document

    return add


# A registration form (as AWS would define it) with paths the profile knows, one it does not, the sender
# ID (locked), a select, and a required letter of authorization.
FORM = FormDefinition(
    registration_type=FORM_TYPE,
    title="India sender ID",
    sections=[
        SectionDef("companyInfo", "Company"),
        SectionDef("companyAddress", "Address"),
        SectionDef("senderIdInfo", "Sender ID"),
        SectionDef("inSidSpecificInfo", "India"),
    ],
    fields=[
        FieldDef("companyInfo", "companyInfo.companyName", TEXT, REQUIRED, "Company name", max_length=100),
        FieldDef("companyInfo", "companyInfo.website", TEXT, OPTIONAL, "Website", max_length=100),
        FieldDef(
            "companyInfo",
            "companyInfo.areaOfBusiness",
            SELECT,
            OPTIONAL,
            "Area of business",
            options=("Technology", "Retail"),
        ),
        FieldDef("companyAddress", "companyAddress.city", TEXT, OPTIONAL, "City", max_length=100),
        FieldDef("companyAddress", "companyAddress.zipCode", TEXT, OPTIONAL, "Postal code", max_length=20),
        FieldDef("senderIdInfo", "senderIdInfo.senderId", TEXT, REQUIRED, "Sender ID", max_length=11),
        FieldDef("senderIdInfo", LOA, ATTACHMENT, REQUIRED, "Letter of authorization"),
        FieldDef("inSidSpecificInfo", "inSidSpecificInfo.principalEntityId", TEXT, OPTIONAL, "Entity ID"),
    ],
)


@pytest.fixture
def form_definition(db) -> FormDefinition:
    RegistrationDefinition.objects.update_or_create(
        registration_type=FORM_TYPE, defaults={"definition": FORM.to_json(), "fetched_at": timezone.now()}
    )
    return FORM


@pytest.fixture
def registration_request(countries, owner, team, form_definition):
    """Olivia's India request in pending_review: its registration form is editable."""
    request = SenderIdRequestFactory(
        owner=owner, team=team, country=countries["IN"], sender_id="ACMEIN", registration_form_name="ACME"
    )
    RegistrationFactory(request=request)
    return request
