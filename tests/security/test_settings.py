"""Production settings from the environment (config/security.py): check --deploy, SECRET_KEY, ADMIN_URL,
and what docker-compose.yml / the Dockerfile ship."""

from __future__ import annotations

import importlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import clear_url_caches, reverse

from config import security

ROOT = Path(settings.BASE_DIR)
STRONG_KEY = "k" + secrets.token_urlsafe(50)


def production_env() -> dict[str, str]:
    """The environment README "Production security settings" documents, with a real key."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- production-env -->", 1)[1].split("<!-- /production-env -->", 1)[0]
    pairs = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", block, re.MULTILINE))
    assert {"SECRET_KEY", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"} <= set(pairs)
    pairs["SECRET_KEY"] = STRONG_KEY
    return pairs


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A clean environment: not the test suite's (TESTING, DEBUG, the services' URLs).
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "TESTING": "false"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_check_deploy_is_clean_with_the_documented_production_env():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_compose_s_old_default_key_stops_a_production_start():
    result = run_manage("check", env={**production_env(), "SECRET_KEY": "change-me"})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr


@pytest.mark.parametrize("key", ["", "change-me", "django-insecure-" + "x" * 60, "ab" * 40])
def test_a_missing_or_weak_secret_key_is_refused_in_production(key):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        security.choose_secret_key(key, dev=False, testing=False, dev_key_file=Path("/nonexistent"))


def test_a_strong_secret_key_is_used_as_given():
    assert (
        security.choose_secret_key(STRONG_KEY, dev=False, testing=False, dev_key_file=Path("/x"))
        == STRONG_KEY
    )


def test_dev_without_a_key_generates_one_and_keeps_it(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    first = security.choose_secret_key("", dev=True, testing=False, dev_key_file=key_file)
    again = security.choose_secret_key("", dev=True, testing=False, dev_key_file=key_file)
    assert first == again and not security.secret_key_is_insecure(first)
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_dev_accepts_a_weak_key_and_tests_use_their_own():
    assert security.choose_secret_key("dev", dev=True, testing=False, dev_key_file=Path("/x")) == "dev"
    assert security.choose_secret_key("", dev=False, testing=True, dev_key_file=Path("/x")) == (
        security.TEST_SECRET_KEY
    )


def test_weak_fallback_keys_are_refused_in_production():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS"):
        security.check_fallback_keys([STRONG_KEY, "old"], dev=False, testing=False)
    assert security.check_fallback_keys([STRONG_KEY], dev=False, testing=False) == [STRONG_KEY]


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("", None),
        ("HTTP_X_FORWARDED_PROTO,https", ("HTTP_X_FORWARDED_PROTO", "https")),
        (" HTTP_X_FORWARDED_PROTO , https ", ("HTTP_X_FORWARDED_PROTO", "https")),
    ],
)
def test_the_proxy_ssl_header_is_parsed(raw, parsed):
    assert security.parse_proxy_ssl_header(raw) == parsed


@pytest.mark.parametrize(
    "raw",
    ["X-Forwarded-Proto,https", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_PROTO,https,http",
     "HTTP_X_FORWARDED_PROTO,", ",https", "http_x_forwarded_proto,https", "HTTP_X_FORWARDED_PROTO,ht tps"],
)  # fmt: skip
def test_a_malformed_proxy_ssl_header_stops_start_up(raw):
    with pytest.raises(ImproperlyConfigured, match="SECURE_PROXY_SSL_HEADER"):
        security.parse_proxy_ssl_header(raw)


@pytest.mark.parametrize("raw", ["", "/admin/", "admin", "admin//", "ad min/", "admin/?x=1"])
def test_a_malformed_admin_url_stops_start_up(raw):
    with pytest.raises(ImproperlyConfigured, match="ADMIN_URL"):
        security.parse_admin_url(raw)


def test_security_settings_are_off_by_default_for_development():
    # The suite runs without the production env: nothing redirects, the cookies work over plain HTTP.
    assert not settings.SECURE_SSL_REDIRECT and settings.SECURE_HSTS_SECONDS == 0
    assert settings.SECURE_PROXY_SSL_HEADER is None and settings.ADMIN_URL == "admin/"


# --- the admin under ADMIN_URL ---------------------------------------------------------------------
@pytest.fixture
def admin_moved_to(settings):
    urls = importlib.import_module("config.urls")

    def move(path: str) -> None:
        settings.ADMIN_URL = path
        importlib.reload(urls)
        clear_url_caches()

    yield move
    move("admin/")


@pytest.mark.django_db
def test_the_admin_answers_under_admin_url_only_and_links_follow(admin_moved_to, client, admin_user_):
    admin_moved_to("backoffice/")
    assert reverse("admin:index") == "/backoffice/"
    assert client.get("/backoffice/")["Location"].startswith("/backoffice/login/")
    client.force_login(admin_user_)
    assert client.get("/admin/").status_code == 404
    assert client.get("/backoffice/").status_code == 200
    assert 'href="/backoffice/"' in client.get("/countries/").content.decode()  # the header's Admin link


# --- what docker-compose.yml and the Dockerfile ship ------------------------------------------------
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_ships_no_usable_default_secret_key():
    value = compose()["x-app"]["environment"]["SECRET_KEY"]
    assert value.startswith("${SECRET_KEY:?"), value  # compose stops when it is unset or empty


def test_the_image_bakes_in_no_fixed_secret_key():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "secrets.token_urlsafe" in dockerfile
    assert not re.search(r"SECRET_KEY=[A-Za-z0-9_-]+\s", dockerfile)


def test_compose_does_not_publish_the_simulator_on_the_host():
    simulator = compose()["services"]["simulator"]
    assert all(str(port).startswith("127.0.0.1:") for port in simulator.get("ports", []))
    assert "--allow-remote-control" not in simulator["command"]


def test_make_run_starts_without_a_secret_key():
    # scripts/run.sh exports DEBUG=true EMBEDDED=true: the key is generated once under var/.
    result = run_manage("check", env={"DEBUG": "true", "EMBEDDED": "true"})
    assert result.returncode == 0, result.stderr
    assert (ROOT / "var" / "secret_key").stat().st_size >= 50
