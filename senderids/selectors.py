"""Reads of sender-ID requests for the business user's pages (home, detail, the wizard's checks).

Every function here runs a fixed number of queries whatever the number of requests or events:
related rows come with select_related / one prefetch, never per row.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from .models import OPEN_STATUSES, RegistrationChoice, SenderIdRequest, Status, StatusEvent

HOME_PAGE_SIZE = 25

# A "Register later" request still needs its registration in these statuses; afterwards
# the registration has been sent to AWS (or the request is over).
REGISTRATION_PENDING_STATUSES = frozenset(
    {Status.PENDING_REVIEW, Status.APPROVED, Status.SUBMITTING, Status.REGISTRATION_DRAFT}
)


def sender_id_request_list_for_owner(*, owner: AbstractBaseUser) -> QuerySet[SenderIdRequest]:
    """The owner's requests, newest first, with their country (one query per page)."""
    return (
        SenderIdRequest.objects.filter(owner=owner).select_related("country").order_by("-created_at", "-pk")
    )


def sender_id_request_page_for_owner(*, owner: AbstractBaseUser, page: object = 1) -> Page:
    """One page of the owner's requests: two queries (count + rows) whatever their number."""
    return Paginator(sender_id_request_list_for_owner(owner=owner), HOME_PAGE_SIZE).get_page(page)


def sender_id_requests_registering_later(
    *, owner: AbstractBaseUser, limit: int = 10
) -> list[SenderIdRequest]:
    """Requests whose owner chose "Register later" and whose registration is still to be done.

    The one definition of the home page's "Registrations to complete" reminder.
    """
    return list(
        sender_id_request_list_for_owner(owner=owner)
        .filter(registration_choice=RegistrationChoice.LATER, status__in=REGISTRATION_PENDING_STATUSES)
        # Once the owner has pressed "Submit" on the form there is nothing left for them to do.
        .exclude(registration__submit_requested=True)[:limit]
    )


def sender_id_request_get_for_viewer(*, user: AbstractBaseUser, pk: int) -> SenderIdRequest | None:
    """The request with its whole timeline, if `user` may see it (its owner, or staff); else None.

    Two queries: the request (+ country, owner) and its events (+ actor).
    """
    qs = SenderIdRequest.objects.select_related("country", "owner").prefetch_related(
        Prefetch("events", queryset=StatusEvent.objects.select_related("actor").order_by("created_at", "pk"))
    )
    if not user.is_staff:
        qs = qs.filter(owner=user)
    return qs.filter(pk=pk).first()


def sender_id_request_open_duplicate(
    *, owner: AbstractBaseUser, country_iso: str, sender_id: str, case_sensitive: bool = False
) -> SenderIdRequest | None:
    """The owner's open request (requested or active) for this sender ID in this country, if any.

    Sender IDs are compared without case unless the country treats them as case-sensitive.
    """
    match = {"sender_id": sender_id} if case_sensitive else {"sender_id__iexact": sender_id}
    return (
        SenderIdRequest.objects.filter(owner=owner, country_id=country_iso, status__in=OPEN_STATUSES, **match)
        .only("pk", "sender_id", "country_id", "status")
        .order_by("-created_at")
        .first()
    )


# --- "My sender IDs" and release --------------------------------------------------------------------
# Sender IDs the owner holds at AWS: leased (and charged) until released.
HELD_STATUSES = (Status.ACTIVE, Status.RELEASING)


def sender_ids_held_by_owner(*, owner: AbstractBaseUser) -> list[SenderIdRequest]:
    """The owner's active (and releasing) sender IDs, by country name then sender ID: one query.

    Each carries `registration_aws_status`: AWS's raw status of its registration (registrations app),
    "" when there is none.
    """
    from django.apps import apps

    qs = (
        SenderIdRequest.objects.filter(owner=owner, status__in=HELD_STATUSES)
        .select_related("country")
        .order_by("country__name", "country_id", "sender_id", "pk")
    )
    if apps.is_installed("registrations"):
        from django.db.models import F

        qs = qs.annotate(registration_aws_status=F("registration__aws_status"))
    rows = list(qs)
    for row in rows:
        row.registration_aws_status = getattr(row, "registration_aws_status", None) or ""
    return rows


def sender_id_request_get_for_owner(*, owner: AbstractBaseUser, pk: int) -> SenderIdRequest | None:
    """The request if `owner` owns it (release pages: staff act from admin, not here), else None."""
    return SenderIdRequest.objects.select_related("country").filter(pk=pk, owner=owner).first()
