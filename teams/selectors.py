"""Reads of the teams app: a user's teams and role, and the AWS accounts a team may use."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from smsvoice.models import AwsAccount
from smsvoice.selectors import aws_accounts_enabled

from .models import Membership, Role, Team


def team_for_user(user: AbstractBaseUser) -> Team | None:
    """The team a user works in: their first membership (the one they joined first)."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(user=user).select_related("team").order_by("created_at", "pk").first()
    )
    return membership.team if membership else None


def teams_of(user: AbstractBaseUser) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).order_by("name")


def role_in(user: AbstractBaseUser, team_id: int | None) -> str | None:
    """The user's role in the team, or None when they are not a member."""
    if team_id is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, team_id=team_id).values_list("role", flat=True).first()


def is_member(user: AbstractBaseUser, team_id: int | None) -> bool:
    return role_in(user, team_id) is not None


def is_team_admin(user: AbstractBaseUser, team_id: int | None) -> bool:
    return role_in(user, team_id) == Role.ADMIN


def members_of(team: Team) -> QuerySet[Membership]:
    return Membership.objects.filter(team=team).select_related("user").order_by("created_at", "pk")


def accounts_for_team(team: Team | None) -> list[AwsAccount]:
    """The enabled accounts a team may use, the default first; a team with none uses the default one."""
    # One query: the team's own accounts and the default one, told apart by `own`.
    own = Q(teams=team) if team is not None else Q(pk__in=[])
    rows = list(
        aws_accounts_enabled()
        .filter(own | Q(is_default=True))
        .annotate(
            own=Exists(
                AwsAccount.teams.through.objects.filter(
                    awsaccount_id=OuterRef("pk"), team_id=getattr(team, "pk", None)
                )
            )
        )
        .distinct()
    )
    mine = [a for a in rows if a.own]
    if mine or (team is not None and team.aws_accounts.exists()):
        # A team with accounts of its own never falls back to the portal's: all of them disabled
        # means none to use (the wizard says so), not a silent move to another AWS account.
        return mine
    return [a for a in rows if a.is_default][:1]


def scoped_team_ids(user: AbstractBaseUser) -> set[int] | None:
    """The teams an approver is limited to, or None when unlimited."""
    scope = getattr(user, "approver_scope", None) if user.is_authenticated else None
    if scope is None:
        return None
    return set(scope.teams.values_list("pk", flat=True))
