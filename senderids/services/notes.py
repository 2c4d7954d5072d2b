"""Internal staff notes on a request: what support staff tell each other about it (never the team)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ..models import SenderIdRequest, StaffNote
from ..permissions import can_see

STAFF_NOTE_MAX_CHARS = 2000


def can_write_staff_note(user: AbstractBaseUser, request: SenderIdRequest) -> bool:
    """Staff who may see the request (support staff included: that is their job; a limited approver
    only on their teams' requests). Business users never read or write notes."""
    return bool(user.is_authenticated and user.is_active and user.is_staff and can_see(user, request))


def staff_note_add(*, request: SenderIdRequest, author: AbstractBaseUser, body: str) -> StaffNote:
    """Write a note on `request` as `author`; PermissionDenied for anyone but staff who see it."""
    if not can_write_staff_note(author, request):
        raise PermissionDenied("only staff who may see the request write its notes")
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write the note first."), code="required")
    if "\x00" in body:
        raise ValidationError(_("Null characters are not allowed."), code="null_characters_not_allowed")
    if len(body) > STAFF_NOTE_MAX_CHARS:
        raise ValidationError(
            _("A note has at most %(limit)d characters.") % {"limit": STAFF_NOTE_MAX_CHARS}, code="too_long"
        )
    return StaffNote.objects.create(request=request, author=author, body=body)
