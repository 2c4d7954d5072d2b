"""Helpers the submission and release services share: AWS error text, retry notes, the sweepers' claim."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from smsvoice import gateway

from ..models import SenderIdRequest

logger = logging.getLogger(__name__)


def gateway_of(request: SenderIdRequest) -> gateway.SmsVoiceGateway:
    """The gateway of the request's AWS account and Region (where its sender ID lives)."""
    return gateway.gateway_for(request.aws_account, request.aws_region)


def note_retryable_error(request: SenderIdRequest, exc: Exception, *, status: str) -> None:
    """Not a transition: note what AWS said (support staff see it) on the row still in `status`, which
    keeps its claim for the task's retry. Touching updated_at tells the sweeper it is being worked on."""
    SenderIdRequest.objects.filter(pk=request.pk, status=status).update(
        aws_error_code=aws_code(exc)[:100],
        aws_error_message=aws_message(exc),
        updated_at=timezone.now(),
    )


def aws_code(exc: Exception) -> str:
    return str(getattr(exc, "code", "") or type(exc).__name__)


def aws_message(exc: Exception) -> str:
    return str(getattr(exc, "message", "") or exc)


def take_over_claim(request: SenderIdRequest, *, worker: str) -> None:
    """Not a transition: the worker now running the request's in-flight work says so (its liveness is
    what the sweeper watches)."""
    SenderIdRequest.objects.filter(pk=request.pk, status=request.status).update(
        claimed_by=worker[:200], updated_at=timezone.now()
    )
    request.claimed_by = worker[:200]


def aws_write_may_have_reached_aws(request: SenderIdRequest) -> bool:
    """True when an earlier attempt sent this status's AWS write (see `note_aws_write`) and died before
    recording AWS's answer: read what AWS has before writing again."""
    return bool(request.aws_write_in) and request.aws_write_in == request.status


def note_aws_write(request: SenderIdRequest) -> None:
    """Not a transition: written (committed at once, outside any transaction) just before the AWS write
    of the request's current status, so that a crash between AWS's answer and our commit is known."""
    SenderIdRequest.objects.filter(pk=request.pk, status=request.status).update(aws_write_in=request.status)
    request.aws_write_in = request.status


def sweep_claim(stale: QuerySet, *, now: datetime, enqueue: Callable[[int], None], what: str) -> list[int]:
    """Claim up to SENDERIDS_SWEEP_BATCH of the `stale` rows, oldest first, and re-enqueue them.

    `skip_locked` lets two sweepers share the work instead of queueing behind each other; each
    claimed row is touched (updated_at=now) so it waits a full threshold before the next nudge, and
    `enqueue` runs its task on commit. Returns the ids re-enqueued.
    """
    with transaction.atomic():
        ids = list(
            stale.order_by("updated_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: settings.SENDERIDS_SWEEP_BATCH]
        )
        if ids:
            # Touched, and the claim released: the next nudge waits a full threshold, and a dead
            # worker's request is re-enqueued once, not at every sweep until a worker takes it.
            SenderIdRequest.objects.filter(pk__in=ids).update(updated_at=now, claimed_by="")
            for pk in ids:
                enqueue(pk)
    if ids:
        logger.warning("sweeper: re-enqueued %d stuck %s: %s", len(ids), what, ids[:20])
    return ids
