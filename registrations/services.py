"""Writes and business rules of registrations and AWS Support cases.

Draft (web): `registration_for_request`, `registration_save` keep the form's values locally, validated
against AWS's field definitions; nothing goes to AWS before the request is approved.

AWS (worker): `registration_start` (the submission pipeline's entry for process "registration"),
`registration_sync` (pushes changed values, opens a new version after a denial, submits), and
`registrations_poll` (the status poller). Support cases: `support_case_open`, `support_cases_poll`,
`support_case_confirm`.

Rules every function here keeps:
- Every status change of the request goes through `senderids.services.sender_id_request_set_status`.
- No row lock is ever held across an AWS call: rows are claimed (a lease in `next_poll_due` or
  `busy_until`), the lock is released, AWS is called, and the outcome is applied in a new short
  transaction that re-checks the row.
- Every AWS step is idempotent: CreateRegistration and CreateRegistrationAttachment reuse a ClientToken
  stored before the first call; a value is pushed only while its digest differs from the pushed one; a
  version is submitted once; a support case is looked up by its marker before a second CreateCase.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from senderids.models import SenderIdRequest, Status
from senderids.services import IllegalTransition, TransitionConflict, sender_id_request_set_status
from smsvoice.gateway import PermanentAwsError, RetryableAwsError, get_gateway

from . import definitions as defs
from .forms import FieldInput, sniff_content_type
from .models import (
    AwsRegistrationStatus as Aws,
)
from .models import (
    Registration,
    RegistrationAttachment,
    RegistrationFieldValue,
    RegistrationVersion,
    SupportCase,
)

logger = logging.getLogger(__name__)

WORKER_ACTOR = "worker"
POLLER_ACTOR = "registration-poller"
PAGE_SIZE = 100
# A claimed row is left alone by other workers for this long (the work on it takes far less).
LEASE = timedelta(minutes=10)

# Request statuses in which the owner may edit the registration form.
EDITABLE_STATUSES = frozenset(
    {Status.PENDING_REVIEW, Status.APPROVED, Status.REGISTRATION_DRAFT, Status.REQUIRES_UPDATES}
)
# Request statuses in which the registration exists at AWS and is not finished.
OPEN_AT_AWS_STATUSES = frozenset(
    {Status.REGISTRATION_DRAFT, Status.REGISTRATION_SUBMITTED, Status.REQUIRES_UPDATES}
)
# For review-stage moves, the current version's status is the registration's (no call needed).
_REVIEW_VERSION_STATUS = {
    Aws.SUBMITTED: "SUBMITTED",
    Aws.AWS_REVIEWING: "AWS_REVIEWING",
    Aws.REVIEWING: "REVIEWING",
    Aws.REQUIRES_AUTHENTICATION: "REQUIRES_AUTHENTICATION",
}


class RegistrationUnavailable(Exception):
    """The request's country has no API registration type (or the request is not a registration)."""


class RegistrationLocked(Exception):
    """The form cannot be changed in the request's current status."""


def poll_interval() -> timedelta:
    return timedelta(seconds=settings.REGISTRATION_POLL_SECONDS)


# =====================================================================================================
# Local draft (web)
# =====================================================================================================
def registration_for_request(*, request: SenderIdRequest) -> Registration:
    """The request's Registration, created on first use with the country's registration type."""
    existing = Registration.objects.filter(request=request).first()
    if existing is not None:
        return existing
    registration_type = request.country.registration_type
    if request.process != "registration" or not registration_type:
        raise RegistrationUnavailable(f"request {request.pk} has no API registration type")
    registration, _created = Registration.objects.get_or_create(
        request=request,
        defaults={"registration_type": registration_type, "form_name": request.registration_form_name},
    )
    return registration


# Fields whose value the request already fixed: the form shows them read-only and the portal writes them.
# The sender ID registered must be the one the request is for (the portal confirms it by that name).
SENDER_ID_FIELD = "senderIdInfo.senderId"


def locked_values(*, request: SenderIdRequest, definition: defs.FormDefinition) -> dict[str, str]:
    return {SENDER_ID_FIELD: request.sender_id} if definition.field(SENDER_ID_FIELD) else {}


