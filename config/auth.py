"""Login throttling with django-axes: the backend, the client's address, the lockout page; and the
backend that finds the signed-in user of each request through the read cache.

Failed logins are counted per username and per client address (settings AXES_*); either reaching
AXES_FAILURE_LIMIT locks for AXES_COOLOFF_MINUTES, on /accounts/login/ and the admin's login alike.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

import caching


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check, for authentication that comes with an HTTP request.

    Every login page passes the request; authentication without one (the test client's login(), a
    script) has no client address to throttle, and axes' own backend would raise instead of answering.
    """

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):  # type: ignore[no-untyped-def]
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class CachedUserBackend(ModelBackend):
    """Django's ModelBackend, with the session's user read through the read cache (caching/).

    Every signed-in page asks for its user: one query, about a third of a login page's whole cost. The
    cached user is exact: any write to the auth app's tables (a password change, deactivation, a
    rename, a login's last_login) gives the auth app a new generation. So are the user's permissions
    (two queries on every page that checks one): the user's and their groups' rows are auth's tables,
    the permission names also contenttypes'.
    """

    def get_user(self, user_id: Any) -> Any:
        find = super().get_user
        return caching.cached(f"auth-user:{user_id}", lambda: find(user_id), depends=["auth"])

    def _get_permissions(self, user_obj: Any, obj: Any, from_name: str) -> set[str]:
        attribute = f"_{from_name}_perm_cache"
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or hasattr(user_obj, attribute):
            return super()._get_permissions(user_obj, obj, from_name)  # type: ignore[no-any-return]
        find = super()._get_permissions
        perms = caching.cached(
            f"auth-perms:{from_name}:{user_obj.pk}",
            lambda: find(user_obj, None, from_name),
            depends=["auth", "contenttypes"],
        )
        setattr(user_obj, attribute, perms)
        return perms  # type: ignore[no-any-return]


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost
    trusted proxy saw (counted from the right of X-Forwarded-For: the left part is the client's to forge)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    return forwarded[-count] if len(forwarded) >= count else remote


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    """The page shown instead of the login form once locked out (429, both login pages)."""
    context = {"minutes": settings.AXES_COOLOFF_MINUTES, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/lockout.html", context, status=429)
