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

from senderids import lifecycle, registry
from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.services.common import gateway_of
from smsvoice.gateway import PermanentAwsError, RetryableAwsError, SmsVoiceGateway

from .. import definitions as defs
from .. import events
from ..lifecycle import SYNCABLE_STATUSES, VERSION_FINISHED
from ..lifecycle import AwsRegistrationStatus as Aws
from ..models import Registration, RegistrationAttachment, RegistrationFieldValue, RegistrationVersion
from .draft import (
    registration_get_or_create,
    registration_missing_fields,
    registration_sync_enqueue,
    rule_values,
    store_locked_values,
)

logger = logging.getLogger(__name__)

# A claimed row is left alone by other workers for this long (the work on it takes far less).
LEASE = timedelta(minutes=10)
NOT_FOUND = "ResourceNotFoundException"
QUOTA_EXCEEDED = "ServiceQuotaExceededException"


class AttachmentNotReady(RetryableAwsError):
    """AWS is still receiving an attachment; retry later."""


class RegistrationBusy(RetryableAwsError):
    """Another worker is syncing this registration; retry shortly (not an AWS error, same policy)."""


# --- The process's start -------------------------------------------------------------------------
def _gw(registration: Registration) -> SmsVoiceGateway:
    """The gateway of the registration's account and Region (its request's)."""
    return gateway_of(registration.request)


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
    if not registration.aws_registration_id and registration.create_attempted_at is None:
        # Before anything else reads the form from AWS: can this Region register it at all?
        _check_type_offered(registration.registration_type, _gw(registration))
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
    """CreateRegistration once: the ClientToken was stored with the row, so a retry gets the same one.

    Before the first attempt AWS is asked whether it can work at all — the registration type exists in
    this Region, the account has a registration left in its quota — so the owner reads why in plain
    words instead of a raw ValidationException or ServiceQuotaExceededException after approval.
    """
    if registration.aws_registration_id:
        return registration
    if registration.create_attempted_at is None:
        _check_registration_quota(_gw(registration))
        Registration.objects.filter(pk=registration.pk).update(create_attempted_at=timezone.now())
    try:
        info = _gw(registration).create_registration(
            registration_type=registration.registration_type,
            client_token=str(registration.client_token),
            name=registration.form_name,
            tags={"senderid-portal:request": str(registration.request_id)},
        )
    except PermanentAwsError as exc:
        if exc.code == QUOTA_EXCEEDED:
            raise registry.ProcessRefused(
                _quota_message(None, _gw(registration).region), code=QUOTA_EXCEEDED
            ) from exc
        raise
    now = timezone.now()
    fields = info_fields(info)
    fields.update(aws_registration_arn=info.registration_arn, aws_registration_id=info.registration_id)
    Registration.objects.filter(pk=registration.pk).update(
        **fields, aws_status_changed_at=now, updated_at=now
    )
    for name, value in fields.items():
        setattr(registration, name, value)
    return registration


def _check_registration_quota(gateway: SmsVoiceGateway) -> None:
    """DescribeAccountLimits: refuse before CreateRegistration when the account has no registration left.

    Asked once per new registration (a person's approval, rare), never cached: the count must be today's.
    """
    found = gateway.describe_account_limits().get("REGISTRATIONS")
    if found is not None and found.reached:
        raise registry.ProcessRefused(_quota_message(found.max, gateway.region), code=QUOTA_EXCEEDED)


def _quota_message(maximum: int | None, region: str) -> str:
    return _(
        "The AWS account has reached its registration quota (%(max)s registrations in %(region)s). "
        "Delete registrations that are no longer needed, or ask AWS to raise the quota, then retry."
    ) % {"max": maximum if maximum is not None else "?", "region": region}


def _check_type_offered(registration_type: str, gateway: SmsVoiceGateway) -> None:
    """The registration type exists in this Region (a Region may not offer a country's form: India's
    exists only in ap-south-1 and ap-south-2)."""
    try:
        offered = gateway.describe_registration_type_definitions(registration_types=[registration_type])
    except PermanentAwsError as exc:
        if exc.code != "ValidationException":
            raise
        offered = []
    if not any(t.registration_type == registration_type for t in offered):
        raise registry.ProcessRefused(
            _(
                "AWS does not offer the registration form %(type)s in %(region)s, so this sender ID cannot "
                "be registered there. Support staff can check the country's process and Region."
            )
            % {"type": registration_type, "region": gateway.region},
            code="RegistrationTypeUnavailable",
        )


def info_fields(info: Any) -> dict[str, Any]:
    """The Registration columns a RegistrationInfo (DescribeRegistrations, CreateRegistration) sets."""
    return {
        "aws_status": info.status,
        "current_version_number": info.current_version_number,
        "approved_version_number": info.approved_version_number,
        "latest_denied_version_number": info.latest_denied_version_number,
    }


