"""No AWS credential, session id, CSRF token, password or webhook signing secret in anything the portal
writes down (issue 18): log lines, stdout/stderr, database rows (the AWS call log, webhook deliveries, the
timeline, django-axes' failed logins, every other table), emails and error pages.

How: distinctive canaries stand in for every secret — the environment's AWS keys and session token, an
assumed role's credentials as moto's STS hands them out, webhook signing secrets, passwords typed into the
login forms (also wrong ones), the session ids and CSRF secrets the test client's cookies hold once logged
in. The flows run for real: the login form, the wizard, the admin's approval, the submission task against the
SMS simulator (success, ConflictException, a throttling retry), a registration's field values, AWS answers
that repeat the request's credentials, webhook deliveries to a working and to failing endpoints, and the
500/404/403/400 pages with DEBUG off (with ADMINS set, so that Django's error email goes out too). Every
log record of every logger is captured at DEBUG, SQL included, through the LOGGING the settings configure
(``config.log_redaction.redacting``, installed here as settings.py will: the last test checks it does);
then everything is searched for each canary as it is and encoded (URL, base64 at any offset, JSON, HTML)
and for CSRF tokens that unmask to a user's CSRF secret.

Not searched, by design: ``django_session.session_key`` (the id itself), ``senderids_webhook.secret``
(signing needs it), the one answer that shows a new webhook secret, and ``csrfmiddlewaretoken`` inputs in
pages served to their own user.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from celery import current_app
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.db import connection
from django.middleware.csrf import _mask_cipher_secret, _unmask_cipher_token
from django.test import Client
from django.urls import reverse
from django.utils.log import configure_logging
from django.views import debug

import registrations.tasks  # noqa: F401 (registers the tasks the flows enqueue)
import senderids.tasks  # noqa: F401
import smsvoice.tasks  # noqa: F401
from config import log_redaction
from registrations.services import aws
from senderids import webhooks
from senderids.choices import Status
from senderids.models import SenderIdRequest, StatusEvent, Webhook, WebhookDelivery
from senderids.services.requests import sender_id_request_approve
from smsvoice import gateway as gateway_module
from smsvoice.gateway import gateway_for, get_gateway, reset_gateway
from smsvoice.models import AwsAccount, AwsCall
from teams.services import membership_set, team_ensure_for
from tests.conftest import ROOT, child_env
from tests.process_factories import approve_and_claim
from tests.registrations.conftest import INDIA_VALUES, poll, save
from tests.senderids.multi_account_support import role_account
from tests.senderids.wizard_support import WizardDriver

pytestmark = [pytest.mark.django_db]

# --- the canaries ------------------------------------------------------------------------------------------
# Shaped like the real thing (an access key ID is AKIA + 16, secrets carry "/", "+" and "=") so that the
# redaction's patterns meet what AWS hands out, and so that URL-encoding changes them.
AWS_ACCESS_KEY_ID = "AKIACANARYLEAK000001"
AWS_SECRET_ACCESS_KEY = "Canary/Leak+Secret=Key0123456789abcdefGHIJ"
AWS_SESSION_TOKEN = "IQoJCanary//LeakSessionToken+" + "Zm9vYmFy" * 8 + "=="
PASSWORD = "canary pass+word/&=1"
WRONG_PASSWORD = "canary wrong+guess/&=2"
ADMIN_PASSWORD = "canary admin+pw/&=3"
WEBHOOK_SECRET = "whsec_CanaryLeakWebhookSecret_"
ENVIRONMENT_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": AWS_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": AWS_SECRET_ACCESS_KEY,
    "AWS_SESSION_TOKEN": AWS_SESSION_TOKEN,
}

SUBMIT = "senderids.tasks.submit_sender_id_request"
DELIVER = "senderids.tasks.deliver_webhook"
SYNC = "registrations.tasks.sync_registration"

REPORTER_FILTER = "config.log_redaction.SafeExceptionReporterFilter"
# Stored on purpose: {model label: columns the search skips}.
BY_DESIGN = {"sessions.Session": {"session_key"}, "senderids.Webhook": {"secret"}}
CSRF_INPUT = re.compile(r'<input[^>]*name="csrfmiddlewaretoken"[^>]*>')
CSRF_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def encodings(value: str) -> dict[str, str]:
    """How `value` may appear in text: as it is, URL- and form-encoded, JSON- and HTML-escaped, and base64
    (standard and URL-safe) at any of the three byte offsets, minus the edge characters the neighbours
    change: what is left is in every base64 text that contains `value`."""
    found = {
        "as is": value,
        "URL-encoded": quote(value, safe=""),
        "form-encoded": quote_plus(value),
        "JSON": json.dumps(value)[1:-1].replace("/", "\\/"),
        "HTML": html.escape(value),
    }
    raw = value.encode()
    for shift, (kind, encode) in itertools.product(
        range(3), (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode))
    ):
        text = encode(b"\0" * shift + raw).decode()
        found[f"{kind} +{shift}"] = text[4 if shift else 0 : -4]
    return {kind: text for kind, text in found.items() if len(text) >= 8}


@dataclass(repr=False)
class Leaks:
    """The canaries and what the test captured; ``assert_clean()`` searches it all."""

    log: io.StringIO
    capfd: pytest.CaptureFixture[str]
    secrets: dict[str, str] = field(default_factory=dict)
    csrf_secrets: set[str] = field(default_factory=set)
    pages: list[tuple[str, str]] = field(default_factory=list)  # (where, text): pages, webhook requests

    def __repr__(self) -> str:  # tracebacks would print every page and log line otherwise
        return f"<Leaks: {len(self.secrets)} secrets, {len(self.pages)} pages>"

    def add(self, name: str, value: str) -> None:
        assert value and len(value) >= 8, (name, value)
        self.secrets[name] = value

    def remember(self, client: Client, who: str) -> None:
        """The session id and CSRF secret the client's cookies hold now (they change at login)."""
        if "sessionid" in client.cookies and client.cookies["sessionid"].value:
            self.add(
                f"{who}'s session id {client.cookies['sessionid'].value[:6]}…",
                client.cookies["sessionid"].value,
            )
        if "csrftoken" in client.cookies and client.cookies["csrftoken"].value:
            secret = client.cookies["csrftoken"].value
            self.add(f"{who}'s CSRF secret {secret[:6]}…", secret)
            self.csrf_secrets.add(secret)

    def page(self, where: str, response: Any) -> None:
        """An answer's HTML, minus the CSRF inputs a page rightly gives its own user."""
        self.pages.append((where, CSRF_INPUT.sub("", response.content.decode(errors="replace"))))

    def channels(self) -> Iterator[tuple[str, str]]:
        out, err = self.capfd.readouterr()
        yield "log records", self.log.getvalue()
        yield "stdout", out
        yield "stderr", err
        for model in apps.get_models():
            skip = BY_DESIGN.get(model._meta.label, set())
            columns = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
            rows = model._base_manager.values_list(*columns)
            yield f"table {model._meta.db_table}", "\n".join(repr(row) for row in rows)
        for number, message in enumerate(mail.outbox):
            parts = [message.subject, message.body, repr(message.to), repr(message.extra_headers)]
            parts += [str(content) for content, _type in getattr(message, "alternatives", [])]
            yield f"email {number} ({message.subject})", "\n".join(parts)
        yield from self.pages

    def findings(self, where: str, text: str) -> list[str]:
        """One line per secret found in `text` (its first encoding found, with what surrounds it)."""
        found = []
        for name, value in self.secrets.items():
            for kind, encoded in encodings(value).items():
                at = text.find(encoded)
                if at >= 0:
                    found.append(f"{where}: {name} ({kind}) in …{text[max(at - 100, 0) : at + 60]!r}…")
                    break
        for token in dict.fromkeys(CSRF_TOKEN.findall(text)):
            if _unmask_cipher_token(token) in self.csrf_secrets:
                at = text.find(token)
                found.append(
                    f"{where}: a CSRF token of a user's CSRF secret in …{text[max(at - 100, 0) : at + 8]!r}…"
                )
        return found

    def assert_clean(self) -> None:
        captured = list(self.channels())
        assert self.log.getvalue(), "nothing was logged: the capture is not installed"
        found = [finding for where, text in captured for finding in self.findings(where, text)]
        assert not found, f"{len(found)} secrets leaked:\n" + "\n".join(found)


