"""The one AWS gateway: every call the portal makes to AWS End User Messaging SMS
(``pinpoint-sms-voice-v2``), AWS Support, STS and SQS (the events queue) goes through ``SmsVoiceGateway``.

It owns: building the boto3 clients (once per process, lazily, from settings and botocore's own
environment variables), the shared rate budget (``smsvoice.ratelimit``) taken before every call,
recording every call (``smsvoice.models.AwsCall``), paging, and mapping every failure to exactly one of
two errors, ``RetryableAwsError`` or ``PermanentAwsError``, so Celery's retry policy and the UI both key
off one flag (healthchecks.io's "permanent or transient").

Endpoints: botocore itself reads ``AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`` / ``AWS_ENDPOINT_URL_SUPPORT`` /
``AWS_ENDPOINT_URL_STS`` / ``AWS_ENDPOINT_URL_SQS`` from the environment when a client is built, which is
how the simulator and moto are plugged in; call ``reset_gateway()`` after changing them.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import boto3
import botocore.session
from botocore import xform_name
from botocore.config import Config
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
)
from django.conf import settings

from smsvoice import ratelimit
from smsvoice.accounts import (
    ACCOUNT_LEVEL_ERRORS,
    DEFAULT_CREDENTIALS,
    AccountCredentials,
    account_credentials,
)
from smsvoice.errors import (
    AwsError,
    PermanentAwsError,
    RetryableAwsError,
    map_botocore_error,
    map_client_error,
)
from smsvoice.models import AwsAccount
from smsvoice.services import aws_account_record_error, aws_call_record
from smsvoice.sqs_api import SqsOperations
from smsvoice.sts_api import StsOperations
from smsvoice.support_api import SUPPORT_SERVICE, SupportOperations
from smsvoice.types import (
    AccountLimitInfo,
    AttachmentInfo,
    FieldDefinitionInfo,
    FieldValueInfo,
    RegistrationAssociationInfo,
    RegistrationInfo,
    RegistrationTypeInfo,
    RegistrationVersionInfo,
    SectionDefinitionInfo,
    SenderIdInfo,
)

logger = logging.getLogger(__name__)

SMS_SERVICE = "pinpoint-sms-voice-v2"
# AWS caps: DescribeRegistrations/DescribeSenderIds/... take at most 5 ids per call, pages hold ≤ 100.
MAX_IDS_PER_CALL = 5
# AWS keeps a resource's friendly name as a tag with this key.
NAME_TAG = "Name"
PAGE_SIZE = 100
# How long a call may wait for the shared rate budget before giving up with a retryable error (the
# Celery task then retries later instead of holding a worker).
RATE_BUDGET_TIMEOUT = 60.0
# Calls made while a person waits on a page (e.g. turning deletion protection off) give up sooner: a busy
# budget then answers "AWS is busy, try again" in seconds instead of holding the request for a minute.
INTERACTIVE_BUDGET_TIMEOUT = 5.0
_budget_timeout: ContextVar[float] = ContextVar("aws_rate_budget_timeout", default=RATE_BUDGET_TIMEOUT)


@contextmanager
def interactive(timeout: float = INTERACTIVE_BUDGET_TIMEOUT) -> Iterator[None]:
    """Within this block, AWS calls wait at most `timeout` seconds for the shared rate budget."""
    token = _budget_timeout.set(timeout)
    try:
        yield
    finally:
        _budget_timeout.reset(token)


# The portal request (SenderIdRequest pk) the calls in a block serve: recorded on each AwsCall, so
# staff see a request's AWS calls on its admin page. smsvoice knows no app: it is only an integer.
_serving_request: ContextVar[int | None] = ContextVar("aws_serving_request", default=None)


@contextmanager
def serving(request_id: int | None) -> Iterator[None]:
    """Within this block, every AWS call is recorded as made for portal request `request_id`."""
    token = _serving_request.set(request_id)
    try:
        yield
    finally:
        _serving_request.reset(token)


# Client configuration, chosen deliberately:
# - total_max_attempts=1: botocore does not retry on its own. Our Celery tasks own retries (backoff +
#   jitter), and every retry must pass through the shared rate budget again; in-client retries would
#   send requests the budget never saw and turn one throttle into several.
# - standard mode still classifies errors consistently should attempts ever be raised.
# - Short connect timeout (a dead endpoint fails fast); read timeout well above AWS's slowest answers.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=10,
    user_agent_extra="senderid-portal",
)

_RESOURCE_KEYS = ("RegistrationId", "RegistrationAttachmentId", "SenderId", "caseId")


# --- the gateway --------------------------------------------------------------------------------------
def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _tag_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


class SmsVoiceGateway(SupportOperations, StsOperations, SqsOperations):
    """AWS End User Messaging SMS + AWS Support + STS + SQS, typed. Thread-safe; one instance per process
    and (account, Region): an SQS queue is read through the gateway of the queue's own Region."""

    def __init__(
        self,
        *,
        region: str | None = None,
        support_region: str | None = None,
        credentials: AccountCredentials | None = None,
    ):
        self.region = region or settings.AWS_REGION
        # The Support API has one endpoint, in us-east-1, whatever Region the portal sends SMS from.
        self.support_region = support_region or settings.AWS_SUPPORT_REGION
        self.credentials = credentials or DEFAULT_CREDENTIALS
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    # clients ------------------------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        """The boto3 client for ``service``, built on first use (also what tests attach a Stubber to)."""
        with self._lock:
            if service not in self._clients:
                region = self.support_region if service == SUPPORT_SERVICE else self.region
                self._clients[service] = _new_client(service, region, self.credentials)
            return self._clients[service]

    def budget_key(self, service: str, operation: str) -> str:
        """The shared rate budget this call draws on: AWS's quota is per account, Region and operation."""
        region = self.support_region if service == SUPPORT_SERVICE else self.region
        return f"{self.credentials.budget_key}:{region}:{service}:{operation}"

    @property
    def sms(self) -> Any:
        return self.client(SMS_SERVICE)

    @property
    def support(self) -> Any:
        return self.client(SUPPORT_SERVICE)

    def _call(self, service: str, operation: str, params: dict[str, Any], resource_id: str = "") -> dict:
        client = self.client(service)
        method = getattr(client, xform_name(operation))
        try:
            ratelimit.acquire(_budget_timeout.get(), key=self.budget_key(service, operation))
        except ratelimit.RateLimitTimeout as exc:
            raise RetryableAwsError(operation=operation, code="RateBudgetTimeout", message=str(exc)) from exc
        started = time.monotonic()
        try:
            response = method(**params)
        except ClientError as exc:
            err = map_client_error(operation, exc)
            self._record(service, operation, resource_id, started, err)
            self._note_account_error(err)
            raise err from exc
        except BotoCoreError as exc:
            err = map_botocore_error(operation, exc)
            self._record(service, operation, resource_id, started, err)
            self._note_account_error(err)
            raise err from exc
        if not resource_id:
            # Creations learn their resource from the answer: record it so the call can be found by it.
            resource_id = next((str(response[k]) for k in _RESOURCE_KEYS if response.get(k)), "")
        request_id = (response.get("ResponseMetadata") or {}).get("RequestId")
        self._record(service, operation, resource_id, started, None, request_id)
        return response

    def _note_account_error(self, err: AwsError) -> None:
        """Credentials, permissions and throttling are about the account, not the resource: the admin's
        account page shows the latest one (the call log has them all)."""
        if self.credentials.account_pk is not None and err.code in ACCOUNT_LEVEL_ERRORS:
            aws_account_record_error(
                pk=self.credentials.account_pk, message=f"{self.region}: {err.code}: {err.message}"
            )

    @staticmethod
    def _record(
        service: str,
        operation: str,
        resource_id: str,
        started: float,
        err: AwsError | None,
        request_id: str | None = None,
    ) -> None:
        aws_call_record(
            service=service,
            operation=operation,
            ok=err is None,
            latency_ms=round((time.monotonic() - started) * 1000),
            resource_id=resource_id,
            error_code=err.code if err else "",
            error_message=err.message if err else "",
            http_status=err.http_status if err else 200,
            request_id=(err.request_id if err else request_id) or "",
            portal_request_id=_serving_request.get(),
        )

    def _pages(self, operation: str, params: dict[str, Any], resource_id: str = "") -> Iterator[dict]:
        """Call ``operation`` page after page until AWS stops sending a NextToken."""
        params = dict(params)
        while True:
            page = self._call(SMS_SERVICE, operation, params, resource_id)
            yield page
            token = page.get("NextToken")
            if not token:
                return
            params["NextToken"] = token

    # sender IDs -----------------------------------------------------------------------------------------
    def request_sender_id(
        self,
        *,
        sender_id: str,
        iso_country_code: str,
        message_types: list[str],
        client_token: str,
        deletion_protection_enabled: bool = False,
        tags: dict[str, str] | None = None,
    ) -> SenderIdInfo:
        """RequestSenderId. Reuse the same ``client_token`` on every retry: AWS then never leases twice."""
        params: dict[str, Any] = {
            "SenderId": sender_id,
            "IsoCountryCode": iso_country_code,
            "MessageTypes": list(message_types),
            "DeletionProtectionEnabled": deletion_protection_enabled,
            "ClientToken": client_token,
        }
        if tags:
            params["Tags"] = _tag_list(tags)
        return SenderIdInfo.from_aws(self._call(SMS_SERVICE, "RequestSenderId", params, sender_id))

    def release_sender_id(self, *, sender_id: str, iso_country_code: str) -> SenderIdInfo:
        """ReleaseSenderId. For a registered sender ID the answer carries its RegistrationId: that
        registration is then CLOSED at AWS and must be deleted too."""
        params = {"SenderId": sender_id, "IsoCountryCode": iso_country_code}
        return SenderIdInfo.from_aws(self._call(SMS_SERVICE, "ReleaseSenderId", params, sender_id))

    def update_sender_id(
        self, *, sender_id: str, iso_country_code: str, deletion_protection_enabled: bool
    ) -> SenderIdInfo:
        params = {
            "SenderId": sender_id,
            "IsoCountryCode": iso_country_code,
            "DeletionProtectionEnabled": deletion_protection_enabled,
        }
        return SenderIdInfo.from_aws(self._call(SMS_SERVICE, "UpdateSenderId", params, sender_id))

    def describe_sender_ids(
        self,
        *,
        sender_ids: list[tuple[str, str]] | None = None,
        filters: dict[str, list[str]] | None = None,
    ) -> Iterator[SenderIdInfo]:
        """DescribeSenderIds, following NextToken. ``sender_ids`` are (sender_id, iso_country_code) pairs,
        sent ≤5 per call; an empty list yields nothing. ``filters`` maps AWS filter names (sender-id,
        iso-country-code, message-type, deletion-protection-enabled, registered) to values. An unknown
        sender ID in ``sender_ids`` makes AWS answer ResourceNotFoundException (see ``get_sender_id``)."""
        base: dict[str, Any] = {"MaxResults": PAGE_SIZE}
        if filters:
            base["Filters"] = [{"Name": name, "Values": list(values)} for name, values in filters.items()]
        if sender_ids is None:
            batches: Iterable[dict[str, Any]] = [base]
        else:
            batches = (
                {**base, "SenderIds": [{"SenderId": s, "IsoCountryCode": c} for s, c in chunk]}
                for chunk in _chunks(list(sender_ids), MAX_IDS_PER_CALL)
            )
        for params in batches:
            resource = params["SenderIds"][0]["SenderId"] if "SenderIds" in params else ""
            for page in self._pages("DescribeSenderIds", params, resource_id=resource):
                for item in page.get("SenderIds", []):
                    yield SenderIdInfo.from_aws(item)

    def get_sender_id(self, *, sender_id: str, iso_country_code: str) -> SenderIdInfo | None:
        """The one sender ID, or None when AWS does not know it (ResourceNotFoundException)."""
        try:
            return next(iter(self.describe_sender_ids(sender_ids=[(sender_id, iso_country_code)])), None)
        except PermanentAwsError as exc:
            if exc.code == "ResourceNotFoundException":
                return None
            raise

    # registrations -------------------------------------------------------------------------------------
    def create_registration(
        self,
        *,
        registration_type: str,
        client_token: str,
        name: str = "",
        tags: dict[str, str] | None = None,
    ) -> RegistrationInfo:
        """CreateRegistration (idempotent with ``client_token``). ``name`` is the friendly name AWS's
        console shows: a ``Name`` tag, which is how AWS stores it."""
        tags = {**(tags or {}), **({NAME_TAG: name[:256]} if name else {})}
        params: dict[str, Any] = {"RegistrationType": registration_type, "ClientToken": client_token}
        if tags:
            params["Tags"] = _tag_list(tags)
        return RegistrationInfo.from_aws(self._call(SMS_SERVICE, "CreateRegistration", params))

    def delete_registration(self, *, registration_id: str) -> RegistrationInfo:
        """DeleteRegistration: a released sender ID leaves its registration CLOSED, counting against the
        account's registrations quota until deleted."""
        params = {"RegistrationId": registration_id}
        return RegistrationInfo.from_aws(
            self._call(SMS_SERVICE, "DeleteRegistration", params, registration_id)
        )

    def delete_registration_field_value(self, *, registration_id: str, field_path: str) -> None:
        """DeleteRegistrationFieldValue: a cleared field, or one no longer allowed, must be absent at AWS."""
        params = {"RegistrationId": registration_id, "FieldPath": field_path}
        self._call(SMS_SERVICE, "DeleteRegistrationFieldValue", params, registration_id)

    def discard_registration_version(self, *, registration_id: str) -> RegistrationVersionInfo:
        """DiscardRegistrationVersion: withdraw the submitted version (the registration returns to draft)."""
        response = self._call(
            SMS_SERVICE, "DiscardRegistrationVersion", {"RegistrationId": registration_id}, registration_id
        )
        return RegistrationVersionInfo.from_aws(response)

    def list_registration_associations(self, *, registration_id: str) -> list[RegistrationAssociationInfo]:
        """What a registration is associated with (the sender ID AWS made at COMPLETE), every page."""
        params = {"RegistrationId": registration_id, "MaxResults": PAGE_SIZE}
        return [
            RegistrationAssociationInfo.from_aws(item)
            for page in self._pages("ListRegistrationAssociations", params, resource_id=registration_id)
            for item in page.get("RegistrationAssociations", [])
        ]

    def describe_account_limits(self) -> dict[str, AccountLimitInfo]:
        """DescribeAccountLimits for the gateway's account and Region, by limit name (SENDER_IDS,
        REGISTRATIONS, ...): the real quotas, which an account may have had raised."""
        return {
            limit.name: limit
            for page in self._pages("DescribeAccountLimits", {"MaxResults": PAGE_SIZE})
            for limit in (AccountLimitInfo.from_aws(item) for item in page.get("AccountLimits", []))
        }

    def put_registration_field_value(
        self,
        *,
        registration_id: str,
        field_path: str,
        text_value: str | None = None,
        select_choices: list[str] | None = None,
        registration_attachment_id: str | None = None,
    ) -> None:
        params: dict[str, Any] = {"RegistrationId": registration_id, "FieldPath": field_path}
        if text_value is not None:
            params["TextValue"] = text_value
        if select_choices is not None:
            params["SelectChoices"] = list(select_choices)
        if registration_attachment_id is not None:
            params["RegistrationAttachmentId"] = registration_attachment_id
        self._call(SMS_SERVICE, "PutRegistrationFieldValue", params, registration_id)

    def submit_registration_version(
        self, *, registration_id: str, aws_review: bool = False
    ) -> RegistrationVersionInfo:
        """SubmitRegistrationVersion. ``aws_review`` asks for AWS's pre-review first (status AWS_REVIEWING,
        per-field Feedback) before the carriers' review."""
        params: dict[str, Any] = {"RegistrationId": registration_id}
        if aws_review:
            params["AwsReview"] = True
        response = self._call(SMS_SERVICE, "SubmitRegistrationVersion", params, registration_id)
        return RegistrationVersionInfo.from_aws(response)

    def create_registration_version(self, *, registration_id: str) -> RegistrationVersionInfo:
        response = self._call(
            SMS_SERVICE, "CreateRegistrationVersion", {"RegistrationId": registration_id}, registration_id
        )
        return RegistrationVersionInfo.from_aws(response)

    def describe_registrations(
        self,
        *,
        registration_ids: list[str] | None = None,
        statuses: list[str] | None = None,
        registration_types: list[str] | None = None,
    ) -> Iterator[RegistrationInfo]:
        """DescribeRegistrations. Ids go ≤5 per call (an empty list yields nothing); status/type filters
        are read in pages of 100 following NextToken. Lazy: each page is fetched as it is consumed."""
        base: dict[str, Any] = {}
        filters = []
        if statuses:
            filters.append({"Name": "registration-status", "Values": list(statuses)})
        if registration_types:
            filters.append({"Name": "registration-type", "Values": list(registration_types)})
        if filters:
            base["Filters"] = filters
        if registration_ids is None:
            batches: Iterable[dict[str, Any]] = [{**base, "MaxResults": PAGE_SIZE}]
        else:
            batches = (
                {**base, "RegistrationIds": chunk}
                for chunk in _chunks(list(registration_ids), MAX_IDS_PER_CALL)
            )
        for params in batches:
            resource = params["RegistrationIds"][0] if "RegistrationIds" in params else ""
            for page in self._pages("DescribeRegistrations", params, resource_id=resource):
                for item in page.get("Registrations", []):
                    yield RegistrationInfo.from_aws(item)

    def describe_registration_versions(
        self, *, registration_id: str, version_numbers: list[int] | None = None
    ) -> list[RegistrationVersionInfo]:
        """Versions of one registration (all when ``version_numbers`` is None), newest first as AWS
        returns them."""
        if version_numbers is None:
            batches: Iterable[dict[str, Any]] = [{"RegistrationId": registration_id, "MaxResults": PAGE_SIZE}]
        else:
            batches = (
                {"RegistrationId": registration_id, "VersionNumbers": chunk}
                for chunk in _chunks(list(version_numbers), MAX_IDS_PER_CALL)
            )
        versions = []
        for params in batches:
            for page in self._pages("DescribeRegistrationVersions", params, resource_id=registration_id):
                versions += [
                    RegistrationVersionInfo.from_aws(v, registration_id)
                    for v in page.get("RegistrationVersions", [])
                ]
        return versions

    def describe_registration_field_values(
        self, *, registration_id: str, version_number: int | None = None
    ) -> list[FieldValueInfo]:
        """Field values of a version (the current one by default), with per-field DeniedReason/Feedback."""
        params: dict[str, Any] = {"RegistrationId": registration_id, "MaxResults": PAGE_SIZE}
        if version_number is not None:
            params["VersionNumber"] = version_number
        return [
            FieldValueInfo.from_aws(item)
            for page in self._pages("DescribeRegistrationFieldValues", params, resource_id=registration_id)
            for item in page.get("RegistrationFieldValues", [])
        ]

    def describe_registration_type_definitions(
        self, *, registration_types: list[str] | None = None, iso_country_code: str | None = None
    ) -> list[RegistrationTypeInfo]:
        """Registration types offered in the configured Region; optionally only the named ones or only
        those that associate with ``iso_country_code``."""
        base: dict[str, Any] = {}
        if iso_country_code:
            base["Filters"] = [
                {"Name": "supported-association-iso-country-code", "Values": [iso_country_code]}
            ]
        if registration_types is None:
            batches: Iterable[dict[str, Any]] = [{**base, "MaxResults": PAGE_SIZE}]
        else:
            batches = (
                {**base, "RegistrationTypes": chunk}
                for chunk in _chunks(list(registration_types), MAX_IDS_PER_CALL)
            )
        return [
            RegistrationTypeInfo.from_aws(item)
            for params in batches
            for page in self._pages("DescribeRegistrationTypeDefinitions", params)
            for item in page.get("RegistrationTypeDefinitions", [])
        ]

    def describe_registration_section_definitions(
        self, *, registration_type: str
    ) -> list[SectionDefinitionInfo]:
        params = {"RegistrationType": registration_type, "MaxResults": PAGE_SIZE}
        return [
            SectionDefinitionInfo.from_aws(item)
            for page in self._pages(
                "DescribeRegistrationSectionDefinitions", params, resource_id=registration_type
            )
            for item in page.get("RegistrationSectionDefinitions", [])
        ]

    def describe_registration_field_definitions(self, *, registration_type: str) -> list[FieldDefinitionInfo]:
        params = {"RegistrationType": registration_type, "MaxResults": PAGE_SIZE}
        return [
            FieldDefinitionInfo.from_aws(item)
            for page in self._pages(
                "DescribeRegistrationFieldDefinitions", params, resource_id=registration_type
            )
            for item in page.get("RegistrationFieldDefinitions", [])
        ]

    def create_registration_attachment(
        self, *, body: bytes | None = None, url: str | None = None, client_token: str | None = None
    ) -> AttachmentInfo:
        """Upload a PDF/PNG/JPEG (≤1.5 MiB) or point AWS at an s3:// URL; poll
        ``describe_registration_attachments`` until UPLOAD_COMPLETE before using it."""
        if (body is None) == (url is None):
            raise ValueError("give exactly one of body or url")
        params: dict[str, Any] = {"AttachmentBody": body} if body is not None else {"AttachmentUrl": url}
        if client_token:
            params["ClientToken"] = client_token
        return AttachmentInfo.from_aws(self._call(SMS_SERVICE, "CreateRegistrationAttachment", params))

    def describe_registration_attachments(self, *, attachment_ids: list[str]) -> list[AttachmentInfo]:
        return [
            AttachmentInfo.from_aws(item)
            for chunk in _chunks(list(attachment_ids), MAX_IDS_PER_CALL)
            for page in self._pages(
                "DescribeRegistrationAttachments", {"RegistrationAttachmentIds": chunk}, resource_id=chunk[0]
            )
            for item in page.get("RegistrationAttachments", [])
        ]

    def create_registration_association(self, *, registration_id: str, resource_id: str) -> None:
        params = {"RegistrationId": registration_id, "ResourceId": resource_id}
        self._call(SMS_SERVICE, "CreateRegistrationAssociation", params, registration_id)


