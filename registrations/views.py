"""The registration page (`/registrations/<request id>/`): the API-defined form, its status and AWS's
reasons; for support-case requests, the case and the staff-only "confirm" action.

Owner or staff may look; only the owner edits; anyone else gets 404, anonymous users the login page.
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

from senderids.models import SenderIdRequest, Status
from senderids.services import IllegalTransition
from smsvoice.gateway import PermanentAwsError, RetryableAwsError

from . import selectors, services
from .definitions import get_definition
from .forms import SUBMIT, RegistrationForm


def _request_or_404(request: HttpRequest, pk: int) -> SenderIdRequest:
    req = selectors.request_for_viewer(user=request.user, pk=pk)
    if req is None:
        raise Http404
    return req


@login_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    if req.process == "support_case":
        return _support_case_page(request, req)
    try:
        registration = services.registration_for_request(request=req)
    except services.RegistrationUnavailable as exc:
        raise Http404 from exc
    try:
        definition = get_definition(registration.registration_type)
    except (RetryableAwsError, PermanentAwsError) as exc:
        return render(
            request,
            "registrations/unavailable.html",
            {"req": req, "registration": registration, "error": exc.message},
            status=503,
        )
    is_owner = req.owner_id == request.user.pk
    editable = is_owner and services.registration_is_editable(registration)
    values = selectors.field_values(registration=registration)
    attachments = selectors.attachment_names(values)
    locked = services.locked_values(request=req, definition=definition)
    form_kwargs: dict[str, Any] = {
        "locked": locked,
        "definition": definition,
        "attachments": attachments,
        "readonly": not editable,
    }
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        form = RegistrationForm(request.POST, request.FILES, **form_kwargs)
        if editable and form.is_valid():
            submit = form.action == SUBMIT
            try:
                services.registration_save(
                    registration=registration,
                    definition=definition,
                    inputs=form.field_inputs(),
                    submit=submit,
                    actor=request.user,
                )
            except services.RegistrationLocked:
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
            "progress": progress,
            "denied_version": selectors.latest_denied_version(registration=registration),
            "conditional_rules": definition.conditional_rules() if editable else {},
            "missing": services.registration_missing_fields(registration=registration, definition=definition)
            if editable
            else [],
        },
    )


def _submit_message(req: SenderIdRequest) -> str:
    if req.status in (Status.PENDING_REVIEW, Status.APPROVED):
        return _("Registration ready: it is submitted to AWS as soon as your request is approved.")
    return _("Registration submitted: it is sent to AWS for review now.")


def _support_case_page(request: HttpRequest, req: SenderIdRequest) -> HttpResponse:
    case = selectors.support_case_for_request(request=req)
    return render(
        request,
        "registrations/support_case.html",
        {
            "req": req,
            "case": case,
            "can_confirm": request.user.is_staff and req.status == Status.SUPPORT_CASE_RESOLVED,
        },
    )


@login_required
@require_POST
def support_case_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    if not request.user.is_staff:
        raise Http404
    try:
        services.support_case_confirm(request=req, actor=request.user)
    except IllegalTransition:
        messages.error(request, _("Only a resolved support case can be confirmed."))
    else:
        messages.success(request, _("Sender ID confirmed: the request is active."))
    return redirect("registrations:detail", pk=req.pk)


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