# --- capture: the settings' LOGGING, every logger at DEBUG, SQL included ----------------------------------
def _debug_everything(stream: io.StringIO) -> Callable[[], None]:
    """Install settings.LOGGING with the redaction the settings wire (``redacting`` is idempotent), its
    stream handlers writing to `stream`, and every logger at DEBUG propagating to them; returns the undo."""
    config = log_redaction.redacting(django_settings.LOGGING)
    for handler in config["handlers"].values():
        if handler.get("class") == "logging.StreamHandler":
            handler["stream"] = stream
    config.setdefault("root", {})["level"] = "DEBUG"
    for logger in config.get("loggers", {}).values():
        logger["level"] = "DEBUG"  # settings keep botocore at WARNING: the filter must hold without that
    manager = logging.root.manager
    saved = {
        name: (lg.level, lg.propagate, lg.disabled)
        for name, lg in manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    configure_logging(django_settings.LOGGING_CONFIG, config)
    for lg in manager.loggerDict.values():
        if isinstance(lg, logging.Logger):
            lg.setLevel(logging.NOTSET)
            lg.propagate, lg.disabled = True, False
    # Django logs SQL with its values at DEBUG only through the debug cursor (DEBUG=True in development).
    connection.force_debug_cursor = True

    def undo() -> None:
        connection.force_debug_cursor = False
        configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)
        for name, (level, propagate, disabled) in saved.items():
            lg = logging.getLogger(name)
            lg.setLevel(level)
            lg.propagate, lg.disabled = propagate, disabled

    return undo


