"""Webhooks, against a real HTTP receiver on 127.0.0.1 that checks every signature with the documented
helper: one signed delivery per change, retries after a 5xx, no retry after a 4xx, timeouts, resend, the
SSRF rules, team isolation, and the team page's permissions.

Personas: Olivia is her team's admin, Tom a member of it; Mallory is the admin of another team.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from senderids import events, lifecycle, tasks, webhooks
from senderids.choices import Status
from senderids.models import DeliveryStatus, Webhook, WebhookDelivery
from senderids.reasons import reason_text
from senderids.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    UnsafeWebhookUrl,
    payload_for,
    sign,
    verify_signature,
    webhook_url_check,
)
from teams.services import membership_set, team_ensure_for
from tests.conftest import wait_for
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

DELIVER = "senderids.tasks.deliver_webhook"
HANG = "hang"


# --- a real receiver ----------------------------------------------------------------------------------
class Receiver:
    """An integrator's endpoint: answers with the scripted statuses (then 200), verifies every request
    with `verify_signature` and keeps what it got. HANG holds the answer until `release` is set."""

    def __init__(self) -> None:
        self.secret = ""
        self.answers: list[int | str] = []
        self.received: list[dict] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                header = self.headers.get(SIGNATURE_HEADER, "")
                receiver.received.append(
                    {
                        "path": self.path,
                        "body": body,
                        "headers": dict(self.headers),
                        "verified": verify_signature(receiver.secret, body, header),
                    }
                )
                answer = receiver.answers.pop(0) if receiver.answers else 200
                if answer == HANG:
                    receiver.release.wait(10)
                    answer = 200
                self.send_response(int(answer))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


# --- the teams ---------------------------------------------------------------------------------------
@pytest.fixture
def team(owner):
    return team_ensure_for(owner)  # Olivia is its admin


@pytest.fixture
def teammate(django_user_model, team):
    tom = django_user_model.objects.create_user("tom", "tom@acme.example", "tom-pass-1")
    membership_set(team=team, user=tom)
    return tom


@pytest.fixture
def other_team(stranger):
    return team_ensure_for(stranger)  # Mallory administers it


@pytest.fixture
def hook(team, owner, receiver) -> Webhook:
    webhook = webhooks.webhook_create(team=team, actor=owner, url=receiver.url())
    receiver.secret = webhook.secret
    return webhook


def approve(request, capture):
    with capture(execute=True):
        return lifecycle.transition(request, Status.APPROVED, event=events.auto_approved())


def pending_request(owner, team, sender_id: str = "ACME"):
    return SenderIdRequestFactory(owner=owner, team=team, sender_id=sender_id, status=Status.PENDING_REVIEW)


def attempt(delivery: WebhookDelivery, now=None) -> str:
    return webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=now)


def only_delivery() -> WebhookDelivery:
    (delivery,) = WebhookDelivery.objects.all()
    return delivery


# --- delivery -----------------------------------------------------------------------------------------
def test_a_status_change_is_posted_once_signed_with_the_documented_payload(
    owner, team, hook, receiver, sent_tasks, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example"
    request = pending_request(owner, team)
    event = approve(request, django_capture_on_commit_callbacks)
    delivery = only_delivery()
    assert sent_tasks[DELIVER] == [delivery.pk]  # a task of its own, enqueued on commit
    assert receiver.received == []  # nothing was sent inline

    assert tasks.deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.DELIVERED
    (got,) = receiver.received
    assert got["verified"] is True
    assert got["headers"]["Content-Type"] == "application/json"
    assert got["headers"][EVENT_ID_HEADER] == str(event.pk)
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", got["headers"][SIGNATURE_HEADER])
    payload = json.loads(got["body"])
    assert payload == {
        "id": event.pk,
        "type": "sender_id_request.status_changed",
        "created_at": event.created_at.isoformat(),
        "request": {
            "id": request.pk,
            "sender_id": "ACME",
            "country": request.country_id,
            "status": "approved",
            "previous_status": "pending_review",
            "aws_account": request.aws_account.account_id or None,
            "aws_region": request.aws_region,
            "url": f"https://portal.example/sender-ids/{request.pk}/",
        },
        "reason": {"code": "auto_approved", "text": "Approval is not required."},
        "what_next": "Approved: the portal is sending it to AWS. This takes seconds.",
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert attempt(delivery) == ""  # a duplicate task changes nothing
    assert len(receiver.received) == 1


def test_a_change_with_a_reason_carries_its_code_and_text(owner, team, hook, settings):
    settings.LANGUAGE_CODE = "en"
    request = SenderIdRequestFactory(owner=owner, team=team, status=Status.ACTIVE)
    event = lifecycle.transition(
        request, Status.RELEASING, event=events.release_requested(owner, by_owner=True)
    )

    payload = payload_for(event)

    assert payload["reason"]["code"] == event.reason_code and event.reason_code
    assert payload["reason"]["text"] == reason_text(event)


def test_silent_transitions_are_not_posted(owner, team, hook, django_capture_on_commit_callbacks):
    request = SenderIdRequestFactory(owner=owner, team=team, status=Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(request, Status.SUBMITTING, event=events.submission_claimed())
    assert not WebhookDelivery.objects.exists()


def test_a_500_then_200_is_retried_into_exactly_one_delivery_with_two_attempts(
    owner, team, hook, receiver, sent_tasks, django_capture_on_commit_callbacks
):
    receiver.answers = [500, 200]
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    delivery = only_delivery()
    now = timezone.now()
    assert attempt(delivery, now) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert delivery.next_attempt_at > now  # backoff: later, not now
    assert webhooks.webhook_deliveries_retry_due(now=now) == 0

    later = delivery.next_attempt_at + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.retry_webhook_deliveries.apply().get() == 0  # the sweep runs on real time...
        assert webhooks.webhook_deliveries_retry_due(now=later) == 1  # ...and finds it once it is due
    assert sent_tasks[DELIVER] == [delivery.pk, delivery.pk]
    assert webhooks.webhook_deliveries_retry_due(now=later) == 0  # queued: not enqueued twice
    assert attempt(delivery, later) == DeliveryStatus.DELIVERED

    delivery = only_delivery()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert [r["verified"] for r in receiver.received] == [True, True]
    assert len({r["headers"][EVENT_ID_HEADER] for r in receiver.received}) == 1  # the same event


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_a_4xx_fails_at_once_without_retry(
    owner, team, hook, receiver, status, django_capture_on_commit_callbacks
):
    receiver.answers = [status]
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    assert attempt(only_delivery()) == DeliveryStatus.FAILED
    delivery = only_delivery()
    assert (delivery.attempts, delivery.last_status_code, delivery.next_attempt_at) == (1, status, None)
    assert delivery.last_error.startswith(f"HTTP {status}")
    assert webhooks.webhook_deliveries_retry_due(now=timezone.now() + timedelta(days=1)) == 0


@pytest.mark.parametrize("status", [408, 429, 502, 503])
def test_408_429_and_5xx_are_retried(owner, team, hook, receiver, status, django_capture_on_commit_callbacks):
    receiver.answers = [status]
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    assert attempt(only_delivery()) == DeliveryStatus.PENDING


def test_a_redirect_is_not_followed(owner, team, hook, receiver, django_capture_on_commit_callbacks):
    receiver.answers = [302]
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    assert attempt(only_delivery()) == DeliveryStatus.FAILED
    assert "redirects are not followed" in only_delivery().last_error
    assert len(receiver.received) == 1


def test_retries_stop_after_the_last_attempt(
    owner, team, hook, receiver, settings, django_capture_on_commit_callbacks
):
    settings.SENDERIDS_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [500, 500, 500, 200]
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    now = timezone.now()
    for _ in range(3):
        now += timedelta(hours=2)
        status = attempt(only_delivery(), now)
    assert status == DeliveryStatus.FAILED
    delivery = only_delivery()
    assert (delivery.attempts, delivery.next_attempt_at) == (3, None)


def test_the_backoff_grows_and_is_capped(settings):
    settings.SENDERIDS_WEBHOOK_RETRY_BASE, settings.SENDERIDS_WEBHOOK_RETRY_MAX = 30.0, 3600.0
    for n, ceiling in ((1, 30), (2, 60), (5, 480), (20, 3600)):
        delay = webhooks.retry_delay(n).total_seconds()
        assert ceiling / 2 <= delay <= ceiling


def test_a_hanging_endpoint_times_out_without_holding_the_worker(
    owner, team, hook, receiver, settings, django_capture_on_commit_callbacks
):
    settings.SENDERIDS_WEBHOOK_CONNECT_TIMEOUT = 0.5
    settings.SENDERIDS_WEBHOOK_TIMEOUT = 0.5
    receiver.answers = [HANG]
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    started = time.monotonic()
    assert attempt(only_delivery()) == DeliveryStatus.PENDING  # retried later
    assert time.monotonic() - started < 3
    delivery = only_delivery()
    assert delivery.last_status_code is None and delivery.last_error.startswith("timeout")


def test_a_refused_connection_is_retried(owner, team, unused_tcp_port, django_capture_on_commit_callbacks):
    webhooks.webhook_create(team=team, actor=owner, url=f"http://127.0.0.1:{unused_tcp_port}/")
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    assert attempt(only_delivery()) == DeliveryStatus.PENDING
    assert "ConnectionRefusedError" in only_delivery().last_error


def test_a_failing_endpoint_is_paused_and_never_holds_up_another_teams(
    owner, team, hook, receiver, stranger, other_team, django_capture_on_commit_callbacks
):
    theirs = Receiver()
    try:
        webhook_b = webhooks.webhook_create(team=other_team, actor=stranger, url=theirs.url())
        theirs.secret = webhook_b.secret
        receiver.answers = [503]
        approve(pending_request(owner, team, "FIRST"), django_capture_on_commit_callbacks)
        now = timezone.now()
        assert attempt(only_delivery(), now) == DeliveryStatus.PENDING
        # Another change while Olivia's endpoint is down: not tried until its pause is over.
        approve(pending_request(owner, team, "SECOND"), django_capture_on_commit_callbacks)
        second = WebhookDelivery.objects.filter(webhook=hook).order_by("-pk").first()
        assert attempt(second, timezone.now()) == ""  # due, but the endpoint is paused
        assert len(receiver.received) == 1
        # Mallory's team is served meanwhile.
        approve(pending_request(stranger, other_team, "THEIRS"), django_capture_on_commit_callbacks)
        (theirs_delivery,) = WebhookDelivery.objects.filter(webhook=webhook_b)
        assert attempt(theirs_delivery, timezone.now()) == DeliveryStatus.DELIVERED
        # Once the pause is over, one probe goes through; it succeeds, and the endpoint is trusted again.
        later = now + timedelta(hours=2)
        assert attempt(second, later) == DeliveryStatus.DELIVERED
        hook.refresh_from_db()
        assert (hook.consecutive_failures, hook.paused_until) == (0, None)
    finally:
        theirs.stop()


# --- resend ------------------------------------------------------------------------------------------
def test_resend_makes_a_new_attempt_of_the_same_event(
    owner, team, hook, receiver, sent_tasks, django_capture_on_commit_callbacks
):
    receiver.answers = [410]
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    assert attempt(only_delivery()) == DeliveryStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_delivery_resend(delivery=only_delivery(), actor=owner)
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.PENDING
    assert sent_tasks[DELIVER] == [delivery.pk, delivery.pk]
    assert attempt(delivery) == DeliveryStatus.DELIVERED
    delivery = only_delivery()
    assert (delivery.attempts, delivery.status) == (2, DeliveryStatus.DELIVERED)
    assert [r["headers"][EVENT_ID_HEADER] for r in receiver.received] == [str(delivery.event_id)] * 2


def test_a_member_cannot_resend(owner, teammate, team, hook, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_delivery_resend(delivery=only_delivery(), actor=teammate)


# --- the signature, on the receiver's side ---------------------------------------------------------------
def test_the_receiver_refuses_tampered_stale_or_foreign_signatures():
    secret, body = "whsec_test", b'{"id":1}'
    now = int(time.time())
    header = sign(secret, body, now)
    assert verify_signature(secret, body, header)
    assert not verify_signature(secret, b'{"id":2}', header)  # another body
    assert not verify_signature("whsec_other", body, header)  # another secret
    assert not verify_signature(secret, body, header, now=now + 301)  # replayed after the window
    assert not verify_signature(secret, body, header, now=now - 301)  # from the future
    assert verify_signature(secret, body, header, now=now + 299)
    for garbage in ("", "v1=abc", "t=abc,v1=00", "t=1", "nonsense", "t=,v1="):
        assert not verify_signature(secret, body, garbage)


def test_the_secret_is_never_logged(owner, team, hook, receiver, caplog, django_capture_on_commit_callbacks):
    receiver.answers = [500]
    with caplog.at_level(logging.DEBUG):
        approve(pending_request(owner, team), django_capture_on_commit_callbacks)
        attempt(only_delivery())
    assert caplog.records and hook.secret not in caplog.text
    assert hook.secret not in repr(hook) and hook.secret not in str(hook)


# --- SSRF ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/sender-ids",  # plain http to a public host
        "ftp://hooks.example.com/",
        "javascript:alert(1)",
        "hooks.example.com/no-scheme",
        "https://10.0.0.5/hook",
        "https://192.168.1.10/",
        "https://172.16.3.4:8443/",
        "https://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "https://100.64.0.1/",  # carrier-grade NAT
        "https://0.0.0.0/",
        "https://224.0.0.1/",
        "https://[fd00::1]/",
        "https://[fe80::1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://2130706433/",  # 127.0.0.1 spelled as one number
        "https://0x7f000001/",
        "https://metadata/",  # a single-label (internal) name
        "https://db.internal/",
        "https://printer.local/",
        "https://user:password@hooks.example.com/",
        "https://hooks.example.com:0/",
        "https://hooks.example.com:99999/",
        "https://hooks.example.com/a b",
        "",
        "https://" + "a" * 2000 + ".example.com/",
    ],
)
def test_unsafe_urls_are_refused(url):
    with pytest.raises(UnsafeWebhookUrl):
        webhook_url_check(url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hook", "https://localhost/hook", "http://[::1]:9000/", "https://127.0.0.2/"],
)
def test_loopback_is_refused_outside_development_and_tests(url, settings):
    assert webhook_url_check(url) == url  # tests allow a local receiver
    settings.SENDERIDS_WEBHOOK_ALLOW_LOCALHOST = False
    with pytest.raises(UnsafeWebhookUrl):
        webhook_url_check(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/sender-ids?token=1",
        "https://93.184.216.34:8443/h",
        "https://[2606:4700::1]/",
    ],
)
def test_public_https_urls_are_accepted(url):
    assert webhook_url_check(f"  {url} ") == url


def test_a_name_resolving_to_a_private_address_is_refused_at_delivery_without_connecting(
    owner, team, monkeypatch, django_capture_on_commit_callbacks
):
    webhooks.webhook_create(team=team, actor=owner, url="https://hooks.example.com/sender-ids")
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    monkeypatch.setattr(webhooks.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("10.1.2.3", 443))])

    def no_connection(*args, **kwargs):
        raise AssertionError("connected to a private address")

    monkeypatch.setattr(webhooks.socket, "create_connection", no_connection)
    assert attempt(only_delivery()) == DeliveryStatus.FAILED
    assert "10.1.2.3" in only_delivery().last_error


# --- teams ---------------------------------------------------------------------------------------------
def test_a_webhook_of_team_b_never_receives_team_a_events(
    owner, team, hook, receiver, stranger, other_team, django_capture_on_commit_callbacks
):
    theirs = webhooks.webhook_create(team=other_team, actor=stranger, url=receiver.url("/team-b"))
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    assert not WebhookDelivery.objects.filter(webhook=theirs).exists()
    for delivery in WebhookDelivery.objects.all():
        attempt(delivery)
    assert [r["path"] for r in receiver.received] == ["/hook"]


def test_a_disabled_webhook_gets_nothing(owner, team, hook, django_capture_on_commit_callbacks):
    webhooks.webhook_set_enabled(webhook=hook, actor=owner, enabled=False)
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    assert not WebhookDelivery.objects.exists()


def test_a_team_has_at_most_ten_webhooks(owner, team):
    for n in range(webhooks.MAX_WEBHOOKS_PER_TEAM):
        webhooks.webhook_create(team=team, actor=owner, url=f"https://hooks{n}.example.com/")
    with pytest.raises(webhooks.WebhookRuleBroken):
        webhooks.webhook_create(team=team, actor=owner, url="https://one-more.example.com/")


# --- the team page --------------------------------------------------------------------------------------
PAGE = "/team/webhooks/"


def test_anonymous_users_are_sent_to_login(client):
    for response in (client.get(PAGE), client.post(PAGE, {"url": "https://hooks.example.com/"})):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_admin_adds_a_webhook_and_sees_its_secret_only_once(client, owner, team):
    client.force_login(owner)
    response = client.post(PAGE, {"url": "https://hooks.example.com/sender-ids"})
    assert response.status_code == 200
    webhook = Webhook.objects.get(team=team)
    assert webhook.secret.startswith("whsec_") and webhook.created_by == owner
    body = response.content.decode()
    assert f'<code id="webhook-secret">{webhook.secret}</code>' in body
    again = client.get(PAGE).content.decode()
    assert "https://hooks.example.com/sender-ids" in again and webhook.secret not in again


def test_an_admin_rotates_disables_enables_and_deletes(client, owner, team, hook):
    client.force_login(owner)
    old = hook.secret
    response = client.post(f"{PAGE}{hook.pk}/rotate/")
    hook.refresh_from_db()
    assert response.status_code == 200 and hook.secret != old
    assert hook.secret in response.content.decode() and old not in response.content.decode()
    assert client.post(f"{PAGE}{hook.pk}/toggle/").status_code == 302
    hook.refresh_from_db()
    assert hook.enabled is False
    client.post(f"{PAGE}{hook.pk}/toggle/")
    hook.refresh_from_db()
    assert hook.enabled is True
    assert client.post(f"{PAGE}{hook.pk}/delete/").status_code == 302
    assert not Webhook.objects.filter(pk=hook.pk).exists()


def test_the_page_shows_the_delivery_log_and_resend_enqueues_an_attempt(
    client, owner, team, hook, receiver, sent_tasks, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    attempt(only_delivery())
    client.force_login(owner)
    body = client.get(PAGE).content.decode()
    delivery = only_delivery()
    assert f'data-delivery="{delivery.pk}" data-status="pending"' in body
    assert "HTTP 500" in body and 'data-role="attempts">1<' in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{PAGE}deliveries/{delivery.pk}/resend/")
    assert response.status_code == 302
    assert sent_tasks[DELIVER][-1] == delivery.pk and len(sent_tasks[DELIVER]) == 2


def test_a_member_reads_the_page_but_changes_nothing(client, teammate, team, hook, owner):
    client.force_login(teammate)
    body = client.get(PAGE).content.decode()
    assert hook.url in body and 'id="add-webhook"' not in body and "Rotate secret" not in body
    assert hook.secret not in body
    assert client.post(PAGE, {"url": "https://hooks.example.com/"}).status_code == 403
    for action in ("toggle", "rotate", "delete"):
        assert client.post(f"{PAGE}{hook.pk}/{action}/").status_code == 403
    hook.refresh_from_db()
    assert hook.enabled and Webhook.objects.filter(team=team).count() == 1


def test_another_teams_webhooks_and_deliveries_answer_404(
    client, stranger, other_team, owner, team, hook, django_capture_on_commit_callbacks
):
    approve(pending_request(owner, team), django_capture_on_commit_callbacks)
    delivery = only_delivery()
    client.force_login(stranger)
    assert hook.url not in client.get(PAGE).content.decode()
    for action in ("toggle", "rotate", "delete"):
        assert client.post(f"{PAGE}{hook.pk}/{action}/").status_code == 404
    assert client.post(f"{PAGE}deliveries/{delivery.pk}/resend/").status_code == 404
    assert Webhook.objects.filter(pk=hook.pk, enabled=True).exists()


def test_a_user_without_a_team_gets_404(client, staff_user):
    client.force_login(staff_user)
    assert client.get(PAGE).status_code == 404


def test_actions_take_post(client, owner, hook):
    client.force_login(owner)
    for action in ("toggle", "rotate", "delete"):
        assert client.get(f"{PAGE}{hook.pk}/{action}/").status_code == 405


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/", "https://"),
        ("https://169.254.169.254/latest/", "private, link-local or reserved"),
        ("not a url", "spaces"),
        ("", "Enter the endpoint"),
    ],
)
def test_a_bad_url_is_a_clear_400(client, owner, team, url, message):
    client.force_login(owner)
    response = client.post(PAGE, {"url": url})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Webhook.objects.filter(team=team).exists()


def test_an_oversized_url_is_refused_and_not_echoed(client, owner, team):
    client.force_login(owner)
    huge = "https://hooks.example.com/" + "x" * 5000
    response = client.post(PAGE, {"url": huge})
    body = response.content.decode()
    assert response.status_code == 400 and "longer than 2000 characters" in body and "x" * 100 not in body
    assert not Webhook.objects.filter(team=team).exists()


# --- the real path: outbox → broker → worker → beat's retry sweep ------------------------------------------
REAL_WORKER_ENV = {
    "EMAIL_URL": "dummymail://",
    "SENDERIDS_WEBHOOK_SWEEP_INTERVAL": "0.5",
    "SENDERIDS_WEBHOOK_RETRY_BASE": "0.2",
    "SENDERIDS_WEBHOOK_RETRY_MAX": "0.5",
}


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs PostgreSQL + the Redis broker (make test)")
def test_a_real_worker_delivers_after_a_500_through_the_retry_sweep(
    owner, team, hook, receiver, celery_worker_factory, purge_broker
):
    celery_worker_factory("webhooks", beat=True, extra_env=REAL_WORKER_ENV)
    receiver.answers = [500, 200]
    lifecycle.transition(pending_request(owner, team), Status.APPROVED, event=events.auto_approved())
    wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(), timeout=30)
    delivery = only_delivery()
    assert (delivery.attempts, delivery.last_status_code) == (2, 200)
    assert [r["verified"] for r in receiver.received] == [True, True]
