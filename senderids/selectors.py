"""Reads of sender-ID requests for the pages (home, detail, My sender IDs, tracking, the wizard's checks).

Every function here runs a fixed number of queries whatever the number of requests or events:
related rows come with select_related / one prefetch, never per row. What a user may see is decided
by senderids.permissions, used here by every "for viewer" read.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone, translation
from django_countries import countries as country_names

import caching
from countries.models import Country, fold_name
from smsvoice.models import AwsAccount
from smsvoice.selectors import region_for
from teams.models import Team
from teams.selectors import accounts_for_team, team_for_user, team_ids_of

from . import registry
from .choices import RegistrationChoice, Status
from .clocks import attention_q, with_submitted_at
from .lifecycle import HELD_STATUSES, OPEN_STATUSES, REGISTRATION_PENDING_STATUSES
from .models import NotificationPreference, RequestBatch, SenderIdRequest, StaffNote, StatusEvent
from .paginators import cached_count
from .permissions import visible_requests

HOME_PAGE_SIZE = 25


def _of_my_teams(user: AbstractBaseUser) -> QuerySet[SenderIdRequest]:
    """The requests of the user's teams (what "mine" means for a business user and for staff alike)."""
    if not user.is_authenticated:
        return SenderIdRequest.objects.none()
    # The teams' ids (read once per request), not a join through memberships: (team, …) indexes serve.
    return SenderIdRequest.objects.filter(team_id__in=team_ids_of(user))


# What the home page's lists show of a request, its country and its account: reading every column of
# four tables (the owner's among them) and building those instances cost more than the queries.
MEMBER_LIST_FIELDS = (
    "id", "team_id", "sender_id", "process", "message_type", "status", "status_changed_at", "created_at",
    "aws_region", "registration_choice", "country__iso_code", "country__name", "aws_account__name",
)  # fmt: skip


def sender_id_request_list_for_member(*, user: AbstractBaseUser) -> QuerySet[SenderIdRequest]:
    """The user's teams' requests, newest first, with their country and account (one query per page)."""
    return (
        _of_my_teams(user)
        .select_related("country", "aws_account")
        .only(*MEMBER_LIST_FIELDS)
        .order_by("-created_at", "-pk")
    )


class _CachedCountPaginator(Paginator):
    """Its count (a COUNT(*) over the team's thousands of requests) from the read cache."""

    @functools.cached_property
    def count(self) -> int:
        return cached_count(self.object_list)


def sender_id_request_page_for_member(*, user: AbstractBaseUser, page: object = 1) -> Page:
    """One page of the user's teams' requests: two queries (count + rows) whatever their number; the
    count from the read cache while the teams' requests are unchanged."""
    return _CachedCountPaginator(sender_id_request_list_for_member(user=user), HOME_PAGE_SIZE).get_page(page)


def sender_id_requests_registering_later(*, user: AbstractBaseUser, limit: int = 10) -> list[SenderIdRequest]:
    """The team's requests where "Register later" was chosen and the registration is still to be done.

    The one definition of the home page's "Registrations to complete" reminder.
    """
    waiting = sender_id_request_list_for_member(user=user).filter(
        registration_choice=RegistrationChoice.LATER, status__in=REGISTRATION_PENDING_STATUSES
    )
    # Once the owner has pressed "Submit" on the form there is nothing left for them to do.
    return list(registry.exclude_done(waiting)[:limit])


# The team must act for these to move on (AWS waits for them, or AWS refused and a retry is theirs).
MUST_ACT_STATUSES = (Status.REQUIRES_UPDATES, Status.ACTION_REQUIRED, Status.FAILED)


def sender_id_requests_needing_action(*, user: AbstractBaseUser, limit: int = 20) -> list[SenderIdRequest]:
    """The team's requests waiting for the team ("what needs my action" on the home page), oldest
    change first: one query."""
    return list(
        sender_id_request_list_for_member(user=user)
        .filter(status__in=MUST_ACT_STATUSES)
        .order_by("status_changed_at", "pk")[:limit]
    )