@pytest.fixture
def leaks(no_real_aws, monkeypatch, settings, capfd) -> Iterator[Leaks]:
    """The canaries in place (the environment's AWS credentials, the passwords), everything logged at DEBUG
    into `Leaks.log`, the settings log_redaction provides installed as settings.py will have them."""
    for name, value in ENVIRONMENT_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    # The gateway keeps the default boto3 session (and the credentials it resolved) for the process:
    # fresh sessions for this test read the canaries, the others get theirs back afterwards.
    monkeypatch.setattr(gateway_module, "_sessions", {})
    reset_gateway()
    # What settings.py sets (log_redaction), installed here as the settings would.
    settings.AXES_SENSITIVE_PARAMETERS = log_redaction.AXES_SENSITIVE_PARAMETERS
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = REPORTER_FILTER
    debug.get_default_exception_reporter_filter.cache_clear()  # Django keeps the first one it made
    settings.ADMINS = [("Ops", "ops@portal.example")]  # Django's error emails go out too
    settings.DEBUG = False
    captured = Leaks(log=io.StringIO(), capfd=capfd)
    for name, value in (
        *ENVIRONMENT_CREDENTIALS.items(),
        ("password", PASSWORD),
        ("wrong password", WRONG_PASSWORD),
        ("admin password", ADMIN_PASSWORD),
    ):
        captured.add(name, value)
    undo = _debug_everything(captured.log)
    try:
        yield captured
    finally:
        undo()
        debug.get_default_exception_reporter_filter.cache_clear()


def signing_credentials(gateway: Any) -> Any:
    """The credentials the gateway's SMS client signs with (botocore's frozen triple)."""
    return gateway.sms._request_signer._credentials.get_frozen_credentials()


