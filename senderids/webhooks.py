"""Webhooks: every user-visible status change of a team's requests, POSTed as signed JSON to the team's
HTTPS endpoints, in a task of its own per delivery, retried with backoff, logged on the team's page.

Owned here: the endpoint rules (HTTPS only; no private, loopback, link-local or reserved address, checked
when the URL is saved and again against what DNS answers at delivery time, the connection then pinned to
the checked address), the payload and its signature, the team page's writes (add, enable/disable,
rotate the secret, delete, resend), the fan-out listener, one attempt, and the retry sweep.

A failing endpoint never delays other work: nothing is sent inline (deliveries are rows written on
commit of the transition, then a task each); an attempt connects within SENDERIDS_WEBHOOK_CONNECT_TIMEOUT
and is over within SENDERIDS_WEBHOOK_TIMEOUT whatever the endpoint does (a watchdog closes the socket);
redirects are never followed; retries wait in the database (`next_attempt_at`, beat's sweep), not in a
worker; and an endpoint that keeps failing is paused, one probe at a time, instead of being tried once
per event.

What an integrator receives::

    POST <url>
    Content-Type: application/json
    X-SenderId-Event-Id: 1234
    X-SenderId-Signature: t=1767225600,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

    {"id": 1234, "type": "sender_id_request.status_changed", "created_at": "2026-01-01T00:00:00+00:00",
     "request": {"id": 42, "sender_id": "ACME", "country": "DE", "status": "active",
                 "previous_status": "submitting", "aws_account": "111122223333",
                 "aws_region": "eu-west-1", "url": "https://portal.example/sender-ids/42/"},
     "reason": null, "what_next": "Ready to use. ..."}

Answer 2xx within 10 s. 408, 429, 5xx, a timeout or a connection error are retried with exponential
backoff (SENDERIDS_WEBHOOK_MAX_ATTEMPTS attempts); any other status fails the delivery at once. A retry
or a resend carries the same event id: deduplicate on it. Verify every request before trusting it:
`verify_signature` below is the reference implementation for integrators (standard library only, copy
it as it is; the README shows it too). It takes the raw body (bytes, before any JSON parsing) and
refuses a signature older than the 5-minute replay window.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import random
import re
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from teams.models import Team
from teams.selectors import is_team_admin

from .enqueue import enqueue_on_commit
from .lifecycle import is_user_visible
from .models import DeliveryStatus, SenderIdRequest, StatusEvent, Webhook, WebhookDelivery
from .reasons import reason_text
from .status_texts import what_next

logger = logging.getLogger(__name__)

DELIVER_TASK = "senderids.tasks.deliver_webhook"
EVENT_TYPE = "sender_id_request.status_changed"
SIGNATURE_HEADER = "X-SenderId-Signature"
EVENT_ID_HEADER = "X-SenderId-Event-Id"
USER_AGENT = "SenderIdPortal-Webhooks/1"
SECRET_PREFIX = "whsec_"
REPLAY_WINDOW_SECONDS = 300
MAX_URL_CHARS = 2000
MAX_WEBHOOKS_PER_TEAM = 10
DELIVERY_LOG_SIZE = 50
# What is kept of an endpoint's answer for the delivery log.
RESPONSE_SNIPPET_BYTES = 300
# The retry sweep leaves a delivery whose task is queued alone this long (a lost message is re-sent after).
REQUEUE_AFTER = timedelta(minutes=5)
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".lan", ".home.arpa", ".intranet")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UnsafeWebhookUrl(ValueError):
    """An endpoint the portal refuses to call; the message says why, for the team admin."""


class WebhookRuleBroken(Exception):
    """A team-page action the rules refuse (message for the team admin)."""


# --- Signing ------------------------------------------------------------------------------------------
def generate_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The X-SenderId-Signature header value for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    secret: str, body: bytes, header: str, *, tolerance: int = REPLAY_WINDOW_SECONDS, now: float | None = None
) -> bool:
    """True if `header` signs `body` with `secret` and is at most `tolerance` seconds old (the receiver's
    side; the module docstring has the same function for integrators)."""
    try:
        fields = [item.split("=", 1) for item in header.split(",")]
        timestamp = int(next(v for k, v in fields if k.strip() == "t"))
        signatures = [v.strip() for k, v in fields if k.strip() == "v1"]
    except (ValueError, StopIteration):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False  # outside the replay window
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in signatures)


# --- Which endpoints may be called (SSRF) ------------------------------------------------------------
def _allow_localhost() -> bool:
    return bool(settings.SENDERIDS_WEBHOOK_ALLOW_LOCALHOST)


def _address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return _allow_localhost()
    return ip.is_global and not ip.is_multicast


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names by itself, also in the legacy forms resolvers accept (127.1, 0x7f.1,
    2130706433...), or None for a host name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def webhook_url_check(url: str) -> str:
    """The URL, stripped, if the portal may call it; else UnsafeWebhookUrl saying why. DNS is not asked
    here: delivery checks what the name resolves to each time, and connects to that checked address."""
    url = (url or "").strip()
    if not url:
        raise UnsafeWebhookUrl(_("Enter the endpoint's URL."))
    if len(url) > MAX_URL_CHARS:
        raise UnsafeWebhookUrl(_("The URL is longer than %(max)d characters.") % {"max": MAX_URL_CHARS})
    if _CONTROL.search(url) or any(c.isspace() for c in url):
        raise UnsafeWebhookUrl(_("The URL may not contain spaces or control characters."))
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("https", "http"):
        raise UnsafeWebhookUrl(_("Use an https:// URL."))
    try:
        URLValidator(schemes=["https", "http"])(url)
        parts = urlsplit(url)
        port = parts.port  # a malformed port raises ValueError
    except (ValidationError, ValueError) as exc:
        raise UnsafeWebhookUrl(_("This is not a valid URL.")) from exc
    host = (parts.hostname or "").rstrip(".")
    if not host or port == 0:
        raise UnsafeWebhookUrl(_("The URL has no host."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeWebhookUrl(
            _("Put no user name or password in the URL: check the signature of each request instead.")
        )
    ip = _literal_ip(host)
    local = host in LOCAL_NAMES or (ip is not None and ip.is_loopback)
    if local:
        if not _allow_localhost():
            raise UnsafeWebhookUrl(_("Local addresses are not allowed: the portal cannot call this one."))
        return url  # a receiver on this machine, in development or tests (http:// or https://)
    if scheme != "https":
        raise UnsafeWebhookUrl(_("Use an https:// URL: the portal does not send events over plain http."))
    if ip is not None:
        if not _address_allowed(ip):
            raise UnsafeWebhookUrl(
                _("This address is private, link-local or reserved: the portal cannot call it.")
            )
        return url
    if "." not in host or host.endswith(INTERNAL_SUFFIXES):
        raise UnsafeWebhookUrl(
            _("Use the endpoint's public host name (for example hooks.example.com), not an internal one.")
        )
    return url


def _vetted_addresses(host: str, port: int) -> list[str]:
    """What `host` resolves to now, if every address is one the portal may call (a name that also
    resolves to a private address is refused whole: DNS could hand out either)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(f"DNS lookup failed: {exc}") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            ip = None
        if ip is None or not _address_allowed(ip):
            raise UnsafeWebhookUrl(f"{host} resolves to an address the portal may not call ({address})")
    if not addresses:
        raise OSError(f"DNS lookup of {host} returned no address")
    return addresses


