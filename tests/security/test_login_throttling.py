"""Login throttling (django-axes, config/auth.py): per account and per client address, on both login pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN_PAGES = {"portal": "/accounts/login/", "admin": "/admin/login/"}
LIMIT = settings.AXES_FAILURE_LIMIT


def client_from(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def log_in(client: Client, page: str, username: str, password: str):
    return client.post(LOGIN_PAGES[page], {"username": username, "password": password})


def fail(client: Client, page: str, username: str, times: int = LIMIT) -> None:
    for _ in range(times):
        log_in(client, page, username, "wrong-password")


def is_logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(page, admin_user_):
    attacker = client_from("203.0.113.7")
    fail(attacker, page, "ada")
    response = log_in(attacker, page, "ada", "ada-pass-1")
    assert response.status_code == 429
    assert not is_logged_in(attacker)
    html = response.content.decode()
    assert 'id="lockout"' in html and "Too many failed logins" in html
    assert f"Try again in {settings.AXES_COOLOFF_MINUTES} minutes" in html


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_below_the_limit_the_right_password_logs_in(page, admin_user_):
    client = client_from("203.0.113.8")
    fail(client, page, "ada", LIMIT - 1)
    response = log_in(client, page, "ada", "ada-pass-1")
    assert response.status_code == 302 and is_logged_in(client)


def test_the_account_is_locked_from_every_address(owner):
    fail(client_from("203.0.113.9"), "portal", "olivia")
    elsewhere = client_from("198.51.100.1")
    assert log_in(elsewhere, "admin", "olivia", "olivia-pass-1").status_code == 429
    assert log_in(elsewhere, "portal", "olivia", "olivia-pass-1").status_code == 429


def test_an_address_guessing_many_accounts_is_locked_for_all_of_them(owner, stranger):
    attacker = client_from("203.0.113.10")
    for n in range(LIMIT):
        log_in(attacker, "portal", f"guess{n}", "wrong-password")
    assert log_in(attacker, "portal", "olivia", "olivia-pass-1").status_code == 429
    # Mallory, from her own address, is not locked out by someone else's guesses at other accounts.
    mallory = client_from("198.51.100.2")
    assert log_in(mallory, "portal", "mallory", "mallory-pass-1").status_code == 302


def test_the_lockout_page_is_in_french_for_a_french_browser(owner):
    attacker = Client(REMOTE_ADDR="203.0.113.11", HTTP_ACCEPT_LANGUAGE="fr")
    fail(attacker, "portal", "olivia")
    response = log_in(attacker, "portal", "olivia", "olivia-pass-1")
    assert response.status_code == 429
    assert '<html lang="fr">' in response.content.decode()


def test_the_lock_ends_after_the_cool_off(owner):
    client = client_from("203.0.113.12")
    fail(client, "portal", "olivia")
    expired = AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=expired)
    assert log_in(client, "portal", "olivia", "olivia-pass-1").status_code == 302


def test_an_admin_unlocks_an_account_with_axes_reset_username(owner):
    client = client_from("203.0.113.13")
    fail(client, "portal", "olivia")
    call_command("axes_reset_username", "olivia", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert log_in(client_from("198.51.100.3"), "portal", "olivia", "olivia-pass-1").status_code == 302


def test_an_admin_sees_and_deletes_access_attempts_in_admin(client, owner, admin_user_):
    fail(client_from("203.0.113.14"), "portal", "olivia")
    client.force_login(admin_user_)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "olivia" in client.get(changelist).content.decode()
    attempt = AccessAttempt.objects.get(username="olivia")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"})
    assert not AccessAttempt.objects.exists()


def test_support_staff_cannot_see_or_reset_access_attempts(client, owner):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    fail(client_from("203.0.113.15"), "portal", "olivia")
    client.force_login(get_user_model().objects.get(username="support"))
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_a_successful_login_gets_a_new_session_key(owner):
    client = client_from("203.0.113.16")
    client.get("/accounts/login/")
    session = client.session
    session["before-login"] = "x"
    session.save()
    before = session.session_key
    assert log_in(client, "portal", "olivia", "olivia-pass-1").status_code == 302
    assert client.session.session_key != before
    assert is_logged_in(client)


def test_behind_a_proxy_the_forwarded_client_address_is_counted(owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Every request comes from the proxy (10.0.0.1); X-Forwarded-For's last entry is the real client.
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.17")
    for n in range(LIMIT):
        log_in(attacker, "portal", f"guess{n}", "wrong-password")
    assert AccessAttempt.objects.filter(ip_address="203.0.113.17").count() == LIMIT
    # Someone else behind the same proxy is not locked out with the attacker.
    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert log_in(colleague, "portal", "olivia", "olivia-pass-1").status_code == 302
