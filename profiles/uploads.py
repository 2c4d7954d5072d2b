"""The checks every uploaded document passes, wherever it is uploaded: the company profile's document
vault and the registration form's ATTACHMENT fields (registrations imports them from here).

AWS accepts PDF, PNG and JPEG files of at most 500 KB; the type is decided by the file's first bytes,
never by its name or the browser's claim. Also the dates of a vault document: it cannot expire before it
was issued, and an expired one cannot be uploaded as current.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# "The maximum file size is 500KB" (CreateRegistrationAttachment's API reference,
# https://docs.aws.amazon.com/goto/WebAPI/pinpoint-sms-voice-v2-2022-03-31/CreateRegistrationAttachment);
# the model's blob limit (1,572,864) and CloudFormation's "5MB" are larger: the strictest one is enforced.
MAX_ATTACHMENT_BYTES = 500 * 1024
ALLOWED_EXTENSIONS = {"pdf", "png", "jpg", "jpeg"}

# Magic numbers: the content decides the type, not the file name or the browser's claim.
ATTACHMENT_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff_content_type(head: bytes) -> str | None:
    """The content type the first bytes of a file show (PDF, PNG, JPEG), else None."""
    for signature, content_type in ATTACHMENT_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def validate_attachment(upload: UploadedFile) -> str:
    """Return the sniffed content type, or raise ValidationError (size, extension, content)."""
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise forms.ValidationError(
            _(
                "The file is %(size)s; AWS accepts files of at most %(max)s. Reduce it (e.g. scan at a lower "
                "resolution) and upload it again."
            ),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(MAX_ATTACHMENT_BYTES)},
        )
    if upload.size == 0:
        raise forms.ValidationError(_("The file is empty."), code="file_empty")
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if extension not in ALLOWED_EXTENSIONS or content_type is None:
        raise forms.ValidationError(
            _("Upload a PDF, PNG or JPEG file."), code="file_type", params={"name": upload.name}
        )
    return content_type


def human_date(value: datetime.date) -> str:
    """A date as the messages say it ("3 May 2026"), in the active language."""
    return date_format(value, "j F Y")


def validate_document_dates(
    *, issued_on: datetime.date | None, expires_on: datetime.date | None, today: datetime.date
) -> None:
    """Raise ValidationError ({field: message}) for dates a current document cannot have."""
    errors: dict[str, forms.ValidationError] = {}
    if issued_on and expires_on and expires_on < issued_on:
        errors["expires_on"] = forms.ValidationError(
            _("The expiry date (%(expires)s) is before the issue date (%(issued)s)."),
            code="expires_before_issued",
            params={"expires": human_date(expires_on), "issued": human_date(issued_on)},
        )
    elif expires_on and expires_on < today:
        errors["expires_on"] = forms.ValidationError(
            _(
                "This document expired on %(expires)s: AWS refuses expired documents. Upload a current one "
                "(or correct the date if it is wrong)."
            ),
            code="expired",
            params={"expires": human_date(expires_on)},
        )
    if issued_on and issued_on > today:
        errors["issued_on"] = forms.ValidationError(
            _("The issue date (%(issued)s) is in the future."),
            code="issued_in_future",
            params={"issued": human_date(issued_on)},
        )
    if errors:
        raise forms.ValidationError(errors)
