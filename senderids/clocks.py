"""Clocks on a request: how long it has been in its status, how long AWS has had it, AWS's published
estimate for its country, and the flags support staff watch (past the estimate, no AWS progress for
days, CREATED more than 24 h after submission — AWS advises opening a case then).

Pure reads: the detail page computes one clock from the request and its prefetched events; tracking
asks the database for the flagged rows with `attention_q` (one query, whatever the number of rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from countries.eta import Eta, published_eta, published_etas

from .choices import Status
from .models import SenderIdRequest, StatusEvent

# AWS has the request and nobody here can do anything but wait: the statuses the clocks watch.
WAITING_ON_AWS = frozenset({Status.REGISTRATION_SUBMITTED, Status.SUPPORT_CASE_OPEN})
# The status a request enters when AWS gets it: the start of AWS's clock.
SUBMITTED_STATUSES = frozenset({Status.REGISTRATION_SUBMITTED, Status.SUPPORT_CASE_OPEN, Status.ACTIVE})
# AWS's troubleshooting advice: a registration still CREATED a day after submission needs a case.
CREATED_TOO_LONG = timedelta(hours=24)


def no_progress_after() -> timedelta:
    return timedelta(days=settings.SENDERIDS_NO_PROGRESS_DAYS)


@dataclass(frozen=True)
class Flag:
    code: str  # past_estimate | no_progress | created_too_long
    text: str


@dataclass
class Clock:
    in_status: timedelta  # time in the current status
    status_since: datetime
    submitted_at: datetime | None  # when AWS got it (None: not yet)
    with_aws: timedelta | None  # time since then
    eta: Eta | None  # AWS's published estimate for the country (None: none published)
    flags: list[Flag] = field(default_factory=list)


def first_submission(events: list[StatusEvent]) -> datetime | None:
    """When AWS got the request: its first move into a submitted status (events oldest first)."""
    return next((e.created_at for e in events if e.to_status in SUBMITTED_STATUSES), None)


def clock_for(request: SenderIdRequest, *, now: datetime, events: list[StatusEvent] | None = None) -> Clock:
    events = list(events if events is not None else request.events.order_by("created_at", "pk"))
    return _clock(request, first_submission(events), now=now)


def _clock(request: SenderIdRequest, submitted_at: datetime | None, *, now: datetime) -> Clock:
    clock = Clock(
        in_status=now - request.status_changed_at,
        status_since=request.status_changed_at,
        submitted_at=submitted_at,
        with_aws=None if submitted_at is None else now - submitted_at,
        eta=published_eta(request.country_id),
    )
    clock.flags = flags_for(request, clock, now=now)
    return clock


def flags_for(request: SenderIdRequest, clock: Clock, *, now: datetime) -> list[Flag]:
    if request.status not in WAITING_ON_AWS:
        return []
    flags = []
    if clock.eta and clock.submitted_at and now - clock.submitted_at > timedelta(days=clock.eta.max_days):
        flags.append(
            Flag(
                "past_estimate",
                _("Past AWS's estimate of %(days)d days for this country.") % {"days": clock.eta.max_days},
            )
        )
    if clock.in_status > no_progress_after():
        flags.append(
            Flag("no_progress", _("No progress from AWS for %(days)d days.") % {"days": clock.in_status.days})
        )
    if (
        request.status == Status.REGISTRATION_SUBMITTED
        and (request.aws_status or "").upper() == "CREATED"
        and clock.submitted_at
        and now - clock.submitted_at > CREATED_TOO_LONG
    ):
        flags.append(
            Flag(
                "created_too_long",
                _(
                    "AWS still shows the registration as CREATED a day after submission: AWS advises "
                    "opening a support case."
                ),
            )
        )
    return flags


def row_flags(request: SenderIdRequest, *, now: datetime) -> list[Flag]:
    """The flags of a row read by `with_submitted_at` (tracking's pages, the staff digest): no query."""
    return _clock(request, getattr(request, "submitted_at", None), now=now).flags


# --- tracking: the flagged rows in one query ----------------------------------------------------------
def with_submitted_at(queryset: QuerySet[SenderIdRequest]) -> QuerySet[SenderIdRequest]:
    first = (
        StatusEvent.objects.filter(request=OuterRef("pk"), to_status__in=SUBMITTED_STATUSES)
        .order_by()
        .values("request")
        .annotate(at=Min("created_at"))
        .values("at")
    )
    return queryset.annotate(submitted_at=Subquery(first[:1]))


def attention_q(*, now: datetime) -> Q:
    """Requests support staff should look at (use on `with_submitted_at` querysets)."""
    waiting = Q(status__in=WAITING_ON_AWS)
    past_estimate = Q(pk__in=[])
    for iso, eta in published_etas().items():
        past_estimate |= Q(country_id=iso, submitted_at__lt=now - timedelta(days=eta.max_days))
    stale = Q(status_changed_at__lt=now - no_progress_after())
    created = Q(
        status=Status.REGISTRATION_SUBMITTED,
        aws_status__iexact="CREATED",
        submitted_at__lt=now - CREATED_TOO_LONG,
    )
    return waiting & (past_estimate | stale | created)
