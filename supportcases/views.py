"""The support-case pages, under /support-cases/<request id>/:

* ``""`` — the case: what to expect and why this country takes this path, its state in words, AWS's
  messages newest first, the team's answer box and documents; for staff the raw AWS status and their
  actions (record the case id, set its state, answers to paste, confirm).
* ``case-text/`` — staff: the prepared case as the Support Center form asks for it, to copy.
* POST ``case-id/``, ``state/``, ``answers/<id>/pasted/``, ``confirm/``, ``retry/`` — staff, each behind
  its permission.
* POST ``answer/``, ``documents/`` — the request's team; GET ``documents/<id>/`` — team or staff.

Who: the request's team or staff may look (anyone else: 404; anonymous: login). Staff actions answer 404
to non-staff and 403 to staff without the permission; team actions answer 403 to staff. Bad input
re-renders the page with the error (400) and records nothing. A GET never writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from countries.models import SenderIdProcess
from senderids.choices import Status
from senderids.lifecycle import IllegalTransition
from senderids.live import live_context
from senderids.models import SenderIdRequest
from senderids.permissions import can_approve
from senderids.selectors import sender_id_request_for_viewer

from . import selectors, services
from .forms import AnswerForm, CaseIdForm, CaseStateForm, DocumentForm
from .lifecycle import API_OWNED_STATES, MANUAL_STATES, REPLYABLE_STATES
from .models import CaseState, SupportCase
from .permissions import can_confirm, can_manage, is_team_member
from .services.replies import DOCUMENT_STATUSES


def _request_or_404(request: HttpRequest, pk: int) -> SenderIdRequest:
    req = sender_id_request_for_viewer(user=request.user, pk=pk)
    if req is None or req.process != SenderIdProcess.SUPPORT_CASE:
        raise Http404
    return req


def _staff_request_or_404(request: HttpRequest, pk: int) -> SenderIdRequest:
    req = _request_or_404(request, pk)
    if not request.user.is_staff:
        raise Http404
    return req


def _member_request(request: HttpRequest, pk: int) -> SenderIdRequest:
    req = _request_or_404(request, pk)
    if not is_team_member(request.user, req):
        raise PermissionDenied(_("Only the request's team can write to its AWS Support case."))
    return req


def _can_answer(req: SenderIdRequest, case: SupportCase | None) -> bool:
    return case is not None and req.status == Status.SUPPORT_CASE_OPEN and case.state in REPLYABLE_STATES


def _can_add_documents(req: SenderIdRequest, case: SupportCase | None) -> bool:
    if req.status in DOCUMENT_STATUSES:
        return True
    return case is not None and case.state == CaseState.AWAITING_STAFF


def _settable_states(case: SupportCase | None) -> list[str]:
    if case is None or case.state == CaseState.AWAITING_STAFF or not case.reference:
        return []
    followed = services.is_followed(case)
    return [s for s in MANUAL_STATES if s != case.state and not (followed and s in API_OWNED_STATES)]


def _context(request: HttpRequest, req: SenderIdRequest, **forms: Any) -> dict[str, Any]:
    user = request.user
    case = selectors.support_case_for_request(request=req)
    communications = selectors.support_case_communications(case=case) if case else []
    member = is_team_member(user, req)
    manager = can_manage(user)
    case_open = case is not None and req.status in (Status.SUPPORT_CASE_OPEN, Status.SUPPORT_CASE_RESOLVED)
    states = _settable_states(case) if manager and case_open else []
    recordable = case_open and case.state in REPLYABLE_STATES
    documents = list(selectors.support_case_documents(request=req))
    return {
        **live_context(req, req.events.count()),
        "req": req,
        "case": case,
        "why": selectors.why_support_case(req),
        "case_language": services.language_name(case.language) if case and case.language else "",
        "communications": communications,
        "last_aws": selectors.last_aws_communication(communications),
        "documents": documents,
        "is_member": member,
        "followed": case is not None and services.is_followed(case),
        # A bound form (the POST that failed) is shown again whatever; a fresh one where it applies.
        "answer_form": forms.get("answer_form")
        or (AnswerForm() if member and _can_answer(req, case) else None),
        "document_form": forms.get("document_form")
        or (DocumentForm() if member and _can_add_documents(req, case) and len(documents) < 3 else None),
        "case_id_form": forms.get("case_id_form") or (CaseIdForm() if manager and recordable else None),
        "state_form": forms.get("state_form") or (CaseStateForm(states=states) if states else None),
        "answers_to_paste": selectors.answers_to_paste(communications) if user.is_staff else [],
        "can_mark_pasted": manager,
        "can_confirm": can_confirm(user) and req.status == Status.SUPPORT_CASE_RESOLVED,
        "can_retry": case is not None and req.status == Status.FAILED and can_approve(user, req),
    }


def _page(request: HttpRequest, req: SenderIdRequest, status: int = 200, **forms: Any) -> HttpResponse:
    return render(request, "supportcases/detail.html", _context(request, req, **forms), status=status)


def _back(req: SenderIdRequest) -> HttpResponse:
    return redirect("supportcases:detail", pk=req.pk)


@login_required
def support_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _request_or_404(request, pk))


@login_required
def support_case_text(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: the prepared case to copy into the Support Center form (readable without JavaScript)."""
    req = _staff_request_or_404(request, pk)
    case = selectors.support_case_for_request(request=req)
    if case is None or not case.body:
        raise Http404
    documents = list(selectors.support_case_documents(request=req))
    context = {
        "req": req,
        "case": case,
        "console_url": services.CONSOLE_URL,
        "console_fields": services.console_fields(
            req, language=case.language or "en", documents=len(documents)
        ),
        "documents": documents,
        "language_not_offered": (req.support_case_details or {}).get("contact_language", "en")
        != case.language,
    }
    return render(request, "supportcases/case_text.html", context)


