"""The company profile page (`/profile/`): the team's profile and document vault.

Every team member sees them and downloads documents; team admins edit the profile, upload and delete
documents. Another team's document answers 404, a member's write 403, anonymous users the login page; a
user without a team gets a page saying so. A refused form comes back with what was typed and why.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from teams.models import Team
from teams.selectors import is_team_admin, team_for_user

from . import selectors, services
from .forms import CompanyProfileForm, DocumentForm
from .models import CompanyProfile, Document


def _page(
    request: HttpRequest,
    team: Team | None,
    *,
    profile_form: CompanyProfileForm | None = None,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_admin = team is not None and is_team_admin(request.user, team.pk)
    profile = selectors.profile_for_team(team)
    today = timezone.localdate()
    documents = (
        [(d, selectors.document_expiry(d, today)) for d in selectors.documents_of_team(team)] if team else []
    )
    context: dict[str, Any] = {
        "team": team,
        "is_admin": is_admin,
        "profile": profile,
        "profile_form": profile_form or CompanyProfileForm(instance=profile),
        "document_form": document_form or DocumentForm(),
        "documents": documents,
    }
    return render(request, "profiles/profile.html", context, status=status)


def _team_or_404(request: HttpRequest) -> Team:
    team = team_for_user(request.user)
    if team is None:
        raise Http404
    return team


def _admin_team(request: HttpRequest) -> Team:
    team = _team_or_404(request)
    if not is_team_admin(request.user, team.pk):
        raise PermissionDenied
    return team


def _add_errors(form: Any, exc: ValidationError, default_field: str | None = None) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else default_field, errors)


@login_required
def profile_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, team_for_user(request.user))
    team = _admin_team(request)
    profile = selectors.profile_for_team(team) or CompanyProfile(team=team)
    form = CompanyProfileForm(request.POST, instance=profile)
    if not form.is_valid():
        return _page(request, team, profile_form=form, status=400)
    try:
        services.profile_save(
            team=team, data={name: form.cleaned_data[name] for name in form.fields}, actor=request.user
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return _page(request, team, profile_form=form, status=400)
    messages.success(request, _("Company profile saved."))
    return redirect("profiles:profile")


@login_required
@require_POST
def document_add(request: HttpRequest) -> HttpResponse:
    team = _admin_team(request)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, team, document_form=form, status=400)
    data = form.cleaned_data
    try:
        document = services.document_add(
            team=team,
            actor=request.user,
            upload=data["upload"],
            kind=data["kind"],
            title=data["title"],
            country=data["country"],
            issued_on=data["issued_on"],
            expires_on=data["expires_on"],
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return _page(request, team, document_form=form, status=400)
    messages.success(request, _("Document “%(title)s” added.") % {"title": document.title})
    return redirect("profiles:profile")


def _document_or_404(request: HttpRequest, pk: int) -> Document:
    document = selectors.document_for_team(team=_team_or_404(request), pk=pk)
    if document is None:
        raise Http404
    return document


@login_required
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation; POST: the deletion (team admins)."""
    document = _document_or_404(request, pk)
    if not is_team_admin(request.user, document.team_id):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "profiles/document_delete.html", {"document": document})
    services.document_delete(document=document, actor=request.user)
    messages.success(request, _("Document “%(title)s” deleted.") % {"title": document.title})
    return redirect("profiles:profile")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_or_404(request, pk)
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    safe_name = "".join(c for c in document.file_name if c.isalnum() or c in "._- ") or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
