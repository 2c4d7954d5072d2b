"""What happens next, in plain words, for every request status and for who is looking at it.

Shown on the request's page (and its live updates): the team reads what they must do or wait for,
staff read what is theirs to do. Every status has both sentences; a test keeps it that way.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import Status

# status: (for the team, for staff)
WHAT_NEXT: dict[str, tuple[Promise, Promise]] = {
    Status.PENDING_REVIEW: (
        _("An approver checks the request before it goes to AWS. You get an email when it is decided."),
        _("Waiting for an approver: approve or reject it in admin."),
    ),
    Status.APPROVED: (
        _("Approved: the portal is sending it to AWS. This takes seconds."),
        _("Approved: a worker sends it to AWS within seconds."),
    ),
    Status.SUBMITTING: (
        _("The portal is talking to AWS. If AWS is busy, it tries again by itself."),
        _("A worker is talking to AWS; throttling and AWS errors are retried with backoff."),
    ),
    Status.REGISTRATION_DRAFT: (
        _("Complete the registration form and press Submit: AWS reviews nothing until then."),
        _("Waiting for the team to complete and submit the registration form."),
    ),
    Status.REGISTRATION_SUBMITTED: (
        _(
            "AWS and the carriers are reviewing the registration. Nothing to do until they answer: "
            "you get an email."
        ),
        _(
            "Under review at AWS. Watch the clock below: past AWS's estimate, or CREATED after a day, "
            "open a case."
        ),
    ),
    Status.REQUIRES_UPDATES: (
        _(
            "AWS asked for changes: open the registration, fix the fields it marked, and submit a new "
            "version."
        ),
        _("Waiting for the team to fix the registration AWS sent back."),
    ),
    Status.ACTION_REQUIRED: (
        _(
            "AWS waits for something outside its review (for example an email to authenticate): "
            "follow AWS's instructions; the review then continues."
        ),
        _("AWS waits for the team to act outside the review (REQUIRES_AUTHENTICATION)."),
    ),
    Status.SUPPORT_CASE_OPEN: (
        _(
            "AWS Support is handling the case. Answer their questions on the support-case page; the "
            "sender ID is set up when the case is resolved."
        ),
        _("Follow the AWS Support case; record AWS's answers and the case state on the support-case page."),
    ),
    Status.SUPPORT_CASE_RESOLVED: (
        _(
            "AWS Support resolved the case. Support staff check that the sender ID was delivered, "
            "then it becomes active."
        ),
        _("Check at AWS that the sender ID exists, then confirm it on the support-case page."),
    ),
    Status.ACTIVE: (
        _("Ready to use. AWS charges its monthly lease until it is released."),
        _("Active at AWS. The drift sync checks it still exists there."),
    ),
    Status.RELEASING: (
        _("The portal is releasing it at AWS. This takes seconds."),
        _("A worker is releasing it at AWS."),
    ),
    Status.RELEASED: (
        _("Released: AWS stops charging from next month. Nothing more will happen."),
        _("Released. Nothing more will happen."),
    ),
    Status.REJECTED: (
        _(
            "An approver rejected the request (the reason is in the history). You can request another "
            "sender ID."
        ),
        _("Rejected. Nothing more will happen."),
    ),
    Status.FAILED: (
        _("AWS refused it (the reason is below). Support staff can retry it, or request again with changes."),
        _("Read AWS's reason; retry from admin once it is fixed."),
    ),
}


def what_next(status: str, *, staff: bool) -> str:
    texts = WHAT_NEXT.get(status)
    if texts is None:  # a status added later without its sentences: say nothing wrong
        return ""
    return str(texts[1] if staff else texts[0])
