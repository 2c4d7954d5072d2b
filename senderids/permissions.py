"""Who may do what to a sender-ID request: the one place for object-level checks.

Views, admin actions and services ask here; a view answers 404 for a request its user may not see,
a service raises PermissionDenied for an action its actor may not take.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .models import SenderIdRequest

APPROVE_PERMISSION = "senderids.approve_senderidrequest"
RELEASE_PERMISSION = "senderids.release_senderidrequest"


def visible_requests(queryset: QuerySet[SenderIdRequest], *, user: AbstractBaseUser) -> QuerySet:
    """The requests of `queryset` that `user` may see: their own, or every one for staff."""
    return queryset if user.is_staff else queryset.filter(owner=user)


def can_approve(user: AbstractBaseUser) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(APPROVE_PERMISSION))


def require_approver(user: AbstractBaseUser) -> None:
    if not can_approve(user):
        raise PermissionDenied("approving or rejecting sender ID requests needs the approve permission")


def require_releaser(request: SenderIdRequest, user: AbstractBaseUser) -> None:
    """The owner, or staff with the release permission (acting on the owner's behalf)."""
    if not user.is_active:
        raise PermissionDenied("inactive users cannot release sender IDs")
    if user.pk == request.owner_id:
        return
    if not (user.is_staff and user.has_perm(RELEASE_PERMISSION)):
        raise PermissionDenied("releasing another user's sender ID needs the release permission")


def require_staff(user: AbstractBaseUser) -> None:
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("only staff may do this")
