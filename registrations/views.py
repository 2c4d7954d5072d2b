"""The registration page (`/registrations/<request id>/`): the API-defined form, its status and AWS's
reasons. A support-case request's old address here redirects to its support-case page.

Owner or staff may look; only the owner edits; anyone else gets 404, anonymous users the login page.
A GET reads only: the Registration row was made with the request, the form definition comes from the
cache (when it is not there yet the page says so and refreshes itself while a worker fetches it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from countries.models import SenderIdProcess
from senderids import registry
from senderids.choices import Status
from senderids.live import live_context
from senderids.models import SenderIdRequest
from senderids.permissions import is_team_member
from senderids.selectors import sender_id_request_for_viewer

from . import selectors
from .definitions import cached_definition
from .forms import SUBMIT, RegistrationForm
from .lifecycle import UNDER_REVIEW_STATUSES
from .models import Registration
from .services import draft, withdrawal

# The Submit button's companion checkbox: ask AWS to pre-review the version (AwsReview).
AWS_REVIEW_FIELD = "aws_review"
# How often the "form is being fetched" page reloads itself (seconds); also its Retry-After.
DEFINITION_PENDING_REFRESH_SECONDS = 5


def _request_or_404(request: HttpRequest, pk: int) -> SenderIdRequest:
    req = sender_id_request_for_viewer(user=request.user, pk=pk)
    if req is None:
        raise Http404
    return req


@login_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    if req.process == SenderIdProcess.SUPPORT_CASE:
        # The support case's page moved to /support-cases/<id>/: old links still work.
        url = registry.detail_url(req)
        if url is None:
            raise Http404
        return redirect(url)
    registration = selectors.registration_for_request(request=req)
    if registration is None:
        raise Http404  # not a registration, or its country has no API registration type
    definition = cached_definition(registration.registration_type)
    if definition is None:
        return _definition_pending(request, req, registration)
    is_owner = is_team_member(request.user, req)
    editable = is_owner and draft.registration_is_editable(registration)
    values = selectors.field_values(registration=registration)
    form_kwargs: dict[str, Any] = {
        "locked": draft.locked_values(request=req, definition=definition),
        "definition": definition,
        "attachments": selectors.attachment_names(values),
        "readonly": not editable,
    }
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        form = RegistrationForm(request.POST, request.FILES, **form_kwargs)
        if editable and form.is_valid():
            submit = form.action == SUBMIT
            try:
                draft.registration_save(
                    registration=registration,
                    definition=definition,
                    inputs=form.field_inputs(),
                    submit=submit,
                    actor=request.user,
                    aws_review=request.POST.get(AWS_REVIEW_FIELD) == "on",
                )
            except draft.RegistrationLocked:
                messages.error(request, _("The registration can no longer be changed in its current status."))
                return redirect("registrations:detail", pk=req.pk)
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    form.add_error(None, errors)
            else:
                messages.success(request, _submit_message(req) if submit else _("Draft saved."))
                return redirect("registrations:detail", pk=req.pk)
        elif not editable:
            messages.error(request, _("The registration can no longer be changed in its current status."))
            return redirect("registrations:detail", pk=req.pk)
    else:
        form = RegistrationForm(initial=selectors.form_initial(values, definition), **form_kwargs)
    registration.refresh_from_db()
    progress = selectors.registration_progress(registration=registration, request=req)
    return render(
        request,
        "registrations/detail.html",
        {
            "req": req,
            "registration": registration,
            "definition": definition,
            "form": form,
            "sections": form.sections(values),
            "values": values,
            "editable": editable,
            "is_owner": is_owner,
            # The status area updates itself (AWS's review moves); the form below is never swapped.
            **live_context(req, req.events.count()),
            "progress": progress,
            "denied_version": selectors.latest_denied_version(registration=registration),
            "conditional_rules": definition.conditional_rules() if editable else {},
            "missing": draft.registration_missing_fields(registration=registration, definition=definition)
            if editable
            else [],
            "aws_review_field": AWS_REVIEW_FIELD,
            "can_discard": is_owner
            and req.status in UNDER_REVIEW_STATUSES
            and registration.discard_requested_at is None,
            "action_required": selectors.latest_event(request=req, kind="registration_action_required")
            if req.status == Status.ACTION_REQUIRED
            else None,
        },
    )


@login_required
@require_POST
def registration_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner withdraws the version AWS is reviewing (a worker asks AWS; the page shows the outcome)."""
    req = _request_or_404(request, pk)
    registration = selectors.registration_for_request(request=req)
    if registration is None:
        raise Http404
    if not is_team_member(request.user, req):
        raise PermissionDenied
    try:
        withdrawal.registration_discard_request(registration=registration, actor=request.user)
    except draft.RegistrationLocked:
        messages.error(request, _("No version of this registration is under review any more."))
    else:
        messages.success(
            request,
            _("The version is being withdrawn from AWS's review. You can change the form once it is done."),
        )
    return redirect("registrations:detail", pk=req.pk)


def _definition_pending(
    request: HttpRequest, req: SenderIdRequest, registration: Registration
) -> HttpResponse:
    """503 + Retry-After: AWS's form is not cached yet; a worker fetches it (enqueued with the request, and
    beat asks again every few minutes for any type in use that is still missing). A GET writes nothing."""
    response = render(
        request,
        "registrations/unavailable.html",
        {"req": req, "registration": registration, "refresh_seconds": DEFINITION_PENDING_REFRESH_SECONDS},
        status=503,
    )
    response["Retry-After"] = str(DEFINITION_PENDING_REFRESH_SECONDS)
    return response


def _submit_message(req: SenderIdRequest) -> str:
    if req.status in (Status.PENDING_REVIEW, Status.APPROVED):
        return _("Registration ready: it is submitted to AWS as soon as your request is approved.")
    return _("Registration submitted: it is sent to AWS for review now.")


@login_required
def registration_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Status for the progress indicator's refresh: cheap, no AWS call."""
    req = _request_or_404(request, pk)
    registration = selectors.registration_for_request(request=req)
    return JsonResponse(
        {
            "status": req.status,
            "status_label": req.get_status_display(),
            "aws_status": registration.aws_status if registration else req.aws_status,
            "url": reverse("registrations:detail", kwargs={"pk": req.pk}),
        }
    )
