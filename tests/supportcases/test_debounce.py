"""Statuses a person understands, debounced: moto's case flaps opened → pending-customer-action →
reopened → resolved → … on every DescribeCases; the portal makes one timeline entry and at most one
email per real change of meaning, once it has held for the settle window. The raw status is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from senderids.choices import Status
from supportcases.lifecycle import SETTLE_WINDOW, meaning_of, settle
from supportcases.models import CaseState
from supportcases.services.states import REPLY_NEEDED_EMAIL_TASK

from . import moto_ext
from .helpers import open_case, owner_emails, poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher", "api_mode")]

STEP_EVERY_DESCRIBE = {"model_name": "support::case", "transition": {"progression": "manual", "times": 1}}
CASE_KINDS = (
    "support_case_resolved",
    "support_case_reopened",
    "support_case_reply_needed",
    "support_case_in_progress",
)


@pytest.mark.parametrize(
    ("aws_status", "meaning"),
    [
        ("opened", CaseState.OPEN),
        ("unassigned", CaseState.OPEN),
        ("work-in-progress", CaseState.OPEN),
        ("reopened", CaseState.OPEN),
        ("customer-action-completed", CaseState.OPEN),
        ("pending-customer-action", CaseState.CUSTOMER_ACTION),
        ("resolved", CaseState.RESOLVED),
        ("a-status-aws-adds-next-year", CaseState.OPEN),
    ],
)
def test_each_aws_status_means_one_of_four_things(aws_status, meaning):
    assert meaning_of(aws_status) == meaning


def test_a_new_meaning_counts_once_it_has_held_for_the_window():
    t0 = timezone.now()
    first = settle(state="open", pending_state="", pending_since=None, observed="resolved", now=t0)
    assert (first.apply, first.pending_state, first.pending_since) == (None, "resolved", t0)
    early = settle(
        state="open",
        pending_state="resolved",
        pending_since=t0,
        observed="resolved",
        now=t0 + timedelta(minutes=1),
    )
    assert early.apply is None and early.pending_since == t0
    held = settle(
        state="open", pending_state="resolved", pending_since=t0, observed="resolved", now=t0 + SETTLE_WINDOW
    )
    assert (held.apply, held.pending_state, held.pending_since) == ("resolved", "", None)


def test_a_flip_back_within_the_window_cancels_the_change():
    t0 = timezone.now()
    back = settle(
        state="open",
        pending_state="resolved",
        pending_since=t0,
        observed="open",
        now=t0 + timedelta(minutes=2),
    )
    assert (back.apply, back.pending_state, back.pending_since) == (None, "", None)
    other = settle(
        state="open",
        pending_state="resolved",
        pending_since=t0,
        observed="customer_action",
        now=t0 + SETTLE_WINDOW,
    )
    assert other.apply is None and other.pending_state == "customer_action"  # its own clock starts


def _case_entries(request) -> list[str]:
    return list(request.events.filter(kind__in=CASE_KINDS).values_list("kind", flat=True))


def test_a_flapping_case_makes_one_entry_and_one_email_per_real_change(
    moto_support, vn_request, owner, django_capture_on_commit_callbacks
):
    case = open_case(vn_request)
    mail.outbox.clear()
    moto_support._post("/moto-api/state-manager/set-transition", STEP_EVERY_DESCRIBE)
    start = timezone.now()
    seen = []
    with django_capture_on_commit_callbacks(execute=True):
        # Every poll sees the next status of moto's cycle, three minutes apart: nothing holds.
        for step in range(7):
            poll(start + timedelta(minutes=3 * step))
            case.refresh_from_db()
            seen.append(case.status)
    assert {"pending-customer-action", "reopened", "resolved"} <= set(seen)  # it really flapped
    assert _case_entries(vn_request) == []
    assert owner_emails(mail.outbox, owner) == []
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_OPEN
    assert vn_request.aws_status == case.status  # the raw status is mirrored for staff all along

    moto_support.freeze()
    moto_ext.set_case_status(case.case_id, "resolved")  # AWS resolved it for good
    later = start + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        for minutes in (0, 3, 6, 11, 20, 40):
            poll(later + timedelta(minutes=minutes))

    assert _case_entries(vn_request) == ["support_case_resolved"]
    (email,) = owner_emails(mail.outbox, owner)
    assert "Support case resolved" in email.subject
    vn_request.refresh_from_db()
    assert vn_request.status == Status.SUPPORT_CASE_RESOLVED


def test_resolved_reopened_resolved_within_the_window_is_one_entry_and_one_email(
    moto_support, vn_request, owner, django_capture_on_commit_callbacks
):
    case = open_case(vn_request)
    mail.outbox.clear()
    moto_ext.set_case_status(case.case_id, "resolved")
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        poll(start)
        poll(start + SETTLE_WINDOW)
        for minutes, status in (
            (13, "reopened"),
            (16, "resolved"),
            (19, "reopened"),
            (22, "resolved"),
            (40, "resolved"),
        ):
            moto_ext.set_case_status(case.case_id, status)
            poll(start + timedelta(minutes=minutes))
    assert _case_entries(vn_request) == ["support_case_resolved"]
    assert len(owner_emails(mail.outbox, owner)) == 1


def test_aws_waiting_for_a_reply_is_one_note_and_one_email(
    moto_support, support_api_extension, vn_request, owner, sent_tasks, django_capture_on_commit_callbacks
):
    case = open_case(vn_request)
    support_api_extension.aws_says(case.case_id, "Which opt-in wording do your users see?")
    moto_ext.set_case_status(case.case_id, "pending-customer-action")
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for minutes in (0, 5, 11, 30):
            poll(start + timedelta(minutes=minutes))

    (note,) = vn_request.events.filter(kind="support_case_reply_needed")
    assert (note.from_status, note.to_status) == (Status.SUPPORT_CASE_OPEN, Status.SUPPORT_CASE_OPEN)
    assert note.aws_code == "pending-customer-action"
    assert sent_tasks[REPLY_NEEDED_EMAIL_TASK] == [note.pk]
    assert owner_emails(mail.outbox, owner) == []  # no status email: the request is still open

    from supportcases import services

    assert services.reply_needed_email_send(event_id=note.pk) is True
    (email,) = owner_emails(mail.outbox, owner)
    assert "waiting for your reply" in email.subject
    assert "Which opt-in wording do your users see?" in email.body
    assert f"/support-cases/{vn_request.pk}/" in email.body