# --- a browser, and the people ------------------------------------------------------------------------
class Browser(Client):
    """The test client as a browser: CSRF enforced, every form posted with its (masked) token, errors
    answered as pages (500) rather than raised."""

    def __init__(self) -> None:
        super().__init__(enforce_csrf_checks=True, raise_request_exception=False)

    def post(self, path: str, data: Any = None, *args: Any, **extra: Any) -> Any:
        data = dict(data or {})
        assert "csrftoken" in self.cookies, "GET a page with a form first: the CSRF cookie comes with it"
        data.setdefault("csrfmiddlewaretoken", _mask_cipher_secret(self.cookies["csrftoken"].value))
        return super().post(path, data, *args, **extra)

    def post_without_token(self, path: str, data: dict[str, Any]) -> Any:
        return super().post(path, data)

    def log_in(self, login_url: str, username: str, password: str) -> Any:
        assert self.get(login_url).status_code == 200
        return self.post(login_url, {"username": username, "password": password, "next": "/"})


@pytest.fixture
def olivia(django_user_model, countries):
    user = django_user_model.objects.create_user("olivia", "olivia@acme.example", PASSWORD)
    team_ensure_for(user)  # she is her team's admin
    return user


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_superuser("ada", "ada@portal.example", ADMIN_PASSWORD)


def logged_in(leaks: Leaks, username: str, password: str, *, admin: bool = False) -> Browser:
    """A browser that logged in through the login form, after one wrong password; its cookies are
    canaries from then on."""
    browser = Browser()
    login_url = reverse("admin:login") if admin else reverse("login")
    failed = browser.log_in(login_url, username, WRONG_PASSWORD)
    assert failed.status_code == 200 and not failed.wsgi_request.user.is_authenticated
    leaks.page(f"{username}'s failed login", failed)
    leaks.remember(browser, f"{username} (before login)")
    assert browser.log_in(login_url, username, password).status_code == 302
    assert browser.get(reverse("senderids:home"), follow=True).status_code == 200  # the rotated CSRF cookie
    leaks.remember(browser, username)
    return browser


# --- the worker's part, run in this process ----------------------------------------------------------
def run_tasks(sent_tasks: dict[str, list], capture: Any, *names: str) -> None:
    """Run what the flows enqueued (and what that enqueues in turn) as a worker would, in this process so
    that its log records are captured (status emails already run inline: tests/conftest.INLINE_TASKS)."""
    done = dict.fromkeys(names, 0)
    while any(len(sent_tasks[name]) > done[name] for name in names):
        for name in names:
            pending = sent_tasks[name][done[name] :]
            done[name] += len(pending)
            for argument in pending:
                with capture(execute=True):
                    current_app.tasks[name].apply(
                        args=argument if isinstance(argument, tuple) else [argument]
                    )


def approve_in_admin(browser: Browser, request: SenderIdRequest, capture: Any) -> None:
    changelist = reverse("admin:senderids_senderidrequest_changelist")
    assert browser.get(changelist).status_code == 200
    with capture(execute=True):
        response = browser.post(changelist, {"action": "approve", ACTION_CHECKBOX_NAME: [request.pk]})
    assert response.status_code == 302


# --- endpoints for the webhooks -----------------------------------------------------------------------
class Endpoint:
    """An integrator's endpoint on 127.0.0.1 answering `status`; what it receives goes to `received`
    (what the portal sends out is searched too)."""

    def __init__(self, status: int, received: list[tuple[str, str]]) -> None:
        answer = status

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode(errors="replace")
                received.append((f"webhook POST {self.path} (answered {answer})", f"{self.headers}\n{body}"))
                self.send_response(answer)
                self.send_header("Content-Length", "13")
                self.end_headers()
                self.wfile.write(b"upstream down" if answer >= 400 else b"ok, received")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoints(leaks, unused_tcp_port) -> Iterator[list[str]]:
    """A working endpoint, one answering 500, and one nobody listens on (connection refused)."""
    working, failing = Endpoint(200, leaks.pages), Endpoint(500, leaks.pages)
    yield [working.url, failing.url, f"http://127.0.0.1:{unused_tcp_port}/hook"]
    working.stop()
    failing.stop()


