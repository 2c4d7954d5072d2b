"""The support-case page (`/support-cases/<request id>/`): the prepared case, its AWS case id and
status; for staff, "confirm the sender ID is provisioned" once AWS resolved the case.

Owner or staff may look; only staff confirm; anyone else gets 404, anonymous users the login page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from countries.models import SenderIdProcess
from senderids.choices import Status
from senderids.lifecycle import IllegalTransition
from senderids.models import SenderIdRequest
from senderids.selectors import sender_id_request_for_viewer

from . import selectors, services


def _request_or_404(request: HttpRequest, pk: int) -> SenderIdRequest:
    req = sender_id_request_for_viewer(user=request.user, pk=pk)
    if req is None or req.process != SenderIdProcess.SUPPORT_CASE:
        raise Http404
    return req


@login_required
def support_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    return render(
        request,
        "supportcases/detail.html",
        {
            "req": req,
            "case": selectors.support_case_for_request(request=req),
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
    return redirect("supportcases:detail", pk=req.pk)
