"""The team's side of the case: answering AWS Support, and the documents that go with the case.

* `support_case_answer` — the owner writes to AWS Support from the portal. api mode: queued, and the
  task `send_support_case_answer` sends it with AddCommunicationToCase; assisted mode: queued for staff
  to paste into the case (the case page shows it to them).
* `support_case_answer_send` — the task's service: claims the queued answer, sends it once.
* `support_case_document_add` — a document for the case, while it has not been opened yet.

Bad input (an empty or over-long answer, a file AWS would not take) raises ValidationError and records
nothing; anyone but the request's team gets PermissionDenied.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from senderids import lifecycle as request_lifecycle
from senderids.choices import Status
from senderids.enqueue import enqueue_on_commit
from senderids.models import SenderIdRequest
from senderids.services.common import gateway_of
from smsvoice.errors import PermanentAwsError
from smsvoice.support_api import ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_SET

from .. import events
from ..lifecycle import REPLYABLE_STATES
from ..models import (
    CaseState,
    Delivery,
    Direction,
    SupportCase,
    SupportCaseCommunication,
    SupportCaseDocument,
    SupportCaseMode,
)
from ..permissions import require_team_member

SEND_ANSWER_TASK = "supportcases.tasks.send_support_case_answer"
# AddCommunicationToCase's communicationBody: 1 to 8,000 characters (the support model).
ANSWER_MAX_LENGTH = 8000
# What AWS Support takes as attachments that also make sense for a sender ID (the Attachment shape
# lists pdf, jpeg, .doc, .log, .text; PNG for scans), known by their first bytes, not by what the
# browser claims.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
# Documents can be added until the case reaches AWS (api mode attaches them to CreateCase).
DOCUMENT_STATUSES = frozenset({Status.PENDING_REVIEW, Status.APPROVED})


def clean_answer(body: str) -> str:
    """The answer as AWS will take it, or ValidationError with what is wrong."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write your answer to AWS Support first."), code="empty")
    if len(body) > ANSWER_MAX_LENGTH:
        raise ValidationError(
            _(
                "Your answer is too long: AWS Support takes at most %(max)s characters in one message "
                "(yours has %(length)s). Shorten it or send it in several messages."
            )
            % {"max": f"{ANSWER_MAX_LENGTH:,}", "length": f"{len(body):,}"},
            code="too_long",
        )
    return body


def support_case_answer(
    *, request: SenderIdRequest, author: AbstractBaseUser, body: str
) -> SupportCaseCommunication:
    require_team_member(author, request)
    body = clean_answer(body)
    with transaction.atomic():
        case = SupportCase.objects.select_for_update().filter(request=request).first()
        if case is None or case.state not in REPLYABLE_STATES or request.status != Status.SUPPORT_CASE_OPEN:
            raise ValidationError(
                _("The support case is not open: there is nobody to answer."), code="not_open"
            )
        by_api = case.mode == SupportCaseMode.API
        answer = SupportCaseCommunication.objects.create(
            case=case,
            direction=Direction.TO_AWS,
            body=body,
            author=author,
            submitted_by=author.get_username(),
            time_created=timezone.now(),
            delivery=Delivery.QUEUED,
        )
        request_lifecycle.note(request, event=events.support_case_answered(author, by_api=by_api))
        if by_api:
            enqueue_on_commit(SEND_ANSWER_TASK, answer.pk)
    return answer


def support_case_answer_send(*, communication_id: int) -> bool:
    """AddCommunicationToCase for one queued answer (api mode). True if sent now.

    The row is claimed (queued → sending) before the call, so two deliveries never send it twice; a
    RetryableAwsError gives the claim back and is raised for the task to retry; a permanent refusal
    marks the answer failed with AWS's message (the owner sees it; staff are alerted).
    """
    claimed = SupportCaseCommunication.objects.filter(pk=communication_id, delivery=Delivery.QUEUED).update(
        delivery=Delivery.SENDING
    )
    if not claimed:
        return False
    answer = SupportCaseCommunication.objects.select_related("case__request").get(pk=communication_id)
    try:
        gateway_of(answer.case.request).add_communication_to_case(
            case_id=answer.case.case_id, communication_body=answer.body
        )
    except PermanentAwsError as exc:
        with transaction.atomic():
            SupportCaseCommunication.objects.filter(pk=answer.pk).update(
                delivery=Delivery.FAILED, error=f"{exc.code}: {exc.message}"
            )
            request_lifecycle.note(
                answer.case.request, event=events.support_case_answer_failed(exc.code, exc.message)
            )
        return False
    except Exception:
        SupportCaseCommunication.objects.filter(pk=answer.pk).update(delivery=Delivery.QUEUED)
        raise
    SupportCaseCommunication.objects.filter(pk=answer.pk).update(
        delivery=Delivery.SENT, delivered_at=timezone.now()
    )
    return True


def support_case_answer_gave_up(*, communication_id: int, message: str) -> None:
    """The task stopped retrying: the answer is marked failed so the owner knows it did not go."""
    SupportCaseCommunication.objects.filter(pk=communication_id, delivery=Delivery.QUEUED).update(
        delivery=Delivery.FAILED, error=message
    )


def sniff_document_type(body: bytes) -> str | None:
    return next((kind for signature, kind in _SIGNATURES if body.startswith(signature)), None)


def support_case_document_add(
    *, request: SenderIdRequest, author: AbstractBaseUser, upload: UploadedFile
) -> SupportCaseDocument:
    require_team_member(author, request)
    if request.status not in DOCUMENT_STATUSES:
        case = SupportCase.objects.filter(request=request).only("state").first()
        if case is None or case.state != CaseState.AWAITING_STAFF:
            raise ValidationError(
                _("Documents can only be added before the support case is opened."), code="too_late"
            )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large: AWS Support takes files of at most 5 MB."), code="file_size"
        )
    body = upload.read()
    content_type = sniff_document_type(body)
    if content_type is None:
        raise ValidationError(_("Attach a PDF, PNG or JPEG file."), code="file_type")
    with transaction.atomic():
        # Locks the request row: two uploads at once cannot both be the third.
        SenderIdRequest.objects.select_for_update().filter(pk=request.pk).first()
        if SupportCaseDocument.objects.filter(request=request).count() >= ATTACHMENTS_PER_SET:
            raise ValidationError(
                _("A support case takes at most %(n)d documents.") % {"n": ATTACHMENTS_PER_SET},
                code="too_many",
            )
        return SupportCaseDocument.objects.create(
            request=request,
            file_name=(upload.name or "document")[-255:],
            content_type=content_type,
            size=upload.size,
            body=body,
            uploaded_by=author,
        )
