"""The prepared case: what AWS Support reads, and how the Support Center form is filled in.

AWS's documented way to ask for a sender ID is a service-limit-increase case opened in the console
(shared/data/aws-reference/support-facts.md §1, [SUP] and [PP-OLD]):
https://console.aws.amazon.com/support/home#/case/create?issueType=service-limit-increase, limit type
"Pinpoint SMS" (today's console: service "Service Quotas", category "AWS End User Messaging SMS
(Pinpoint)", severity "General Limits"), and under Requests: Region (required there even if given
before), resource type "Sender ID Registration", quota = the message type, new quota value = how many.
Promotional India sender IDs use resource type "Template Registration" ([IN]).

`case_body` is the description: every field of the wizard's support-case schema, in its order, with
its wording (senderids/wizard/support_case.py), in the case's language where the portal has a
translation. The same body goes to CreateCase in api mode; `console_fields` is what staff type into
the console's own fields in assisted mode.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from senderids.choices import SupportMessageType
from senderids.models import SenderIdRequest
from senderids.wizard.support_case import CONTACT_LANGUAGE_CODES, CONTACT_LANGUAGES, support_case_sections

from ..models import SupportCaseMode

CONSOLE_URL = "https://console.aws.amazon.com/support/home#/case/create?issueType=service-limit-increase"
# [SUP], [IN], [PP-OLD]: the console's "Preferred contact language" for these cases.
CONSOLE_LANGUAGES = frozenset({"en", "ja"})
LIMIT_TYPE = "Pinpoint SMS"
CURRENT_CONSOLE_PATH = "Service Quotas → AWS End User Messaging SMS (Pinpoint) → General Limits"
RESOURCE_TYPE = "Sender ID Registration"
INDIA_RESOURCE_TYPE = "Template Registration"
# [SUP]: "Quota": Promotional/Marketing or Transactional/Notifications/OTP/2FA.
_CONSOLE_QUOTA = {
    SupportMessageType.PROMOTIONAL: "Promotional/Marketing",
    SupportMessageType.TRANSACTIONAL: "Transactional/Notifications/OTP/2FA",
    SupportMessageType.ONE_TIME_PASSWORD: "Transactional/Notifications/OTP/2FA",
}
# [IN]: "Limit": One Time Password / Promotional / Transactional.
_INDIA_QUOTA = {
    SupportMessageType.PROMOTIONAL: "Promotional",
    SupportMessageType.TRANSACTIONAL: "Transactional",
    SupportMessageType.ONE_TIME_PASSWORD: "One Time Password",
}


def case_language(details: dict[str, Any], mode: str) -> str:
    """The case's language: the contact language when AWS offers it for this path (the console: English
    or Japanese; the API: its eight languages), English otherwise."""
    code = str(details.get("contact_language") or "en").lower()[:2]
    offered = CONSOLE_LANGUAGES if mode == SupportCaseMode.ASSISTED else CONTACT_LANGUAGE_CODES
    return code if code in offered else "en"


def language_name(code: str) -> str:
    return str(dict(CONTACT_LANGUAGES).get(code, code))


def case_subject(request: SenderIdRequest, marker: str) -> str:
    """The subject; the marker makes a case this portal opened findable (api mode's idempotency)."""
    return f"Sender ID Registration: {request.sender_id} ({request.country_id}) [portal ref {marker}]"


def _message_type(request: SenderIdRequest, details: dict[str, Any]) -> str:
    value = str(details.get("message_type") or request.message_type or "").lower()
    return value if value in SupportMessageType.values else SupportMessageType.TRANSACTIONAL


def _requests_values(request: SenderIdRequest) -> tuple[str, str, str, str]:
    """What the console's Requests section takes: Region, resource type, quota, new quota value."""
    details = dict(request.support_case_details or {})
    message_type = _message_type(request, details)
    india = request.country_id == "IN"
    resource = INDIA_RESOURCE_TYPE if india else RESOURCE_TYPE
    quota = (_INDIA_QUOTA if india else _CONSOLE_QUOTA)[message_type]
    region = str(details.get("region") or details.get("source_region") or "")
    return region, resource, quota, str(details.get("new_quota_value") or 1)


def case_body(request: SenderIdRequest, marker: str, language: str) -> str:
    """The case description, in `language` where the portal has a translation (English otherwise)."""
    details = dict(request.support_case_details or {})
    region, resource, quota, count = _requests_values(request)
    with translation.override(language):
        lines = [
            _("Sender ID registration request (service limit increase)"),
            "",
            _("Sender ID: %(value)s") % {"value": request.sender_id},
            _("Country: %(name)s (%(code)s)") % {"name": request.country.name, "code": request.country_id},
            _(
                "Requested: limit type %(limit)s, resource type %(resource)s, quota %(quota)s, "
                "new quota value %(count)s, Region %(region)s"
            )
            % {"limit": LIMIT_TYPE, "resource": resource, "quota": quota, "count": count, "region": region},
        ]
        for legend, rows in support_case_sections(details):
            lines += ["", legend] if legend else [""]
            lines += [f"{label}: {value}" for label, value in rows]
        lines += [
            "",
            _("Portal request #%(id)s, reference %(marker)s") % {"id": request.pk, "marker": marker},
        ]
    return "\n".join(lines)


def console_fields(request: SenderIdRequest, *, language: str, documents: int) -> list[tuple[str, str]]:
    """The Support Center form's own fields, in its order, with what to choose or type (assisted mode)."""
    region, resource, quota, count = _requests_values(request)
    rows = [
        (_("Case type"), _("Service limit increase (the link opens it)")),
        (_("Limit type"), f"{LIMIT_TYPE} — {CURRENT_CONSOLE_PATH}"),
        (_("Region"), region),
        (_("Resource type"), resource),
        (_("Quota"), quota),
        (_("New quota value"), count),
        (_("Use case description"), _("Paste the case text below.")),
        (_("Preferred contact language"), language_name(language)),
    ]
    if documents:
        rows.append((_("Attachments"), _("Attach the %(n)d document(s) listed below.") % {"n": documents}))
    return rows
