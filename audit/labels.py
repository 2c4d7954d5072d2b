"""What each audit action is called, in the reader's language (the stored id stays stable)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "requested": _("Requested a sender ID"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "retried": _("Retried a failed request"),
    "release_requested": _("Asked for a release"),
    "deletion_protection_off": _("Turned deletion protection off"),
    "support_case_recorded": _("Recorded the AWS support case"),
    "support_case_answered": _("Answered the support case"),
    "support_case_answer_pasted": _("Pasted AWS Support's answer"),
    "support_case_confirmed": _("Confirmed the support case"),
    "admin_added": _("Added in admin"),
    "admin_changed": _("Changed in admin"),
    "admin_deleted": _("Deleted in admin"),
}


def action_label(action: str) -> str:
    """The label of a known action; an action added later shows its id until it gets one."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action.replace("_", " ")