# --- One HTTP request, bounded in time ------------------------------------------------------------------
class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, whatever DNS answers by then (no rebinding)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the URL's host name, not the address connected to.
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST `body`; the endpoint's status and the start of its answer. Never follows a redirect (3xx
    is an answer like any other); raises TimeoutError past SENDERIDS_WEBHOOK_TIMEOUT, OSError or
    HTTPException on transport errors, UnsafeWebhookUrl for a forbidden address."""
    deadline = time.monotonic() + settings.SENDERIDS_WEBHOOK_TIMEOUT
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    host, port = parts.hostname or "", parts.port or (443 if https else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    error: OSError | None = None
    conn: http.client.HTTPConnection | None = None
    for address in _vetted_addresses(host, port)[:3]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        candidate = connection_class(
            host, port, address=address, timeout=min(settings.SENDERIDS_WEBHOOK_CONNECT_TIMEOUT, remaining)
        )
        try:
            candidate.connect()
        except OSError as exc:
            error = exc
            candidate.close()
            continue
        conn = candidate
        break
    if conn is None or conn.sock is None:
        raise error or TimeoutError("no address answered in time")

    timed_out = threading.Event()

    def abort() -> None:
        # Shut the raw socket (not the TLS layer): a read blocked on a trickling endpoint returns at once.
        timed_out.set()
        sock = conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    watchdog = threading.Timer(max(deadline - time.monotonic(), 0), abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(RESPONSE_SNIPPET_BYTES)
    except (OSError, http.client.HTTPException) as exc:
        if timed_out.is_set() or isinstance(exc, TimeoutError):
            raise TimeoutError(f"no complete answer within {settings.SENDERIDS_WEBHOOK_TIMEOUT:g} s") from exc
        raise
    finally:
        watchdog.cancel()
        conn.close()


# --- The payload ----------------------------------------------------------------------------------------
def detail_url(request: SenderIdRequest) -> str:
    return f"{settings.PORTAL_BASE_URL}{reverse('senderids:detail', args=[request.pk])}"


def payload_for(event: StatusEvent) -> dict[str, Any]:
    request = event.request
    with translation.override(settings.LANGUAGE_CODE):  # machines read one language: the site's
        next_text = what_next(event.to_status, staff=False)
        reason = reason_text(event)
    return {
        "id": event.pk,
        "type": EVENT_TYPE,
        "created_at": event.created_at.isoformat(),
        "request": {
            "id": request.pk,
            "sender_id": request.sender_id,
            "country": request.country_id,
            "status": event.to_status,
            "previous_status": event.from_status,
            "aws_account": request.aws_account.account_id or None,
            "aws_region": request.aws_region,
            "url": detail_url(request),
        },
        # Why, when the change has a reason: the code is stable for machines (senderids/reasons.py),
        # the text is for people; None for a change without one.
        "reason": {"code": event.reason_code or None, "text": reason} if reason else None,
        "what_next": next_text,
    }


def body_for(event: StatusEvent) -> bytes:
    return json.dumps(payload_for(event), separators=(",", ":"), ensure_ascii=False).encode()


# --- One attempt ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retry: bool  # transient: try again later
    status_code: int | None
    error: str


def _answer_text(snippet: bytes) -> str:
    return " ".join(_CONTROL.sub(" ", snippet.decode("utf-8", "replace")).split())


def _classify(status: int, snippet: bytes) -> Outcome:
    if 200 <= status < 300:
        return Outcome(True, False, status, "")
    answer = _answer_text(snippet)
    error = f"HTTP {status}" + (f": {answer}" if answer else "")
    if 300 <= status < 400:
        error = f"HTTP {status}: redirects are not followed; register the final URL"
        return Outcome(False, False, status, error)
    return Outcome(False, status in (408, 429) or status >= 500, status, error)


def _send(delivery: WebhookDelivery) -> Outcome:
    body = body_for(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: str(delivery.event_id),
        # Real time, always: the receiver checks it against its clock (the replay window).
        SIGNATURE_HEADER: sign(delivery.webhook.secret, body, int(time.time())),
        "Connection": "close",
    }
    try:
        status, snippet = _post(delivery.webhook.url, body, headers)
    except UnsafeWebhookUrl as exc:
        return Outcome(False, False, None, str(exc))
    except TimeoutError as exc:
        return Outcome(False, True, None, f"timeout: {exc}")
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(False, True, None, f"{type(exc).__name__}: {exc}")
    return _classify(status, snippet)


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff with jitter: between half and all of min(max, base * 2**(attempt-1)) s."""
    ceiling = min(
        settings.SENDERIDS_WEBHOOK_RETRY_MAX, settings.SENDERIDS_WEBHOOK_RETRY_BASE * 2 ** max(attempt - 1, 0)
    )
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _lease() -> timedelta:
    return timedelta(seconds=settings.SENDERIDS_WEBHOOK_TIMEOUT + 60)


