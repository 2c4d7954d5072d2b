"""Optional two-factor authentication (TOTP) for staff, on django-otp.

A staff member sets it up at /accounts/two-factor/ (scan the QR code or type the key into an
authenticator app, confirm with one code). From then on, after the password — on the portal's login or
the admin's — every page sends them to /accounts/two-factor/verify/ until they type a current code:
the middleware below holds them there, so no view needs to know. django-otp checks the code (a code is
accepted once; each failure doubles the wait before the next try) and marks the session verified.
STAFF_REQUIRE_TWO_FACTOR=true makes it required: staff without a device are sent to set one up first.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

SETUP, VERIFY, DISABLE = "two_factor_setup", "two_factor_verify", "two_factor_disable"
# Where a user who still owes a code may go: the code page itself, leaving, and the language switch.
_OPEN_URL_NAMES = (VERIFY, "logout", "set_language", "healthz", "favicon")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Type the 6 digits your app shows."))
        return token


def _confirmed_device(user) -> TOTPDevice | None:  # type: ignore[no-untyped-def]
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _check(device: TOTPDevice, form: TokenForm) -> bool:
    """django-otp's verification, with a message for a throttled device or a wrong code."""
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        form.add_error("token", _("Too many wrong codes: wait a moment, then type the current code."))
        return False
    if device.verify_token(form.cleaned_data["token"]):
        return True
    form.add_error("token", _("That code is not right (or was already used). Type the current code."))
    return False


def _safe_next(request: HttpRequest) -> str:
    """Where to go after the code: a path on this site (never another host, never a view name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    if allowed and target.startswith("/"):
        return target
    return settings.LOGIN_REDIRECT_URL


class TwoFactorMiddleware:
    """Holds a signed-in staff member who has a confirmed device (or, with STAFF_REQUIRE_TWO_FACTOR, any
    staff member) at the code page — or the setup page — until their session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # Two-factor is for staff (only they can set it up): a business user's pages pay nothing for it.
        if user is not None and user.is_authenticated and user.is_staff and not user.is_verified():
            target = self._target(request, user)
            if target is not None:
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _target(request: HttpRequest, user) -> str | None:  # type: ignore[no-untyped-def]
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            return None  # a 404 either way
        if name in _OPEN_URL_NAMES:
            return None
        if user_has_device(user):
            return VERIFY
        if settings.STAFF_REQUIRE_TWO_FACTOR and name != SETUP:
            return SETUP
        return None


def _qr_data_uri(url: str) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (an image: the CSP allows data: images)."""
    buffer = BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Staff only. A POST "start" makes a new key (unconfirmed until a code from it is typed: a GET
    writes nothing); the page then shows it as a QR code and as text, and takes the confirming code."""
    if not request.user.is_staff:
        raise Http404
    template = "registration/two_factor_setup.html"
    device = _confirmed_device(request.user)
    if device is not None:
        return render(request, template, {"device": device, "form": TokenForm()})
    next_url = _safe_next(request) if (request.POST.get("next") or request.GET.get("next")) else ""
    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if request.method == "POST" and "start" in request.POST:
        if pending is None:
            TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
        return redirect(reverse(SETUP) + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    if pending is None:
        return render(request, template, {"next": next_url})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(pending, form):
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        otp_login(request, pending)
        messages.success(
            request, _("Two-factor authentication is on: you will type a code after your password.")
        )
        return HttpResponseRedirect(next_url or reverse(SETUP))
    key = base64.b32encode(pending.bin_key).decode()
    context = {
        "form": form,
        "pending": pending,
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "qr": _qr_data_uri(pending.config_url),
        "next": next_url,
    }
    return render(request, template, context, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code after the password; then on to where the user was going."""
    device = _confirmed_device(request.user)
    if device is None or request.user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(device, form):
        otp_login(request, device)
        return HttpResponseRedirect(_safe_next(request))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "registration/two_factor_verify.html", context, status=status)


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn it off with a current code (a stolen session alone cannot)."""
    device = _confirmed_device(request.user)
    if device is None or not request.user.is_staff:
        raise Http404
    form = TokenForm(request.POST)
    if form.is_valid() and _check(device, form):
        TOTPDevice.objects.filter(user=request.user).delete()
        messages.success(request, _("Two-factor authentication is off."))
        return redirect(reverse(SETUP))
    return render(request, "registration/two_factor_setup.html", {"device": device, "form": form}, status=400)
