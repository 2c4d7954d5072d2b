"""The one sender-ID rule engine: the console's base rule plus a country's rules (data on Country).

Used by the wizard, the models and the admin, so a sender ID is judged the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BASE_MIN_LENGTH = 1
BASE_MAX_LENGTH = 11
BASE_CHARSET = "A-Za-z0-9-"


def _charset_regex(charset: str) -> re.Pattern[str]:
    # ASCII only: \w or str.isalpha() would let unicode letters through.
    return re.compile(f"[{charset}]*", re.ASCII)


def sender_id_errors(
    sender_id: str, rules: Mapping[str, Any] | None = None, *, today: dt.date | None = None
) -> list[str]:
    """Every rule the sender ID breaks, as user-facing messages (empty list = valid)."""
    rules = rules or {}
    errors: list[str] = []
    min_len = int(rules.get("min_length", BASE_MIN_LENGTH))
    max_len = int(rules.get("max_length", BASE_MAX_LENGTH))
    charset = rules.get("charset", BASE_CHARSET)
    if not sender_id:
        return [str(_("Enter a sender ID."))]
    if not min_len <= len(sender_id) <= max_len:
        errors.append(
            str(_("A sender ID must be %(min)d to %(max)d characters long (this one has %(n)d)."))
            % {"min": min_len, "max": max_len, "n": len(sender_id)}
        )
    if rules.get("letters_only"):
        if not re.fullmatch("[A-Za-z]+", sender_id, re.ASCII):
            errors.append(str(_("In this country a sender ID may contain only letters A–Z.")))
    elif not _charset_regex(charset).fullmatch(sender_id):
        bad = sorted({c for c in sender_id if not _charset_regex(charset).fullmatch(c)})
        errors.append(
            str(_("Only letters A–Z, digits 0–9 and hyphens are allowed; not allowed: %(chars)s"))
            % {"chars": " ".join(repr(c) for c in bad[:10])}
        )
    if not re.match("[A-Za-z]", sender_id, re.ASCII):
        errors.append(str(_("A sender ID must start with a letter.")))
    forbidden = rules.get("forbidden_chars", "")
    if forbidden and any(c in forbidden for c in sender_id):
        since = rules.get("forbidden_from")
        today = today or timezone.localdate()
        if not since or today >= dt.date.fromisoformat(since):
            errors.append(
                str(_("This country does not allow these characters in sender IDs: %(chars)s"))
                % {"chars": " ".join(forbidden)}
            )
    return errors


def validate_sender_id(sender_id: str, rules: Mapping[str, Any] | None = None) -> None:
    """Raise ValidationError listing every broken rule."""
    errors = sender_id_errors(sender_id, rules)
    if errors:
        raise ValidationError(errors, code="invalid_sender_id")


def normalise_sender_id(sender_id: str, rules: Mapping[str, Any] | None = None) -> str:
    """Trim; upper-case unless the country treats sender IDs as case-sensitive (e.g. Austria)."""
    sender_id = sender_id.strip()
    return sender_id if (rules or {}).get("case_sensitive") else sender_id.upper()
