"""Reads of registrations and support cases: what the pages, the admin and other apps show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from senderids.models import SenderIdRequest, Status

from .definitions import FormDefinition
from .models import AwsRegistrationStatus as Aws
from .models import Registration, RegistrationFieldValue, RegistrationVersion, SupportCase


def request_for_viewer(*, user: AbstractBaseUser, pk: int) -> SenderIdRequest | None:
    """The request if `user` may see it (its owner or staff), else None (the view answers 404)."""
    qs = SenderIdRequest.objects.select_related("country", "owner").filter(pk=pk)
    if not user.is_staff:
        qs = qs.filter(owner=user)
    return qs.first()


def field_values(*, registration: Registration) -> dict[str, RegistrationFieldValue]:
    return {
        fv.field_path: fv
        for fv in RegistrationFieldValue.objects.filter(registration=registration).select_related(
            "attachment"
        )
    }


def form_initial(values: dict[str, RegistrationFieldValue], definition: FormDefinition) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for field_def in definition.fields:
        fv = values.get(field_def.field_path)
        if fv is None:
            continue
        if field_def.field_type == "SELECT":
            initial[field_def.field_path] = (
                list(fv.select_choices) if field_def.is_multi else (fv.select_choices or [""])[0]
            )
        elif field_def.field_type == "TEXT":
            initial[field_def.field_path] = fv.text_value
    return initial


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
        waiting_on_aws=request.status == Status.REGISTRATION_SUBMITTED
        or (request.status in (Status.APPROVED, Status.SUBMITTING)),
        percent=round(100 * index / (len(PROGRESS_STEPS) - 1)),
    )


def support_case_for_request(*, request: SenderIdRequest) -> SupportCase | None:
    return SupportCase.objects.filter(request=request).first()


def registration_for_request(*, request: SenderIdRequest) -> Registration | None:
    return Registration.objects.filter(request=request).first()