def _free(now: datetime, field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": now})


def _take_probe(webhook: Webhook, now: datetime) -> bool:
    return bool(
        Webhook.objects.filter(_free(now, "paused_until"), pk=webhook.pk).update(paused_until=now + _lease())
    )


def webhook_delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str:
    """Try one delivery once, if it is due and nobody else is trying it; returns its status afterwards,
    or "" when nothing was attempted. Idempotent: a duplicate task finds the claim taken."""
    now = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("webhook", "event__request__aws_account")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING or not delivery.webhook.enabled:
        return ""
    webhook = delivery.webhook
    # An endpoint that has been failing gets one attempt at a time, once its pause is over (half-open).
    probe = webhook.consecutive_failures > 0
    if probe and not _take_probe(webhook, now):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(queued_at=None)  # the sweep comes back
        return ""
    claimed = WebhookDelivery.objects.filter(
        _free(now, "leased_until"), pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(leased_until=now + _lease(), attempts=F("attempts") + 1, last_attempt_at=now, queued_at=None)
    if not claimed:
        if probe:
            Webhook.objects.filter(pk=webhook.pk, paused_until=now + _lease()).update(paused_until=now)
        return ""
    delivery.refresh_from_db(fields=["attempts", "round_started_at_attempt"])
    outcome = _send(delivery)
    return _record(delivery, outcome, now=now)


def _record(delivery: WebhookDelivery, outcome: Outcome, *, now: datetime) -> str:
    round_attempts = delivery.attempts - delivery.round_started_at_attempt
    fields: dict[str, Any] = {
        "leased_until": None,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error[:500],
    }
    webhook = delivery.webhook
    # The endpoint is down or overloaded: it is paused (then one probe at a time), this delivery waits
    # for its own backoff and at least for the pause.
    paused_until = now + retry_delay(webhook.consecutive_failures + 1) if outcome.retry else None
    if outcome.delivered:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif paused_until and round_attempts < settings.SENDERIDS_WEBHOOK_MAX_ATTEMPTS:
        fields.update(next_attempt_at=max(now + retry_delay(round_attempts), paused_until))
    else:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    if paused_until:
        Webhook.objects.filter(pk=webhook.pk).update(
            consecutive_failures=F("consecutive_failures") + 1, paused_until=paused_until
        )
    elif outcome.status_code is not None:
        # It answered (2xx, or a refusal that no retry will change): it is up.
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0, paused_until=None)
    else:
        # Refused before any connection (a forbidden address): no probe is under way any more.
        Webhook.objects.filter(pk=webhook.pk, paused_until__gt=now).update(paused_until=now)
    status = fields.get("status", DeliveryStatus.PENDING)
    # Never the secret, nor the headers: the URL, the event and the outcome.
    logger.info(
        "webhook %s event %s attempt %s: %s %s",
        webhook.pk,
        delivery.event_id,
        delivery.attempts,
        status,
        outcome.error or outcome.status_code,
    )
    return status


def webhook_deliveries_retry_due(*, now: datetime | None = None, batch: int = 500) -> int:
    """Beat: enqueue the deliveries whose next attempt is due (their webhook enabled and not paused, no
    attempt under way, no task queued for them lately). Returns how many were enqueued."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            _free(now, "leased_until"),
            Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER),
            _free(now, "webhook__paused_until"),
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            webhook__enabled=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    )
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk__in=ids).update(queued_at=now)
        for pk in ids:
            enqueue_on_commit(DELIVER_TASK, pk)
    return len(ids)


# --- The fan-out (lifecycle listener, through senderids.notifications) ----------------------------------
def deliveries_enqueue(*, request: SenderIdRequest, event: StatusEvent) -> list[int]:
    """A delivery for each enabled webhook of the request's team, and a task each (on commit)."""
    if not is_user_visible(event.from_status, event.to_status):
        return []
    hooks = list(Webhook.objects.filter(team_id=request.team_id, enabled=True).values_list("pk", flat=True))
    if not hooks:
        return []
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(webhook_id=pk, event=event, next_attempt_at=now, queued_at=now) for pk in hooks],
            ignore_conflicts=True,  # the listener ran twice for one event: one delivery each still
        )
        ids = list(
            WebhookDelivery.objects.filter(event=event, webhook_id__in=hooks, attempts=0).values_list(
                "pk", flat=True
            )
        )
        for pk in ids:
            enqueue_on_commit(DELIVER_TASK, pk)
    return ids