def sender_id_request_for_viewer(
    *, user: AbstractBaseUser, pk: int, with_timeline: bool = False
) -> SenderIdRequest | None:
    """The request (+ country, owner) if `user` may see it, else None (the view answers 404).

    `with_timeline` adds its events (+ actor) in one more query.
    """
    qs = SenderIdRequest.objects.select_related("country", "owner", "team", "aws_account")
    if with_timeline:
        qs = qs.prefetch_related(
            Prefetch(
                "events", queryset=StatusEvent.objects.select_related("actor").order_by("created_at", "pk")
            )
        )
    return visible_requests(qs, user=user).filter(pk=pk).first()


def sender_id_request_open_duplicate(
    *,
    team_id: int,
    country_iso: str,
    sender_id: str,
    case_sensitive: bool = False,
    aws_account_id: int | None = None,
) -> SenderIdRequest | None:
    """The team's open request (requested or active) for this sender ID in this country (and account,
    when given: another account's sender ID is another sender ID), if any.

    Sender IDs are compared without case unless the country treats them as case-sensitive.
    """
    found = sender_id_request_open_duplicates(
        team_id=team_id, wanted=[(country_iso, sender_id, case_sensitive)], aws_account_id=aws_account_id
    )
    return next(iter(found.values()), None)


def duplicate_key(iso: str, sender_id: str, case_sensitive: bool) -> tuple[str, str]:
    """How two sender IDs in one country are the same: as typed where the country keeps case, else
    without case (what `sender_id_request_open_duplicates` answers by)."""
    return iso, sender_id if case_sensitive else sender_id.casefold()


def sender_id_request_open_duplicates(
    *, team_id: int, wanted: list[tuple[str, str, bool]], aws_account_id: int | None = None
) -> dict[tuple[str, str], SenderIdRequest]:
    """The team's open requests for several (country ISO, sender ID, case-sensitive) at once, in one
    query: {`duplicate_key`: the newest such request}, for those that have one. A country may come back
    several times (a CSV import asks for several sender IDs in one country)."""
    if not wanted:
        return {}
    sensitive = {iso: case_sensitive for iso, _sender_id, case_sensitive in wanted}
    match = Q()
    for iso, sender_id, case_sensitive in wanted:
        same = Q(sender_id=sender_id) if case_sensitive else Q(sender_id__iexact=sender_id)
        match |= Q(country_id=iso) & same
    rows = SenderIdRequest.objects.filter(match, team_id=team_id, status__in=OPEN_STATUSES)
    if aws_account_id is not None:
        rows = rows.filter(aws_account_id=aws_account_id)
    found: dict[tuple[str, str], SenderIdRequest] = {}
    for row in (
        rows.select_related("country")
        .only("pk", "sender_id", "country_id", "status", "country__name", "country__iso_code")
        .order_by("-created_at", "-pk")
    ):
        found.setdefault(duplicate_key(row.country_id, row.sender_id, sensitive[row.country_id]), row)
    return found


def team_sender_id_countries(*, user: AbstractBaseUser) -> list[str]:
    """ISO codes of the countries where the user's team holds sender IDs, by country name."""
    team = team_for_user(user) if user.is_authenticated else None
    if team is None:
        return []
    # A big team holds thousands of sender IDs in a handful of countries: one EXISTS probe of the
    # (team, status, country) index per country, not a DISTINCT over all of the team's rows.
    held = SenderIdRequest.objects.filter(team=team, status__in=HELD_STATUSES, country_id=OuterRef("pk"))
    rows = Country.objects.filter(Exists(held)).order_by("name_folded", "iso_code")
    return list(rows.values_list("iso_code", flat=True))


def sender_ids_held_by_member(*, user: AbstractBaseUser) -> list[SenderIdRequest]:
    """The user's teams' active (and releasing) sender IDs, by account, Region, country name, sender ID.

    Each carries `process_label`: what its process says of it (registration status, support case...),
    one query per process whatever the number of rows.
    """
    rows = list(
        _of_my_teams(user)
        .filter(status__in=HELD_STATUSES)
        .select_related("country", "aws_account", "team")
        .order_by("aws_account__name", "aws_region", "country__name", "country_id", "sender_id", "pk")
    )
    labels = registry.sender_id_labels(rows)
    for row in rows:
        row.process_label = labels.get(row.pk, "")
    return rows


def sender_id_request_get_for_member(*, user: AbstractBaseUser, pk: int) -> SenderIdRequest | None:
    """The request if it is one of the user's teams' (release pages: staff act from admin), else None."""
    return _of_my_teams(user).select_related("country", "aws_account").filter(pk=pk).first()


