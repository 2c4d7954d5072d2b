"""Taking a registration back: the owner discards a submitted version; a released sender ID's
registration is deleted.

Both are asked for in a web request or a transaction (an intent row + a task enqueued on commit) and
done by a worker, which calls AWS: DiscardRegistrationVersion (only while AWS reviews the version), and
DeleteRegistration (AWS closes a registration whose sender ID is released, and a CLOSED registration
still counts against the account's 25-registrations quota until deleted).
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from senderids import lifecycle
from senderids.choices import Status
from senderids.enqueue import enqueue_on_commit
from senderids.models import SenderIdRequest
from senderids.permissions import is_team_member
from senderids.services.common import gateway_of
from smsvoice.errors import PermanentAwsError, RetryableAwsError
from smsvoice.gateway import serving

from .. import events
from ..lifecycle import UNDER_REVIEW_STATUSES
from ..lifecycle import AwsRegistrationStatus as Aws
from ..models import Registration
from .aws import NOT_FOUND, upsert_versions
from .draft import RegistrationLocked

logger = logging.getLogger(__name__)

DISCARD_TASK = "registrations.tasks.discard_registration_version"
DELETE_TASK = "registrations.tasks.delete_registration"
# AWS refuses to delete a registration it has not closed yet (the release may take a moment to reach
# it): the worker asks again, with the usual backoff, this many times before telling staff.
DELETE_MAX_RETRIES = 8


class RegistrationNotClosedYet(RetryableAwsError):
    """DeleteRegistration answered Conflict: AWS has not closed the registration yet; ask again later."""


def registration_discard_request(*, registration: Registration, actor: AbstractBaseUser) -> None:
    """The owner asks to withdraw the version AWS is reviewing; a worker discards it (on commit).

    Raises PermissionDenied for anyone but the owner, RegistrationLocked when no version is under review.
    """
    if not is_team_member(actor, registration.request):
        raise PermissionDenied("only the request's team discards a registration version")
    with transaction.atomic():
        locked = Registration.objects.select_for_update().select_related("request").get(pk=registration.pk)
        if locked.request.status not in UNDER_REVIEW_STATUSES or not locked.aws_registration_id:
            raise RegistrationLocked(locked.request.status)
        if locked.discard_requested_at is None:
            Registration.objects.filter(pk=locked.pk).update(discard_requested_at=timezone.now())
            enqueue_on_commit(DISCARD_TASK, locked.pk)


def registration_discard(*, registration_id: int) -> Registration | None:
    """DiscardRegistrationVersion for a discard the owner asked for; the request goes back to its draft.

    Idempotent: a redelivered task finds the intent cleared and does nothing. AWS refusing (the version
    was decided meanwhile) clears the intent and says why on the timeline.
    """
    registration = Registration.objects.select_related("request").filter(pk=registration_id).first()
    if registration is None or registration.discard_requested_at is None:
        return registration
    request = registration.request
    if request.status not in UNDER_REVIEW_STATUSES:
        Registration.objects.filter(pk=registration.pk).update(discard_requested_at=None)
        return registration
    try:
        with serving(request.pk):
            version = gateway_of(request).discard_registration_version(
                registration_id=registration.aws_registration_id
            )
    except PermanentAwsError as exc:
        with transaction.atomic():
            Registration.objects.filter(pk=registration.pk).update(discard_requested_at=None)
            lifecycle.note(request, event=events.registration_discard_refused(exc.code, exc.message))
        return registration
    upsert_versions([(registration, version)])
    with transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(
            discard_requested_at=None,
            submitted_version_number=None,
            submit_requested=False,
            # Polled at once: AWS says what the registration is now (CREATED, a new draft version...).
            next_poll_due=None,
        )
        try:
            lifecycle.transition(
                request,
                Status.REGISTRATION_DRAFT,
                event=events.registration_discarded(version.version_number),
                expected_from=request.status,
                aws_status=Aws.CREATED,
            )
        except lifecycle.TransitionConflict:
            logger.info("discard: request %s moved concurrently", request.pk)
    return registration


def registration_after_release(request: SenderIdRequest) -> None:
    """The registration process's after_release: delete the registration AWS closed (on commit)."""
    registration = Registration.objects.filter(request=request).exclude(aws_registration_id="").first()
    if registration is not None and registration.aws_status != Aws.DELETED:
        enqueue_on_commit(DELETE_TASK, registration.pk)


def registration_delete(*, registration_id: int) -> Registration | None:
    """DeleteRegistration for a released sender ID's registration. Safe to run any number of times.

    Raises RegistrationNotClosedYet (retried by the task) while AWS has not closed it yet.
    """
    registration = Registration.objects.select_related("request").filter(pk=registration_id).first()
    if registration is None or not registration.aws_registration_id or registration.aws_status == Aws.DELETED:
        return registration
    request = registration.request
    try:
        with serving(request.pk):
            gateway_of(request).delete_registration(registration_id=registration.aws_registration_id)
    except PermanentAwsError as exc:
        if exc.code == "ConflictException":
            raise RegistrationNotClosedYet(
                operation=exc.operation, code=exc.code, message=exc.message, reason=exc.reason
            ) from exc
        if exc.code != NOT_FOUND:
            lifecycle.note(request, event=events.registration_delete_failed(exc.code, exc.message))
            return registration
    with transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(
            aws_status=Aws.DELETED, aws_status_changed_at=timezone.now()
        )
        lifecycle.note(request, event=events.registration_deleted(registration.aws_registration_id))
    return registration


def registration_delete_gave_up(*, registration_id: int, message: str) -> None:
    """The task's retries ran out: staff must delete the registration by hand (timeline says so)."""
    registration = Registration.objects.select_related("request").filter(pk=registration_id).first()
    if registration is not None:
        lifecycle.note(
            registration.request, event=events.registration_delete_failed("ConflictException", message)
        )
