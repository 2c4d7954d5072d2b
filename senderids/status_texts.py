"""Every request status in plain words, and what happens next, for who is looking at it.

`HEADLINES`: one sentence per status saying where the request stands, for the team (the request's
and the registration's page headline). `WHAT_NEXT`: the next step, for the team and for staff;
`APPROVER_NEXT` where an approver's differs. AWS's own words (its statuses, error codes) are never
part of these: pages show them only inside a "Details from AWS" disclosure. Every status has all its
sentences; a test keeps it that way.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import Status

# status: its name (what get_status_display says), looked up without Django's per-call rebuild of
# the choices (which translates every status's name to find one: pages show a badge per row).
LABELS: dict[str, Promise] = dict(Status.choices)


def status_label(status: str) -> str:
    """The status's name in the active language; an unknown value as it is (as get_status_display)."""
    label = LABELS.get(status)
    return status if label is None else str(label)


# status: where the request stands, for the team (the page's headline).
HEADLINES: dict[str, Promise] = {
    Status.PENDING_REVIEW: _("Your request is waiting for an approver."),
    Status.APPROVED: _("Your request is approved and on its way to AWS."),
    Status.SUBMITTING: _("The portal is sending your request to AWS."),
    Status.REGISTRATION_DRAFT: _("AWS needs your registration form before it can review the sender ID."),
    Status.REGISTRATION_SUBMITTED: _("AWS is reviewing your registration."),
    Status.REQUIRES_UPDATES: _("AWS asks for changes to your registration."),
    Status.ACTION_REQUIRED: _("AWS is waiting for you to complete a step outside its review."),
    Status.SUPPORT_CASE_OPEN: _("AWS Support is handling your request."),
    Status.SUPPORT_CASE_RESOLVED: _("AWS Support resolved the case: the sender ID is being checked."),
    Status.ACTIVE: _("Your sender ID is registered and ready to use."),
    Status.RELEASING: _("Your sender ID is being released."),
    Status.RELEASED: _("Your sender ID was released."),
    Status.REJECTED: _("Your request was rejected."),
    Status.FAILED: _("AWS could not complete your request."),
}

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


# status: the next step for an approver, where it differs from the other staff's.
APPROVER_NEXT: dict[str, Promise] = {
    Status.PENDING_REVIEW: _("Check the request, then approve or reject it in admin."),
    Status.FAILED: _("Read the reason in the history; once it is fixed, retry the request from admin."),
}


def headline(status: str) -> str:
    """Where the request stands, in one plain sentence ("" for a status without one)."""
    text = HEADLINES.get(status)
    return str(text) if text is not None else ""


def what_next(status: str, *, staff: bool, approver: bool = False) -> str:
    if staff and approver and status in APPROVER_NEXT:
        return str(APPROVER_NEXT[status])
    texts = WHAT_NEXT.get(status)
    if texts is None:  # a status added later without its sentences: say nothing wrong
        return ""
    return str(texts[1] if staff else texts[0])
