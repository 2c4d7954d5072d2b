"""Redaction of AWS credentials in text the portal keeps or prints: the call log, an account's last error,
and (through ``config.log_redaction``) every log line.

Owned here: what an AWS credential looks like in text — an access key ID, SigV4's ``Authorization``
header and canonical request, the ``X-Amz-Security-Token`` header and query parameter, STS's answer
(``<SecretAccessKey>``, ``"SessionToken": ...``), boto3's keyword names — and the environment's own
credential values, whatever text carries them. Standard library only: the logging configuration imports it
before Django's apps are loaded, and smsvoice imports no app.

Why text AWS sends back is redacted too: a SigV4 failure (SignatureDoesNotMatch,
InvalidSignatureException) answers "The Canonical String for this request should have been ...", which
repeats the request's headers, the session token among them; that message becomes the call log's
``error_message`` and the account's ``last_error``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"

# Headers whose whole value is a credential (or carries one: SigV4's Authorization names the access key).
SECRET_HEADERS = (
    "authorization",
    "proxy-authorization",
    "x-amz-security-token",
    "cookie",
    "set-cookie",
    "x-csrftoken",
)
# Names that, followed by ":" or "=", introduce a credential: boto3's keyword arguments, STS's and the
# credential files' fields, SigV4's Credential/Signature parts and presigned URLs' query parameters.
SECRET_KEYS = (
    r"aws_access_key_id",
    r"aws_secret_access_key",
    r"aws_session_token",
    r"aws_security_token",
    r"access_?key_?id",
    r"secret_?access_?key",
    r"session_?token",
    r"security_?token",
    r"x-amz-security-token",
    r"x-amz-credential",
    r"x-amz-signature",
    r"credential",
    r"signature",
)
ENVIRONMENT_SECRETS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
)
# A value shorter than this is not looked for by value: tests' "testing" would blank every such word.
MIN_VALUE_LENGTH = 12


def _alternatives(names: Iterable[str]) -> str:
    return "|".join(names)


def header_patterns(headers: Iterable[str]) -> list[tuple[re.Pattern[str], str]]:
    """Patterns that blank the whole value of these headers, as a dict repr shows them
    (``'Authorization': b'AWS4-HMAC-SHA256 Credential=...'``) and as a header line or a canonical request
    line (``x-amz-security-token:IQoJ...``)."""
    names = _alternatives(re.escape(h) for h in headers)
    return [
        (
            re.compile(rf"""(?i)(['"](?:{names})['"]\s*:\s*b?)(['"])(?:\\.|(?!\2).)*\2"""),
            rf"\1\2{REDACTED}\2",
        ),
        (re.compile(rf"(?im)^(\s*(?:{names})\s*:[ \t]*)\S.*$"), rf"\1{REDACTED}"),
    ]


def key_patterns(keys: Iterable[str]) -> list[tuple[re.Pattern[str], str]]:
    """Patterns that blank the value after one of these names: ``key=value``, ``key: value``,
    ``'key': 'value'`` (a quoted value up to its closing quote), ``"key": b"value"``,
    ``'key': <SimpleLazyObject: 'value'>``, a pair ``('key', 'value')`` (a QueryDict's or a form's items)
    and ``<Key>value</Key>`` (STS's XML answer)."""
    names = _alternatives(keys)
    # A name stands alone, or right after an escaped line break: text quoted in JSON or in a repr
    # (AWS's error message inside a response body) has "\\nx-amz-security-token:..." for a new line.
    key = rf"""(?:(?<![\w-])|(?<=\\[nrt]))(?:{names})(?![\w-])\\?['"]?\s*[:=]\s*(?:<[\w.]+:\s*)?"""
    return [
        (re.compile(rf"""(?i)({key}b?)(['"])(?:\\.|(?!\2).)*\2"""), rf"\1\2{REDACTED}\2"),
        # Atomic: once an opening quote is read, the value is what follows it (a redacted one is left).
        (re.compile(rf"""(?i)({key}(?>(?:b?\\?['"])?))[^\s'"\\,;&<>()\[\]{{}}]+"""), rf"\1{REDACTED}"),
        (
            re.compile(rf"""(?i)(\(\s*(['"])(?:{names})\2\s*,\s*)(['"])(?:\\.|(?!\3).)*\3"""),
            rf"\1\3{REDACTED}\3",
        ),
        (re.compile(rf"(?is)(<((?:{names}))>).*?(</\2>)"), rf"\1{REDACTED}\3"),
    ]


AWS_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    *header_patterns(SECRET_HEADERS),
    *key_patterns(SECRET_KEYS),
    # Access key IDs wherever they stand (AKIA: a user's long-term key, ASIA: temporary credentials).
    (re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"), REDACTED),
]


def environment_secrets() -> list[str]:
    """The process's own AWS credentials as they may appear in text: as they are and URL-encoded."""
    values = {os.environ.get(name, "") for name in ENVIRONMENT_SECRETS}
    found: set[str] = set()
    for value in values:
        if len(value) >= MIN_VALUE_LENGTH:
            found.update({value, quote(value, safe=""), quote_plus(value)})
    return sorted(found, key=len, reverse=True)  # longest first: a value containing another goes whole


def apply_patterns(text: str, patterns: Iterable[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in patterns:
        text = pattern.sub(replacement, text)
    return text


def redact_aws(text: str) -> str:
    """`text` without AWS credentials: the patterns above, then the environment's credential values."""
    if not text:
        return text
    text = apply_patterns(text, AWS_PATTERNS)
    for value in environment_secrets():
        text = text.replace(value, REDACTED)
    return text
