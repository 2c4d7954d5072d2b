"""The local draft of a registration (web side): its row, the form's values and files, what is missing.

Nothing here calls AWS. A save of a registration that already exists at AWS enqueues the
`sync_registration` task on commit, which pushes the change (services/aws.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from countries.models import SenderIdProcess
from profiles.uploads import sniff_content_type
from senderids.enqueue import enqueue_on_commit
from senderids.lifecycle import EDITABLE_STATUSES
from senderids.models import SenderIdRequest
from senderids.permissions import is_team_member

from .. import definitions as defs
from ..inputs import FieldInput
from ..lifecycle import SYNCABLE_STATUSES
from ..models import Registration, RegistrationAttachment, RegistrationFieldValue

SYNC_TASK = "registrations.tasks.sync_registration"
REFRESH_DEFINITION_TASK = "registrations.tasks.refresh_registration_definition"

# Fields whose value the request already fixed: the form shows them read-only and the portal writes them.
# The sender ID registered must be the one the request is for (the portal confirms it by that name).
SENDER_ID_FIELD = "senderIdInfo.senderId"


class RegistrationUnavailable(Exception):
    """The request's country has no API registration type (or the request is not a registration)."""


class RegistrationLocked(Exception):
    """The form cannot be changed in the request's current status."""


# --- The row -------------------------------------------------------------------------------------
def registration_get_or_create(*, request: SenderIdRequest) -> Registration:
    """The request's Registration, created with the country's registration type if it has none yet.

    Requests get theirs when they are created (`registration_create_for_request`); the worker's start
    still calls this for requests created before that.
    """
    existing = Registration.objects.filter(request=request).first()
    if existing is not None:
        return existing
    registration_type = request.country.registration_type
    if request.process != SenderIdProcess.REGISTRATION or not registration_type:
        raise RegistrationUnavailable(f"request {request.pk} has no API registration type")
    registration, _created = Registration.objects.get_or_create(
        request=request,
        defaults={"registration_type": registration_type, "form_name": request.registration_form_name},
    )
    return registration


def registration_create_for_request(*, request: SenderIdRequest) -> Registration | None:
    """The process's `on_create`: in the request's creation transaction, its Registration row, and the
    form definition fetched (by a task) if it is not cached yet, so the form page can show it."""
    registration_type = request.country.registration_type
    if not registration_type:
        return None  # no API form for this country: the request page says so
    # The request was created in this very transaction: it cannot have a row yet.
    registration = Registration.objects.create(
        request=request, registration_type=registration_type, form_name=request.registration_form_name
    )
    definition_refresh_enqueue(registration_type=registration_type)
    return registration


def definition_refresh_enqueue(*, registration_type: str) -> None:
    """Have a worker fetch `registration_type`'s form definition unless it is cached (on commit)."""
    if not defs.is_cached(registration_type):
        enqueue_on_commit(REFRESH_DEFINITION_TASK, registration_type)


def registration_sync_enqueue(registration_pk: int) -> None:
    """Have a worker push the registration's changes to AWS once the transaction commits."""
    enqueue_on_commit(SYNC_TASK, registration_pk)


# --- Values --------------------------------------------------------------------------------------
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
    aws_review: bool = False,
) -> list[str]:
    """Store the form's values (only what changed) and the Submit intent; returns the changed paths.

    `aws_review` (with `submit`): ask AWS to pre-review the version before the carriers do.

    Once the registration exists at AWS, the changes are pushed by the `sync_registration` task on
    commit. Raises ValidationError for a FieldPath the definition does not have (nothing is stored),
    PermissionDenied for anyone but the owner, RegistrationLocked when the form is not editable.
    """
    if not is_team_member(actor, registration.request):
        raise PermissionDenied("only the request's team edits a registration")
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
            aws_review_requested=submit and aws_review,
            last_error="",
            updated_at=now,
        )
        registration.submit_requested = submit
        if locked.aws_registration_id and locked.request.status in SYNCABLE_STATUSES:
            registration_sync_enqueue(locked.pk)
    return changed


def store_locked_values(registration: Registration, definition: defs.FormDefinition) -> None:
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


def rule_values(
    *,
    registration: Registration,
    definition: defs.FormDefinition,
    rows: Iterable[RegistrationFieldValue] | None = None,
) -> dict[str, list[str]]:
    """The stored values as CONDITIONAL rules read them ({FieldPath: [value, ...]}), locked ones included.

    `rows`: the registration's value rows when the caller has them already (no second query).
    """
    if rows is None:
        rows = RegistrationFieldValue.objects.filter(registration=registration)
    values = _values_of(rows)
    locked = locked_values(request=registration.request, definition=definition)
    values.update({path: [text] for path, text in locked.items()})
    return values


def registration_missing_fields(*, registration: Registration, definition: defs.FormDefinition) -> list[str]:
    """FieldPaths that must have a value to submit, given the stored values (conditions resolved)."""
    values = rule_values(registration=registration, definition=definition)
    missing = []
    for field_def in definition.fields:
        if field_def.resolve(values).behavior == defs.REQUIRED and not values.get(field_def.field_path):
            missing.append(field_def.field_path)
    return missing


def _values_of(rows: Iterable[RegistrationFieldValue]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for fv in rows:
        if fv.attachment_id:
            out[fv.field_path] = ["<attachment>"]
        elif fv.select_choices:
            out[fv.field_path] = list(fv.select_choices)
        elif fv.text_value:
            out[fv.field_path] = [fv.text_value]
    return out