def _form_error(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_POST
def support_case_record(request: HttpRequest, pk: int) -> HttpResponse:
    req = _staff_request_or_404(request, pk)
    if not can_manage(request.user):
        raise PermissionDenied(_("Recording a case ID needs the permission to manage support cases."))
    form = CaseIdForm(request.POST)
    if not form.is_valid():
        return _page(request, req, status=400, case_id_form=form)
    try:
        services.support_case_record(
            request=req, actor=request.user, reference=form.cleaned_data["reference"]
        )
    except ValidationError as exc:
        form.add_error("reference", _form_error(exc))
        return _page(request, req, status=400, case_id_form=form)
    except IllegalTransition:
        messages.error(request, _("This case cannot take a case ID any more."))
    else:
        messages.success(request, _("Case ID recorded: the case is open at AWS Support."))
    return _back(req)


@login_required
@require_POST
def support_case_set_state(request: HttpRequest, pk: int) -> HttpResponse:
    req = _staff_request_or_404(request, pk)
    if not can_manage(request.user):
        raise PermissionDenied(_("Setting a case's state needs the permission to manage support cases."))
    case = selectors.support_case_for_request(request=req)
    form = CaseStateForm(request.POST, states=_settable_states(case))
    if not form.is_valid():
        return _page(request, req, status=400, state_form=form)
    try:
        services.support_case_set_state(
            request=req, actor=request.user, state=form.cleaned_data["state"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        form.add_error(None, _form_error(exc))
        return _page(request, req, status=400, state_form=form)
    except IllegalTransition:
        messages.error(request, _("The request moved on meanwhile: nothing was changed."))
    else:
        messages.success(request, _("Case state saved."))
    return _back(req)


@login_required
@require_POST
def support_case_answer_pasted(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    req = _staff_request_or_404(request, pk)
    if not can_manage(request.user):
        raise PermissionDenied(_("Marking an answer as pasted needs the permission to manage support cases."))
    try:
        services.support_case_answer_pasted(request=req, actor=request.user, communication_id=answer_pk)
    except (ValidationError, IllegalTransition) as exc:
        messages.error(request, _form_error(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("Answer marked as pasted into the case."))
    return _back(req)


@login_required
@require_POST
def support_case_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    req = _staff_request_or_404(request, pk)
    if not can_confirm(request.user):
        raise PermissionDenied(_("Confirming a sender ID needs the permission to confirm support cases."))
    try:
        services.support_case_confirm(request=req, actor=request.user)
    except IllegalTransition:
        messages.error(request, _("Only a resolved support case can be confirmed."))
    else:
        messages.success(request, _("Sender ID confirmed: the request is active."))
    return _back(req)


@login_required
@require_POST
def support_case_retry(request: HttpRequest, pk: int) -> HttpResponse:
    req = _staff_request_or_404(request, pk)
    if not can_approve(request.user, req):
        raise PermissionDenied(_("Retrying a request needs the permission to approve requests."))
    try:
        services.support_case_retry(request=req, actor=request.user)
    except IllegalTransition:
        messages.error(request, _("Only a failed request can be retried."))
    else:
        messages.success(request, _("The request is approved again: a new support case is being prepared."))
    return _back(req)


@login_required
@require_POST
def support_case_answer(request: HttpRequest, pk: int) -> HttpResponse:
    req = _member_request(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, req, status=400, answer_form=form)
    try:
        services.support_case_answer(request=req, author=request.user, body=form.cleaned_data["body"])
    except ValidationError as exc:
        form.add_error("body", _form_error(exc))
        return _page(request, req, status=400, answer_form=form)
    messages.success(request, _("Your answer is on its way to AWS Support."))
    return _back(req)


@login_required
@require_POST
def support_case_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    req = _member_request(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, req, status=400, document_form=form)
    try:
        services.support_case_document_add(
            request=req, author=request.user, upload=form.cleaned_data["document"]
        )
    except ValidationError as exc:
        form.add_error("document", _form_error(exc))
        return _page(request, req, status=400, document_form=form)
    messages.success(request, _("Document added to the support case."))
    return _back(req)


@login_required
def support_case_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    document = selectors.support_case_document(request=req, pk=document_pk)
    if document is None:
        raise Http404
    response = HttpResponse(bytes(document.body), content_type=document.content_type)
    safe_name = "".join(c for c in document.file_name if c.isalnum() or c in "._- ") or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