# --- where a new request goes: (AWS account, Region) ------------------------------------------------
@dataclass(frozen=True)
class Placement:
    """An (AWS account, Region) a request can be created in; ``key`` is how forms carry it."""

    account: AwsAccount
    region: str

    @property
    def key(self) -> str:
        return f"{self.account.pk}:{self.region}"

    @property
    def label(self) -> str:
        return f"{self.account.name} · {self.region}"


def placement_options(*, user: AbstractBaseUser) -> list[Placement]:
    """Every (account, Region) the user's team may create requests in, default account and Region first."""
    accounts = accounts_for_team(team_for_user(user)) if user.is_authenticated else accounts_for_team(None)
    return [Placement(account, region) for account in accounts for region in account.enabled_regions]


def routed_placement(
    iso_country_code: str, options: list[Placement], routes: dict[str, list[str]]
) -> Placement | None:
    """The placement the routing table picks for a country: the team's first account, in the first of
    the country's preferred Regions that account has enabled, else its default Region."""
    if not options:
        return None
    account = options[0].account
    return Placement(
        account, region_for(iso_country_code, account, preferences=routes.get(iso_country_code, []))
    )


@dataclass(frozen=True)
class BatchChildRow:
    """One child of a batch as its page shows it: what it is, where it stands, what to do next."""

    request: SenderIdRequest
    url: str
    process_url: str
    needs_action: bool
    registration_to_fill: bool


def batch_for_viewer(*, user: AbstractBaseUser, pk: int) -> RequestBatch | None:
    """The batch if the user may see it (its team's members; staff as for requests), else None."""
    return (
        visible_requests(RequestBatch.objects.filter(pk=pk), user=user)
        .select_related("team", "owner")
        .first()
    )


def batch_children(*, batch: RequestBatch) -> list[BatchChildRow]:
    """Every child of the batch, by country name: one query for the rows, one per process for links."""
    children = list(
        batch.requests.select_related("country", "aws_account").order_by("country__name_folded", "pk")
    )
    to_fill = {r.pk for r in registry.exclude_done(
        batch.requests.filter(status__in=REGISTRATION_PENDING_STATUSES)
    )}  # fmt: skip
    return [
        BatchChildRow(
            request=r,
            url=reverse("senderids:detail", args=[r.pk]),
            process_url=registry.detail_url(r) or "",
            needs_action=r.status in MUST_ACT_STATUSES or r.pk in to_fill,
            registration_to_fill=r.pk in to_fill,
        )
        for r in children
    ]


def batch_status_counts(rows: list[BatchChildRow]) -> list[tuple[str, str, int]]:
    """(status, label, count) of the batch's children, most frequent first."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.request.status] = counts.get(row.request.status, 0) + 1
    return [
        (status, str(Status(status).label) if status in Status.values else status, n)
        for status, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


# --- who is told: a team's members and their notification preferences -------------------------------
def preference_of(user: AbstractBaseUser) -> NotificationPreference:
    """The user's preference; an unsaved default (every change, the site's language) if they never chose."""
    try:
        return user.notification_preference  # type: ignore[attr-defined]
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def language_of(preference: NotificationPreference) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return preference.language if preference.language in codes else settings.LANGUAGE_CODE


def team_members_reachable(team_id: int, *, user_id: int | None = None) -> list[Any]:
    """The team's active members who have an email address, their preferences with them (one query)."""
    users = (
        get_user_model()
        .objects.filter(team_memberships__team_id=team_id, is_active=True)
        .exclude(email="")
        .select_related("notification_preference")
        .order_by("pk")
    )
    return list(users.filter(pk=user_id) if user_id is not None else users)


# --- tracking (support staff, admins): filters, search, counts, sort ----------------------------------
# `?sort=` keys and the columns they order by (then pk, so pages are stable); "-key" is descending.
TRACKING_SORTS: dict[str, tuple[str, ...]] = {
    "id": ("pk",),
    "sender_id": ("sender_id",),
    "country": ("country__name_folded", "country_id"),
    "team": ("team__name", "owner__username"),
    "placement": ("aws_account__name", "aws_region"),
    "status": ("status",),
    "aws_status": ("aws_status",),
    "created": ("created_at",),
    "changed": ("status_changed_at",),
}
TRACKING_DEFAULT_SORT = "-created"
# A request number typed in the search box: more digits than a bigint holds is no request number.
_MAX_PK_DIGITS = 18
# Up to this many matches, a search is a list of ids (tracking_search_q).
_SEARCH_IDS_MAX = 10_000


