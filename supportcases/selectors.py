"""Reads of support cases: the case page, the staff views, the process registry's labels, and what
`check_aws` confirmed (api mode's precondition, and whether assisted cases can be followed by API)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext

from countries.models import SenderIdProcess, sender_id_process_for
from senderids.models import SenderIdRequest

from .models import (
    Delivery,
    Direction,
    SupportApiCheck,
    SupportCase,
    SupportCaseCommunication,
    SupportCaseDocument,
)


def support_case_for_request(*, request: SenderIdRequest) -> SupportCase | None:
    """The request's case, if one was opened (or is being opened); None before approval."""
    return SupportCase.objects.select_related("confirmed_by", "opened_by").filter(request=request).first()


def support_case_communications(*, case: SupportCase) -> list[SupportCaseCommunication]:
    """Every message on the case, newest first (AWS's and the team's), with who wrote it."""
    return list(case.communications.select_related("author", "delivered_by").order_by("-time_created", "-pk"))


def last_aws_communication(communications: list[SupportCaseCommunication]) -> SupportCaseCommunication | None:
    """AWS's newest message among `communications` (newest first, as support_case_communications gives)."""
    return next((c for c in communications if c.direction == Direction.FROM_AWS), None)


def answers_to_paste(communications: list[SupportCaseCommunication]) -> list[SupportCaseCommunication]:
    """The team's answers waiting for staff to paste them into the case (assisted mode), oldest first."""
    return [
        c
        for c in reversed(communications)
        if c.direction == Direction.TO_AWS and c.delivery == Delivery.QUEUED
    ]


def support_case_documents(*, request: SenderIdRequest) -> QuerySet[SupportCaseDocument]:
    """The request's documents for the case, without their content (listing them costs nothing)."""
    return SupportCaseDocument.objects.filter(request=request).defer("body").order_by("created_at", "pk")


def support_case_document(*, request: SenderIdRequest, pk: int) -> SupportCaseDocument | None:
    return SupportCaseDocument.objects.filter(request=request, pk=pk).first()


def why_support_case(request: SenderIdRequest) -> str:
    """Why this request goes through a support case, in words for its owner."""
    choice = sender_id_process_for(request.country, message_type=request.message_type)
    if choice.process == SenderIdProcess.SUPPORT_CASE and choice.reason:
        return choice.reason
    if request.country.process_overridden:
        return gettext(
            "An administrator set %(country)s to request sender IDs through an AWS Support case."
        ) % {"country": request.country.label}
    return gettext(
        "AWS registers sender IDs for %(country)s through an AWS Support case: the country has no "
        "registration form the portal can fill in for you."
    ) % {"country": request.country.label}


# --- What check_aws confirmed ----------------------------------------------------------------------
def support_api_confirmation() -> SupportApiCheck | None:
    """The newest check that confirmed the plan has the Support API and DescribeServices /
    DescribeSeverityLevels list the configured codes; None: api mode may not open cases."""
    return (
        SupportApiCheck.objects.filter(
            confirmed=True,
            available=True,
            service_code=settings.SUPPORT_CASE_SERVICE_CODE,
            category_code=settings.SUPPORT_CASE_CATEGORY_CODE,
            severity_code=settings.SUPPORT_CASE_SEVERITY_CODE,
        )
        .order_by("-checked_at")
        .first()
    )


def support_api_available() -> bool:
    """The newest check found the Support API in the plan: DescribeCases can follow assisted cases."""
    latest = SupportApiCheck.objects.order_by("-checked_at").only("available").first()
    return bool(latest and latest.available)


def support_case_sender_id_labels(requests: list[SenderIdRequest]) -> dict[int, str]:
    """My sender IDs' "registration" column for support-case requests (no query)."""
    label = gettext("Through an AWS support case")
    return {request.pk: label for request in requests}