# --- The team page ----------------------------------------------------------------------------------
def _require_admin(team_id: int, actor: AbstractBaseUser) -> None:
    if not (actor.is_active and is_team_admin(actor, team_id)):
        raise PermissionDenied(_("Managing webhooks takes the team admin role."))


def webhooks_of_team(team: Team) -> QuerySet[Webhook]:
    return Webhook.objects.filter(team=team).order_by("created_at", "pk")


def deliveries_of_team(team: Team, *, limit: int = DELIVERY_LOG_SIZE) -> list[WebhookDelivery]:
    return list(
        WebhookDelivery.objects.filter(webhook__team=team)
        .select_related("webhook", "event__request")
        .order_by("-created_at", "-pk")[:limit]
    )


def webhook_create(*, team: Team, actor: AbstractBaseUser, url: str) -> Webhook:
    """A new endpoint with a fresh secret (the caller shows `webhook.secret` once)."""
    _require_admin(team.pk, actor)
    url = webhook_url_check(url)
    if Webhook.objects.filter(team=team).count() >= MAX_WEBHOOKS_PER_TEAM:
        raise WebhookRuleBroken(
            _("A team has at most %(max)d webhooks: delete one first.") % {"max": MAX_WEBHOOKS_PER_TEAM}
        )
    return Webhook.objects.create(team=team, url=url, secret=generate_secret(), created_by=actor)