def sigv4_failure(token: str, access_key: str) -> str:
    """What AWS answers a request it cannot verify: the canonical string it expected, which repeats the
    request's headers, the session token among them."""
    return (
        "The request signature we calculated does not match the signature you provided. Check your AWS "
        "Secret Access Key and signing method. Consult the service documentation for details.\n\n"
        "The Canonical String for this request should have been\n'POST\n/\n\n"
        "content-type:application/x-amz-json-1.0\nhost:sms-voice.us-east-1.amazonaws.com\n"
        f"x-amz-date:20260101T000000Z\nx-amz-security-token:{token}\n"
        "x-amz-target:PinpointSMSVoiceV2.DescribeSenderIds\n\n"
        "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n"
        f"{'0' * 64}'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260101T000000Z\n"
        f"20260101/us-east-1/sms-voice/aws4_request\n{'1' * 64}'\n(Credential={access_key}/20260101/"
        "us-east-1/sms-voice/aws4_request)"
    )


# --- the flows -----------------------------------------------------------------------------------------
@pytest.fixture
def team_webhooks(monkeypatch) -> None:
    """Webhook secrets made by the portal, numbered so that each one is its own canary."""
    numbered = (f"{WEBHOOK_SECRET}{n:02d}{'x' * 20}" for n in itertools.count())
    monkeypatch.setattr(webhooks, "generate_secret", lambda: next(numbered))


