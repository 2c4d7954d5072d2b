"""Who may do what to a support case (checked by views, services and admin actions alike).

* Reading: whoever may see the request (its team, or staff): senderids.permissions.visible_requests.
* Answering AWS Support: the request's team only (today the owner), never staff on their behalf.
* Recording the AWS case id, setting the case's state, marking an answer pasted: staff with
  `supportcases.manage_supportcase`.
* Confirming a resolved case delivered the sender ID: staff with `supportcases.confirm_supportcase`.
Support staff (is_staff without these permissions) read everything and change nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied

from senderids import permissions as request_permissions
from senderids.models import SenderIdRequest

MANAGE_PERMISSION = "supportcases.manage_supportcase"
CONFIRM_PERMISSION = "supportcases.confirm_supportcase"


def _staff_with(user: AbstractBaseUser, permission: str) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(permission))


def can_manage(user: AbstractBaseUser) -> bool:
    return _staff_with(user, MANAGE_PERMISSION)


def can_confirm(user: AbstractBaseUser) -> bool:
    return _staff_with(user, CONFIRM_PERMISSION)


def is_team_member(user: AbstractBaseUser, request: SenderIdRequest) -> bool:
    """Any member of the request's team (senderids.permissions decides it, for every app)."""
    return request_permissions.is_team_member(user, request)


def require_manager(user: AbstractBaseUser) -> None:
    if not can_manage(user):
        raise PermissionDenied("recording or updating a support case needs the manage permission")


def require_confirmer(user: AbstractBaseUser) -> None:
    if not can_confirm(user):
        raise PermissionDenied("confirming a support case needs the confirm permission")


def require_team_member(user: AbstractBaseUser, request: SenderIdRequest) -> None:
    if not is_team_member(user, request):
        raise PermissionDenied("only the request's team may write to its support case")
