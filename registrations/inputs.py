"""What the registration form hands to the draft service: one `FieldInput` per field.

Kept apart from forms.py so services never import a form. (Sniffing an uploaded file's type from its
content moved to profiles.uploads, shared with the company profile's document vault.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile


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

    @classmethod
    def from_stored_file(cls, *, name: str, content: bytes, content_type: str) -> FieldInput:
        """A file the portal already holds (a company-profile document) handed in as an upload, so it is
        stored exactly like one (services/draft.py `_store_attachment`: its own copy, type sniffed)."""
        return cls(upload=SimpleUploadedFile(name, content, content_type=content_type))
