"""The one sender-ID rule engine: the console's base rule plus a country's rules (data on Country).

Used by the wizard, the models and the admin, so a sender ID is judged the same way everywhere.
Country rules are data (``Country.sender_id_rules``), never per-country code; the keys are:

===================  ===========================================================================
``min_length``       int, default 1
``max_length``       int, default 11 (AWS's maximum)
``charset``          allowed characters as ranges and literals, e.g. ``"A-Za-z0-9_-"`` (a ``-``
                     at either end is literal); default the console's ``A-Za-z0-9-``. It may only
                     name characters the API accepts (``[A-Za-z0-9_-]``): anything else could never
                     be sent to AWS, so ``rules_errors`` rejects it.
``letters_only``     bool: only ``A-Z``/``a-z`` (India)
``forbidden_chars``  characters refused by the country (France: ``"-"``) ...
``forbidden_from``   ... from this ISO date on (``"2026-03-01"``); absent = always
``case_sensitive``   bool: keep the case as typed (Austria); otherwise sender IDs are upper-cased
``note``             free text shown to users and admins (where the rule comes from)
===================  ===========================================================================

The base rule always applies: 1–11 characters, first character a letter (the console's rule) and
no trailing hyphen (AWS: "cannot end with a hyphen").
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

BASE_MIN_LENGTH = 1
BASE_MAX_LENGTH = 11
BASE_CHARSET = "A-Za-z0-9-"
# RequestSenderId's SenderId pattern in botocore's model: what AWS accepts at all.
API_CHARSET = "A-Za-z0-9_-"

RULE_KEYS = frozenset(
    {
        "min_length",
        "max_length",
        "charset",
        "letters_only",
        "forbidden_chars",
        "forbidden_from",
        "case_sensitive",
        "note",
    }
)
_LETTERS = frozenset(string.ascii_letters)
_UPPER = frozenset(string.ascii_uppercase)
_LOWER = frozenset(string.ascii_lowercase)
_DIGITS = frozenset(string.digits)
# Names for the punctuation a sender ID can carry (plural: "only letters, digits and hyphens").
_PUNCTUATION_NAMES = {
    "-": _("hyphens"),
    "_": _("underscores"),
    " ": _("spaces"),
    "+": _("plus signs"),
    "&": _("ampersands"),
}


@lru_cache(maxsize=64)
def charset_chars(charset: str) -> frozenset[str]:
    """Expand ``"A-Za-z0-9_-"`` into its characters. A ``-`` first or last is a literal hyphen."""
    chars: set[str] = set()
    i = 0
    while i < len(charset):
        if i + 2 < len(charset) and charset[i + 1] == "-":
            low, high = charset[i], charset[i + 2]
            if ord(low) > ord(high):
                raise ValueError(f"bad range {low}-{high} in charset {charset!r}")
            chars.update(chr(c) for c in range(ord(low), ord(high) + 1))
            i += 3
        else:
            chars.add(charset[i])
            i += 1
    return frozenset(chars)


API_CHARS = charset_chars(API_CHARSET)


def describe_charset(chars: frozenset[str]) -> str:
    """Human description of an allowed set, e.g. "letters A–Z, digits 0–9 and hyphens"."""
    parts: list[str] = []
    covered: set[str] = set()
    for group, label in (
        (_LETTERS, _("letters A–Z")),
        (_UPPER, _("capital letters A–Z")),
        (_LOWER, _("lower-case letters a–z")),
        (_DIGITS, _("digits 0–9")),
    ):
        if group <= chars and not group <= covered:
            parts.append(str(label))
            covered |= group
    for char in sorted(chars - covered):
        parts.append(str(_PUNCTUATION_NAMES.get(char, f"'{char}'")))
    if len(parts) <= 1:
        return "".join(parts)
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def _forbidden_active(rules: Mapping[str, Any], today: dt.date | None) -> bool:
    since = rules.get("forbidden_from")
    if not since:
        return True
    return (today or timezone.localdate()) >= dt.date.fromisoformat(since)


def _allowed_chars(rules: Mapping[str, Any]) -> frozenset[str]:
    if rules.get("letters_only"):
        return _LETTERS
    # Never wider than the API: a character AWS refuses can't be made valid by data.
    return charset_chars(rules.get("charset") or BASE_CHARSET) & API_CHARS


def sender_id_errors(
    sender_id: str, rules: Mapping[str, Any] | None = None, *, today: dt.date | None = None
) -> list[str]:
    """Every rule the sender ID breaks, as user-facing messages (empty list = valid).

    ``today`` pins the date for rules with ``forbidden_from`` (tests, or judging a future send).
    """
    rules = rules or {}
    if not sender_id:
        return [gettext("Enter a sender ID.")]
    errors: list[str] = []
    min_len = int(rules.get("min_length", BASE_MIN_LENGTH))
    max_len = int(rules.get("max_length", BASE_MAX_LENGTH))
    if not min_len <= len(sender_id) <= max_len:
        errors.append(
            gettext("A sender ID must be %(min)d to %(max)d characters long (this one has %(n)d).")
            % {"min": min_len, "max": max_len, "n": len(sender_id)}
        )
    allowed = _allowed_chars(rules)
    bad = sorted({c for c in sender_id if c not in allowed})
    if bad:
        if rules.get("letters_only"):
            errors.append(gettext("In this country a sender ID may contain only letters A–Z."))
        else:
            errors.append(
                gettext("Only %(allowed)s are allowed; not allowed: %(chars)s")
                % {"allowed": describe_charset(allowed), "chars": " ".join(repr(c) for c in bad[:10])}
            )
    if sender_id[0] not in _LETTERS:
        errors.append(gettext("A sender ID must start with a letter."))
    if sender_id.endswith("-"):
        errors.append(gettext("A sender ID cannot end with a hyphen."))
    forbidden = rules.get("forbidden_chars", "")
    used = sorted({c for c in sender_id if c in forbidden})
    if used and _forbidden_active(rules, today):
        errors.append(
            gettext("This country does not allow these characters in sender IDs: %(chars)s")
            % {"chars": " ".join(used)}
        )
    return errors


def validate_sender_id(
    sender_id: str, rules: Mapping[str, Any] | None = None, *, today: dt.date | None = None
) -> None:
    """Raise ValidationError listing every broken rule."""
    errors = sender_id_errors(sender_id, rules, today=today)
    if errors:
        raise ValidationError([ValidationError(e, code="invalid_sender_id") for e in errors])


def normalise_sender_id(sender_id: str, rules: Mapping[str, Any] | None = None) -> str:
    """Trim; upper-case unless the country treats sender IDs as case-sensitive (e.g. Austria)."""
    sender_id = sender_id.strip()
    return sender_id if (rules or {}).get("case_sensitive") else sender_id.upper()


# --- the rules themselves ----------------------------------------------------------------------
def rules_errors(rules: Any) -> list[str]:
    """What is wrong with a rules mapping (empty = usable). Guards the admin and the data file."""
    if not isinstance(rules, Mapping):
        return [gettext("Sender ID rules must be a JSON object.")]
    errors: list[str] = []
    unknown = sorted(set(rules) - RULE_KEYS)
    if unknown:
        errors.append(
            gettext("Unknown rule keys: %(keys)s (known: %(known)s).")
            % {"keys": ", ".join(unknown), "known": ", ".join(sorted(RULE_KEYS))}
        )
    lengths = {}
    for key, default in (("min_length", BASE_MIN_LENGTH), ("max_length", BASE_MAX_LENGTH)):
        value = rules.get(key, default)
        if type(value) is not int or not BASE_MIN_LENGTH <= value <= BASE_MAX_LENGTH:
            errors.append(
                gettext("%(key)s must be a whole number from %(min)d to %(max)d.")
                % {"key": key, "min": BASE_MIN_LENGTH, "max": BASE_MAX_LENGTH}
            )
        else:
            lengths[key] = value
    if len(lengths) == 2 and lengths["min_length"] > lengths["max_length"]:
        errors.append(gettext("min_length is greater than max_length."))
    for key in ("letters_only", "case_sensitive"):
        if key in rules and not isinstance(rules[key], bool):
            errors.append(gettext("%(key)s must be true or false.") % {"key": key})
    for key in ("charset", "forbidden_chars", "note"):
        if key in rules and not isinstance(rules[key], str):
            errors.append(gettext("%(key)s must be text.") % {"key": key})
    charset = rules.get("charset")
    if isinstance(charset, str):
        try:
            outside = sorted(charset_chars(charset) - API_CHARS) if charset else ["(empty)"]
        except ValueError:
            outside = [charset]
        if outside:
            errors.append(
                gettext(
                    "charset may only use characters AWS accepts in a sender ID (%(api)s); "
                    "not sendable: %(chars)s"
                )
                % {"api": API_CHARSET, "chars": " ".join(repr(c) for c in outside)}
            )
    since = rules.get("forbidden_from")
    if since is not None:
        try:
            dt.date.fromisoformat(since)
        except (TypeError, ValueError):
            errors.append(gettext("forbidden_from must be a date written YYYY-MM-DD."))
        if not rules.get("forbidden_chars"):
            errors.append(gettext("forbidden_from needs forbidden_chars."))
    return errors


def validate_rules(rules: Any) -> None:
    """Validator for Country.sender_id_rules."""
    errors = rules_errors(rules)
    if errors:
        raise ValidationError([ValidationError(e, code="invalid_rules") for e in errors])


def describe_rules(rules: Mapping[str, Any] | None, *, today: dt.date | None = None) -> list[str]:
    """The country's rules as short sentences for people (public page, admin, wizard help)."""
    rules = rules or {}
    if not rules:
        return []
    lines: list[str] = []
    min_len = rules.get("min_length", BASE_MIN_LENGTH)
    max_len = rules.get("max_length", BASE_MAX_LENGTH)
    if (min_len, max_len) != (BASE_MIN_LENGTH, BASE_MAX_LENGTH):
        lines.append(gettext("%(min)d–%(max)d characters") % {"min": min_len, "max": max_len})
    if rules.get("letters_only"):
        lines.append(gettext("letters only"))
    elif rules.get("charset"):
        lines.append(gettext("allowed: %(chars)s") % {"chars": describe_charset(_allowed_chars(rules))})
    if rules.get("forbidden_chars"):
        chars = " ".join(f"'{c}'" for c in rules["forbidden_chars"])
        since = rules.get("forbidden_from")
        if since:
            when = formats.date_format(dt.date.fromisoformat(since), "DATE_FORMAT")
            template = (
                _("not allowed since %(date)s: %(chars)s")
                if _forbidden_active(rules, today)
                else _("not allowed from %(date)s: %(chars)s")
            )
            lines.append(str(template) % {"date": when, "chars": chars})
        else:
            lines.append(gettext("not allowed: %(chars)s") % {"chars": chars})
    if rules.get("case_sensitive"):
        lines.append(gettext("case-sensitive"))
    if rules.get("note"):
        lines.append(str(rules["note"]))
    return lines


def base_rule_text() -> str:
    """The base rule every sender ID follows, in words (wizard help text, catalogue page, admin)."""
    return gettext(
        "%(min)d–%(max)d characters: %(chars)s; the first character must be a letter and the last "
        "cannot be a hyphen"
    ) % {
        "min": BASE_MIN_LENGTH,
        "max": BASE_MAX_LENGTH,
        "chars": describe_charset(charset_chars(BASE_CHARSET)),
    }


def describe_base_rule() -> str:
    """What the admin shows for a country without rules of its own."""
    return gettext("Only the base rule: %(rule)s.") % {"rule": base_rule_text()}


RULES_HELP = _(
    "A JSON object with any of: min_length, max_length, charset, letters_only, forbidden_chars, "
    "forbidden_from (YYYY-MM-DD), case_sensitive, note."
)