# --- clients -------------------------------------------------------------------------------------------
_sessions: dict[tuple[int, AccountCredentials], Any] = {}  # (pid, credentials) -> boto3 Session
_session_lock = threading.Lock()
ROLE_SESSION_NAME = "senderid-portal"


def _session_for(credentials: AccountCredentials) -> Any:
    """One boto3 session per process and credentials. The session caches parsed service models (cheap
    client rebuilds); an assumed-role session holds botocore's refreshable credentials, which call STS
    AssumeRole on first use and again shortly before they expire (never per call)."""
    key = (os.getpid(), credentials)
    with _session_lock:
        session = _sessions.get(key)
        if session is None:
            base = _sessions.get((os.getpid(), DEFAULT_CREDENTIALS))
            if base is None:
                base = _sessions[(os.getpid(), DEFAULT_CREDENTIALS)] = boto3.session.Session()
            session = base if credentials.source == "default" else _assumed_role_session(base, credentials)
            _sessions[key] = session
        return session


def _assumed_role_session(base: Any, credentials: AccountCredentials) -> Any:
    extra: dict[str, Any] = {"RoleSessionName": ROLE_SESSION_NAME}
    if credentials.external_id:
        extra["ExternalId"] = credentials.external_id
    fetcher = AssumeRoleCredentialFetcher(
        # STS is regional; the account's own default Region keeps the call near it (and gives botocore
        # a Region when the environment sets none). AWS_ENDPOINT_URL_STS still applies (moto in tests).
        client_creator=functools.partial(base._session.create_client, region_name=credentials.sts_region),
        source_credentials=base.get_credentials(),
        role_arn=credentials.role_arn,
        extra_args=extra,
    )
    core = botocore.session.Session()
    core._credentials = DeferredRefreshableCredentials(
        method="assume-role", refresh_using=fetcher.fetch_credentials
    )
    return boto3.session.Session(botocore_session=core)


