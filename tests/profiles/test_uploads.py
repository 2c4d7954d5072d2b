"""The upload checks (profiles.uploads), shared by the vault and the registration form: size, type by
content, empty files; and a vault document's dates (no expiry before issue, no expired upload)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles import services
from profiles.models import Document, DocumentKind
from profiles.uploads import (
    MAX_ATTACHMENT_BYTES,
    sniff_content_type,
    validate_attachment,
    validate_document_dates,
)

from .conftest import PDF, PNG, days, pdf, today

pytestmark = pytest.mark.django_db


def messages_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"GIF89a", None),
    ],
)
def test_the_content_decides_the_type(head, content_type):
    assert sniff_content_type(head) == content_type


def test_registrations_use_the_same_checks():
    from registrations import forms
    from registrations.services import draft

    assert forms.validate_attachment is validate_attachment
    assert forms.MAX_ATTACHMENT_BYTES == MAX_ATTACHMENT_BYTES == 500 * 1024
    assert draft.sniff_content_type is sniff_content_type


def test_a_file_of_exactly_500_kb_passes_and_one_byte_more_is_refused():
    assert (
        validate_attachment(pdf(content=PDF + b"0" * (MAX_ATTACHMENT_BYTES - len(PDF)))) == "application/pdf"
    )
    with pytest.raises(ValidationError) as exc:
        validate_attachment(pdf(content=PDF + b"0" * (MAX_ATTACHMENT_BYTES - len(PDF) + 1)))
    assert "AWS accepts files of at most 500.0\xa0KB" in exc.value.messages[0]


def test_a_gif_disguised_as_a_pdf_is_refused():
    with pytest.raises(ValidationError, match=re.escape("Upload a PDF, PNG or JPEG file.")):
        validate_attachment(SimpleUploadedFile("letter.pdf", b"GIF89a" + b"\x00" * 32))


def test_a_pdf_named_exe_is_refused():
    with pytest.raises(ValidationError, match=re.escape("Upload a PDF, PNG or JPEG file.")):
        validate_attachment(SimpleUploadedFile("letter.exe", PDF))


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match=re.escape("The file is empty.")):
        validate_attachment(SimpleUploadedFile("letter.pdf", b""))


def test_an_expiry_before_the_issue_date_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_document_dates(issued_on=days(-10), expires_on=days(-20), today=today())
    assert "is before the issue date" in messages_of(exc.value)["expires_on"][0]


def test_an_issue_date_in_the_future_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_document_dates(issued_on=days(3), expires_on=None, today=today())
    assert "is in the future" in messages_of(exc.value)["issued_on"][0]


def test_a_document_valid_through_today_is_current():
    validate_document_dates(issued_on=days(-100), expires_on=today(), today=today())


def test_an_expired_document_cannot_be_added_as_current(owner, team):
    with pytest.raises(ValidationError) as exc:
        services.document_add(
            team=team, actor=owner, upload=pdf(), kind=DocumentKind.TAX_DOCUMENT, expires_on=days(-1)
        )
    assert "This document expired on" in messages_of(exc.value)["expires_on"][0]
    assert "Upload a current one" in messages_of(exc.value)["expires_on"][0]
    assert not Document.objects.exists()


def test_every_refusal_of_one_upload_is_reported_at_once(owner, team):
    with pytest.raises(ValidationError) as exc:
        services.document_add(
            team=team,
            actor=owner,
            upload=SimpleUploadedFile("x.pdf", b""),
            kind="passport",
            issued_on=days(-1),
            expires_on=days(-2),
        )
    assert set(messages_of(exc.value)) == {"upload", "expires_on", "kind"}
