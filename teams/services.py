"""Writes of the teams app: a user's own team on first use, memberships, the portal's groups."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Membership, Role, Team
from .selectors import team_for_user


@transaction.atomic
def team_ensure_for(user: AbstractBaseUser) -> Team:
    """The user's team; a user who belongs to none gets one of their own (they are its admin), so a
    single user's first request behaves exactly as before teams existed."""
    team = team_for_user(user)
    if team is not None:
        return team
    # Two first requests at once (a double click, two tabs) would both make a team: the user's row lock
    # queues the second, which then finds the first's team.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    first = Membership.objects.filter(user=user).select_related("team").order_by("created_at", "pk").first()
    if first is not None:
        return first.team
    name = user.get_username()
    if Team.objects.filter(name=name).exists():
        name = f"{name} ({user.pk})"
    team = Team.objects.create(name=name)
    Membership.objects.create(team=team, user=user, role=Role.ADMIN)
    return team


def membership_set(*, team: Team, user: AbstractBaseUser, role: str = Role.MEMBER) -> Membership:
    """Add `user` to `team` with `role`, or change their role (seed data, admin-side tools)."""
    membership, _ = Membership.objects.update_or_create(team=team, user=user, defaults={"role": role})
    return membership


class TeamRuleBroken(Exception):
    """A membership change the team's rules refuse; the message is for the team admin."""


def _require_team_admin(team: Team, actor: AbstractBaseUser) -> None:
    if not Membership.objects.filter(team=team, user=actor, role=Role.ADMIN).exists():
        raise PermissionDenied("managing members takes the team admin role")


def _other_admins(team: Team, user_id: int) -> bool:
    return Membership.objects.filter(team=team, role=Role.ADMIN).exclude(user_id=user_id).exists()


@transaction.atomic
def membership_add(*, team: Team, actor: AbstractBaseUser, identifier: str, role: str) -> Membership:
    """A team admin adds an existing portal user, found by username or email (exact, case-insensitive)."""
    _require_team_admin(team, actor)
    identifier = identifier.strip()
    User = get_user_model()
    matches = list(
        User.objects.filter(is_active=True).filter(
            Q(**{f"{User.USERNAME_FIELD}__iexact": identifier}) | Q(email__iexact=identifier)
        )[:2]
    )
    if len(matches) != 1:
        raise TeamRuleBroken(
            _("No single portal user has the username or email “%(who)s”. They must log in once first.")
            % {"who": identifier[:100]}
        )
    user = matches[0]
    if Membership.objects.filter(team=team, user=user).exists():
        raise TeamRuleBroken(_("%(who)s is already a member of this team.") % {"who": user.get_username()})
    return Membership.objects.create(team=team, user=user, role=role)


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: AbstractBaseUser, role: str) -> Membership:
    _require_team_admin(membership.team, actor)
    Team.objects.select_for_update().filter(pk=membership.team_id).first()  # serialise admin changes
    if (
        role != Role.ADMIN
        and membership.role == Role.ADMIN
        and not _other_admins(membership.team, membership.user_id)
    ):
        raise TeamRuleBroken(_("A team needs at least one team admin: make someone else admin first."))
    Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: AbstractBaseUser) -> None:
    _require_team_admin(membership.team, actor)
    Team.objects.select_for_update().filter(pk=membership.team_id).first()
    if membership.role == Role.ADMIN and not _other_admins(membership.team, membership.user_id):
        raise TeamRuleBroken(_("A team needs at least one team admin: make someone else admin first."))
    membership.delete()


# The portal's global roles (also made by migration teams 0002): what each group may do in admin.
PORTAL_APPS = ("countries", "teams", "profiles", "senderids", "registrations", "supportcases", "smsvoice")
BUSINESS_USERS, SUPPORT_STAFF, APPROVERS = "Business users", "Support staff", "Approvers"
GROUP_PERMISSIONS: dict[str, tuple[str, ...]] = {
    BUSINESS_USERS: (),
    # The audit log spans every team: global readers only (a limited approver sees their teams alone).
    SUPPORT_STAFF: ("view_*", "audit.view_auditentry"),
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
