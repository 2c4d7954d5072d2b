"""The AWS side of a registration (worker): create, push the draft, open versions, submit.

`registration_start` is the registration process's start (the pipeline calls it through the process
registry while the request is `submitting`); `registration_sync` is what the `sync_registration` task
runs after the owner saved. Both are idempotent and safe to retry as a whole.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from senderids import lifecycle
from senderids.choices import Status
from senderids.models import SenderIdRequest
from smsvoice.gateway import PermanentAwsError, RetryableAwsError, get_gateway

from .. import definitions as defs
from .. import events
from ..lifecycle import SYNCABLE_STATUSES
from ..lifecycle import AwsRegistrationStatus as Aws
from ..models import Registration, RegistrationAttachment, RegistrationFieldValue, RegistrationVersion
from .draft import (
    registration_get_or_create,
    registration_missing_fields,
    registration_sync_enqueue,
    store_locked_values,
)

logger = logging.getLogger(__name__)

# A claimed row is left alone by other workers for this long (the work on it takes far less).
LEASE = timedelta(minutes=10)


class AttachmentNotReady(RetryableAwsError):
    """AWS is still receiving an attachment; retry later."""


class RegistrationBusy(RetryableAwsError):
    """Another worker is syncing this registration; retry shortly (not an AWS error, same policy)."""


# --- The process's start -------------------------------------------------------------------------
def registration_start(*, request: SenderIdRequest) -> None:
    """The submission pipeline's step for process "registration"; the request is `submitting`.

    CreateRegistration (stored ClientToken) → push the local draft → SubmitRegistrationVersion when the
    owner already pressed Submit on a complete form. Every AWS step happens while the request is still
    `submitting` (a RetryableAwsError leaves it there for the task to retry the whole, idempotent, step);
    then submitting → registration_draft (→ registration_submitted) in one transaction.
    A value AWS refuses does not fail the request: it is shown next to its field and the request waits
    in `registration_draft` for the owner to fix it.
    """
    registration = registration_get_or_create(request=request)
    definition = defs.get_definition(registration.registration_type)
    store_locked_values(registration, definition)
    registration = _ensure_created(registration)
    submitted, problems = _push_and_submit(registration, definition)
    with transaction.atomic():
        lifecycle.transition(
            request,
            Status.REGISTRATION_DRAFT,
            event=events.registration_created(registration.aws_registration_id),
            expected_from=Status.SUBMITTING,
            aws_status=Aws.CREATED,
            aws_error_code="",
            aws_error_message="; ".join(problems)[:2000],
        )
        if submitted:
            _mark_submitted(request, registration)
        # A save that raced this step (the owner saved while it ran) is pushed by a sync.
        if not submitted and _has_unpushed(registration):
            registration_sync_enqueue(registration.pk)


def registration_sync(*, registration_id: int) -> Registration | None:
    """Bring AWS up to date with the portal after the owner saved: open a new version after a denial,
    push the changed values, submit when asked. The `sync_registration` task runs this; idempotent."""
    registration = (
        Registration.objects.select_related("request", "request__country").filter(pk=registration_id).first()
    )
    if registration is None or not registration.aws_registration_id:
        return registration
    request = registration.request
    if request.status not in SYNCABLE_STATUSES:
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
            except lifecycle.TransitionConflict:
                # The poller saw the submission first and moved the request already.
                logger.info("sync: request %s moved concurrently", request.pk)
    finally:
        Registration.objects.filter(pk=registration.pk).update(busy_until=None)
    return registration


def _claim_busy(registration: Registration) -> bool:
    now = timezone.now()
    return bool(
        Registration.objects.filter(pk=registration.pk)
        .filter(Q(busy_until__isnull=True) | Q(busy_until__lt=now))
        .update(busy_until=now + LEASE)
    )


def _mark_submitted(request: SenderIdRequest, registration: Registration) -> None:
    lifecycle.transition(
        request,
        Status.REGISTRATION_SUBMITTED,
        event=events.registration_submitted(registration.submitted_version_number),
        aws_status=Aws.SUBMITTED,
        aws_error_message="",
    )


# --- Push and submit -----------------------------------------------------------------------------
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
    fields = info_fields(info)
    fields.update(aws_registration_arn=info.registration_arn, aws_registration_id=info.registration_id)
    Registration.objects.filter(pk=registration.pk).update(
        **fields, aws_status_changed_at=now, updated_at=now
    )
    for name, value in fields.items():
        setattr(registration, name, value)
    return registration


def info_fields(info: Any) -> dict[str, Any]:
    """The Registration columns a RegistrationInfo (DescribeRegistrations, CreateRegistration) sets."""
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
        fields = info_fields(fresh)
    else:
        version = gateway.create_registration_version(registration_id=registration.aws_registration_id)
        fields = {"current_version_number": version.version_number}
        upsert_versions([(registration, version)])
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
    upsert_versions([(registration, version)])
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


# --- Versions ------------------------------------------------------------------------------------
@dataclass
class ReviewVersion:
    """A version's status known from the registration's own (a review-stage move): no call needed."""

    version_number: int
    status: str


def upsert_versions(pairs: Iterable[tuple[Registration, Any]]) -> None:
    """Insert or refresh RegistrationVersion rows in one statement (full AWS versions or review moves)."""
    pairs = list(pairs)
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
        if not isinstance(v, ReviewVersion)
    ]
    review = [
        RegistrationVersion(registration_id=registration.pk, version_number=v.version_number, status=v.status)
        for registration, v in pairs
        if isinstance(v, ReviewVersion)
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
