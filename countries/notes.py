"""What a user should know about a country beyond its process, rules and rule calendar: one plain
sentence or two, in the reader's language.

`Country.notes` is the catalogue's research column (sources, table footnotes, conflicts between AWS
pages): for admins, never shown to business users. This catalogue is what users read; a country
without an entry has nothing to add to what the process, the rules and the calendar already say.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

USER_NOTES: dict[str, Promise] = {
    "AT": _(
        "Sender IDs are case-sensitive in Austria, and data sent to RTR cannot be changed afterwards: "
        "check the spelling before you submit."
    ),
    "AU": _(
        "Australia's SMS Sender ID Register applies: an unregistered sender ID may be shown as "
        "“Unverified” or blocked."
    ),
    "CN": _(
        "Sender IDs are not available in China. Messages to China need pre-registered message "
        "templates, which AWS registers through a support case."
    ),
    "FI": _("Finnish operators accept only sender IDs registered with them beforehand."),
    "FR": _("Since 1 March 2026 French operators refuse hyphens: use only letters and digits."),
    "GB": _(
        "A sender ID protected by the Mobile Ecosystem Forum (MEF) needs a letter of authorization "
        "from the brand, dated within the last 30 days."
    ),
    "IE": _(
        "Register the sender ID on ComReg's SMS Sender ID Registry first: unregistered sender IDs "
        "are shown as “Likely Scam”."
    ),
    "IN": _(
        "Once registered, every message must carry your DLT entity ID and the ID of a DLT template "
        "it matches."
    ),
    "NZ": _("Sender IDs are not available in New Zealand: messages arrive from a short code."),
    "OM": _("AWS registers Oman sender IDs through a support case: no online form is published."),
    "SG": _(
        "After AWS approves it, register the sender ID on SGNIC's SMS Sender ID Registry (your UEN "
        "is needed): unregistered sender IDs are shown as “LIKELY-SCAM”."
    ),
    "TR": _("The registration form is for transactional messages only."),
}


def user_note(iso_code: str) -> str:
    """The country's note for users, translated ("" when there is nothing to add)."""
    note = USER_NOTES.get((iso_code or "").upper())
    return str(note) if note is not None else ""