def tracking_sort(value: object) -> str:
    """`value` if it is a whitelisted sort key (optionally "-"-prefixed), else the default."""
    if isinstance(value, str) and value.removeprefix("-") in TRACKING_SORTS:
        return value
    return TRACKING_DEFAULT_SORT


def _tracking_order(qs: QuerySet[SenderIdRequest], sort: str) -> QuerySet[SenderIdRequest]:
    sort = tracking_sort(sort)
    prefix = "-" if sort.startswith("-") else ""
    fields = (*TRACKING_SORTS[sort.removeprefix("-")], "pk")
    return qs.order_by(*dict.fromkeys(f"{prefix}{name}" for name in fields))


@functools.cache
def _folded_country_names(language: str) -> tuple[tuple[str, str], ...]:
    """(ISO code, fold_name()d django-countries name) in `language`: the catalogue is fixed for the
    process, so each language is folded once, not on every search."""
    with translation.override(language):
        return tuple((code, fold_name(str(name))) for code, name in country_names)


def country_codes_named(folded: str) -> set[str]:
    """ISO codes of the countries whose django-countries name, in the reader's language or in English,
    contains `folded` (a fold_name()d term). No query: the names are django-countries' catalogue."""
    if not folded:
        return set()
    languages = {translation.get_language() or "en", "en"}
    return {code for lang in languages for code, name in _folded_country_names(lang) if folded in name}


def tracking_search_q(term: str) -> Q:
    """What one search box term matches: sender ID, owner (username, email, name), team, country (name
    in English or the reader's language, ISO code), Region, sender ID ARN, request number, and what each
    process identifies by it (AWS registration id, support case id: senderids.registry).

    One ``pk IN (… UNION …)``: each kind of match is its own subquery over its own table (an indexed
    one on PostgreSQL: trigram GIN on the sender ID and ARN, senderids 0016), never an OR over joins
    that would read every request through five tables."""
    requests = SenderIdRequest.objects.order_by()
    owner = Q(username__icontains=term) | Q(email__icontains=term)
    owner |= Q(first_name__icontains=term) | Q(last_name__icontains=term)
    first, _sep, last = term.partition(" ")
    if last.strip():
        owner |= Q(first_name__icontains=first, last_name__icontains=last.strip())
    branches = [
        requests.filter(sender_id__icontains=term),
        requests.filter(team__in=Team.objects.filter(name__icontains=term).values("pk")),
        requests.filter(owner__in=get_user_model().objects.filter(owner).values("pk")),
        requests.filter(aws_sender_id_arn__icontains=term),
        requests.filter(aws_region__iexact=term),
    ]
    folded = fold_name(term)
    countries = []
    if folded:
        countries += [Q(name_folded__contains=folded), Q(iso_code__in=country_codes_named(folded))]
    if len(term) == 2 and term.isascii() and term.isalpha():
        countries.append(Q(iso_code=term.upper()))
    if countries:
        named = Country.objects.filter(reduce(operator.or_, countries)).values("pk")
        branches.append(requests.filter(country__in=named))
    number = term.removeprefix("#")
    if number.isascii() and number.isdigit() and len(number) <= _MAX_PK_DIGITS:
        branches.append(requests.filter(pk=int(number)))
    # Each process's match (its own record's AWS id) is a branch of its own, for the same reason.
    for process in registry.all_processes():
        if process.tracking is not None and process.tracking.search_q is not None:
            branches.append(requests.filter(process.tracking.search_q(term)))
    head, *rest = [branch.values("pk") for branch in branches]
    matches = head.union(*rest)
    # Read once, the page's count and rows then fetch these rows by primary key (the planner cannot
    # estimate how many rows the union finds, and would rather read the whole table to join them).
    # A term that matches most of the table stays a subquery (no list of tens of thousands of ids).
    # The ids come from the read cache while no table the search reads has changed (the key names the
    # reader's language: country names are searched in it).
    ids = caching.cached(
        f"tracking:search:{translation.get_language()}:{caching.digest(term)}",
        lambda: _ids_up_to(matches, _SEARCH_IDS_MAX),
        depends=_SEARCH_DEPENDS,
    )
    return Q(pk__in=matches) if ids is None else _pk_in(ids)


