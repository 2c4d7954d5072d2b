"""The regulation calendar's daily notice: a rule starting within 30 days is told once per rule and
request, to the teams of active sender IDs, by email in each member's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from config.celery import app
from countries.models import CountryRule
from senderids import tasks
from senderids.choices import MessageType, Status
from senderids.models import EmailPreference, NotificationPreference, StatusEvent
from senderids.services import regulation
from senderids.services.regulation import rule_notices_send
from teams.services import membership_set, team_ensure_for
from tests.factories import CountryFactory, SenderIdRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

RTR_STARTS = dt.date(2026, 10, 1)
SOON = dt.date(2026, 9, 15)  # 16 days before Austria's RTR rule


@pytest.fixture
def austria():
    return CountryFactory(iso_code="AT", name="Austria")


@pytest.fixture
def active_at(owner, austria):
    return SenderIdRequestFactory(owner=owner, country=austria, sender_id="MyBrand", status=Status.ACTIVE)


def notices(request) -> list[StatusEvent]:
    return list(StatusEvent.objects.filter(request=request, kind__startswith="rule_notice:"))


def test_an_active_request_is_told_of_a_rule_starting_within_30_days(active_at, mailoutbox):
    assert rule_notices_send(today=SOON) == 1
    (email,) = mailoutbox
    assert email.to == [active_at.owner.email]
    assert "Austria" in email.subject and "1 October 2026" in email.subject
    assert "RTR" in email.body and "MyBrand" in email.body and f"/sender-ids/{active_at.pk}/" in email.body
    assert "What to do: Register the sender ID with RTR" in email.body
    (note,) = notices(active_at)
    assert note.kind == "rule_notice:at-rtr-registry"
    assert note.reason.startswith("From 1 October 2026: ")
    assert (note.from_status, note.to_status) == (Status.ACTIVE, Status.ACTIVE)


def test_a_second_run_sends_nothing(active_at, mailoutbox):
    rule_notices_send(today=SOON)
    assert rule_notices_send(today=SOON) == 0
    assert rule_notices_send(today=SOON + dt.timedelta(days=3)) == 0
    assert len(mailoutbox) == 1 and len(notices(active_at)) == 1


def test_the_day_it_starts_counts(active_at, mailoutbox):
    assert rule_notices_send(today=RTR_STARTS) == 1
    assert "starts today" in mailoutbox[0].subject


@pytest.mark.parametrize("today", [RTR_STARTS - dt.timedelta(days=31), RTR_STARTS + dt.timedelta(days=1)])
def test_a_rule_further_away_or_already_started_is_not_told(active_at, mailoutbox, today):
    assert rule_notices_send(today=today) == 0
    assert notices(active_at) == []


@pytest.mark.parametrize("status", [Status.PENDING_REVIEW, Status.REGISTRATION_SUBMITTED, Status.RELEASED])
def test_only_active_requests_are_told(owner, austria, mailoutbox, status):
    request = SenderIdRequestFactory(owner=owner, country=austria, status=status)
    assert rule_notices_send(today=SOON) == 0
    assert notices(request) == []


def test_a_disabled_rule_is_not_told(active_at, mailoutbox):
    CountryRule.objects.filter(country_id="AT", code="at-rtr-registry").update(enabled=False)
    assert rule_notices_send(today=SOON) == 0


def test_a_rule_for_one_message_type_tells_only_those_requests(owner, austria, mailoutbox):
    CountryRule.objects.create(
        country=austria, code="at-promo", kind="info", severity="warn", text="Promotional change.",
        effective_from=SOON, message_types=MessageType.PROMOTIONAL,
    )  # fmt: skip
    promotional = SenderIdRequestFactory(
        owner=owner, country=austria, status=Status.ACTIVE, message_type=MessageType.PROMOTIONAL
    )
    transactional = SenderIdRequestFactory(owner=owner, country=austria, status=Status.ACTIVE)
    rule_notices_send(today=SOON)
    assert [n.kind for n in notices(promotional)] == ["rule_notice:at-promo", "rule_notice:at-rtr-registry"]
    assert [n.kind for n in notices(transactional)] == ["rule_notice:at-rtr-registry"]


def test_a_team_hears_once_per_rule_with_all_its_sender_ids_and_each_member_in_their_language(
    owner, austria, mailoutbox
):
    team = team_ensure_for(owner)
    teammate = UserFactory(username="francoise", email="francoise@acme.example")
    membership_set(team=team, user=teammate)
    NotificationPreference.objects.create(user=teammate, language="fr")
    first = SenderIdRequestFactory(owner=owner, country=austria, sender_id="MyBrand", status=Status.ACTIVE)
    second = SenderIdRequestFactory(owner=owner, country=austria, sender_id="MyShop", status=Status.ACTIVE)
    assert rule_notices_send(today=SOON) == 2
    by_address = {email.to[0]: email for email in mailoutbox}
    english, french = by_address[owner.email], by_address[teammate.email]
    assert "1 October 2026" in english.body and "octobre" not in english.body
    assert "1 octobre 2026" in french.body
    for email in (english, french):
        assert "MyBrand" in email.body and "MyShop" in email.body
    assert len(notices(first)) == len(notices(second)) == 1


def test_a_member_who_wants_no_email_is_not_written_to(active_at, mailoutbox):
    NotificationPreference.objects.create(user=active_at.owner, email=EmailPreference.NONE)
    assert rule_notices_send(today=SOON) == 0
    assert len(notices(active_at)) == 1  # the team counts as told


def test_when_no_email_could_be_sent_tomorrow_tries_again(active_at, mailoutbox, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(regulation, "send_mail", broken)
    assert rule_notices_send(today=SOON) == 0
    assert notices(active_at) == []
    monkeypatch.undo()
    assert rule_notices_send(today=SOON + dt.timedelta(days=1)) == 1


def test_the_task_runs_the_service_for_today(owner, austria, mailoutbox):
    request = SenderIdRequestFactory(owner=owner, country=austria, status=Status.ACTIVE)
    CountryRule.objects.create(
        country=austria, code="at-soon", kind="info", severity="warn", text="Soon.",
        effective_from=timezone.localdate() + dt.timedelta(days=5),
    )  # fmt: skip
    assert tasks.rule_notices() >= 1
    assert "rule_notice:at-soon" in [n.kind for n in notices(request)]


def test_beat_runs_the_rule_notices_daily():
    (entry,) = [e for e in app.conf.beat_schedule.values() if e["task"] == "senderids.tasks.rule_notices"]
    assert str(entry["schedule"].hour) == "{7}"
