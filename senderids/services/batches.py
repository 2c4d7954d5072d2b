"""Several requests made together (a multi-country wizard run, a CSV import) and approving them together.

A batch is all or nothing: every child request is created in one transaction, after the team's row is
locked and every child checked against the team's open requests, so a double click or a teammate racing
the same import never makes twins and never leaves half a batch. Each child is then an ordinary
request: its own process, approval, AWS calls and lifecycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from countries.models import Country
from smsvoice.models import AwsAccount
from teams.models import Team

from .. import lifecycle
from ..choices import Status
from ..models import RequestBatch, SenderIdRequest
from ..permissions import can_approve
from ..selectors import sender_id_request_open_duplicates
from .requests import request_placement, sender_id_request_approve, sender_id_request_create

# A wizard run or an import larger than this is refused before anything is saved (the review page,
# the approver's page and the rate budget are sized for it).
BATCH_MAX_REQUESTS = 250


@dataclass(frozen=True)
class BatchChild:
    """One country of a batch: what differs from one child to the next."""

    country: Country
    sender_id: str
    aws_account: AwsAccount | None = None
    aws_region: str = ""
    registration_form_name: str = ""
    registration_choice: str = ""
    support_case_details: dict[str, Any] = field(default_factory=dict)
    message_type: str = ""  # "" = the batch's


class BatchDuplicates(Exception):
    """Children the team already has open requests for: nothing was saved."""

    def __init__(self, duplicates: dict[tuple[str, str], SenderIdRequest]):
        super().__init__(f"open requests exist for {sorted(duplicates)}")
        self.duplicates = duplicates


@transaction.atomic
def batch_create(
    *,
    owner: AbstractBaseUser,
    children: Sequence[BatchChild],
    message_type: str,
    source: str = RequestBatch.Source.WIZARD,
    team: Team | None = None,
    **shared: Any,
) -> RequestBatch:
    """Create a batch and one request per child (placement checked as for one request), or nothing.

    `shared` are the answers every child has in common (sms, voice, monthly_volume, company_hq).
    Raises BatchDuplicates, or what `request_placement` raises (PermissionDenied, ValidationError).
    """
    if not children:
        raise ValueError("a batch needs at least one request")
    if len(children) > BATCH_MAX_REQUESTS:
        raise ValueError(f"a batch holds at most {BATCH_MAX_REQUESTS} requests")
    placed = []
    for child in children:
        child_team, account, region = request_placement(
            owner=owner,
            country=child.country,
            team=team,
            aws_account=child.aws_account,
            aws_region=child.aws_region,
        )
        team = child_team
        placed.append((child, account, region))
    assert team is not None
    # Serialise with every other creation for this team (sender_id_request_create_unique does the same).
    Team.objects.select_for_update().filter(pk=team.pk).values_list("pk").first()
    duplicates = sender_id_request_open_duplicates(
        team_id=team.pk,
        wanted=[(c.country.iso_code, c.sender_id, c.country.keeps_case) for c in children],
    )
    if duplicates:
        raise BatchDuplicates(duplicates)
    batch = RequestBatch.objects.create(team=team, owner=owner, source=source)
    for child, account, region in placed:
        sender_id_request_create(
            owner=owner,
            country=child.country,
            sender_id=child.sender_id,
            message_type=child.message_type or message_type,
            registration_form_name=child.registration_form_name,
            registration_choice=child.registration_choice,
            support_case_details=child.support_case_details,
            team=team,
            aws_account=account,
            aws_region=region,
            placed=True,
            batch=batch,
            **shared,
        )
    return batch


def batch_approve(
    *, batch: RequestBatch, actor: AbstractBaseUser, request_ids: Sequence[int] | None = None
) -> tuple[list[SenderIdRequest], list[SenderIdRequest]]:
    """Approve the batch's children waiting for review (or only `request_ids` among them).

    Returns (approved, skipped): a child not waiting for review, or outside the approver's scope, is
    skipped and named, never silently dropped. Each approval is its own transaction (and enqueues its
    own submission), so one child refused does not undo the others.
    """
    children = batch.requests.select_related("country", "team").order_by("pk")
    if request_ids is not None:
        children = children.filter(pk__in=list(request_ids))
    approved: list[SenderIdRequest] = []
    skipped: list[SenderIdRequest] = []
    for child in children:
        if child.status != Status.PENDING_REVIEW or not can_approve(actor, child):
            skipped.append(child)
            continue
        try:
            sender_id_request_approve(request=child, actor=actor)
        except lifecycle.IllegalTransition:  # decided by someone else meanwhile
            skipped.append(child)
            continue
        approved.append(child)
    return approved, skipped
