"""Who may do what to a sender-ID request: the one place for object-level checks.

Views, admin actions and services ask here; a view answers 404 for a request its user may not see,
a service raises PermissionDenied for an action its actor may not take.

* A request belongs to a team. Every member sees it and edits its drafts, registration and support-case
  answers (role ``member``); releasing it takes the ``team admin`` role.
* Staff keep their global roles: support staff read everything, approvers (the approve permission)
  approve or reject, unless an ApproverScope limits them to some teams (then they see only those).
* Releasing on a team's behalf takes the staff release permission.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from teams.selectors import admin_team_ids, is_member, is_team_admin, scoped_team_ids, team_ids_of

from .models import SenderIdRequest

APPROVE_PERMISSION = "senderids.approve_senderidrequest"
RELEASE_PERMISSION = "senderids.release_senderidrequest"


def visible_requests(queryset: QuerySet[SenderIdRequest], *, user: AbstractBaseUser) -> QuerySet:
    """The requests of `queryset` that `user` may see: their teams', or every one for staff (a limited
    approver: their teams')."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_staff:
        scope = None if user.is_superuser else scoped_team_ids(user)
        return queryset if scope is None else queryset.filter(team_id__in=scope)
    # The teams' ids (read once per request), not a join through memberships: the team indexes serve.
    return queryset.filter(team_id__in=team_ids_of(user))


def visible_related(queryset: QuerySet, *, user: AbstractBaseUser, path: str = "request") -> QuerySet:
    """Rows that hang off a request (its events, registration, support case...) the user may see.
    Unlimited staff see every row, also those of no request (drift AWS has and we do not)."""
    unlimited = user.is_superuser or scoped_team_ids(user) is None
    if user.is_authenticated and user.is_active and user.is_staff and unlimited:
        return queryset
    return queryset.filter(**{f"{path}__in": visible_requests(SenderIdRequest.objects.all(), user=user)})


def can_see(user: AbstractBaseUser, request: SenderIdRequest) -> bool:
    return visible_requests(SenderIdRequest.objects.filter(pk=request.pk), user=user).exists()


def is_team_member(user: AbstractBaseUser, request: SenderIdRequest) -> bool:
    """A member of the request's team, whatever their role (edits drafts, answers, registrations)."""
    return bool(user.is_active and is_member(user, request.team_id))


def can_release(user: AbstractBaseUser, request: SenderIdRequest) -> bool:
    """The request's team admins, or staff with the release permission (acting on the team's behalf)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_team_admin(user, request.team_id):
        return True
    return bool(user.is_staff and user.has_perm(RELEASE_PERMISSION) and can_see(user, request))


def releasable_team_ids(user: AbstractBaseUser) -> set[int]:
    """The teams whose sender IDs `user` may release from the portal's pages (team admin)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    return admin_team_ids(user)


def can_approve(user: AbstractBaseUser, request: SenderIdRequest | None = None) -> bool:
    """Staff with the approve permission; a limited approver only for their teams' requests."""
    if not (user.is_active and user.is_staff and user.has_perm(APPROVE_PERMISSION)):
        return False
    if request is None or user.is_superuser:
        return True
    scope = scoped_team_ids(user)
    return scope is None or request.team_id in scope


def require_approver(user: AbstractBaseUser, request: SenderIdRequest | None = None) -> None:
    if not can_approve(user, request):
        raise PermissionDenied("approving or rejecting this sender ID request needs the approve permission")


def require_releaser(request: SenderIdRequest, user: AbstractBaseUser) -> None:
    if not user.is_active:
        raise PermissionDenied("inactive users cannot release sender IDs")
    if not can_release(user, request):
        raise PermissionDenied("releasing needs the team admin role or the staff release permission")


def require_team_member(user: AbstractBaseUser, request: SenderIdRequest) -> None:
    if not is_team_member(user, request):
        raise PermissionDenied("only the request's team may change it")


def require_staff(user: AbstractBaseUser) -> None:
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("only staff may do this")
