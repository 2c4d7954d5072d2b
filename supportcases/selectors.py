"""Reads of support cases: the case page, the process registry's labels."""

from __future__ import annotations

from django.utils.translation import gettext

from senderids.models import SenderIdRequest

from .models import SupportCase


def support_case_for_request(*, request: SenderIdRequest) -> SupportCase | None:
    """The request's case, if one was opened (or is being opened); None before approval."""
    return SupportCase.objects.select_related("confirmed_by").filter(request=request).first()


def support_case_sender_id_labels(requests: list[SenderIdRequest]) -> dict[int, str]:
    """My sender IDs' "registration" column for support-case requests (no query)."""
    label = gettext("Through an AWS support case")
    return {request.pk: label for request in requests}