def _push_changed(registration: Registration, definition: defs.FormDefinition) -> list[str]:
    """Make AWS's field values equal to ours: put what changed, delete what was cleared or is no longer
    allowed by the other answers (CONDITIONAL rules, DISALLOWED: AWS refuses a submission that has it).

    What a row should be at AWS is its value, or nothing when its field is disallowed; `pushed_digest`
    records what AWS has. Returns AWS's refusals ("path: message"), also stored on each value.
    RetryableAwsError propagates; values pushed before it are recorded, so the retry pushes the rest.
    """
    problems = []
    rows = list(RegistrationFieldValue.objects.filter(registration=registration).select_related("attachment"))
    current = rule_values(registration=registration, definition=definition, rows=rows)
    for row in rows:
        field_def = definition.field(row.field_path)
        if field_def is None:
            if row.value_digest != row.pushed_digest:
                message = _("AWS no longer has this field; it was not sent.")
                RegistrationFieldValue.objects.filter(pk=row.pk).update(push_error=message)
            continue
        allowed = field_def.resolve(current).behavior != defs.DISALLOWED
        desired = row.value_digest if allowed else ""
        if desired == row.pushed_digest:
            continue
        try:
            if not desired:
                _delete_value(registration, row.field_path)
            else:
                _put_value(registration, row)
        except PermanentAwsError as exc:
            RegistrationFieldValue.objects.filter(pk=row.pk, value_digest=row.value_digest).update(
                push_error=exc.message
            )
            problems.append(f"{row.field_path}: {exc.message}")
            continue
        note = "" if allowed or not row.value_digest else _("Not sent: your other answers do not allow it.")
        # Conditional on the digest: a save that raced this push is pushed next time, not lost.
        RegistrationFieldValue.objects.filter(pk=row.pk, value_digest=row.value_digest).update(
            pushed_digest=desired, pushed_at=timezone.now(), push_error=note
        )
    return problems


def _put_value(registration: Registration, row: RegistrationFieldValue) -> None:
    gateway = _gw(registration)
    target = {"registration_id": registration.aws_registration_id, "field_path": row.field_path}
    if row.attachment is not None:
        gateway.put_registration_field_value(
            **target, registration_attachment_id=_ensure_attachment_uploaded(registration, row.attachment)
        )
    elif row.select_choices:
        gateway.put_registration_field_value(**target, select_choices=list(row.select_choices))
    else:
        gateway.put_registration_field_value(**target, text_value=row.text_value)


def _delete_value(registration: Registration, field_path: str) -> None:
    """DeleteRegistrationFieldValue; a value AWS does not have is already what we want."""
    try:
        _gw(registration).delete_registration_field_value(
            registration_id=registration.aws_registration_id, field_path=field_path
        )
    except PermanentAwsError as exc:
        if exc.code != NOT_FOUND:
            raise


def _ensure_attachment_uploaded(registration: Registration, attachment: RegistrationAttachment) -> str:
    gateway = _gw(registration)
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


def _needs_new_version(registration: Registration) -> bool:
    """The current version can no longer be edited: denied, discarded, revoked... (a new DRAFT is needed)."""
    current = registration.current_version_number or 0
    if registration.latest_denied_version_number and current <= registration.latest_denied_version_number:
        return True
    status = (
        RegistrationVersion.objects.filter(registration=registration, version_number=current)
        .values_list("status", flat=True)
        .first()
    )
    return status in VERSION_FINISHED


def _ensure_draft_version(registration: Registration) -> None:
    """Open a new DRAFT (CreateRegistrationVersion) once when the current version is over, then make its
    values ours: AWS's model does not say whether a new version copies the previous one's values, so
    they are read back (DescribeRegistrationFieldValues) and whatever differs is pushed again."""
    if not _needs_new_version(registration):
        return
    gateway = _gw(registration)
    # Re-read first: a previous attempt may have created the version and died before recording it,
    # or AWS may have opened the new draft itself (e.g. after a discard).
    known = registration.current_version_number or 0
    fresh = next(
        iter(gateway.describe_registrations(registration_ids=[registration.aws_registration_id])), None
    )
    if fresh is not None and fresh.current_version_number > known:
        fields = info_fields(fresh)
        numbers = [fresh.current_version_number]
        upsert_versions(
            (registration, v)
            for v in gateway.describe_registration_versions(
                registration_id=registration.aws_registration_id, version_numbers=numbers
            )
        )
    else:
        version = gateway.create_registration_version(registration_id=registration.aws_registration_id)
        fields = {"current_version_number": version.version_number}
        upsert_versions([(registration, version)])
    Registration.objects.filter(pk=registration.pk).update(**fields, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(registration, name, value)
    _adopt_version_values(registration)


def _adopt_version_values(registration: Registration) -> None:
    """Compare the new version's values at AWS with ours: equal ones count as pushed, the others are
    pushed (ours) or deleted (AWS's extra ones) by the next push."""
    at_aws = {
        fv.field_path: fv
        for fv in _gw(registration).describe_registration_field_values(
            registration_id=registration.aws_registration_id,
            version_number=registration.current_version_number,
        )
    }
    rows = list(RegistrationFieldValue.objects.filter(registration=registration).select_related("attachment"))
    for row in rows:
        theirs = at_aws.pop(row.field_path, None)
        row.pushed_digest = (
            row.value_digest if _same_value(row, theirs) else ("" if theirs is None else "aws")
        )
    RegistrationFieldValue.objects.bulk_update(rows, ["pushed_digest"])
    # Values AWS carried over that we do not hold any more: deleted now.
    for path, theirs in at_aws.items():
        if theirs.text_value or theirs.select_choices or theirs.registration_attachment_id:
            _delete_value(registration, path)


def _same_value(row: RegistrationFieldValue, theirs: Any) -> bool:
    if theirs is None:
        return not row.value_digest
    if row.attachment is not None:
        return bool(row.attachment.aws_attachment_id) and (
            theirs.registration_attachment_id == row.attachment.aws_attachment_id
        )
    if row.select_choices:
        return list(theirs.select_choices or []) == list(row.select_choices)
    return (theirs.text_value or "") == row.text_value and not theirs.select_choices


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
    gateway = _gw(registration)
    try:
        version = gateway.submit_registration_version(
            registration_id=registration.aws_registration_id, aws_review=registration.aws_review_requested
        )
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
        # AWS_REVIEWING when AWS's pre-review was asked for.
        "aws_status": version.status if version.status in Aws.IN_FLIGHT else Aws.SUBMITTED,
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
