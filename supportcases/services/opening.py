"""The process's start (`support_case_open`): the submission pipeline's step for process "support_case",
run by the worker while the request is `submitting`. Two modes (settings.SUPPORT_CASE_MODE, frozen on
the case once anything reached AWS):

* assisted (default): the case is prepared exactly as the Support Center form asks for it
  (services/casetext.py) and waits for staff to open it in the console and record its id; staff are
  alerted. submitting → support_case_open, case state "waiting for staff to open it".
* api: CreateCase with the codes `manage.py check_aws` confirmed (refused without them), the request's
  documents attached through AddAttachmentsToSet. AWS Support has no ClientToken: a marker stored
  before CreateCase (and written into the subject) lets a redelivery find the case it already opened
  instead of opening a second one. submitting → support_case_open, case state "open".

A retry after a refused case prepares a new case (the refused one is kept in previous_case_ids).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from senderids import lifecycle as request_lifecycle
from senderids import registry
from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.services.common import gateway_of
from smsvoice.support_api import ATTACHMENTS_PER_SET

from .. import events, selectors
from ..lifecycle import OPENED
from ..models import CaseState, SupportCase, SupportCaseDocument, SupportCaseMode
from .casetext import case_body, case_language, case_subject

NOT_CONFIRMED_CODE = "SupportApiNotConfirmed"


def support_case_open(*, request: SenderIdRequest) -> None:
    """Start the support-case process for a `submitting` request (assisted or api, see the module)."""
    case, previous = _case_for_start(request)
    if case.mode == SupportCaseMode.ASSISTED:
        _prepare(case, request, previous)
    else:
        _open_through_api(case, request)


def _case_for_start(request: SenderIdRequest) -> tuple[SupportCase, str]:
    """The request's case, made fresh after a refusal; its mode follows the setting until AWS saw it."""
    case, _created = SupportCase.objects.get_or_create(
        request=request, defaults={"mode": settings.SUPPORT_CASE_MODE, "state": CaseState.AWAITING_STAFF}
    )
    previous = ""
    if case.state == CaseState.REFUSED:
        previous = case.reference
        case.previous_case_ids = [*case.previous_case_ids, previous]
        case.marker, case.create_attempted_at, case.case_id, case.display_id = uuid.uuid4(), None, "", ""
        case.status, case.state, case.pending_state, case.pending_since = (
            "",
            CaseState.AWAITING_STAFF,
            "",
            None,
        )
        case.opened_at = case.opened_by = case.resolved_at = case.confirmed_at = case.confirmed_by = None
        case.last_polled_at = case.next_poll_due = None
    if not (case.case_id or case.display_id or case.create_attempted_at):
        case.mode = settings.SUPPORT_CASE_MODE
    case.save()
    return case, previous


def _prepare(case: SupportCase, request: SenderIdRequest, previous: str) -> None:
    language = case_language(request.support_case_details or {}, SupportCaseMode.ASSISTED)
    marker = str(case.marker)
    SupportCase.objects.filter(pk=case.pk).update(
        language=language,
        subject=case_subject(request, marker)[:300],
        body=case_body(request, marker, language),
        state=CaseState.AWAITING_STAFF,
        state_changed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    request_lifecycle.transition(
        request,
        Status.SUPPORT_CASE_OPEN,
        event=events.support_case_prepared(previous),
        expected_from=Status.SUBMITTING,
        aws_status="",
        aws_error_code="",
        aws_error_message="",
    )


def api_mode_refusal() -> str:
    return gettext(
        "The portal is set to open AWS Support cases through the Support API, but `manage.py check_aws` "
        "has not confirmed this account's support plan and case codes. Staff can retry the request once "
        "an administrator has run it, or switch the portal to assisted support cases."
    )


def _open_through_api(case: SupportCase, request: SenderIdRequest) -> None:
    if not case.case_id:
        marker = str(case.marker)
        found = _find_case_by_marker(case) if case.create_attempted_at else None
        if found is not None:
            case_id, status, display_id = found.case_id, found.status, found.display_id or ""
        else:
            if selectors.support_api_confirmation() is None:
                raise registry.ProcessRefused(api_mode_refusal(), code=NOT_CONFIRMED_CODE)
            language = case_language(request.support_case_details or {}, SupportCaseMode.API)
            subject, body = case_subject(request, marker), case_body(request, marker, language)
            attachment_set_id = _attachment_set(request)
            SupportCase.objects.filter(pk=case.pk).update(
                create_attempted_at=timezone.now(), subject=subject[:300], body=body, language=language
            )
            case_id = gateway_of(request).create_case(
                subject=subject,
                communication_body=body,
                service_code=settings.SUPPORT_CASE_SERVICE_CODE,
                category_code=settings.SUPPORT_CASE_CATEGORY_CODE,
                severity_code=settings.SUPPORT_CASE_SEVERITY_CODE,
                language=language,
                attachment_set_id=attachment_set_id,
            )
            status, display_id = OPENED, ""
        now = timezone.now()
        SupportCase.objects.filter(pk=case.pk).update(
            case_id=case_id,
            status=status[:60],
            display_id=display_id,
            state=CaseState.OPEN,
            state_changed_at=now,
            opened_at=now,
            next_poll_due=None,
            updated_at=now,
        )
        case.case_id, case.status = case_id, status
    request_lifecycle.transition(
        request,
        Status.SUPPORT_CASE_OPEN,
        event=events.support_case_opened(case.case_id),
        expected_from=Status.SUBMITTING,
        aws_status=(case.status or OPENED)[:60],
        aws_error_code="",
        aws_error_message="",
    )


def _attachment_set(request: SenderIdRequest) -> str | None:
    """AddAttachmentsToSet with the request's documents (at most a set's three), or None without any.
    A set expires after an hour: a retry simply makes a new one."""
    documents = list(SupportCaseDocument.objects.filter(request=request).order_by("created_at", "pk"))
    if not documents:
        return None
    attachments = [(d.file_name, bytes(d.body)) for d in documents[:ATTACHMENTS_PER_SET]]
    return gateway_of(request).add_attachments_to_set(attachments=attachments)


def _find_case_by_marker(case: SupportCase) -> Any | None:
    """The case a previous, interrupted attempt opened: DescribeCases since then, matched on the marker."""
    after = (case.create_attempted_at or timezone.now()) - timedelta(hours=1)
    marker = str(case.marker)
    for info in gateway_of(case.request).list_cases(after=after):
        if marker in (info.subject or ""):
            return info
    return None
