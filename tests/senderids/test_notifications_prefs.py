"""Emails about a request go to its team, by each member's preference, in their language, at most once per
real change of meaning; the daily digests (a member's, support staff's); the notification settings page.

Personas: Olivia owns the request (team admin), Tom is her teammate, Mallory is in another team, Sam is
support staff.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from senderids import events, lifecycle, notifications, tasks
from senderids.choices import Status
from senderids.models import EmailPreference, NotificationPreference, NotificationSent, StatusEvent
from teams.services import SUPPORT_STAFF, membership_set, portal_groups_ensure, team_ensure_for
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

SEND = "senderids.tasks.send_status_email"
AWS = events.Event("aws_status", events.POLLER_ACTOR)


@pytest.fixture
def team(owner):
    return team_ensure_for(owner)


@pytest.fixture
def teammate(django_user_model, team):
    tom = django_user_model.objects.create_user("tom", "tom@acme.example", "tom-pass-1", first_name="Tom")
    membership_set(team=team, user=tom)
    return tom


@pytest.fixture
def request_(owner, team):
    return SenderIdRequestFactory(owner=owner, team=team, sender_id="ACME", status=Status.PENDING_REVIEW)


def prefer(user, email: str = EmailPreference.EVERY_CHANGE, language: str = "en") -> None:
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email, "language": language}
    )


def move(request, to: str, capture, *, event: events.Event = AWS) -> StatusEvent:
    with capture(execute=True):
        return lifecycle.transition(request, to, event=event)


def inbox(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


def age(event: StatusEvent, by: timedelta) -> None:
    """The event happened `by` earlier than it did (the burst and repeat rules read created_at)."""
    StatusEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - by)


# --- who gets what ------------------------------------------------------------------------------------
def test_every_member_who_wants_every_change_gets_their_own_email(
    request_, owner, teammate, django_capture_on_commit_callbacks
):
    move(request_, Status.APPROVED, django_capture_on_commit_callbacks, event=events.auto_approved())
    assert [m.to for m in mail.outbox] == [[owner.email], [teammate.email]]
    assert all("Approved" in m.subject for m in mail.outbox)


def test_one_task_per_recipient_is_enqueued_on_commit(
    request_, owner, teammate, django_user_model, team, sent_tasks, django_capture_on_commit_callbacks
):
    quiet = django_user_model.objects.create_user("quinn", "quinn@acme.example", "quinn-pass-1")
    membership_set(team=team, user=quiet)
    prefer(quiet, EmailPreference.NONE)
    with django_capture_on_commit_callbacks(execute=False):
        event = lifecycle.transition(request_, Status.APPROVED, event=events.auto_approved())
    assert sent_tasks[SEND] == []  # nothing before the commit
    with django_capture_on_commit_callbacks(execute=True):
        notifications.enqueue_status_email(request_, event)
    assert sent_tasks[SEND] == [(event.pk, owner.pk), (event.pk, teammate.pk)]


def test_only_when_i_must_act_skips_progress_and_tells_what_to_do(
    request_, owner, teammate, django_capture_on_commit_callbacks
):
    prefer(teammate, EmailPreference.MUST_ACT)
    move(request_, Status.APPROVED, django_capture_on_commit_callbacks, event=events.auto_approved())
    assert inbox(teammate) == [] and len(inbox(owner)) == 1
    lifecycle.transition(request_, Status.SUBMITTING, event=events.submission_claimed())
    move(request_, Status.REGISTRATION_DRAFT, django_capture_on_commit_callbacks)
    (email,) = inbox(teammate)
    assert "Registration draft" in email.subject


@pytest.mark.parametrize("choice", [EmailPreference.DAILY_DIGEST, EmailPreference.NONE])
def test_daily_digest_and_none_get_no_email_at_the_change(
    request_, owner, teammate, choice, sent_tasks, django_capture_on_commit_callbacks
):
    prefer(teammate, choice)
    move(request_, Status.APPROVED, django_capture_on_commit_callbacks, event=events.auto_approved())
    assert inbox(teammate) == [] and len(inbox(owner)) == 1
    assert all(user_id != teammate.pk for _event, user_id in sent_tasks[SEND])


def test_a_preference_changed_before_the_task_runs_is_honoured(request_, teammate):
    event = lifecycle.transition(request_, Status.APPROVED, event=events.auto_approved())
    prefer(teammate, EmailPreference.NONE)
    assert notifications.status_email_send(event_id=event.pk, user_id=teammate.pk) is False
    assert mail.outbox == []


def test_a_former_member_is_not_emailed(request_, teammate, team):
    event = lifecycle.transition(request_, Status.APPROVED, event=events.auto_approved())
    team.memberships.filter(user=teammate).delete()
    assert notifications.status_email_send(event_id=event.pk, user_id=teammate.pk) is False


# --- language and links -------------------------------------------------------------------------------
def test_each_email_is_in_its_recipients_language(
    request_, owner, teammate, settings, django_capture_on_commit_callbacks
):
    from django.utils import translation

    prefer(teammate, language="fr")
    with translation.override("en"):  # whatever the language of the person who acted
        move(request_, Status.APPROVED, django_capture_on_commit_callbacks, event=events.auto_approved())
    (french,) = inbox(teammate)
    (english,) = inbox(owner)
    assert "Bonjour Tom" in french.body and "Votre demande" in french.body
    assert "Approuvée" in french.subject
    assert "Hello Olivia" in english.body and "Approved" in english.subject


def test_links_are_absolute_from_portal_base_url(
    request_, owner, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example:8443"
    move(request_, Status.APPROVED, django_capture_on_commit_callbacks, event=events.auto_approved())
    (email,) = inbox(owner)
    assert f"https://portal.example:8443/sender-ids/{request_.pk}/" in email.body
    assert "https://portal.example:8443/notifications/" in email.body


# --- at most one email per real change of meaning ------------------------------------------------------
def test_the_same_event_is_never_emailed_twice_even_if_the_task_runs_twice(request_, owner):
    event = lifecycle.transition(request_, Status.APPROVED, event=events.auto_approved())
    tasks.send_status_email.apply(args=(event.pk, owner.pk))
    tasks.send_status_email.apply(args=(event.pk, owner.pk))
    assert notifications.status_email_send(event_id=event.pk, user_id=owner.pk) is False
    assert len(inbox(owner)) == 1
    assert NotificationSent.objects.filter(user=owner, event=event).count() == 1


def test_back_and_forth_within_a_minute_is_not_emailed(owner, team, django_capture_on_commit_callbacks):
    request = SenderIdRequestFactory(owner=owner, team=team, status=Status.REGISTRATION_SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):  # both changes committed before a worker runs
        lifecycle.transition(request, Status.REQUIRES_UPDATES, event=AWS)
        lifecycle.transition(request, Status.REGISTRATION_SUBMITTED, event=AWS)
    assert inbox(owner) == []  # under review, as before: no news


def test_a_change_overtaken_within_a_minute_gives_one_email_with_the_outcome(owner, team):
    request = SenderIdRequestFactory(owner=owner, team=team, status=Status.PENDING_REVIEW)
    approved = lifecycle.transition(request, Status.APPROVED, event=events.auto_approved())
    lifecycle.transition(request, Status.SUBMITTING, event=events.submission_claimed())
    draft = lifecycle.transition(request, Status.REGISTRATION_DRAFT, event=AWS)
    assert notifications.status_email_send(event_id=approved.pk, user_id=owner.pk) is False
    assert notifications.status_email_send(event_id=draft.pk, user_id=owner.pk) is True
    (email,) = inbox(owner)
    assert "Registration draft" in email.subject


def test_the_same_status_is_not_told_twice_within_the_repeat_window(owner, team):
    request = SenderIdRequestFactory(owner=owner, team=team, status=Status.REGISTRATION_SUBMITTED)
    first = lifecycle.transition(request, Status.REQUIRES_UPDATES, event=AWS)
    back = lifecycle.transition(request, Status.REGISTRATION_SUBMITTED, event=AWS)
    again = lifecycle.transition(request, Status.REQUIRES_UPDATES, event=AWS)
    # Minutes apart (slower than a burst), all within the repeat window.
    age(first, timedelta(minutes=6))
    age(back, timedelta(minutes=3))
    now = timezone.now()
    assert notifications.status_email_send(event_id=first.pk, user_id=owner.pk, now=now) is True
    assert notifications.status_email_send(event_id=back.pk, user_id=owner.pk, now=now) is True
    assert notifications.status_email_send(event_id=again.pk, user_id=owner.pk, now=now) is False
    later = now + notifications.REPEAT_WINDOW + timedelta(seconds=5)
    assert notifications.status_email_send(event_id=again.pk, user_id=owner.pk, now=later) is True
    assert len(inbox(owner)) == 3


def test_in_a_worker_the_task_waits_for_the_change_to_settle(request_, owner, monkeypatch):
    event = lifecycle.transition(request_, Status.APPROVED, event=events.auto_approved())
    deferred = []
    monkeypatch.setattr(
        tasks.send_status_email, "apply_async", lambda args, countdown: deferred.append((args, countdown))
    )
    assert tasks.send_status_email(event.pk, owner.pk) is False  # called as a worker does, not eagerly
    ((args, countdown),) = deferred
    assert args == (event.pk, owner.pk) and 50 < countdown <= 60
    assert mail.outbox == []
    age(event, notifications.SETTLE)
    assert tasks.send_status_email(event.pk, owner.pk) is True
    assert len(inbox(owner)) == 1


# --- the members' daily digest ------------------------------------------------------------------------
def test_the_daily_digest_lists_my_teams_changes_of_the_last_24_hours(
    owner, teammate, team, stranger, countries
):
    prefer(teammate, EmailPreference.DAILY_DIGEST)
    recent = SenderIdRequestFactory(owner=owner, team=team, sender_id="RECENT", status=Status.PENDING_REVIEW)
    old = SenderIdRequestFactory(owner=owner, team=team, sender_id="OLDNEWS", status=Status.PENDING_REVIEW)
    theirs = SenderIdRequestFactory(owner=stranger, sender_id="THEIRS", status=Status.PENDING_REVIEW)
    lifecycle.transition(recent, Status.APPROVED, event=events.auto_approved())
    lifecycle.transition(recent, Status.SUBMITTING, event=events.submission_claimed())  # silent: not listed
    lifecycle.transition(recent, Status.ACTIVE, event=events.sender_id_created())
    age(lifecycle.transition(old, Status.APPROVED, event=events.auto_approved()), timedelta(hours=25))
    lifecycle.transition(theirs, Status.APPROVED, event=events.auto_approved())

    assert notifications.digest_send(user_id=teammate.pk) is True
    (digest,) = mail.outbox
    assert digest.to == [teammate.email]
    assert "RECENT" in digest.body and "Pending review → Approved" in digest.body
    assert "Approved → Active" in digest.body
    assert "Submitting to AWS" not in digest.body
    assert "OLDNEWS" not in digest.body and "THEIRS" not in digest.body
    assert f"/sender-ids/{recent.pk}/" in digest.body
    assert "1 request changed" in digest.subject


def test_the_digest_goes_out_once_a_day_and_not_at_all_when_nothing_changed(owner, teammate, team):
    prefer(teammate, EmailPreference.DAILY_DIGEST)
    now = timezone.now()
    assert notifications.digest_send(user_id=teammate.pk, now=now) is False  # nothing changed: no email
    request = SenderIdRequestFactory(owner=owner, team=team, status=Status.PENDING_REVIEW)
    lifecycle.transition(request, Status.APPROVED, event=events.auto_approved())
    assert notifications.digest_send(user_id=teammate.pk, now=now + timedelta(hours=1)) is False  # same day
    assert notifications.digest_send(user_id=teammate.pk, now=now + timedelta(hours=24)) is True
    assert notifications.digest_send(user_id=teammate.pk, now=now + timedelta(hours=25)) is False
    assert len(mail.outbox) == 1


def test_beat_enqueues_one_digest_per_digest_reader(
    owner, teammate, sent_tasks, django_capture_on_commit_callbacks
):
    prefer(teammate, EmailPreference.DAILY_DIGEST)
    prefer(owner, EmailPreference.EVERY_CHANGE)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_digests.apply().get() == 1
    assert sent_tasks["senderids.tasks.send_digest"] == [teammate.pk]


# --- support staff's digest ---------------------------------------------------------------------------
@pytest.fixture
def sam(staff_user):
    portal_groups_ensure()
    staff_user.groups.add(Group.objects.get(name=SUPPORT_STAFF))
    return staff_user


def _stale(request, days: int) -> None:
    type(request).objects.filter(pk=request.pk).update(
        status_changed_at=timezone.now() - timedelta(days=days)
    )


def test_support_staff_get_the_requests_that_need_attention_each_in_their_language(
    sam, admin_user_, owner, team, django_assert_num_queries
):
    stuck = SenderIdRequestFactory(
        owner=owner, team=team, sender_id="STUCK", status=Status.REGISTRATION_SUBMITTED
    )
    _stale(stuck, days=10)
    SenderIdRequestFactory(owner=owner, team=team, sender_id="FRESH", status=Status.REGISTRATION_SUBMITTED)
    SenderIdRequestFactory(owner=owner, team=team, sender_id="DONE", status=Status.ACTIVE)
    prefer(admin_user_, language="fr")

    with django_assert_num_queries(1):
        rows = notifications.attention_requests(now=timezone.now())
    assert [r.sender_id for r in rows] == ["STUCK"]

    assert notifications.staff_digest_send() == 2
    (to_sam,) = inbox(sam)
    (to_ada,) = inbox(admin_user_)
    assert "STUCK" in to_sam.body and "FRESH" not in to_sam.body and "DONE" not in to_sam.body
    assert "No progress from AWS for 10 days." in to_sam.body
    assert f"/sender-ids/{stuck.pk}/" in to_sam.body and "/tracking/?attention=1" in to_sam.body
    assert "1 sender ID request needs attention" in to_sam.subject
    assert "Registration submitted" in to_sam.body
    assert "STUCK" in to_ada.body and "Enregistrement" in to_ada.body  # the status, in French


def test_the_staff_digest_is_skipped_when_nothing_needs_attention(sam, owner, team):
    SenderIdRequestFactory(owner=owner, team=team, status=Status.REGISTRATION_SUBMITTED)
    assert notifications.staff_digest_send() == 0
    assert mail.outbox == []


def test_the_staff_digest_goes_out_once_a_day(sam, owner, team):
    _stale(SenderIdRequestFactory(owner=owner, team=team, status=Status.SUPPORT_CASE_OPEN), days=30)
    assert notifications.staff_digest_send() == 1
    assert notifications.staff_digest_send() == 0
    assert len(inbox(sam)) == 1


def test_business_users_never_get_the_staff_digest(sam, owner, team):
    _stale(SenderIdRequestFactory(owner=owner, team=team, status=Status.SUPPORT_CASE_OPEN), days=30)
    notifications.staff_digest_send()
    assert inbox(owner) == []


def test_beat_schedules_the_digests_and_the_webhook_sweep():
    from config.celery import app

    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "senderids.tasks.send_daily_digests",
        "senderids.tasks.send_staff_digest",
        "senderids.tasks.retry_webhook_deliveries",
    } <= tasks_scheduled


# --- /notifications/ ------------------------------------------------------------------------------------
def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_defaults_and_writes_nothing_on_get(owner_client, owner, settings):
    body = owner_client.get("/notifications/").content.decode()
    assert re.search(r'value="every_change"[^>]*checked', body)
    assert re.search(r'<option value="en" selected>', body)
    assert not NotificationPreference.objects.filter(user=owner).exists()


def test_i_choose_my_emails_and_their_language(owner_client, owner):
    response = owner_client.post("/notifications/", {"email": "must_act", "language": "fr"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    preference = NotificationPreference.objects.get(user=owner)
    assert (preference.email, preference.language) == ("must_act", "fr")
    owner_client.post("/notifications/", {"email": "none", "language": "en"})
    assert NotificationPreference.objects.filter(user=owner).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"email": "every_hour", "language": "en"},
        {"email": "none", "language": "de"},
        {"email": "x" * 5000, "language": "en"},
        {},
    ],
)
def test_a_malformed_choice_is_a_clear_400_and_saves_nothing(owner_client, owner, data):
    response = owner_client.post("/notifications/", data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not NotificationPreference.objects.filter(user=owner).exists()