# Every app whose tables tracking_search_q reads (its own and each process's).
_SEARCH_DEPENDS = ("senderids", "teams", "auth", "countries", "registrations", "supportcases")


def _ids_up_to(matches: QuerySet, limit: int) -> list[int] | None:
    """The ids `matches` finds, or None when more than `limit` do."""
    ids = [row["pk"] for row in matches[: limit + 1]]
    return ids if len(ids) <= limit else None


class _EqualsAny(Func):
    """``<expression> = ANY(<array parameter>)`` (PostgreSQL)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def _pk_in(ids: list[int]) -> Q:
    """``pk IN ids``; on PostgreSQL ``pk = ANY(%s)`` with the ids as one array parameter: a search
    that matches a thousand rows would otherwise run the ORM's per-value preparation a thousand
    times, for the counts and again for the page."""
    if connection.vendor != "postgresql":
        return Q(pk__in=ids)
    return Q(_EqualsAny(F("pk"), Value(ids)))


def _tracking_filter(
    qs: QuerySet[SenderIdRequest],
    *,
    q: str | Q = "",
    country: Country | None = None,
    placement: tuple[int, str] | None = None,
    aws_status: str = "",
    created_within: int | None = None,
    older_than: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    attention: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[SenderIdRequest]:
    """Every tracking filter but the status (the counts are per status of this set)."""
    now = now or timezone.now()
    if attention:
        qs = qs.filter(attention_q(now=now))
    if q:
        # `q`: the search box's term, or its tracking_search_q already (the page resolves it once for
        # its counts and its rows).
        qs = qs.filter(q if isinstance(q, Q) else tracking_search_q(q))
    if country:
        qs = qs.filter(country=country)
    if placement:
        account_id, region = placement
        qs = qs.filter(aws_account_id=account_id, **({"aws_region": region} if region else {}))
    if aws_status:
        qs = qs.filter(registry.tracking_aws_status_q(aws_status))
    if created_within:
        qs = qs.filter(created_at__gte=now - dt.timedelta(days=created_within))
    if older_than:
        qs = qs.filter(created_at__lt=now - dt.timedelta(days=older_than))
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(
            created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return qs


def _tracked_base(viewer: AbstractBaseUser | None, *, submitted_at: bool = True) -> QuerySet[SenderIdRequest]:
    qs = with_submitted_at(SenderIdRequest.objects.all()) if submitted_at else SenderIdRequest.objects.all()
    return qs if viewer is None else visible_requests(qs, user=viewer)


def sender_id_requests_tracked(
    *,
    viewer: AbstractBaseUser | None = None,
    status: str = "",
    sort: str = TRACKING_DEFAULT_SORT,
    **filters: Any,
) -> QuerySet[SenderIdRequest]:
    """Every request matching the tracking filters (those `viewer` may see, when given), in `sort`
    order, each with `submitted_at` (when AWS got it: what the clocks need) and its owner, country, team
    and account. `attention`: only the flagged ones. One query per page, whatever the filters."""
    qs = _tracking_filter(_tracked_base(viewer), **filters)
    if status:
        qs = qs.filter(status=status)
    return _tracking_order(qs.select_related("owner", "country", "team", "aws_account"), sort)


def tracking_status_counts(*, viewer: AbstractBaseUser | None = None, **filters: Any) -> dict[str, int]:
    """{status: number of requests} of the tracking filters without the status one: one grouped query."""
    filters.pop("status", None)
    filters.pop("sort", None)
    # `submitted_at` only when the attention filter needs it: the grouped query stays a plain one.
    base = _tracked_base(viewer, submitted_at=bool(filters.get("attention")))
    rows = _tracking_filter(base, **filters).order_by().values("status")
    # COUNT(*), not COUNT(id): the status index alone can answer it (an index-only scan).
    return {row["status"]: row["n"] for row in rows.annotate(n=Count("*"))}


# --- internal staff notes on a request ---------------------------------------------------------------
def staff_notes_for(*, request: SenderIdRequest) -> list[StaffNote]:
    """The request's staff notes, newest first, with their authors (one query). Staff only: callers
    check the viewer (senderids.services.notes)."""
    notes = StaffNote.objects.filter(request=request).select_related("author")
    return list(notes.order_by("-created_at", "-pk"))