def webhook_rotate_secret(*, webhook: Webhook, actor: AbstractBaseUser) -> str:
    """A new secret, used from the next attempt on (the old one stops signing at once)."""
    _require_admin(webhook.team_id, actor)
    webhook.secret = generate_secret()
    webhook.secret_rotated_at = timezone.now()
    webhook.save(update_fields=["secret", "secret_rotated_at"])
    return webhook.secret


def webhook_set_enabled(*, webhook: Webhook, actor: AbstractBaseUser, enabled: bool) -> None:
    """Disabled: nothing is sent (pending deliveries wait). Enabled again: the endpoint is trusted anew."""
    _require_admin(webhook.team_id, actor)
    Webhook.objects.filter(pk=webhook.pk).update(enabled=enabled, consecutive_failures=0, paused_until=None)
    webhook.enabled = enabled


def webhook_delete(*, webhook: Webhook, actor: AbstractBaseUser) -> None:
    _require_admin(webhook.team_id, actor)
    webhook.delete()  # its deliveries go with it


def webhook_delivery_resend(*, delivery: WebhookDelivery, actor: AbstractBaseUser) -> None:
    """A new round of attempts for one delivery (whatever its status), the first one now."""
    _require_admin(delivery.webhook.team_id, actor)
    if not delivery.webhook.enabled:
        raise WebhookRuleBroken(_("Enable the webhook first: a disabled webhook sends nothing."))
    now = timezone.now()
    with transaction.atomic():
        resent = WebhookDelivery.objects.filter(_free(now, "leased_until"), pk=delivery.pk).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            round_started_at_attempt=F("attempts"),
            delivered_at=None,
            queued_at=now,
        )
        if not resent:
            raise WebhookRuleBroken(_("An attempt is under way. Look again in a few seconds."))
        # Someone asked for it: the endpoint's pause (if it was failing) does not hold this attempt back.
        Webhook.objects.filter(pk=delivery.webhook_id).update(paused_until=None)
        enqueue_on_commit(DELIVER_TASK, delivery.pk)
