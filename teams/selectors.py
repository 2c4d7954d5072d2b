"""Reads of the teams app: a user's teams and role, and the AWS accounts a team may use.

A user's memberships are read once per request (from the read cache, or one query; then every
team/role question of that request is answered from it): pages ask "which team, which role" from
several places (permissions, selectors, the wizard). The memo lives only while a request is being
served (request_started → request_finished); outside a request (tasks, shell, tests calling
selectors) every call reads the read cache or the database. Any membership, team or approver-scope
write in the process empties the memo, so a request that changes a membership reads the new one.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.signals import request_finished, request_started
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

import caching
from smsvoice.models import AwsAccount
from smsvoice.selectors import aws_accounts_enabled

from .models import ApproverScope, Membership, Role, Team

# {("memberships", user pk): [Membership + team, oldest first], ...} while a request is served, else None.
_request_memo: ContextVar[dict[tuple[str, Any], Any] | None] = ContextVar("teams_request_memo", default=None)


@receiver(request_started, dispatch_uid="teams-memo-start")
def _memo_start(**_kwargs: Any) -> None:
    _request_memo.set({})


@receiver(request_finished, dispatch_uid="teams-memo-end")
def _memo_end(**_kwargs: Any) -> None:
    _request_memo.set(None)


def _memo_forget(**_kwargs: Any) -> None:
    memo = _request_memo.get()
    if memo:
        memo.clear()


for _model in (Membership, Team, ApproverScope):
    post_save.connect(_memo_forget, sender=_model, dispatch_uid=f"teams-memo-save-{_model.__name__}")
    post_delete.connect(_memo_forget, sender=_model, dispatch_uid=f"teams-memo-delete-{_model.__name__}")
m2m_changed.connect(_memo_forget, sender=ApproverScope.teams.through, dispatch_uid="teams-memo-scope-teams")


def memberships_of(user: AbstractBaseUser) -> list[Membership]:
    """The user's memberships with their teams, the one they joined first first: one query per
    request (see the module's docstring)."""
    if not user.is_authenticated:
        return []
    memo = _request_memo.get()
    key = ("memberships", user.pk)
    if memo is not None and key in memo:
        return memo[key]
    # Across requests from the read cache: exact, a write to any teams table invalidates it.
    mine = Membership.objects.filter(user=user).select_related("team").order_by("created_at", "pk")
    rows = caching.cached(f"teams:memberships:{user.pk}", lambda: list(mine), depends=["teams"])
    if memo is not None:
        memo[key] = rows
    return rows


def team_for_user(user: AbstractBaseUser) -> Team | None:
    """The team a user works in: their first membership (the one they joined first)."""
    memberships = memberships_of(user)
    return memberships[0].team if memberships else None


def team_ids_of(user: AbstractBaseUser) -> list[int]:
    """The ids of every team the user is a member of (what "my teams' requests" filters on)."""
    return [m.team_id for m in memberships_of(user)]


def teams_of(user: AbstractBaseUser) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).order_by("name")


def role_in(user: AbstractBaseUser, team_id: int | None) -> str | None:
    """The user's role in the team, or None when they are not a member."""
    if team_id is None or not user.is_authenticated:
        return None
    return next((m.role for m in memberships_of(user) if m.team_id == team_id), None)


def is_member(user: AbstractBaseUser, team_id: int | None) -> bool:
    return role_in(user, team_id) is not None


def is_team_admin(user: AbstractBaseUser, team_id: int | None) -> bool:
    return role_in(user, team_id) == Role.ADMIN


def admin_team_ids(user: AbstractBaseUser) -> set[int]:
    """The teams where the user has the team admin role."""
    return {m.team_id for m in memberships_of(user) if m.role == Role.ADMIN}


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
