"""Security settings read from the environment: parsed strictly, refused when unsafe.

Imported by config/settings.py while settings load, so nothing here may touch django.conf.settings.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from environ import Env

# Only for the test suite (TESTING): its child processes (workers) must share the key with pytest.
TEST_SECRET_KEY = "insecure-test-key-only-for-the-test-suite"
GENERATE_KEY_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'

_PROXY_HEADER = re.compile(r"HTTP_[A-Z0-9_]+")
_PROXY_VALUE = re.compile(r"[A-Za-z0-9.+-]+")
_ADMIN_URL = re.compile(r"(?:[A-Za-z0-9._~-]+/)+")


def secret_key_is_insecure(key: str) -> bool:
    """Django's own rule (check --deploy, security.W009): short, repetitive or startproject's key."""
    return (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith(SECRET_KEY_INSECURE_PREFIX)
    )


def dev_secret_key(path: Path) -> str:
    """A random key generated once and kept in `path` (var/), so dev sessions survive restarts and no
    well-known key is ever used. Concurrent first starts (web and worker) agree on one file."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


def choose_secret_key(key: str, *, dev: bool, testing: bool, dev_key_file: Path) -> str:
    """SECRET_KEY from the environment; in production (not dev, not tests) it must be set and strong."""
    if key:
        if secret_key_is_insecure(key) and not (dev or testing):
            raise ImproperlyConfigured(
                "SECRET_KEY is too weak for production (at least 50 characters, 5 different ones, not "
                f"'django-insecure-…'). Generate one with: {GENERATE_KEY_HINT}"
            )
        return key
    if testing:
        return TEST_SECRET_KEY
    if dev:
        return dev_secret_key(dev_key_file)
    raise ImproperlyConfigured(
        f"SECRET_KEY must be set when DEBUG is off. Generate one with: {GENERATE_KEY_HINT}"
    )


def check_fallback_keys(keys: list[str], *, dev: bool, testing: bool) -> list[str]:
    if not (dev or testing) and any(secret_key_is_insecure(k) for k in keys):
        raise ImproperlyConfigured("every SECRET_KEY_FALLBACKS entry must be a strong key, as SECRET_KEY.")
    return keys


def parse_proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """``"HTTP_X_FORWARDED_PROTO,https"`` → ``("HTTP_X_FORWARDED_PROTO", "https")``; empty → None."""
    if not raw.strip():
        return None
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) != 2 or not _PROXY_HEADER.fullmatch(parts[0]) or not _PROXY_VALUE.fullmatch(parts[1]):
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be 'HTTP_<HEADER>,<value>', e.g. 'HTTP_X_FORWARDED_PROTO,https' "
            f"(got {raw!r})."
        )
    return parts[0], parts[1]


def parse_admin_url(raw: str) -> str:
    """The admin's path prefix: segments of URL-safe characters, each ending in '/' (e.g. 'backoffice/')."""
    if not _ADMIN_URL.fullmatch(raw):
        raise ImproperlyConfigured(
            "ADMIN_URL must be a relative path ending in '/', such as 'admin/' or 'ops/admin/' "
            f"(got {raw!r})."
        )
    return raw


def env_int(env: Env, name: str, *, default: int, minimum: int) -> int:
    value = env.int(name, default=default)
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {value}).")
    return value