def value_digest(*, text: str = "", choices: Iterable[str] = (), attachment_id: int | None = None) -> str:
    """Identity of a value: equal digests mean nothing to push. An empty value digests to ""."""
    choices = list(choices)
    if not (text or choices or attachment_id):
        return ""
    payload = json.dumps({"t": text, "c": choices, "a": attachment_id}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def registration_is_editable(registration: Registration) -> bool:
    return registration.request.status in EDITABLE_STATUSES


def registration_save(
    *,
    registration: Registration,
    definition: defs.FormDefinition,
    inputs: dict[str, FieldInput],
    submit: bool,
    actor: AbstractBaseUser,
) -> list[str]:
    """Store the form's values (only what changed) and the Submit intent; returns the changed paths.

    Once the registration exists at AWS, the changes are pushed by the `sync_registration` task on
    commit. Raises ValidationError for a FieldPath the definition does not have (nothing is stored),
    PermissionDenied for anyone but the owner, RegistrationLocked when the form is not editable.
    """
    if actor.pk != registration.request.owner_id:
        raise PermissionDenied("only the owner edits a registration")
    inputs = {
        **inputs,
        **{
            p: FieldInput(text=v)
            for p, v in locked_values(request=registration.request, definition=definition).items()
        },
    }
    unknown = sorted(set(inputs) - set(definition.field_paths))
    if unknown:
        raise ValidationError(
            {
                path: _("“%(path)s” is not a field of this registration form.") % {"path": path}
                for path in unknown
            }
        )
    now = timezone.now()
    with transaction.atomic():
        # Serialise saves of one registration (double click, two tabs); no AWS call happens inside.
        locked = Registration.objects.select_for_update().select_related("request").get(pk=registration.pk)
        if not registration_is_editable(locked):
            raise RegistrationLocked(locked.request.status)
        current = {fv.field_path: fv for fv in locked.field_values.all()}
        to_create, to_update, changed = [], [], []
        for path, value in inputs.items():
            row = current.get(path)
            if value.keep_attachment:
                continue
            attachment = _store_attachment(locked, path, value) if value.upload else None
            digest = value_digest(
                text=value.text, choices=value.choices, attachment_id=attachment.pk if attachment else None
            )
            if row is None:
                if digest:
                    to_create.append(
                        RegistrationFieldValue(
                            registration=locked,
                            field_path=path,
                            text_value=value.text,
                            select_choices=list(value.choices),
                            attachment=attachment,
                            value_digest=digest,
                        )
                    )
                    changed.append(path)
                continue
            if row.value_digest == digest:
                continue
            row.text_value, row.select_choices, row.attachment = value.text, list(value.choices), attachment
            row.value_digest, row.push_error = digest, ""
            to_update.append(row)
            changed.append(path)
        RegistrationFieldValue.objects.bulk_create(to_create)
        RegistrationFieldValue.objects.bulk_update(
            to_update,
            ["text_value", "select_choices", "attachment", "value_digest", "push_error", "updated_at"],
        )
        # Replaced files nobody points at any more are dropped.
        RegistrationAttachment.objects.filter(registration=locked).exclude(
            pk__in=RegistrationFieldValue.objects.filter(
                registration=locked, attachment__isnull=False
            ).values("attachment")
        ).delete()
        Registration.objects.filter(pk=locked.pk).update(
            submit_requested=submit,
            submit_requested_at=now if submit else None,
            last_error="",
            updated_at=now,
        )
        registration.submit_requested = submit
        if locked.aws_registration_id and locked.request.status in (
            Status.REGISTRATION_DRAFT,
            Status.REQUIRES_UPDATES,
        ):
            _enqueue_sync(locked.pk)
    return changed


def _store_locked_values(registration: Registration, definition: defs.FormDefinition) -> None:
    """Write the request-fixed values (e.g. the sender ID) even if the owner never opened the form."""
    for path, text in locked_values(request=registration.request, definition=definition).items():
        digest = value_digest(text=text)
        row, created = RegistrationFieldValue.objects.get_or_create(
            registration=registration,
            field_path=path,
            defaults={"text_value": text, "value_digest": digest},
        )
        if not created and row.value_digest != digest:
            RegistrationFieldValue.objects.filter(pk=row.pk).update(text_value=text, value_digest=digest)


def _store_attachment(registration: Registration, path: str, value: FieldInput) -> RegistrationAttachment:
    upload = value.upload
    assert upload is not None
    upload.seek(0)
    body = upload.read()
    return RegistrationAttachment.objects.create(
        registration=registration,
        field_path=path,
        file_name=(upload.name or "attachment")[:255],
        content_type=sniff_content_type(body[:16]) or "application/octet-stream",
        size=len(body),
        body=body,
    )


def _enqueue_sync(registration_pk: int) -> None:
    from .tasks import sync_registration

    transaction.on_commit(lambda: sync_registration.delay(registration_pk))


def registration_missing_fields(*, registration: Registration, definition: defs.FormDefinition) -> list[str]:
    """FieldPaths that must have a value to submit, given the stored values (conditions resolved)."""
    values = _stored_values(registration)
    locked = locked_values(request=registration.request, definition=definition)
    values.update({path: [text] for path, text in locked.items()})
    missing = []
    for field_def in definition.fields:
        if field_def.resolve(values).behavior == defs.REQUIRED and not values.get(field_def.field_path):
            missing.append(field_def.field_path)
    return missing


def _stored_values(registration: Registration) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for fv in RegistrationFieldValue.objects.filter(registration=registration):
        if fv.attachment_id:
            out[fv.field_path] = ["<attachment>"]
        elif fv.select_choices:
            out[fv.field_path] = list(fv.select_choices)
        elif fv.text_value:
            out[fv.field_path] = [fv.text_value]
    return out


# =====================================================================================================
# AWS: create, push, submit (worker)
# =====================================================================================================
def registration_start(*, request: SenderIdRequest) -> None:
    """The submission pipeline's step for process "registration"; the request is `submitting`.

    CreateRegistration (stored ClientToken) → push the local draft → SubmitRegistrationVersion when the
    owner already pressed Submit on a complete form. Every AWS step happens while the request is still
    `submitting` (a RetryableAwsError leaves it there for the task to retry the whole, idempotent, step);
    then submitting → registration_draft (→ registration_submitted) in one transaction.
    A value AWS refuses does not fail the request: it is shown next to its field and the request waits
    in `registration_draft` for the owner to fix it.
    """
    registration = registration_for_request(request=request)
    definition = defs.get_definition(registration.registration_type)
    _store_locked_values(registration, definition)
    registration = _ensure_created(registration)
    submitted, problems = _push_and_submit(registration, definition)
    with transaction.atomic():
        sender_id_request_set_status(
            request=request,
            to=Status.REGISTRATION_DRAFT,
            actor=WORKER_ACTOR,
            reason=_("AWS registration %(id)s created.") % {"id": registration.aws_registration_id},
            expected_from=Status.SUBMITTING,
            aws_status=Aws.CREATED,
            aws_error_code="",
            aws_error_message="; ".join(problems)[:2000],
        )
        if submitted:
            _mark_submitted(request, registration)
        # A save that raced this step (the owner saved while it ran) is pushed by a sync.
        if not submitted and _has_unpushed(registration):
            _enqueue_sync(registration.pk)


def _push_and_submit(registration: Registration, definition: defs.FormDefinition) -> tuple[bool, list[str]]:
    """Push changed values, then submit when the owner asked to. Returns (submitted, AWS's refusals).

    A refusal clears the Submit intent and is kept in `last_error`: the owner fixes and submits again.
    """
    problems = _push_changed(registration, definition)
    if problems:
        Registration.objects.filter(pk=registration.pk).update(
            submit_requested=False, last_error="; ".join(problems)[:2000]
        )
        registration.submit_requested = False
        return False, problems
    if not registration.submit_requested:
        return False, []
    problems = _submit_if_complete(registration, definition)
    return not problems, problems


def _has_unpushed(registration: Registration) -> bool:
    unpushed = RegistrationFieldValue.objects.filter(registration=registration, push_error="").exclude(
        value_digest=F("pushed_digest")
    )
    fresh = Registration.objects.filter(pk=registration.pk).values_list("submit_requested", flat=True).first()
    return unpushed.exists() or bool(fresh)


def _ensure_created(registration: Registration) -> Registration:
    """CreateRegistration once: the ClientToken was stored with the row, so a retry gets the same one."""
    if registration.aws_registration_id:
        return registration
    info = get_gateway().create_registration(
        registration_type=registration.registration_type,
        client_token=str(registration.client_token),
        tags={"senderid-portal:request": str(registration.request_id)},
    )
    now = timezone.now()
    fields = _info_fields(info)
    fields.update(aws_registration_arn=info.registration_arn, aws_registration_id=info.registration_id)
    Registration.objects.filter(pk=registration.pk).update(
        **fields, aws_status_changed_at=now, updated_at=now
    )
    for name, value in fields.items():
        setattr(registration, name, value)
    return registration


def _info_fields(info: Any) -> dict[str, Any]:
    return {
        "aws_status": info.status,
        "current_version_number": info.current_version_number,
        "approved_version_number": info.approved_version_number,
        "latest_denied_version_number": info.latest_denied_version_number,
    }


def _push_changed(registration: Registration, definition: defs.FormDefinition) -> list[str]:
    """PutRegistrationFieldValue for every value whose digest differs from the pushed one.

    Returns AWS's refusals ("path: message"), also stored on each value. RetryableAwsError propagates;
    values pushed before it are recorded, so the retry pushes only the rest.
    """
    gateway = get_gateway()
    problems = []
    rows = (
        RegistrationFieldValue.objects.filter(registration=registration)
        .exclude(value_digest=F("pushed_digest"))
        .select_related("attachment")
    )
    for row in rows:
        if definition.field(row.field_path) is None:
            message = _("AWS no longer has this field; it was not sent.")
            RegistrationFieldValue.objects.filter(pk=row.pk).update(push_error=message)
            continue
        digest = row.value_digest
        try:
            if not digest:
                # Cleared (or no longer allowed by the answers): nothing to put. AWS keeps the old value
                # until DeleteRegistrationFieldValue; the gateway does not offer it yet.
                pass
            elif row.attachment is not None:
                attachment_id = _ensure_attachment_uploaded(row.attachment)
                gateway.put_registration_field_value(
                    registration_id=registration.aws_registration_id,
                    field_path=row.field_path,
                    registration_attachment_id=attachment_id,
                )
            elif row.select_choices:
                gateway.put_registration_field_value(
                    registration_id=registration.aws_registration_id,
                    field_path=row.field_path,
                    select_choices=list(row.select_choices),
                )
            else:
                gateway.put_registration_field_value(
                    registration_id=registration.aws_registration_id,
                    field_path=row.field_path,
                    text_value=row.text_value,
                )
        except PermanentAwsError as exc:
            RegistrationFieldValue.objects.filter(pk=row.pk, value_digest=digest).update(
                push_error=exc.message
            )
            problems.append(f"{row.field_path}: {exc.message}")
            continue
        # Conditional on the digest: a save that raced this push is pushed next time, not lost.
        RegistrationFieldValue.objects.filter(pk=row.pk, value_digest=digest).update(
            pushed_digest=digest, pushed_at=timezone.now(), push_error=""
        )
    return problems


class AttachmentNotReady(RetryableAwsError):
    """AWS is still receiving an attachment; retry later."""


def _ensure_attachment_uploaded(attachment: RegistrationAttachment) -> str:
    gateway = get_gateway()
    if not attachment.aws_attachment_id:
        info = gateway.create_registration_attachment(
            body=bytes(attachment.body), client_token=str(attachment.client_token)
        )
        RegistrationAttachment.objects.filter(pk=attachment.pk).update(
            aws_attachment_id=info.attachment_id, aws_status=info.status
        )
        attachment.aws_attachment_id, attachment.aws_status = info.attachment_id, info.status
    if attachment.aws_status != "UPLOAD_COMPLETE":
        infos = gateway.describe_registration_attachments(attachment_ids=[attachment.aws_attachment_id])
        status = infos[0].status if infos else ""
        RegistrationAttachment.objects.filter(pk=attachment.pk).update(aws_status=status)
        attachment.aws_status = status
        if status == "UPLOAD_FAILED":
            reason = infos[0].upload_error_reason or ""
            raise PermanentAwsError(
                operation="CreateRegistrationAttachment", code="UPLOAD_FAILED", message=reason or status
            )
        if status != "UPLOAD_COMPLETE":
            raise AttachmentNotReady(
                operation="DescribeRegistrationAttachments", code="UploadInProgress", message=status
            )
    return attachment.aws_attachment_id


def _ensure_draft_version(registration: Registration) -> None:
    """After a denial the current version is read-only: open a new DRAFT (CreateRegistrationVersion) once.

    AWS copies the previous version's values into the new one, so pushed digests stay valid.
    """
    if not registration.latest_denied_version_number:
        return
    if (registration.current_version_number or 0) > registration.latest_denied_version_number:
        return
    gateway = get_gateway()
    # Re-read first: a previous attempt may have created the version and died before recording it.
    fresh = next(
        iter(gateway.describe_registrations(registration_ids=[registration.aws_registration_id])), None
    )
    if fresh is not None and fresh.current_version_number > registration.latest_denied_version_number:
        fields = _info_fields(fresh)
    else:
        version = gateway.create_registration_version(registration_id=registration.aws_registration_id)
        fields = {"current_version_number": version.version_number}
        _snapshot_versions(registration, [version])
    Registration.objects.filter(pk=registration.pk).update(**fields, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(registration, name, value)


def _submit_if_complete(registration: Registration, definition: defs.FormDefinition) -> list[str]:
    """SubmitRegistrationVersion for the current version, once. Returns why it was not submitted."""
    missing = registration_missing_fields(registration=registration, definition=definition)
    if missing:
        message = _("Not submitted: required fields are empty: %(fields)s") % {"fields": ", ".join(missing)}
        Registration.objects.filter(pk=registration.pk).update(submit_requested=False, last_error=message)
        registration.submit_requested = False
        return [message]
    if registration.submitted_version_number and (
        registration.submitted_version_number == registration.current_version_number
    ):
        return []
    gateway = get_gateway()
    try:
        version = gateway.submit_registration_version(registration_id=registration.aws_registration_id)
    except PermanentAwsError as exc:
        # A previous attempt may have submitted it and died before recording: look before failing.
        current = gateway.describe_registration_versions(
            registration_id=registration.aws_registration_id,
            version_numbers=[registration.current_version_number or 1],
        )
        if not current or current[0].status == "DRAFT":
            _store_field_errors(registration, exc)
            message = _("AWS did not accept the submission: %(message)s") % {"message": exc.message}
            Registration.objects.filter(pk=registration.pk).update(submit_requested=False, last_error=message)
            registration.submit_requested = False
            return [message]
        version = current[0]
    _snapshot_versions(registration, [version])
    now = timezone.now()
    fields = {
        "submitted_version_number": version.version_number,
        "current_version_number": version.version_number,
        "aws_status": Aws.SUBMITTED,
        "submit_requested": False,
        "last_error": "",
        # Due at once: the next poll picks it up.
        "next_poll_due": None,
    }
    Registration.objects.filter(pk=registration.pk).update(
        **fields, aws_status_changed_at=now, updated_at=now
    )
    for name, value in fields.items():
        setattr(registration, name, value)
    return []


def _store_field_errors(registration: Registration, exc: PermanentAwsError) -> None:
    """ValidationException's Fields ([{Name: FieldPath, Message}]) shown next to their fields."""
    for item in exc.fields or []:
        path, message = item.get("Name", ""), item.get("Message", "")
        if not path:
            continue
        updated = RegistrationFieldValue.objects.filter(registration=registration, field_path=path).update(
            push_error=message
        )
        if not updated:
            RegistrationFieldValue.objects.create(
                registration=registration, field_path=path, push_error=message
            )


def _mark_submitted(request: SenderIdRequest, registration: Registration) -> None:
    sender_id_request_set_status(
        request=request,
        to=Status.REGISTRATION_SUBMITTED,
        actor=WORKER_ACTOR,
        reason=_("Registration version %(n)s submitted to AWS for review.")
        % {"n": registration.submitted_version_number},
        aws_status=Aws.SUBMITTED,
        aws_error_message="",
    )


def registration_sync(*, registration_id: int) -> Registration | None:
    """Bring AWS up to date with the portal after the owner saved: open a new version after a denial,
    push the changed values, submit when asked. The `sync_registration` task runs this; idempotent."""
    registration = (
        Registration.objects.select_related("request", "request__country").filter(pk=registration_id).first()
    )
    if registration is None or not registration.aws_registration_id:
        return registration
    request = registration.request
    if request.status not in (Status.REGISTRATION_DRAFT, Status.REQUIRES_UPDATES):
        return registration
    if not _claim_busy(registration):
        raise RegistrationBusy(
            operation="sync", code="Busy", message=f"registration {registration.pk} is being synced"
        )
    try:
        definition = defs.get_definition(registration.registration_type)
        _ensure_draft_version(registration)
        submitted, _problems = _push_and_submit(registration, definition)
        if submitted:
            try:
                with transaction.atomic():
                    _mark_submitted(request, registration)
            except TransitionConflict:
                # The poller saw the submission first and moved the request already.
                logger.info("sync: request %s moved concurrently", request.pk)
    finally:
        Registration.objects.filter(pk=registration.pk).update(busy_until=None)
    return registration


class RegistrationBusy(RetryableAwsError):
    """Another worker is syncing this registration; retry shortly (not an AWS error, same policy)."""


def _claim_busy(registration: Registration) -> bool:
    now = timezone.now()
    return bool(
        Registration.objects.filter(pk=registration.pk)
        .filter(Q(busy_until__isnull=True) | Q(busy_until__lt=now))
        .update(busy_until=now + LEASE)
    )


def _snapshot_versions(registration: Registration, versions: Iterable[Any]) -> None:
    _upsert_versions([(registration, v) for v in versions])


def _upsert_versions(pairs: list[tuple[Registration, Any]]) -> None:
    """Insert or refresh RegistrationVersion rows in one statement (full AWS versions or review moves)."""
    full = [
        RegistrationVersion(
            registration_id=registration.pk,
            version_number=v.version_number,
            status=v.status,
            status_history=_jsonable(v.status_history),
            denied_reasons=_jsonable(v.denied_reasons or []),
            feedback=v.feedback or "",
        )
        for registration, v in pairs
        if not isinstance(v, _ReviewVersion)
    ]
    review = [
        RegistrationVersion(registration_id=registration.pk, version_number=v.version_number, status=v.status)
        for registration, v in pairs
        if isinstance(v, _ReviewVersion)
    ]
    for rows, fields in (
        (full, ["status", "status_history", "denied_reasons", "feedback", "updated_at"]),
        (review, ["status", "updated_at"]),
    ):
        if rows:
            RegistrationVersion.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["registration", "version_number"],
                update_fields=fields,
            )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# =====================================================================================================
# The poller
# =====================================================================================================
@dataclass
class PollReport:
    """What one poll cycle did (printed by `manage.py poll_registrations`)."""

    listed: int = 0
    looked_up: int = 0
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"listed {self.listed}, looked up {self.looked_up}, {len(self.changes)} changed"


@dataclass
class _Change:
    row: Registration
    info: Any
    request_status: str
    versions: list[Any] = field(default_factory=list)
    field_values: list[Any] = field(default_factory=list)
    sender_id: Any = None  # DescribeSenderIds' answer once AWS lists the registered sender ID


def _chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _target_status(aws_status: str) -> str | None:
    if aws_status == Aws.CREATED:
        return Status.REGISTRATION_DRAFT
    if aws_status in Aws.IN_FLIGHT:
        return Status.REGISTRATION_SUBMITTED
    if aws_status == Aws.REQUIRES_UPDATES:
        return Status.REQUIRES_UPDATES
    if aws_status == Aws.COMPLETE:
        return Status.ACTIVE  # once DescribeSenderIds confirms the sender ID
    if aws_status in (Aws.CLOSED, Aws.DELETED):
        return Status.FAILED
    return None  # a status AWS added after this code: stored raw, the request stays where it is


def _due(now: datetime) -> Q:
    return Q(next_poll_due__isnull=True) | Q(next_poll_due__lte=now)


def registrations_poll(*, now: datetime | None = None) -> PollReport:
    """One poll cycle: mirror AWS's registration statuses onto the portal's rows and requests.

    1. DescribeRegistrations filtered on the in-review statuses (and our registration types), in pages
       of 100: one call per 100 registrations, not one per registration.
    2. Rows we expected in review that the listing no longer shows have left review (COMPLETE,
       REQUIRES_UPDATES, CLOSED, ...): those few are asked for by id (≤5 per call).
    3. Per page: rows are claimed with select_for_update(skip_locked) — parallel workers never process a
       row twice — unchanged rows are stamped in one UPDATE, changed rows get their versions (only
       theirs, and only when the change carries version detail), then are written with bulk_update,
       with a StatusEvent for every request status they move.
    """
    now = now or timezone.now()
    report = PollReport()
    gateway = get_gateway()
    watched = Registration.objects.exclude(aws_registration_id="").filter(
        request__status__in=OPEN_AT_AWS_STATUSES
    )
    types = sorted(set(watched.values_list("registration_type", flat=True).distinct()))
    if not types:
        return report
    seen: set[str] = set()
    listing = gateway.describe_registrations(
        statuses=list(Aws.IN_FLIGHT), registration_types=types if len(types) <= 20 else None
    )
    for page in _chunked(listing, PAGE_SIZE):
        report.listed += len(page)
        seen.update(info.registration_id for info in page)
        _poll_page(page, now, report)
    expected = (
        watched.filter(request__status=Status.REGISTRATION_SUBMITTED)
        .filter(_due(now))
        .exclude(aws_status=Aws.COMPLETE)
        .filter(Q(aws_status_changed_at__isnull=True) | Q(aws_status_changed_at__lt=now))
        .values_list("aws_registration_id", flat=True)
    )
    missing = [rid for rid in expected.iterator(chunk_size=2000) if rid not in seen]
    if missing:
        for page in _chunked(gateway.describe_registrations(registration_ids=missing), PAGE_SIZE):
            report.looked_up += len(page)
            _poll_page(page, now, report)
    _poll_unconfirmed(now, report)
    return report


# What the poller reads of a row: a page of 100 must stay cheap to load (no unneeded columns).
_POLL_FIELDS = (
    "aws_registration_id",
    "aws_status",
    "current_version_number",
    "approved_version_number",
    "latest_denied_version_number",
    "aws_status_changed_at",
    "request__status",
    "request__sender_id",
    "request__country",
    "request__aws_status",
)


def _poll_page(infos: list[Any], now: datetime, report: PollReport) -> None:
    by_id = {info.registration_id: info for info in infos}
    with transaction.atomic():
        rows = list(
            Registration.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request")
            .only(*_POLL_FIELDS)
            .filter(aws_registration_id__in=list(by_id), request__status__in=OPEN_AT_AWS_STATUSES)
            .filter(_due(now))
        )
        changes, unchanged = [], []
        for row in rows:
            info = by_id[row.aws_registration_id]
            if _differs(row, info) or _request_lags(row.request.status, info.status):
                changes.append(_Change(row=row, info=info, request_status=row.request.status))
            else:
                unchanged.append(row.pk)
        next_due = now + poll_interval() / 2
        if unchanged:
            Registration.objects.filter(pk__in=unchanged).update(last_polled_at=now, next_poll_due=next_due)
        if changes:
            # Leased: no other worker touches these while we ask AWS about them (lock released now).
            Registration.objects.filter(pk__in=[c.row.pk for c in changes]).update(next_poll_due=now + LEASE)
    if changes:
        _fetch_details(changes, report)
        _apply_changes(changes, now, report)


def bulk_write(model: type, rows: list[Any], fields: list[str], max_groups: int = 5) -> None:
    """Write `fields` of `rows` in a bounded number of queries.

    Rows a poll changes mostly get the same values (a page moving SUBMITTED → REVIEWING): grouped by
    value, that is one plain UPDATE … WHERE pk IN (…) per group. Django's bulk_update (one CASE per
    field and row) is only used when the values are too varied (more than `max_groups` groups);
    either way a page costs at most `max_groups` queries, whatever N.
    """
    if not rows:
        return
    groups: dict[tuple, list[int]] = {}
    for row in rows:
        groups.setdefault(tuple(getattr(row, name) for name in fields), []).append(row.pk)
    if len(groups) > max_groups:
        model.objects.bulk_update(rows, fields)
        return
    for values, pks in groups.items():
        model.objects.filter(pk__in=pks).update(**dict(zip(fields, values, strict=True)))


def _differs(row: Registration, info: Any) -> bool:
    return (
        row.aws_status != info.status
        or row.current_version_number != info.current_version_number
        or row.approved_version_number != info.approved_version_number
        or row.latest_denied_version_number != info.latest_denied_version_number
    )


def _request_lags(request_status: str, aws_status: str) -> bool:
    target = _target_status(aws_status)
    return target is not None and target != request_status and target != Status.ACTIVE


def _fetch_details(changes: list[_Change], report: PollReport) -> None:
    """Versions (and per-field feedback after a denial) for changed rows only; sender IDs for COMPLETE."""
    gateway = get_gateway()
    completes = []
    for change in changes:
        info, row = change.info, change.row
        review_move = info.status in _REVIEW_VERSION_STATUS and info.current_version_number == (
            row.current_version_number
        )
        try:
            if not review_move:
                numbers = sorted(
                    {
                        n
                        for n in (
                            info.current_version_number,
                            info.latest_denied_version_number,
                            info.approved_version_number,
                        )
                        if n
                    }
                )
                change.versions = gateway.describe_registration_versions(
                    registration_id=info.registration_id, version_numbers=numbers
                )
            if info.status == Aws.REQUIRES_UPDATES and info.latest_denied_version_number:
                change.field_values = gateway.describe_registration_field_values(
                    registration_id=info.registration_id, version_number=info.latest_denied_version_number
                )
        except (RetryableAwsError, PermanentAwsError) as exc:
            report.errors.append(f"{info.registration_id}: {exc}")
            change.info = None  # retried next cycle (its lease expires)
            continue
        if info.status == Aws.COMPLETE:
            completes.append(change)
    _confirm_sender_ids(completes, report)


def _confirm_sender_ids(changes: list[_Change], report: PollReport) -> None:
    """ASSOCIATE_ON_APPROVAL: AWS made the sender ID at COMPLETE; confirm it before calling it active."""
    if not changes:
        return
    gateway = get_gateway()
    wanted = {(c.row.request.sender_id, c.row.request.country_id): c for c in changes}
    found: dict[tuple[str, str], Any] = {}
    try:
        for info in gateway.describe_sender_ids(sender_ids=list(wanted)):
            found[(info.sender_id, info.iso_country_code)] = info
    except PermanentAwsError as exc:
        if exc.code != "ResourceNotFoundException":
            report.errors.append(str(exc))
            return
        # One of a batch is not there yet: ask one by one.
        for sender_id, country in wanted:
            try:
                info = gateway.get_sender_id(sender_id=sender_id, iso_country_code=country)
            except (RetryableAwsError, PermanentAwsError) as err:
                report.errors.append(str(err))
                continue
            if info is not None:
                found[(sender_id, country)] = info
    except RetryableAwsError as exc:
        report.errors.append(str(exc))
        return
    for key, change in wanted.items():
        info = found.get(key)
        if (
            info
            and info.registered
            and (not info.registration_id or info.registration_id == change.row.aws_registration_id)
        ):
            change.sender_id = info


def _apply_changes(changes: list[_Change], now: datetime, report: PollReport) -> None:
    changes = [c for c in changes if c.info is not None]
    if not changes:
        return
    with transaction.atomic():
        fresh = {
            r.pk: r
            for r in Registration.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request")
            .only(*_POLL_FIELDS)
            .filter(pk__in=[c.row.pk for c in changes])
        }
        applied, versions, denials = [], [], []
        for change in changes:
            row = fresh.get(change.row.pk)
            if (
                row is None
                or row.aws_status != change.row.aws_status
                or row.request.status != change.request_status
            ):
                continue  # moved meanwhile (e.g. the owner resubmitted): next cycle sees the new state
            info = change.info
            for name, value in _info_fields(info).items():
                setattr(row, name, value)
            if change.row.aws_status != info.status:
                row.aws_status_changed_at = now
            row.last_polled_at = now
            row.next_poll_due = now + poll_interval() / 2
            applied.append((row, change))
            versions += [(row, v) for v in change.versions]
            if not change.versions and info.status in _REVIEW_VERSION_STATUS:
                versions.append(
                    (row, _ReviewVersion(info.current_version_number, _REVIEW_VERSION_STATUS[info.status]))
                )
            if change.field_values:
                denials.append((row, change.field_values))
        bulk_write(
            Registration,
            [row for row, _c in applied],
            [
                "aws_status",
                "current_version_number",
                "approved_version_number",
                "latest_denied_version_number",
                "aws_status_changed_at",
                "last_polled_at",
                "next_poll_due",
            ],
        )
        _upsert_versions(versions)
        _store_denials(denials)
        _mirror_requests(applied, report)


@dataclass
class _ReviewVersion:
    version_number: int
    status: str


def _store_denials(denials: list[tuple[Registration, list[Any]]]) -> None:
    """Per-field DeniedReason/Feedback from DescribeRegistrationFieldValues onto our value rows."""
    if not denials:
        return
    feedback = {(registration.pk, fv.field_path): fv for registration, values in denials for fv in values}
    rows = list(RegistrationFieldValue.objects.filter(registration__in=[r.pk for r, _v in denials]))
    for row in rows:
        fv = feedback.get((row.registration_id, row.field_path))
        row.denied_reason = (fv.denied_reason or "") if fv else ""
        row.feedback = (fv.feedback or "") if fv else ""
    RegistrationFieldValue.objects.bulk_update(rows, ["denied_reason", "feedback"])
    # A denied field the portal never stored (AWS-side value): keep its feedback visible too.
    known = {(r.registration_id, r.field_path) for r in rows}
    extra = [
        RegistrationFieldValue(
            registration_id=registration_pk,
            field_path=path,
            text_value=fv.text_value or "",
            select_choices=list(fv.select_choices or []),
            denied_reason=fv.denied_reason or "",
            feedback=fv.feedback or "",
        )
        for (registration_pk, path), fv in feedback.items()
        if (registration_pk, path) not in known and (fv.denied_reason or fv.feedback)
    ]
    RegistrationFieldValue.objects.bulk_create(extra)


def denial_summary(versions: Iterable[Any]) -> str:
    reasons = [
        (d.get("short_description") or d.get("reason") or "")
        for v in versions
        for d in (v.denied_reasons or [])
    ]
    return "; ".join(r for r in reasons if r)


def _mirror_requests(applied: list[tuple[Registration, _Change]], report: PollReport) -> None:
    """Move each request to the status its registration's AWS status means; raw AWS status beside it."""
    quiet: list[SenderIdRequest] = []
    # Requests that change status are loaded whole (one query): notifications read owner and country.
    moving = [
        row.request_id
        for row, change in applied
        if (target := _target_status(change.info.status)) is not None
        and target != row.request.status
        and (target != Status.ACTIVE or change.sender_id is not None)
    ]
    full = SenderIdRequest.objects.select_related("owner", "country").in_bulk(moving) if moving else {}
    for row, change in applied:
        request, info = full.get(row.request_id, row.request), change.info
        target = _target_status(info.status)
        if target == Status.ACTIVE and change.sender_id is None:
            target = None  # COMPLETE, sender ID not listed yet: confirmed on a later cycle
        label = f"{row.aws_registration_id} {change.row.aws_status or '∅'} → {info.status}"
        if target is None or target == request.status:
            request.aws_status = info.status
            quiet.append(request)
            report.changes.append(label)
            continue
        extra: dict[str, Any] = {"aws_status": info.status}
        reason, aws_message = "", ""
        if target == Status.REQUIRES_UPDATES:
            denied = [v for v in change.versions if v.version_number == info.latest_denied_version_number]
            aws_message = denial_summary(denied)
            reason = _("AWS asks for changes to the registration (version %(n)s was denied).") % {
                "n": info.latest_denied_version_number
            }
        elif target == Status.ACTIVE:
            extra.update(
                aws_sender_id_arn=change.sender_id.sender_id_arn,
                monthly_leasing_price=str(change.sender_id.monthly_leasing_price or "")[:20],
            )
            reason = _("Registration approved; AWS created the sender ID.")
        elif target == Status.FAILED:
            reason = _("The registration was %(status)s at AWS.") % {"status": info.status}
            extra.update(aws_error_code=info.status, aws_error_message=reason)
        try:
            sender_id_request_set_status(
                request=request,
                to=target,
                actor=POLLER_ACTOR,
                reason=reason,
                aws_code=info.status,
                aws_message=aws_message,
                expected_from=change.request_status,
                **extra,
            )
        except (IllegalTransition, TransitionConflict) as exc:
            report.errors.append(f"request {request.pk}: {exc}")
            continue
        report.changes.append(f"{label}; request #{request.pk} {change.request_status} → {target}")
    if quiet:
        bulk_write(SenderIdRequest, quiet, ["aws_status"])


def _poll_unconfirmed(now: datetime, report: PollReport) -> None:
    """COMPLETE registrations whose sender ID AWS did not list yet: only DescribeSenderIds again."""
    while _poll_unconfirmed_page(now, report):
        pass


def _poll_unconfirmed_page(now: datetime, report: PollReport) -> bool:
    with transaction.atomic():
        rows = list(
            Registration.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request")
            .filter(aws_status=Aws.COMPLETE, request__status=Status.REGISTRATION_SUBMITTED)
            .filter(_due(now))[:PAGE_SIZE]
        )
        if not rows:
            return False
        Registration.objects.filter(pk__in=[r.pk for r in rows]).update(next_poll_due=now + LEASE)
    changes = [_Change(row=row, info=_Unchanged(row), request_status=row.request.status) for row in rows]
    _confirm_sender_ids(changes, report)
    _apply_changes(changes, now, report)
    return True


@dataclass
class _Unchanged:
    """A RegistrationInfo-like view of a row as stored (used to re-apply a COMPLETE not yet confirmed)."""

    row: Registration

    @property
    def registration_id(self) -> str:
        return self.row.aws_registration_id

    @property
    def status(self) -> str:
        return self.row.aws_status

    @property
    def current_version_number(self) -> int | None:
        return self.row.current_version_number

    @property
    def approved_version_number(self) -> int | None:
        return self.row.approved_version_number

    @property
    def latest_denied_version_number(self) -> int | None:
        return self.row.latest_denied_version_number


# =====================================================================================================
# AWS Support cases
# =====================================================================================================
SUPPORT_LANGUAGES = {"en", "ja", "zh", "ko"}


def support_case_subject(request: SenderIdRequest, marker: str) -> str:
    return f"Sender ID Registration: {request.sender_id} ({request.country_id}) [portal ref {marker}]"


def _detail_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for every stored support-case field, in the wizard's order, in English for AWS."""
    from django.utils import translation

    from senderids.forms import support_case_rows

    with translation.override("en"):
        return [(str(label), str(value)) for label, value in support_case_rows(details)]


def support_case_body(request: SenderIdRequest, marker: str) -> str:
    """Every field of the request's support-case details, labelled, then the request's own facts."""
    lines = [
        "Sender ID registration request",
        "",
        f"Sender ID: {request.sender_id}",
        f"Country: {request.country.name} ({request.country_id})",
        f"Message type: {request.message_type}",
        "",
    ]
    lines += [f"{label}: {value}" for label, value in _detail_rows(dict(request.support_case_details or {}))]
    lines += ["", f"Portal request #{request.pk}, reference {marker}"]
    return "\n".join(lines)


def _support_language(request: SenderIdRequest) -> str:
    details = request.support_case_details or {}
    value = str(details.get("preferred_contact_language") or details.get("contact_language") or "en").lower()
    code = value[:2]
    return code if code in SUPPORT_LANGUAGES else "en"


def support_case_open(*, request: SenderIdRequest) -> None:
    """The submission pipeline's step for process "support_case"; the request is `submitting`.

    AWS Support has no ClientToken, so: a marker is stored (and written into the subject) before
    CreateCase, and a redelivery that finds no case id asks DescribeCases for a case carrying the
    marker before it opens one. Then submitting → support_case_open.
    """
    case, _created = SupportCase.objects.get_or_create(request=request)
    if not case.case_id:
        marker = str(case.marker)
        found = _find_case_by_marker(case) if case.create_attempted_at else None
        if found is not None:
            case_id, status, display_id = found.case_id, found.status, found.display_id or ""
        else:
            subject = support_case_subject(request, marker)
            body = support_case_body(request, marker)
            SupportCase.objects.filter(pk=case.pk).update(
                create_attempted_at=timezone.now(), subject=subject[:300], body=body
            )
            case_id = get_gateway().create_case(
                subject=subject,
                communication_body=body,
                service_code=settings.SUPPORT_CASE_SERVICE_CODE,
                category_code=settings.SUPPORT_CASE_CATEGORY_CODE,
                severity_code=settings.SUPPORT_CASE_SEVERITY_CODE,
                language=_support_language(request),
            )
            status, display_id = "opened", ""
        SupportCase.objects.filter(pk=case.pk).update(
            case_id=case_id,
            status=status,
            display_id=display_id,
            next_poll_due=None,
            updated_at=timezone.now(),
        )
        case.case_id, case.status = case_id, status
    sender_id_request_set_status(
        request=request,
        to=Status.SUPPORT_CASE_OPEN,
        actor=WORKER_ACTOR,
        reason=_("AWS Support case %(id)s opened.") % {"id": case.case_id},
        expected_from=Status.SUBMITTING,
        aws_status=(case.status or "opened")[:60],
        aws_error_code="",
        aws_error_message="",
    )


def _find_case_by_marker(case: SupportCase) -> Any | None:
    """The case a previous, interrupted attempt opened: DescribeCases since then, matched on the marker."""
    after = (case.create_attempted_at or timezone.now()) - timedelta(hours=1)
    marker = str(case.marker)
    for info in get_gateway().list_cases(after=after):
        if marker in (info.subject or ""):
            return info
    return None


def support_cases_poll(*, now: datetime | None = None) -> PollReport:
    """Mirror open support cases (DescribeCases, 100 ids per call): resolved → support_case_resolved,
    reopened → support_case_open. Claimed with skip_locked like registrations."""
    now = now or timezone.now()
    report = PollReport()
    gateway = get_gateway()
    while True:
        with transaction.atomic():
            cases = list(
                SupportCase.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("request")
                .exclude(case_id="")
                .filter(request__status__in=(Status.SUPPORT_CASE_OPEN, Status.SUPPORT_CASE_RESOLVED))
                .filter(_due(now))
                .order_by("pk")[:PAGE_SIZE]
            )
            if not cases:
                return report
            SupportCase.objects.filter(pk__in=[c.pk for c in cases]).update(next_poll_due=now + LEASE)
        try:
            infos = {i.case_id: i for i in gateway.describe_cases(case_ids=[c.case_id for c in cases])}
        except (RetryableAwsError, PermanentAwsError) as exc:
            report.errors.append(str(exc))
            return report
        report.listed += len(infos)
        _apply_cases(cases, infos, now, report)


def _apply_cases(cases: list[SupportCase], infos: dict[str, Any], now: datetime, report: PollReport) -> None:
    with transaction.atomic():
        for case in cases:
            info = infos.get(case.case_id)
            case.last_polled_at, case.next_poll_due = now, now + poll_interval() / 2
            if info is None:
                continue
            request = case.request
            if info.status != case.status:
                report.changes.append(f"case {case.case_id} {case.status or '∅'} → {info.status}")
            case.status = info.status[:60]
            case.display_id = info.display_id or case.display_id
            target = None
            if info.is_resolved and request.status == Status.SUPPORT_CASE_OPEN:
                target, reason = Status.SUPPORT_CASE_RESOLVED, _("AWS Support resolved case %(id)s.")
                case.resolved_at = now
            elif not info.is_resolved and request.status == Status.SUPPORT_CASE_RESOLVED:
                target, reason = Status.SUPPORT_CASE_OPEN, _("AWS Support case %(id)s was reopened.")
            if target is None:
                if request.aws_status != case.status:
                    SenderIdRequest.objects.filter(pk=request.pk).update(aws_status=case.status)
                continue
            try:
                sender_id_request_set_status(
                    request=request,
                    to=target,
                    actor=POLLER_ACTOR,
                    reason=reason % {"id": case.case_id},
                    aws_code=info.status,
                    expected_from=request.status,
                    aws_status=case.status,
                )
            except (IllegalTransition, TransitionConflict) as exc:
                report.errors.append(f"request {request.pk}: {exc}")
        SupportCase.objects.bulk_update(
            cases, ["status", "display_id", "resolved_at", "last_polled_at", "next_poll_due"]
        )


def support_case_confirm(*, request: SenderIdRequest, actor: AbstractBaseUser) -> None:
    """Staff confirm that the resolved case delivered the sender ID: support_case_resolved → active."""
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied("only staff confirm support cases")
    with transaction.atomic():
        sender_id_request_set_status(
            request=request,
            to=Status.ACTIVE,
            actor=actor,
            reason=_("Staff confirmed the sender ID is provisioned."),
            expected_from=Status.SUPPORT_CASE_RESOLVED,
        )
        SupportCase.objects.filter(request=request).update(
            confirmed_at=timezone.now(), confirmed_by=actor, updated_at=timezone.now()
        )
