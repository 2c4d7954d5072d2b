"""The team page: who is in my team, with which role; team admins add, promote and remove members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import MemberAddForm, RoleForm
from .models import Membership, Role


def _my_team_or_404(request: HttpRequest):  # type: ignore[no-untyped-def]
    team = selectors.team_for_user(request.user)
    if team is None:
        raise Http404
    return team


@login_required
def team_page(request: HttpRequest) -> HttpResponse:
    team = selectors.team_for_user(request.user)
    is_admin = team is not None and selectors.is_team_admin(request.user, team.pk)
    form = MemberAddForm()
    if request.method == "POST":
        if team is None:
            raise Http404
        form = MemberAddForm(request.POST)
        if form.is_valid():
            try:
                membership = services.membership_add(
                    team=team,
                    actor=request.user,
                    identifier=form.cleaned_data["identifier"],
                    role=form.cleaned_data["role"],
                )
            except services.TeamRuleBroken as exc:
                form.add_error("identifier", str(exc))
            else:
                messages.success(
                    request,
                    _("%(who)s is now a member of %(team)s.")
                    % {"who": membership.user.get_username(), "team": team.name},
                )
                return redirect("teams:team")
    context = {
        "team": team,
        "is_admin": is_admin,
        "members": list(selectors.members_of(team)) if team else [],
        "accounts": selectors.accounts_for_team(team),
        "form": form,
        "roles": Role.choices,
    }
    return render(request, "teams/team.html", context, status=400 if form.errors else 200)


def _membership_or_404(request: HttpRequest, pk: int) -> Membership:
    team = _my_team_or_404(request)
    membership = Membership.objects.select_related("team", "user").filter(pk=pk, team=team).first()
    if membership is None:
        raise Http404
    return membership


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role: member or team admin."))
        return redirect("teams:team")
    try:
        services.membership_change_role(
            membership=membership, actor=request.user, role=form.cleaned_data["role"]
        )
    except services.TeamRuleBroken as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(who)s's role was changed.") % {"who": membership.user.get_username()})
    return redirect("teams:team")


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except services.TeamRuleBroken as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(who)s was removed from the team.") % {"who": membership.user.get_username()}
        )
    return redirect("teams:team")
