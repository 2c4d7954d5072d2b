"""How a failed AWS call is classified: retryable (throttling, 5xx, transport) or permanent (anything else).

The gateway raises these two and nothing else; tasks retry the first (smsvoice.retry) and pages show
AWS's message of the second. `retryable` is the one flag both the retry loop and the UI key off.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from .redaction import redact_aws

RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "InternalServerException",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
        "RateBudgetTimeout",
    }
)
_TRANSPORT_ERRORS = (
    EndpointConnectionError,
    ConnectionClosedError,
    ConnectTimeoutError,
    ReadTimeoutError,
    BotoConnectionError,
    HTTPClientError,
)


class AwsError(Exception):
    """An AWS call failed. ``message`` is AWS's own text (shown to users); ``reason`` is the modelled
    Reason (e.g. ConflictException's DELETION_PROTECTION_ENABLED) when AWS sent one."""

    retryable = False

    def __init__(
        self,
        *,
        operation: str,
        code: str,
        message: str,
        reason: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
        fields: list[dict[str, str]] | None = None,
    ):
        self.operation = operation
        self.code = code
        self.message = message
        self.reason = reason
        self.http_status = http_status
        self.request_id = request_id
        self.fields = fields or []
        super().__init__(str(self))

    def __str__(self) -> str:
        reason = f" ({self.reason})" if self.reason else ""
        return f"{self.operation}: {self.code}{reason}: {self.message}"

    def __reduce__(self):
        # Keyword-only __init__: teach pickle (Celery's Retry carries the exception) to rebuild us.
        return _rebuild_error, (type(self), self.__dict__.copy())


def _rebuild_error(cls: type[AwsError], state: dict[str, Any]) -> AwsError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, str(err))
    return err


class RetryableAwsError(AwsError):
    """Transient: throttling, 5xx, connection/timeouts. Retry later with backoff."""

    retryable = True


class PermanentAwsError(AwsError):
    """Permanent: validation, conflict, access, quota, not found, anything unknown. Do not retry."""


def map_client_error(operation: str, exc: ClientError) -> AwsError:
    response = exc.response or {}
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    code = error.get("Code") or "Unknown"
    status = meta.get("HTTPStatusCode")
    # botocore lifts a modelled error's members (Reason, Fields, ...) to the top of the response.
    reason = response.get("Reason") or error.get("Reason")
    fields = response.get("Fields") if isinstance(response.get("Fields"), list) else None
    retryable = code in RETRYABLE_CODES or (status is not None and status >= 500)
    cls = RetryableAwsError if retryable else PermanentAwsError
    return cls(
        operation=operation,
        code=code,
        message=redact_aws(error.get("Message") or str(exc)),
        reason=reason,
        http_status=status,
        request_id=meta.get("RequestId"),
        fields=fields,
    )


def map_botocore_error(operation: str, exc: BotoCoreError) -> AwsError:
    code = type(exc).__name__
    if isinstance(exc, _TRANSPORT_ERRORS):
        return RetryableAwsError(operation=operation, code=code, message=redact_aws(str(exc)))
    # ParamValidationError, NoCredentialsError, ...: our bug or our configuration, retrying won't help.
    return PermanentAwsError(operation=operation, code=code, message=redact_aws(str(exc)))
