"""Statuses in plain words: every status has a sentence for the team and a next step; the request's
page leads with them, names the portal's actors for people, and keeps AWS's own words (statuses, error
codes, messages) inside a "Details from AWS" disclosure, open for staff.

Personas: Olivia owns the request; Sam is support staff.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from senderids import events
from senderids.choices import RegistrationChoice, Status
from senderids.models import StatusEvent
from senderids.status_texts import APPROVER_NEXT, HEADLINES, WHAT_NEXT, headline, what_next
from teams.services import SUPPORT_STAFF, portal_groups_ensure
from tests.factories import SenderIdRequestFactory

pytestmark = pytest.mark.django_db

AWS_WORDS = ("COMPLETE", "ConflictException", "The sender ID is already in use", "pending-customer-action")
_DETAILS = re.compile(r"<details\b.*?</details>", re.S)


@pytest.fixture
def sam_client(staff_user):
    """Support staff in their own browser."""
    portal_groups_ensure()
    staff_user.groups.add(Group.objects.get(name=SUPPORT_STAFF))
    browser = Client()
    browser.force_login(staff_user)
    return browser


@pytest.fixture
def active_registered(owner, countries):
    """India, registered (registration chosen at request time) and active, with AWS's words on it."""
    request = SenderIdRequestFactory(
        owner=owner,
        country=countries["IN"],
        sender_id="ACMEIN",
        status=Status.ACTIVE,
        registration_choice=RegistrationChoice.COMPLETE_NOW,
        registration_form_name="ACMEIN registration",
        aws_status="COMPLETE",
        aws_error_code="ConflictException",
        aws_error_message="The sender ID is already in use",
    )
    StatusEvent.objects.create(
        request=request,
        from_status=Status.REGISTRATION_SUBMITTED,
        to_status=Status.ACTIVE,
        actor_label=events.POLLER_ACTOR,
        kind="registration_approved",
        reason="Registration approved; AWS created the sender ID.",
        reason_code="registration_approved",
        aws_code="COMPLETE",
    )
    StatusEvent.objects.create(
        request=request,
        from_status=Status.ACTIVE,
        to_status=Status.ACTIVE,
        actor_label=events.WORKER_ACTOR,
        kind="release_refused",
        reason="AWS refused to release the sender ID: it stays active.",
        reason_code="release_refused",
        aws_code="ConflictException",
        aws_message="pending-customer-action",
    )
    return request


def outside_details(html: str) -> str:
    return _DETAILS.sub("", html)


def test_every_status_has_a_sentence_for_the_team_and_a_next_step():
    for status in Status:
        assert str(HEADLINES[status]).strip(), status
        assert headline(status) == str(HEADLINES[status])
        team, staff = WHAT_NEXT[status]
        assert str(team).strip() and str(staff).strip(), status


def test_an_approver_gets_their_own_next_step_where_it_differs():
    for status, text in APPROVER_NEXT.items():
        assert what_next(status, staff=True, approver=True) == str(text)
    assert what_next(Status.ACTIVE, staff=True, approver=True) == str(WHAT_NEXT[Status.ACTIVE][1])
    assert what_next(Status.PENDING_REVIEW, staff=False, approver=True) == str(
        WHAT_NEXT[Status.PENDING_REVIEW][0]
    )


def test_the_plain_sentences_say_nothing_in_awss_words():
    for status in Status:
        for text in (HEADLINES[status], WHAT_NEXT[status][0]):
            assert not re.search(r"\b[A-Z]{2,}_[A-Z_]+\b|Exception\b", str(text)), status


def test_the_page_of_an_active_request_leads_with_the_plain_sentence(owner_client, active_registered):
    html = owner_client.get(f"/sender-ids/{active_registered.pk}/").content.decode()
    head = html[html.index('id="status-headline"') :]
    assert head.split("</p>", 1)[0].endswith(str(HEADLINES[Status.ACTIVE]))
    assert str(WHAT_NEXT[Status.ACTIVE][0]) in html


def test_the_page_of_an_active_request_shows_no_aws_code_outside_details(owner_client, active_registered):
    html = owner_client.get(f"/sender-ids/{active_registered.pk}/").content.decode()
    rest = outside_details(html)
    for word in AWS_WORDS:
        assert word in html, word  # still there, for who opens the details...
        assert word not in rest, word  # ...and nowhere else
    # The details are AWS's own words: marked as English, closed for the team.
    assert 'lang="en"' in html
    assert '<details class="aws-details" id="aws-details">' in html
    # In plain words, what AWS's answer meant.
    assert "AWS refused to release the sender ID: it stays active." in rest


def test_staff_see_awss_words_in_open_details(sam_client, active_registered):
    html = sam_client.get(f"/sender-ids/{active_registered.pk}/").content.decode()
    assert '<details class="aws-details" id="aws-details" open>' in html
    details = "".join(_DETAILS.findall(html))
    for word in AWS_WORDS:
        assert word in details, word


def test_complete_registration_is_not_offered_on_an_active_request(owner_client, active_registered):
    html = owner_client.get(f"/sender-ids/{active_registered.pk}/").content.decode()
    assert 'id="complete-registration"' not in html
    assert "Complete registration" not in html
    assert 'id="registration-link"' in html  # the registration stays readable


def test_complete_registration_is_offered_while_the_form_needs_the_team(owner_client, owner, countries):
    draft = SenderIdRequestFactory(owner=owner, country=countries["IN"], status=Status.REGISTRATION_DRAFT)
    html = owner_client.get(f"/sender-ids/{draft.pk}/").content.decode()
    assert 'class="button primary" id="complete-registration"' in html


def test_the_worker_shows_as_the_portal_and_the_poller_as_aws(owner_client, active_registered):
    html = owner_client.get(f"/sender-ids/{active_registered.pk}/").content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert "by the portal" in timeline and "by AWS" in timeline
    for label in ("worker", "registration-poller"):
        assert label not in timeline


def test_staff_see_the_technical_actor_in_a_title(sam_client, active_registered):
    html = sam_client.get(f"/sender-ids/{active_registered.pk}/").content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert 'title="worker">by the portal' in timeline
    assert 'title="registration-poller">by AWS' in timeline


def test_actor_display_names_people_by_username_and_the_system_as_the_portal(owner):
    person = StatusEvent(actor=owner, actor_label=owner.get_username())
    nobody = StatusEvent(actor_label="system")
    assert str(events.actor_display(person, staff=True)) == owner.get_username()
    assert events.actor_display(person, staff=True).technical == ""
    assert events.actor_display(nobody, staff=False) == ("the portal", "")
    assert events.actor_display(nobody, staff=True) == ("the portal", "system")
    with translation.override("fr"):
        assert events.actor_display(StatusEvent(actor_label="worker"), staff=False).name in {
            "le portail",
            "the portal",  # until the French catalogue is compiled
        }