def _new_client(service: str, region: str, credentials: AccountCredentials | None = None) -> Any:
    """A client from the session of its credentials. Sessions are not thread-safe, hence the lock; the
    clients themselves are."""
    session = _session_for(credentials or DEFAULT_CREDENTIALS)
    with _session_lock:
        return session.client(service, region_name=region, config=CLIENT_CONFIG)


# --- one gateway per (account credentials, Region) and process ----------------------------------------
_gateways: dict[tuple[AccountCredentials, str], SmsVoiceGateway] = {}
_gateway_pid: int | None = None
_gateway_lock = threading.Lock()
# Tests install one gateway (a Stubber's) that answers for every account and Region.
_override: SmsVoiceGateway | None = None


def gateway_for(account: AwsAccount | None = None, region: str | None = None) -> SmsVoiceGateway:
    """The gateway for `account` (None: the environment's credentials) in `region` (None: the account's
    default Region, else settings.AWS_REGION). Cached per process, thread-safe, rebuilt after a fork (a
    child must not reuse its parent's connections)."""
    global _gateway_pid
    credentials = account_credentials(account) if account is not None else DEFAULT_CREDENTIALS
    region = region or (account.default_region if account is not None else "") or settings.AWS_REGION
    with _gateway_lock:
        if _override is not None:
            return _override
        if _gateway_pid != os.getpid():
            _gateways.clear()
            _gateway_pid = os.getpid()
        gateway = _gateways.get((credentials, region))
        if gateway is None:
            gateway = _gateways[(credentials, region)] = SmsVoiceGateway(
                region=region, credentials=credentials
            )
        return gateway


def get_gateway() -> SmsVoiceGateway:
    """The environment's account in settings.AWS_REGION (single-account installs, and tests)."""
    return gateway_for(None, None)


def install_gateway(gateway: SmsVoiceGateway | None) -> None:
    """Make `gateway` answer for every account and Region (tests: a Stubber's); None undoes it."""
    global _override
    with _gateway_lock:
        _override = gateway


def reset_gateway() -> None:
    """Drop the cached gateways and their clients; the next call rebuilds them from settings/environment."""
    global _override
    with _gateway_lock:
        _gateways.clear()
        _override = None
    with _session_lock:
        # Assumed-role credentials belong to the STS that issued them (tests reset moto); the default
        # session stays: it only caches service models, and its credentials come from the environment.
        for key in [k for k in _sessions if k[1] != DEFAULT_CREDENTIALS]:
            del _sessions[key]