def test_logins_wizard_approval_submissions_and_webhook_deliveries_leak_no_secret(
    leaks, olivia, ada, sms_simulator, endpoints, team_webhooks, sent_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    capture = django_capture_on_commit_callbacks
    olivia_browser = logged_in(leaks, "olivia", PASSWORD)
    admin_browser = logged_in(leaks, "ada", ADMIN_PASSWORD, admin=True)

    # Olivia adds three webhooks on the team page; the answer showing each secret once is not searched.
    webhooks_url = reverse("senderids:webhooks")
    assert olivia_browser.get(webhooks_url).status_code == 200
    for url in endpoints:
        assert olivia_browser.post(webhooks_url, {"url": url}).status_code == 200
    for hook in Webhook.objects.all():
        leaks.add(f"webhook {hook.pk}'s signing secret", hook.secret)
    leaks.page("the team's webhooks page", olivia_browser.get(webhooks_url))

    # Three requests through the wizard: one succeeds, one AWS refuses (TAKEN…), one is throttled first.
    wizard = WizardDriver(olivia_browser)
    for sender_id in ("ACMEBANK", "TAKENACME", "ACMESHOP"):
        answers = {"sender": {"sender-sender_id": sender_id}}
        wizard.walk("country", "use-case", "sender", "review", answers=answers)
    requests = {r.sender_id: r for r in SenderIdRequest.objects.all()}
    for sender_id in ("ACMEBANK", "TAKENACME"):
        approve_in_admin(admin_browser, requests[sender_id], capture)
        run_tasks(sent_tasks, capture, SUBMIT, DELIVER)
    sms_simulator.fail_next("RequestSenderId", "ThrottlingException", message="Rate exceeded")
    approve_in_admin(admin_browser, requests["ACMESHOP"], capture)
    run_tasks(sent_tasks, capture, SUBMIT, DELIVER)
    for sender_id, request in requests.items():
        leaks.page(f"{sender_id}'s page", olivia_browser.get(reverse("senderids:detail", args=[request.pk])))

    # It all happened, signed with the canaries: the search below has something to search.
    statuses = dict(SenderIdRequest.objects.values_list("sender_id", "status"))
    assert statuses == {"ACMEBANK": Status.ACTIVE, "TAKENACME": Status.FAILED, "ACMESHOP": Status.ACTIVE}
    assert signing_credentials(get_gateway()).access_key == AWS_ACCESS_KEY_ID
    outcomes = [c["outcome"] for c in sms_simulator.calls("RequestSenderId")]
    assert outcomes == ["ok", "ConflictException", "ThrottlingException", "ok"]
    assert AwsCall.objects.filter(error_code="ThrottlingException").exists()
    deliveries = WebhookDelivery.objects.all()
    assert {d.status for d in deliveries} == {"delivered", "pending"}  # failing endpoints wait for a retry
    assert {d.last_status_code for d in deliveries} == {200, 500, None}  # None: connection refused
    assert StatusEvent.objects.count() > 6 and mail.outbox
    assert any(where.startswith("webhook POST") for where, _text in leaks.pages)
    leaks.assert_clean()


def broken(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("forced failure")


def test_error_pages_with_debug_off_leak_no_secret(leaks, olivia, django_user_model, endpoints, monkeypatch):
    olivia_browser = logged_in(leaks, "olivia", PASSWORD)
    tom = django_user_model.objects.create_user("tom", "tom@acme.example", PASSWORD)
    membership_set(team=team_ensure_for(olivia), user=tom)  # a member, not an admin
    tom_browser = logged_in(leaks, "tom", PASSWORD)
    webhooks_url = reverse("senderids:webhooks")
    assert tom_browser.get(webhooks_url).status_code == 200
    form = {"url": endpoints[0], "password": PASSWORD}  # a password field, as a form may have one

    pages = [
        ("404", 404, lambda: olivia_browser.get("/no-such-page/")),
        ("403 (a member adds a webhook)", 403, lambda: tom_browser.post(webhooks_url, form)),
        ("403 (no CSRF token)", 403, lambda: olivia_browser.post_without_token(webhooks_url, form)),
        ("400 (a NUL byte)", 400, lambda: olivia_browser.get("/?q=%00")),
        ("400 (a foreign Host)", 400, lambda: olivia_browser.get("/", HTTP_HOST="evil.example")),
    ]
    for where, status, answer in pages:
        response = answer()
        assert response.status_code == status, where
        leaks.page(where, response)
    # A view that raises: the 500 page, django.request's log record, and Django's email to ADMINS (with
    # the request's META, cookies and POST data).
    monkeypatch.setattr(webhooks, "webhooks_of_team", broken)
    monkeypatch.setattr(webhooks, "webhook_create", broken)
    for where, answer in (
        ("500 (GET)", lambda: olivia_browser.get(webhooks_url)),
        ("500 (POST)", lambda: olivia_browser.post(webhooks_url, form)),
    ):
        response = answer()
        assert response.status_code == 500, where
        leaks.page(where, response)

    reports = [m for m in mail.outbox if "Internal Server Error" in m.subject]
    assert len(reports) == 2 and "forced failure" in reports[0].body and "POST:" in reports[1].body
    leaks.remember(olivia_browser, "olivia (at the end)")
    leaks.assert_clean()


def test_a_registrations_field_values_go_to_aws_without_a_secret_in_between(
    leaks, sim, definitions, make_request, sent_tasks, django_capture_on_commit_callbacks
):
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        aws.registration_start(request=approve_and_claim(request))
    run_tasks(sent_tasks, django_capture_on_commit_callbacks, SYNC)
    poll()

    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    assert sim.count("PutRegistrationFieldValue") == len(INDIA_VALUES) + 1
    assert signing_credentials(get_gateway()).token == AWS_SESSION_TOKEN
    leaks.assert_clean()


@pytest.fixture
def moto_sts(_moto_server, sms_simulator, monkeypatch) -> Iterator[None]:
    """The gateway assumes roles at moto's STS; the simulator asks moto whose keys call it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", _moto_server)
    sms_simulator.configure(sts_endpoint_url=_moto_server)
    reset_gateway()
    yield
    reset_gateway()


def test_an_assumed_roles_credentials_and_aws_answers_repeating_them_are_never_written_down(
    leaks, moto_sts, sms_simulator, settings
):
    account = role_account("Staging", regions=[settings.AWS_REGION])
    gateway = gateway_for(account)
    assert list(gateway.describe_sender_ids()) == []
    assumed = signing_credentials(gateway)  # what STS answered AssumeRole: botocore logged that answer
    assert assumed.access_key.startswith("ASIA") and assumed.token
    leaks.add("the assumed role's access key ID", assumed.access_key)
    leaks.add("the assumed role's secret access key", assumed.secret_key)
    leaks.add("the assumed role's session token", assumed.token)

    # AWS cannot verify a request: its answer repeats the canonical request, session token included.
    sms_simulator.fail_next(
        "DescribeSenderIds", "SignatureDoesNotMatch", message=sigv4_failure(assumed.token, assumed.access_key)
    )
    with pytest.raises(gateway_module.PermanentAwsError):
        list(gateway.describe_sender_ids())
    # The environment's own keys too, through the default account.
    default = AwsAccount.objects.get(is_default=True)
    sms_simulator.fail_next(
        "DescribeSenderIds",
        "SignatureDoesNotMatch",
        message=sigv4_failure(AWS_SESSION_TOKEN, AWS_ACCESS_KEY_ID),
    )
    with pytest.raises(gateway_module.PermanentAwsError):
        list(gateway_for(default).describe_sender_ids())
    # The admin's "Test connection" (STS GetCallerIdentity and the rest), kept on the account's page.
    current_app.tasks["smsvoice.tasks.test_aws_account"].apply(args=[account.pk])

    failures = AwsCall.objects.filter(error_code="SignatureDoesNotMatch")
    assert failures.count() == 2 and all("x-amz-security-token:" in c.error_message for c in failures)
    account.refresh_from_db()
    assert account.account_id and account.last_check_report
    assert "SignatureDoesNotMatch" in AwsAccount.objects.get(pk=default.pk).last_error
    leaks.assert_clean()


def test_a_submission_aws_refuses_with_the_request_repeated_back_shows_no_credential(
    leaks, olivia, ada, sms_simulator, endpoints, sent_tasks, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    browser = logged_in(leaks, "olivia", PASSWORD)
    team = team_ensure_for(olivia)
    hook = webhooks.webhook_create(team=team, actor=olivia, url=endpoints[0])
    leaks.add("the webhook's signing secret", hook.secret)
    WizardDriver(browser).walk("country", "use-case", "sender", "review")
    request = SenderIdRequest.objects.get()
    sms_simulator.fail_next(
        "RequestSenderId",
        "SignatureDoesNotMatch",
        message=sigv4_failure(AWS_SESSION_TOKEN, AWS_ACCESS_KEY_ID),
    )
    with capture(execute=True):
        sender_id_request_approve(request=request, actor=ada)
    run_tasks(sent_tasks, capture, SUBMIT, DELIVER)

    request.refresh_from_db()
    assert request.status == Status.FAILED and request.aws_error_code == "SignatureDoesNotMatch"
    leaks.page("the request's page", browser.get(reverse("senderids:detail", args=[request.pk])))
    leaks.assert_clean()


# --- the search itself, and the wiring ----------------------------------------------------------------
def test_the_search_finds_a_canary_however_it_is_written(leaks):
    raw = logging.getLogger("tests.raw")
    unfiltered = logging.StreamHandler(leaks.log)  # no redaction: what a leak looks like
    raw.addHandler(unfiltered)
    raw.propagate = False
    try:
        raw.warning("Basic %s", base64.b64encode(f"user:{AWS_SECRET_ACCESS_KEY}".encode()).decode())
    finally:
        raw.removeHandler(unfiltered)
        raw.propagate = True
    with pytest.raises(AssertionError, match="AWS_SECRET_ACCESS_KEY \\(base64"):
        leaks.assert_clean()


@pytest.mark.parametrize(
    "line",
    [
        "headers={'X-Amz-Security-Token': b'%(token)s', 'Authorization': b'AWS4-HMAC-SHA256 "
        "Credential=%(key)s/20260101/us-east-1/sms-voice/aws4_request, Signature=abc'}",
        "CanonicalRequest:\nPOST\n/\n\nx-amz-security-token:%(token)s\n",
        "Response body:\nb'<AssumeRoleResult><Credentials><AccessKeyId>%(key)s</AccessKeyId>"
        "<SecretAccessKey>%(secret)s</SecretAccessKey><SessionToken>%(token)s</SessionToken>'",
        '{"Credentials": {"AccessKeyId": "%(key)s", "SecretAccessKey": "%(secret)s", '
        '"SessionToken": "%(token)s"}}',
        'b\'{"__type":"SignatureDoesNotMatch","Message":"...\\\\nx-amz-security-token:%(token)s\\\\n"}\'',
        "create_client(aws_access_key_id='%(key)s', aws_secret_access_key='%(secret)s')",
        "https://sqs.example/?X-Amz-Credential=%(key)s%%2F20260101&X-Amz-Security-Token=%(token)s",
        "Cookie: sessionid=%(session)s; csrftoken=%(csrf)s",
        "{'HTTP_COOKIE': 'sessionid=%(session)s', 'CSRF_COOKIE': '%(csrf)s', 'password': '%(password)s'}",
        "{'csrf_token': <SimpleLazyObject: '%(csrf)s'>}, [('password', '%(password)s')]",
        "username=olivia&password=%(password)s&csrfmiddlewaretoken=%(csrf)s",
        "webhook secret rotated: %(webhook)s",
        '(0.001) SELECT 1 FROM "django_session" WHERE "django_session"."session_key" = \'%(session)s\'',
    ],
)
def test_the_filter_redacts_credentials_it_does_not_know_by_value(line):
    # Not the environment's values: these must go by their shape and their names alone.
    values = {
        "key": "ASIAZZZZYYYYXXXXWWWW",
        "secret": "Sec/ret+Value=0123456789abcdefghijABCDEFGH",
        "token": "FwoGZXIvYXdzEJr//////////wEaDDummyTokenValue+abc==",
        "session": "k3j5h6g7f8d9s0a1q2w3e4r5t6y7u8i9",
        "csrf": "Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Jh0Gf9Ed",
        "password": "correct-horse-battery",
        "webhook": "whsec_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_",
    }
    record = logging.LogRecord("botocore.endpoint", logging.DEBUG, __file__, 1, line, values, None)
    assert log_redaction.RedactSecretsFilter().filter(record)
    message = record.getMessage()
    for name, value in values.items():
        if f"%({name})s" in line:
            assert value not in message, (name, message)
    assert log_redaction.REDACTED in message


def test_the_webhook_secret_pattern_follows_the_secrets_webhooks_make():
    assert log_redaction.WEBHOOK_SECRET.fullmatch(webhooks.generate_secret())


_WIRING_PROBE = """
import logging, django
django.setup()
probe = logging.getLogger("botocore.endpoint")
probe.setLevel(logging.DEBUG)
headers = "{'Authorization': b'Credential=%s/x', 'X-Amz-Security-Token': b'%s'}"
probe.warning("django handlers: " + headers, KEY, TOKEN)
from config.celery import app
app.log.setup(loglevel="INFO")  # what `celery worker` does: Celery's handlers replace the root's
probe.warning("celery handlers: " + headers, KEY, TOKEN)
logging.getLogger("celery.task").warning("celery task handlers: " + headers, KEY, TOKEN)
"""


def test_the_settings_wire_the_redaction():
    assert log_redaction.redacting(django_settings.LOGGING) == django_settings.LOGGING
    assert "csrfmiddlewaretoken" in django_settings.AXES_SENSITIVE_PARAMETERS
    assert django_settings.DEFAULT_EXCEPTION_REPORTER_FILTER == REPORTER_FILTER
    # A web process and a worker, as they start: their handlers print no credential.
    key, token = "AKIAWIRINGPROBE00001", "WiringProbeSessionToken+/=0123456789"
    code = f"KEY, TOKEN = {key!r}, {token!r}\n" + _WIRING_PROBE
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=60
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    for marker in ("django handlers", "celery handlers", "celery task handlers"):
        assert marker in output
    assert key not in output and token not in output, output
