"""Creating a request, and the approver's decisions on it (approve, reject, retry after a failure)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from countries.models import Country
from countries.selectors import sender_id_process_for
from smsvoice.models import AwsAccount
from smsvoice.selectors import region_for
from teams.models import Team
from teams.selectors import accounts_for_team
from teams.services import team_ensure_for

from .. import events, lifecycle, registry
from ..choices import Status
from ..enqueue import enqueue_on_commit
from ..models import RequestBatch, SenderIdRequest, StatusEvent
from ..permissions import require_approver
from ..selectors import sender_id_request_open_duplicate

REJECTION_REASON_MAX_LENGTH = 2000
SUBMIT_TASK = "senderids.tasks.submit_sender_id_request"


def enqueue_submission(request_id: int) -> None:
    """Queue the AWS submission once the surrounding transaction commits."""
    enqueue_on_commit(SUBMIT_TASK, request_id)


@transaction.atomic
def sender_id_request_create(
    *,
    owner: AbstractBaseUser,
    country: Country,
    sender_id: str,
    message_type: str,
    sms: bool = True,
    voice: bool = False,
    monthly_volume: str = "",
    company_hq: str = "",
    registration_form_name: str = "",
    registration_choice: str = "",
    support_case_details: dict[str, Any] | None = None,
    team: Team | None = None,
    aws_account: AwsAccount | None = None,
    aws_region: str = "",
    placed: bool = False,
    batch: RequestBatch | None = None,
) -> SenderIdRequest:
    """Create a request (status pending_review, or approved when approval is off) with its first event.

    It belongs to `team` (default: the owner's, made on first use) and lives in `aws_account` (default:
    the team's first account) and `aws_region` (default: the routing table's pick for the country).
    Its process is countries' `sender_id_process_for` in that Region for this message type (the one the
    wizard showed), stored so that a request in flight never changes process. Its process's `on_create`
    runs in the same transaction (e.g. the Registration row is created). `placed`: the caller already
    checked (team, account, Region) with `request_placement`. `batch`: the batch it is made in, if any.
    """
    if not (placed and team is not None and aws_account is not None and aws_region):
        team, aws_account, aws_region = request_placement(
            owner=owner, country=country, team=team, aws_account=aws_account, aws_region=aws_region
        )
    choice = sender_id_process_for(country, message_type=message_type, region=aws_region)
    request = SenderIdRequest.objects.create(
        owner=owner,
        team=team,
        aws_account=aws_account,
        aws_region=aws_region,
        country=country,
        sender_id=sender_id,
        process=choice.process,
        message_type=message_type,
        sms=sms,
        voice=voice,
        monthly_volume=monthly_volume,
        company_hq=company_hq,
        registration_form_name=registration_form_name,
        registration_choice=registration_choice,
        support_case_details=support_case_details or {},
        batch=batch,
    )
    lifecycle.record_creation(request, event=events.requested(owner))
    process = registry.find(request.process)
    if process is not None and process.on_create is not None:
        process.on_create(request)
    if not settings.SENDERIDS_REQUIRE_APPROVAL:
        lifecycle.transition(request, Status.APPROVED, event=events.auto_approved())
        enqueue_submission(request.pk)
    return request


def request_placement(
    *,
    owner: AbstractBaseUser,
    country: Country,
    team: Team | None = None,
    aws_account: AwsAccount | None = None,
    aws_region: str = "",
) -> tuple[Team, AwsAccount, str]:
    """(team, account, Region) a new request goes to, checked: the owner must be in the team, the team
    may use the account, the account must have the Region enabled."""
    if team is None:
        team = team_ensure_for(owner)  # the owner's own team: a member by construction
    elif not team.memberships.filter(user=owner).exists():
        raise PermissionDenied("the owner is not a member of this team")
    allowed = accounts_for_team(team)
    if not allowed:
        raise ValidationError(_("No AWS account is configured for your team. Ask an administrator."))
    if aws_account is None:
        aws_account = allowed[0]
    elif aws_account.pk not in {a.pk for a in allowed}:
        raise PermissionDenied("this team may not use that AWS account")
    if not aws_region:
        aws_region = region_for(country.iso_code, aws_account)
    elif aws_region not in (aws_account.regions or []):
        raise ValidationError(
            _("%(region)s is not enabled in the AWS account %(account)s.")
            % {"region": aws_region, "account": aws_account.name}
        )
    return team, aws_account, aws_region


class DuplicateSenderIdRequest(Exception):
    """The team already has an open request for this sender ID in this country and account."""

    def __init__(self, existing: SenderIdRequest):
        super().__init__(f"open request #{existing.pk} exists")
        self.existing = existing


@transaction.atomic
def sender_id_request_create_unique(
    *, owner: AbstractBaseUser, country: Country, sender_id: str, **fields: Any
) -> SenderIdRequest:
    """`sender_id_request_create`, refusing a duplicate of one of the team's open requests.

    The team's row is locked first, so two submissions racing (double click, two tabs, two teammates)
    are serialised and the second one sees the first one's request instead of creating a twin.
    """
    team, account, region = request_placement(
        owner=owner,
        country=country,
        team=fields.pop("team", None),
        aws_account=fields.pop("aws_account", None),
        aws_region=fields.pop("aws_region", ""),
    )
    Team.objects.select_for_update().filter(pk=team.pk).values_list("pk").first()
    existing = sender_id_request_open_duplicate(
        team_id=team.pk,
        country_iso=country.iso_code,
        sender_id=sender_id,
        case_sensitive=country.keeps_case,
        aws_account_id=account.pk,
    )
    if existing is not None:
        raise DuplicateSenderIdRequest(existing)
    return sender_id_request_create(
        owner=owner,
        country=country,
        sender_id=sender_id,
        team=team,
        aws_account=account,
        aws_region=region,
        placed=True,
        **fields,
    )


def sender_id_request_approve(*, request: SenderIdRequest, actor: AbstractBaseUser) -> StatusEvent:
    """pending_review → approved by an approver; the AWS submission is enqueued on commit."""
    require_approver(actor, request)
    with transaction.atomic():
        event = lifecycle.transition(
            request, Status.APPROVED, event=events.approved(actor), expected_from=Status.PENDING_REVIEW
        )
        enqueue_submission(request.pk)
    return event


def rejection_reason_clean(reason: str) -> str:
    """The reason the owner will read: required, at most REJECTION_REASON_MAX_LENGTH characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection: the requester will read it."))
    if len(reason) > REJECTION_REASON_MAX_LENGTH:
        raise ValidationError(
            _("The reason is too long (%(length)d characters; at most %(max)d).")
            % {"length": len(reason), "max": REJECTION_REASON_MAX_LENGTH}
        )
    return reason


def sender_id_request_reject(
    *, request: SenderIdRequest, actor: AbstractBaseUser, reason: str
) -> StatusEvent:
    """pending_review (or approved, before the worker claims it) → rejected, with the reason kept."""
    require_approver(actor, request)
    reason = rejection_reason_clean(reason)
    return lifecycle.transition(request, Status.REJECTED, event=events.rejected(actor, reason))


def sender_id_request_retry(*, request: SenderIdRequest, actor: AbstractBaseUser) -> StatusEvent:
    """failed → approved with a fresh ClientToken (the old token's request failed), resubmitted on commit.

    Only for processes that say a retry is safe (senderids.registry `retryable`: a sender ID requested
    directly, a support case); a registration has its own record at AWS and is resubmitted from its page.
    """
    require_approver(actor, request)
    process = registry.find(request.process)
    if process is None or not process.retryable:
        raise lifecycle.IllegalTransition(f"retry is not offered for the process {request.process!r}")
    with transaction.atomic():
        event = lifecycle.transition(
            request,
            Status.APPROVED,
            event=events.retried(actor),
            expected_from=Status.FAILED,
            client_token=uuid.uuid4(),
            aws_error_code="",
            aws_error_message="",
        )
        enqueue_submission(request.pk)
    return event
