"""The one catalogue of what the portal writes as a timeline reason: a code → an English template.

A timeline entry stores its reason as a code and parameters (StatusEvent.reason_code/reason_params),
so each reader gets it in their own language: the page and the emails format the catalogue entry in
the active language (`reason_text`). `StatusEvent.reason` keeps the text in English, for search, the
admin and the rows written before the codes (an unknown code falls back to it as well).

Every process's constructors (senderids/events.py, registrations/events.py, supportcases/events.py)
take their codes from here: a test builds every constructor and checks its code is in REASONS. What
AWS wrote (an error message, denial reasons) is never a reason: it stays in `aws_message`, as AWS wrote
it. A person's own words (an approver's rejection, a staff member's note) travel as the `note`
parameter, appended to the entry's sentence untranslated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The parameter that carries a person's own words (never translated): appended after the sentence.
NOTE = "note"

REASONS: dict[str, Promise] = {
    # --- The request (senderids.events) ---------------------------------------------------------------
    "auto_approved": _("Approval is not required."),
    "retried": _("Retried by %(name)s after the failure."),
    "aws_refused": _("AWS refused the request."),
    "aws_unreachable": _(
        "AWS kept answering with a temporary error (%(retries)d attempts), so the portal stopped "
        "trying. Retry the request once AWS answers again."
    ),
    "release_unreachable": _(
        "AWS kept answering with a temporary error (%(retries)d attempts): the sender ID was not "
        "released and stays active. Release it again later."
    ),
    "release_requested_by_owner": _("Release requested by the owner."),
    "release_requested_by_staff": _("Released by staff member %(name)s on behalf of the owner."),
    "released": _("AWS released the sender ID. Lease charges stop from the next calendar month."),
    "released_already_gone": _("AWS no longer has this sender ID: it counts as released."),
    "release_refused_protected": _(
        "AWS refused to release the sender ID because its deletion protection is on. "
        "Turn deletion protection off, then release it again."
    ),
    "release_refused": _("AWS refused to release the sender ID: it stays active."),
    "deletion_protection_off": _("Deletion protection turned off at AWS."),
    "deletion_protection_off_by_staff": _(
        "Deletion protection turned off at AWS. By staff member %(name)s on behalf of the owner."
    ),
    "deletion_protection_already_gone": _(
        "AWS no longer has this sender ID: there is no deletion protection to turn off."
    ),
    "deletion_protection_already_gone_by_staff": _(
        "AWS no longer has this sender ID: there is no deletion protection to turn off. By staff member "
        "%(name)s on behalf of the owner."
    ),
    # --- The registration process (registrations.events) -------------------------------------------
    "registration_created": _("AWS registration %(id)s created."),
    "registration_submitted": _("Registration version %(n)s submitted to AWS for review."),
    "registration_requires_updates": _(
        "AWS asks for changes to the registration (version %(n)s was denied)."
    ),
    "registration_approved": _("Registration approved; AWS created the sender ID."),
    "registration_ended": _("The registration was %(status)s at AWS."),
    "registration_action_required": _(
        "AWS needs you to complete an authentication step before it can continue the review (for "
        "example confirming the email address AWS wrote to). Follow AWS's instructions; the review "
        "continues once it is done."
    ),
    "registration_back_to_draft": _(
        "AWS reports the registration as a draft again (version %(n)s is %(status)s): it is no longer "
        "under review. Check the form and submit it again."
    ),
    "registration_back_to_draft_withdrawn": _(
        "AWS reports the registration as a draft again (version %(n)s is no longer submitted): it is no "
        "longer under review. Check the form and submit it again."
    ),
    "registration_discarded": _(
        "Version %(n)s was withdrawn from AWS's review at your request. You can change the form "
        "and submit it again."
    ),
    "registration_discard_refused": _(
        "AWS did not withdraw the version (it may have been decided meanwhile)."
    ),
    "registration_deleted": _("AWS registration %(id)s was deleted with the sender ID's release."),
    "registration_delete_failed": _(
        "The registration could not be deleted at AWS after the release; support staff should delete "
        "it in the AWS console (a closed registration counts against the account's quota)."
    ),
    "registration_message_types_differ": _(
        "AWS registered the sender ID for %(given)s messages, but the request asked for %(asked)s. "
        "Check with support staff before sending other kinds of messages."
    ),
    "registration_pre_review_feedback": _(
        "AWS pre-reviewed version %(n)s and suggests changes: see the feedback next to the fields, "
        "then submit again."
    ),
    "registration_revoked": _(
        "AWS revoked this registration, so the sender ID can no longer be used as registered. Support "
        "staff have been told and will contact you about what AWS needs."
    ),
    # --- The support-case process (supportcases.events) --------------------------------------------
    "support_case_prepared": _(
        "The AWS Support case is prepared: waiting for staff to open it in the AWS Support Center."
    ),
    "support_case_prepared_after_refusal": _(
        "The AWS Support case is prepared: waiting for staff to open it in the AWS Support Center. "
        "The previous case %(id)s was refused."
    ),
    "support_case_opened": _("AWS Support case %(id)s opened."),
    "support_case_recorded": _("AWS Support case %(id)s opened in the AWS Support Center."),
    "support_case_recorded_corrected": _("The AWS Support case is now recorded as %(id)s."),
    "support_case_reply_needed": _("AWS Support is waiting for your reply."),
    "support_case_in_progress": _("AWS Support is working on the case."),
    "support_case_resolved": _("AWS Support resolved case %(id)s."),
    "support_case_reopened": _("AWS Support case %(id)s was reopened."),
    "support_case_refused": _("AWS Support refused the sender ID (case %(id)s)."),
    "support_case_answered_by_api": _("The team answered AWS Support; the answer is being sent to the case."),
    "support_case_answered": _("The team answered AWS Support; staff will paste the answer into the case."),
    "support_case_answer_pasted": _("Staff pasted the team's answer into the AWS Support case."),
    "support_case_answer_failed": _("The answer could not be sent to AWS Support."),
    "support_case_confirmed": _("Staff confirmed the sender ID is provisioned."),
}


class UnknownReason(KeyError):
    """A constructor named a code the catalogue lacks (a bug: add the entry to REASONS)."""


def format_reason(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The catalogue entry `code`, formatted with `params`, in the active language (+ the note)."""
    template = REASONS.get(code)
    if template is None:
        raise UnknownReason(code)
    params = dict(params or {})
    text = str(template) % params if params else str(template)
    note = str(params.get(NOTE) or "").strip()
    return f"{text} {note}" if note else text


def english(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The entry in English: what `StatusEvent.reason` keeps (search, admin, old readers)."""
    with translation.override("en"):
        return format_reason(code, params)


def reason_text(event: Any) -> str:
    """What an entry's reason says to the reader, in the active language: the catalogue entry of its
    code, or the text as stored (an old row, a code no longer in the catalogue, a person's words)."""
    code = getattr(event, "reason_code", "") or ""
    stored = str(getattr(event, "reason", "") or "")
    if not code or code not in REASONS:
        return stored
    try:
        return format_reason(code, getattr(event, "reason_params", None) or {})
    except (KeyError, TypeError, ValueError):
        # Parameters that no longer fit the template (it changed since the row was written).
        return stored
