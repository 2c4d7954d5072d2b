"""What the registration form hands to the draft service: one `FieldInput` per field, and the sniffing
of an uploaded file's type from its content (the form checks it, the service stores it).

Kept apart from forms.py so services never import a form.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile

# Magic numbers: the content decides the type, not the file name or the browser's claim.
ATTACHMENT_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


@dataclass(frozen=True)
class FieldInput:
    """One field's new value: text, choices, or an uploaded file (None: keep the stored attachment)."""

    text: str = ""
    choices: tuple[str, ...] = ()
    upload: UploadedFile | None = None
    keep_attachment: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.choices or self.upload or self.keep_attachment)


def sniff_content_type(head: bytes) -> str | None:
    """The content type the first bytes of a file show (PDF, PNG, JPEG), else None."""
    for signature, content_type in ATTACHMENT_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None
