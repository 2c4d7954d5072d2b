"""No secret in a log line or an error report: the logging filter every handler carries, Django's error
report filter, and the settings that wire them.

Owned here: what counts as a secret in the portal's log text (AWS credentials, by ``smsvoice.redaction``;
webhook signing secrets; Django's session and CSRF cookies and a form's ``csrfmiddlewaretoken``;
passwords; session keys in logged SQL) and
- ``RedactSecretsFilter``: rewrites each record (message, traceback, stack) before any handler formats it,
  and drops the template context django.template dumps with a missing variable;
- ``redacting(LOGGING)``: the LOGGING dict with the filter on every handler (settings.py);
- ``redact_handlers`` / ``redact_celery_logging()``: the same for the handlers Celery makes in a worker
  (they replace the root logger's; config/celery.py);
- ``SafeExceptionReporterFilter``: Django's error email and DEBUG page without the CSRF secret
  (``META["CSRF_COOKIE"]``) or a form's token and passwords (``DEFAULT_EXCEPTION_REPORTER_FILTER``);
- ``AXES_SENSITIVE_PARAMETERS``: django-axes keeps a failed login's form in AccessAttempt.post_data (shown in
  the admin) and masks only the password unless told more.

Why a filter on the handlers rather than quieter loggers only: botocore at DEBUG prints every request's
headers (``X-Amz-Security-Token``, ``Authorization``) and STS's answer (an assumed role's secret key and
session token). Settings keep botocore at WARNING, but one ``LOG_LEVEL=DEBUG`` or a logger turned up while
debugging must not print credentials. A filter on a logger would not see its child loggers' records; a
filter on a handler sees every record that reaches it. tests/security/test_secrets_in_logs.py drives the
portal's flows with every logger at DEBUG and searches everything for canaries.

Imports no app (this runs while Django configures logging, before apps load): the standard library,
Django's debug module (which needs no settings to import) and smsvoice's pure ``redaction`` module.
"""

from __future__ import annotations

import copy
import logging
import re
import traceback
from typing import Any

from django.views import debug

from smsvoice.redaction import REDACTED, apply_patterns, header_patterns, key_patterns, redact_aws

FILTER_NAME = "redact_secrets"
# senderids.webhooks.SECRET_PREFIX + secrets.token_urlsafe(32) (a test checks the prefix stays the same).
WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{16,}")
# Django's cookie and form names (settings SESSION_COOKIE_NAME / CSRF_COOKIE_NAME keep their defaults),
# and what forms and dict reprs call a password.
PORTAL_KEYS = (
    r"sessionid",
    r"session_?key",
    r"csrftoken",
    r"csrfmiddlewaretoken",
    r"csrf_?token",
    r"csrf_?cookie",
    r"password\d?",
    r"passwd",
    r"new_password\d",
    r"old_password",
    r"secret",
    r"api_?key",
)
PORTAL_PATTERNS = [*key_patterns(PORTAL_KEYS), *header_patterns(("x-csrftoken",))]
# django.db.backends at DEBUG prints each query with its values: a session row's key is its whole secret.
SESSION_SQL = re.compile(r'"?django_session"?', re.IGNORECASE)
SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")

# django-axes keeps a failed login's form (AccessAttempt.post_data, shown in the admin): "password" is
# always masked, the CSRF token is not unless named here (settings: AXES_SENSITIVE_PARAMETERS).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]


def redact_text(text: str) -> str:
    """`text` without the secrets this module knows about (see the module docstring)."""
    if not text:
        return text
    text = redact_aws(text)
    text = WEBHOOK_SECRET.sub(REDACTED, text)
    text = apply_patterns(text, PORTAL_PATTERNS)
    if SESSION_SQL.search(text):
        text = SQL_LITERAL.sub(f"'{REDACTED}'", text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record so that no handler can print a secret; never drops one.

    The message is formatted here (``msg % args``) and replaced by its redacted text; a traceback is
    formatted once into ``exc_text`` (which every Formatter then uses instead of formatting it again) and
    redacted, and so is ``stack_info``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True  # a broken format string: the handler reports it as logging always does
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.name == "django.template" and _is_missing_variable(record.exc_info):
            # django.template logs each missing variable at DEBUG with VariableDoesNotExist, whose text is
            # the whole template context: the page's data (CSRF token, form values, a new webhook secret,
            # an error report's request). The message already names the variable and the template.
            record.exc_info, record.exc_text = (
                None,
                "VariableDoesNotExist (the template context is not logged)",
            )
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def _is_missing_variable(exc_info: Any) -> bool:
    return bool(exc_info) and exc_info[0] is not None and exc_info[0].__name__ == "VariableDoesNotExist"


def redacting(config: dict[str, Any]) -> dict[str, Any]:
    """A copy of the LOGGING dict `config` whose every handler carries the filter (idempotent).

    settings.py: ``LOGGING = log_redaction.redacting({...})``.
    """
    config = copy.deepcopy(config)
    config.setdefault("filters", {})[FILTER_NAME] = {"()": f"{__name__}.RedactSecretsFilter"}
    for handler in config.get("handlers", {}).values():
        filters = handler.setdefault("filters", [])
        if FILTER_NAME not in filters:
            filters.append(FILTER_NAME)
    return config


def redact_handlers(logger: logging.Logger | None = None, **kwargs: Any) -> None:
    """Give every handler of `logger` (default: the root logger) the filter, once.

    Celery replaces the root logger's handlers in a worker (``worker_hijack_root_logger``); its
    ``after_setup_logger`` and ``after_setup_task_logger`` signals call this with the logger it set up.
    """
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
            handler.addFilter(RedactSecretsFilter())


def redact_celery_logging() -> None:
    """Make Celery's own handlers redact too (config/celery.py calls this once, at import).

    A worker's root handlers are Celery's, not LOGGING's (``worker_hijack_root_logger``), and task loggers
    get handlers of their own: both signals hand over the logger they have just set up.
    """
    from celery.signals import after_setup_logger, after_setup_task_logger  # noqa: PLC0415 (web needs none)

    after_setup_logger.connect(redact_handlers, weak=False, dispatch_uid="redact_secrets_root")
    after_setup_task_logger.connect(redact_handlers, weak=False, dispatch_uid="redact_secrets_task")


class SafeExceptionReporterFilter(debug.SafeExceptionReporterFilter):
    """Django's error report (the email to ADMINS, the DEBUG page) without the CSRF secret or a form's
    secrets (settings: ``DEFAULT_EXCEPTION_REPORTER_FILTER``).

    Django's own filter hides settings and META entries whose names match ``hidden_settings`` and the
    session cookie, but not ``META["CSRF_COOKIE"]`` (the CSRF secret itself), and a view's POST data only
    where the view is decorated with ``sensitive_post_parameters``: every form's ``csrfmiddlewaretoken``
    and any password field would be mailed as typed.
    """

    hidden_settings = re.compile("API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CSRF", re.IGNORECASE)

    def get_post_parameters(self, request: Any) -> Any:
        parameters = super().get_post_parameters(request)
        if not parameters or not any(self.hidden_settings.search(name) for name in parameters):
            return parameters
        cleansed = parameters.copy()
        for name in cleansed:
            if self.hidden_settings.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed
