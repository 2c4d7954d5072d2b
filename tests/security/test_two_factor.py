"""Optional TOTP two-factor for staff (config/two_factor.py on django-otp): set up with one code, then
after the password — portal login or admin login — nothing is reachable before a current code; a code
works once, wrong codes are throttled, it is turned off only with a code; STAFF_REQUIRE_TWO_FACTOR makes
it required."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.django_db]

SETUP, VERIFY, DISABLE = (
    "/accounts/two-factor/",
    "/accounts/two-factor/verify/",
    "/accounts/two-factor/disable/",
)
PASSWORD = "staff-pass-1"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("stella", "stella@portal.example", PASSWORD)


def code(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def password_login(client: Client, path: str = "/accounts/login/") -> None:
    response = client.post(path, {"username": "stella", "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def set_up(client: Client, staff) -> TOTPDevice:
    assert 'name="start"' in client.get(SETUP).content.decode()
    assert not TOTPDevice.objects.filter(user=staff).exists()  # a GET writes nothing
    assert client.post(SETUP, {"start": "1"}).status_code == 302
    page = client.get(SETUP).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, an image the CSP allows
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    shown_key = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    assert base64.b32decode(shown_key) == device.bin_key
    response = client.post(SETUP, {"token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_without_a_device_staff_log_in_with_the_password_alone(client, staff):
    password_login(client)
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_confirm_the_device(client, staff):
    password_login(client)
    client.post(SETUP, {"start": "1"})
    response = client.post(SETUP, {"token": "000000"})
    assert response.status_code == 400 and "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


@pytest.mark.parametrize("login_path", ["/accounts/login/", "/admin/login/"])
def test_once_set_up_every_page_waits_for_a_current_code_after_either_login(client, staff, login_path):
    password_login(client)
    device = set_up(client, staff)
    client.post("/accounts/logout/")

    password_login(client, login_path)
    for path in ("/admin/", "/tracking/", "/sender-ids/mine/", SETUP):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(f"{VERIFY}?next=")
    wrong = client.post(VERIFY, {"token": "123456", "next": "/admin/"})
    assert wrong.status_code == 400 and client.get("/admin/").status_code == 302

    time.sleep(1.1)  # one wrong code: django-otp makes the next try wait 1 s (OTP_TOTP_THROTTLE_FACTOR)
    device.refresh_from_db()  # the setup code is spent: the next window's code is the one typed now
    right = client.post(VERIFY, {"token": code(device, at=time.time() + device.step), "next": "/admin/"})
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_code_is_accepted_once(client, staff):
    password_login(client)
    device = set_up(client, staff)
    spent = code(device)  # the code that confirmed the device
    client.post("/accounts/logout/")
    password_login(client)
    response = client.post(VERIFY, {"token": spent})
    assert response.status_code == 400 and "already used" in response.content.decode()


def test_wrong_codes_are_throttled_so_even_the_right_one_waits(client, staff):
    password_login(client)
    device = set_up(client, staff)
    client.post("/accounts/logout/")
    password_login(client)
    for _ in range(3):
        client.post(VERIFY, {"token": "000000"})
    device.refresh_from_db()
    response = client.post(VERIFY, {"token": code(device, at=time.time() + device.step)})
    assert response.status_code == 400 and "Too many wrong codes" in response.content.decode()


def test_next_cannot_send_the_user_off_site(client, staff):
    password_login(client)
    device = set_up(client, staff)
    client.post("/accounts/logout/")
    password_login(client)
    response = client.post(
        VERIFY, {"token": code(device, at=time.time() + device.step), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_turning_it_off_needs_a_current_code(client, staff):
    password_login(client)
    device = set_up(client, staff)
    refused = client.post(DISABLE, {"token": "000000"})
    assert refused.status_code == 400 and TOTPDevice.objects.filter(user=staff).exists()
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post(DISABLE, {"token": code(device, at=time.time() + device.step)})
    assert done.status_code == 302 and not TOTPDevice.objects.filter(user=staff).exists()


def test_business_users_have_no_two_factor_page(owner_client):
    assert owner_client.get(SETUP).status_code == 404


def test_required_for_staff_sends_staff_without_a_device_to_set_it_up(client, staff, settings):
    settings.STAFF_REQUIRE_TWO_FACTOR = True
    password_login(client)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(f"{SETUP}?next=")
    set_up(client, staff)
    assert client.get("/admin/").status_code == 200


def test_required_for_staff_leaves_business_users_alone(owner_client, settings):
    settings.STAFF_REQUIRE_TWO_FACTOR = True
    assert owner_client.get("/").status_code == 200


@pytest.mark.parametrize("token", ["", "abcdef", "1" * 9, "12 34\x0056", "１２３４５６"])
def test_malformed_codes_get_a_message_not_an_error(client, staff, token):
    password_login(client)
    set_up(client, staff)
    client.post("/accounts/logout/")
    password_login(client)
    response = client.post(VERIFY, {"token": token})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302
