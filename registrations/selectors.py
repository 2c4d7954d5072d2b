"""Reads of registrations: what the form page, the admin and the process registry show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from countries.models import SenderIdProcess
from senderids.choices import Status
from senderids.models import SenderIdRequest, StatusEvent

from .definitions import FormDefinition
from .lifecycle import UNDER_REVIEW_STATUSES
from .lifecycle import AwsRegistrationStatus as Aws
from .models import Registration, RegistrationFieldValue, RegistrationVersion


def field_values(*, registration: Registration) -> dict[str, RegistrationFieldValue]:
    return {
        fv.field_path: fv
        for fv in RegistrationFieldValue.objects.filter(registration=registration).select_related(
            "attachment"
        )
    }


def form_initial(
    values: dict[str, RegistrationFieldValue],
    definition: FormDefinition,
    prefill: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The form's initial values: what is stored, then for the other fields `prefill` (see
    `profile_prefill`). A stored value always wins, even a cleared one: the user emptied it on purpose."""
    initial: dict[str, Any] = {}
    for field_def in definition.fields:
        fv = values.get(field_def.field_path)
        if fv is None:
            if prefill and field_def.field_path in prefill:
                value = prefill[field_def.field_path]
                initial[field_def.field_path] = [value] if field_def.is_multi else value
            continue
        if field_def.field_type == "SELECT":
            initial[field_def.field_path] = (
                list(fv.select_choices) if field_def.is_multi else (fv.select_choices or [""])[0]
            )
        elif field_def.field_type == "TEXT":
            initial[field_def.field_path] = fv.text_value
    return initial


def profile_prefill(
    *,
    values: dict[str, RegistrationFieldValue],
    definition: FormDefinition,
    profile_values: Mapping[str, str],
    locked: Mapping[str, str],
) -> dict[str, str]:
    """The company profile's values (profiles.mapping.prefill_values) the form shows for fields with no
    stored value: never over a locked field (the request fixes it) or a stored one, and a select only
    with a value among its options (the profile's free text may not be one)."""
    out: dict[str, str] = {}
    for path, value in profile_values.items():
        field_def = definition.field(path)
        if field_def is None or path in locked or path in values:
            continue
        is_option = field_def.field_type == "SELECT" and value in field_def.options
        if field_def.field_type == "TEXT" or is_option:
            out[path] = value
    return out


def attachment_names(values: dict[str, RegistrationFieldValue]) -> dict[str, str]:
    return {
        path: fv.attachment.file_name for path, fv in values.items() if fv.attachment_id and fv.attachment
    }


def latest_denied_version(*, registration: Registration) -> RegistrationVersion | None:
    if not registration.latest_denied_version_number:
        return None
    return RegistrationVersion.objects.filter(
        registration=registration, version_number=registration.latest_denied_version_number
    ).first()


# The progress indicator's steps while AWS reviews: (key, label, AWS statuses at that step).
PROGRESS_STEPS = [
    ("draft", _("Draft"), {"", Aws.CREATED}),
    ("submitted", _("Submitted"), {Aws.SUBMITTED}),
    ("review", _("In review"), {Aws.AWS_REVIEWING, Aws.REVIEWING, Aws.REQUIRES_AUTHENTICATION}),
    ("provisioning", _("Provisioning"), {Aws.PROVISIONING}),
    ("complete", _("Complete"), {Aws.COMPLETE}),
]


@dataclass
class Progress:
    steps: list[dict[str, Any]] = field(default_factory=list)
    waiting_on_aws: bool = False
    percent: int = 0


def registration_progress(*, registration: Registration, request: SenderIdRequest) -> Progress:
    status = registration.aws_status
    if request.status == Status.ACTIVE:
        status = Aws.COMPLETE
    index = next((i for i, (_k, _l, statuses) in enumerate(PROGRESS_STEPS) if status in statuses), None)
    if index is None:
        # REQUIRES_UPDATES goes back to the draft step; an unknown new AWS status counts as in review.
        index = 0 if status == Aws.REQUIRES_UPDATES else 2
    steps = [
        {"key": key, "label": label, "done": i < index, "current": i == index}
        for i, (key, label, _statuses) in enumerate(PROGRESS_STEPS)
    ]
    return Progress(
        steps=steps,
        waiting_on_aws=request.status in UNDER_REVIEW_STATUSES
        or request.status in (Status.APPROVED, Status.SUBMITTING)
        or registration.discard_requested_at is not None,
        percent=round(100 * index / (len(PROGRESS_STEPS) - 1)),
    )


def registration_for_request(*, request: SenderIdRequest) -> Registration | None:
    """The request's Registration, if it has one (made with the request: a page never creates it)."""
    return Registration.objects.filter(request=request).first()


def registration_sender_id_labels(requests: list[SenderIdRequest]) -> dict[int, str]:
    """My sender IDs' "registration" column: AWS's raw status of each one's registration, one query."""
    statuses = dict(
        Registration.objects.filter(request__in=[r.pk for r in requests]).values_list(
            "request_id", "aws_status"
        )
    )
    return {r.pk: statuses.get(r.pk) or gettext("Not started") for r in requests}


def registration_exclude_done(queryset: QuerySet[SenderIdRequest]) -> QuerySet[SenderIdRequest]:
    """The home page's "register later" reminder drops a request once its owner pressed Submit."""
    return queryset.exclude(process=SenderIdProcess.REGISTRATION, registration__submit_requested=True)


def latest_event(*, request: SenderIdRequest, kind: str) -> StatusEvent | None:
    """The request's newest timeline entry of one kind (e.g. what AWS asked the owner to do)."""
    return StatusEvent.objects.filter(request=request, kind=kind).order_by("-created_at", "-pk").first()
