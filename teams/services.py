"""Writes of the teams app: a user's own team on first use, memberships, the portal's groups."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction

from .models import Membership, Role, Team
from .selectors import team_for_user


@transaction.atomic
def team_ensure_for(user: AbstractBaseUser) -> Team:
    """The user's team; a user who belongs to none gets one of their own (they are its admin), so a
    single user's first request behaves exactly as before teams existed."""
    team = team_for_user(user)
    if team is not None:
        return team
    name = user.get_username()
    if Team.objects.filter(name=name).exists():
        name = f"{name} ({user.pk})"
    team = Team.objects.create(name=name)
    Membership.objects.create(team=team, user=user, role=Role.ADMIN)
    return team


def membership_set(*, team: Team, user: AbstractBaseUser, role: str = Role.MEMBER) -> Membership:
    membership, _ = Membership.objects.update_or_create(team=team, user=user, defaults={"role": role})
    return membership


# The portal's global roles (also made by migration teams 0002): what each group may do in admin.
PORTAL_APPS = ("countries", "teams", "senderids", "registrations", "supportcases", "smsvoice")
BUSINESS_USERS, SUPPORT_STAFF, APPROVERS = "Business users", "Support staff", "Approvers"
GROUP_PERMISSIONS: dict[str, tuple[str, ...]] = {
    BUSINESS_USERS: (),
    SUPPORT_STAFF: ("view_*",),
    APPROVERS: ("view_*", "senderids.approve_senderidrequest"),
}


def portal_groups_ensure() -> None:
    """Every group exists with at least its permissions (post_migrate: apps migrated after teams 0002
    get theirs too). Permissions an admin added are kept."""
    for name, patterns in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for pattern in patterns:
            if pattern == "view_*":
                perms = Permission.objects.filter(
                    content_type__app_label__in=PORTAL_APPS, codename__startswith="view_"
                )
            else:
                app_label, codename = pattern.split(".")
                perms = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            group.permissions.add(*perms)
