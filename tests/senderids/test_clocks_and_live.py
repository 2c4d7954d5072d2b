"""Clocks and live pages: how long a request has waited, AWS's published estimate, the flags support
staff watch, the JSON status a live page compares with, and "what happens next" for every status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from countries.eta import published_eta
from senderids import lifecycle
from senderids.choices import Status
from senderids.clocks import CREATED_TOO_LONG
from senderids.events import WORKER_ACTOR
from senderids.models import SenderIdRequest, StatusEvent
from senderids.status_texts import WHAT_NEXT, what_next
from teams.services import SUPPORT_STAFF, portal_groups_ensure
from tests.factories import SenderIdRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_client(staff_user):
    """Support staff in their own browser (the owner uses `client`)."""
    portal_groups_ensure()
    staff_user.groups.add(Group.objects.get(name=SUPPORT_STAFF))
    browser = Client()
    browser.force_login(staff_user)
    return browser


def waiting(
    owner, country, *, submitted_days_ago: float, sender_id: str = "ACME", aws_status: str = "REVIEWING"
):
    """A registration AWS got `submitted_days_ago` days ago and is still reviewing."""
    request = SenderIdRequestFactory(
        owner=owner, country=country, sender_id=sender_id, process="registration",
        status=Status.REGISTRATION_SUBMITTED, aws_status=aws_status,
    )  # fmt: skip
    at = timezone.now() - timedelta(days=submitted_days_ago)
    event = StatusEvent.objects.create(
        request=request, from_status=Status.REGISTRATION_DRAFT, to_status=Status.REGISTRATION_SUBMITTED,
        actor_label=WORKER_ACTOR,
    )  # fmt: skip
    StatusEvent.objects.filter(pk=event.pk).update(created_at=at)
    SenderIdRequest.objects.filter(pk=request.pk).update(status_changed_at=at)
    request.refresh_from_db()
    return request


def test_the_estimate_is_aws_published_table_figure():
    # Source: https://docs.aws.amazon.com/sms-voice/latest/userguide/registration-eta.html ("Estimated
    # registration times", Sender ID row): Austria 21 days, Singapore 21 days although its FAQ says 1–5 weeks.
    assert (published_eta("AT").max_days, published_eta("SG").max_days) == (21, 21)
    assert published_eta("ZZ") is None


def test_the_page_shows_time_in_status_and_the_countrys_estimate(owner_client, owner, countries):
    request = waiting(owner, countries["AT"], submitted_days_ago=3)
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    assert "In this status for 3" in html and "With AWS for 3" in html
    assert "AWS's published estimate for Austria: 21 days." in html
    assert 'id="clock-flags"' not in html


def test_a_country_without_an_estimate_says_so(owner_client, owner, countries):
    request = waiting(owner, countries["DE"], submitted_days_ago=1)  # DE: no registration ETA row
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    assert "AWS publishes no estimate for" in html


@pytest.mark.parametrize(
    ("days", "aws_status", "flag"),
    [
        (22, "REVIEWING", "past_estimate"),  # Austria: 21 days
        (8, "REVIEWING", "no_progress"),  # SENDERIDS_NO_PROGRESS_DAYS = 7
        (CREATED_TOO_LONG.total_seconds() / 86400 + 0.05, "CREATED", "created_too_long"),
    ],
)
def test_flags_on_the_page_and_on_tracking(
    owner_client, support_client, owner, countries, days, aws_status, flag
):
    flagged = waiting(
        owner, countries["AT"], submitted_days_ago=days, aws_status=aws_status, sender_id="LATE"
    )
    fresh = waiting(owner, countries["AT"], submitted_days_ago=0.1, aws_status=aws_status, sender_id="FRESH")

    assert f'data-flag="{flag}"' in owner_client.get(f"/sender-ids/{flagged.pk}/").content.decode()
    assert "data-flag=" not in owner_client.get(f"/sender-ids/{fresh.pk}/").content.decode()
    attention = support_client.get("/tracking/", {"attention": "on"}).content.decode()
    assert "LATE" in attention and "FRESH" not in attention and f'data-flag="{flag}"' in attention
    everything = support_client.get("/tracking/").content.decode()
    assert "LATE" in everything and "FRESH" in everything


def test_a_request_no_longer_waiting_on_aws_is_not_flagged(support_client, owner, countries):
    request = waiting(owner, countries["AT"], submitted_days_ago=40)
    SenderIdRequest.objects.filter(pk=request.pk).update(status=Status.ACTIVE)
    assert "ACME" not in support_client.get("/tracking/", {"attention": "on"}).content.decode()


def test_the_status_json_changes_when_the_request_does(owner_client, owner, countries, admin_user_):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"])
    before = owner_client.get(f"/sender-ids/{request.pk}/status/").json()
    assert (before["status"], before["live"]) == ("pending_review", True)
    assert before["what_next"] == what_next(Status.PENDING_REVIEW, staff=False)
    assert owner_client.get(f"/sender-ids/{request.pk}/status/").json()["version"] == before["version"]

    lifecycle.transition(request, Status.REJECTED, event=_rejected(admin_user_))

    after = owner_client.get(f"/sender-ids/{request.pk}/status/").json()
    assert after["version"] != before["version"]
    assert (after["status"], after["live"]) == ("rejected", False)


def _rejected(actor):
    from senderids.events import rejected

    return rejected(actor, "Not this one.")


def test_the_status_json_is_the_teams_only(client, stranger, owner, countries):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"])
    assert client.get(f"/sender-ids/{request.pk}/status/").status_code == 302  # to login
    client.force_login(stranger)
    assert client.get(f"/sender-ids/{request.pk}/status/").status_code == 404
    assert client.post(f"/sender-ids/{request.pk}/status/").status_code == 405


def test_every_status_says_what_happens_next_to_the_team_and_to_staff():
    for status in Status:
        team, staff = WHAT_NEXT[status]
        assert str(team).strip() and str(staff).strip(), status


def test_what_next_is_shown_for_the_viewer(owner_client, support_client, owner, countries):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"], status=Status.PENDING_REVIEW)
    assert (
        str(WHAT_NEXT[Status.PENDING_REVIEW][0])
        in owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    )
    assert (
        str(WHAT_NEXT[Status.PENDING_REVIEW][1])
        in support_client.get(f"/sender-ids/{request.pk}/").content.decode()
    )


def test_home_lists_what_needs_the_teams_action(owner_client, owner, countries):
    fix = SenderIdRequestFactory(
        owner=owner, country=countries["IN"], sender_id="FIXME", status=Status.REQUIRES_UPDATES
    )
    SenderIdRequestFactory(
        owner=owner, country=countries["DE"], sender_id="WAITING", status=Status.PENDING_REVIEW
    )
    html = owner_client.get("/").content.decode()
    box = html[html.index('id="needs-action"') : html.index("</section>", html.index('id="needs-action"'))]
    assert f'data-request="{fix.pk}"' in box and "FIXME" in box and "WAITING" not in box
    assert str(WHAT_NEXT[Status.REQUIRES_UPDATES][0]) in box


def test_support_staff_without_a_team_start_at_tracking(support_client):
    response = support_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/tracking/"


def test_every_page_has_a_skip_link_to_its_content(owner_client):
    html = owner_client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html and 'id="main"' in html


def test_favicon_ico_leads_to_the_portals_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
