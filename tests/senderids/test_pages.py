"""Home (my requests) and a request's detail page with its status timeline."""

import pytest

from senderids.choices import RegistrationChoice, Status
from senderids.models import StatusEvent
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def test_home_lists_my_requests_with_status_badges(owner_client, owner, stranger, countries):
    SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="MINE", status=Status.ACTIVE)
    SenderIdRequestFactory(owner=stranger, country=countries["DE"], sender_id="THEIRS")
    html = owner_client.get("/").content.decode()
    assert "MINE" in html and "THEIRS" not in html
    assert '<span class="badge active" data-status="active">Active</span>' in html
    assert 'href="/sender-ids/request/">Request sender ID</a>' in html


def test_home_without_requests_says_so(owner_client):
    html = owner_client.get("/").content.decode()
    assert "You have no sender ID requests yet." in html
    assert "Request sender ID" in html


def test_home_reminds_of_registrations_left_for_later(owner_client, owner, countries):
    later = SenderIdRequestFactory(
        owner=owner, country=countries["IN"], sender_id="LATER", registration_choice=RegistrationChoice.LATER
    )
    SenderIdRequestFactory(
        owner=owner,
        country=countries["IN"],
        sender_id="NOWNOW",
        registration_choice=RegistrationChoice.COMPLETE_NOW,
    )
    SenderIdRequestFactory(
        owner=owner,
        country=countries["IN"],
        sender_id="DONE",
        registration_choice=RegistrationChoice.LATER,
        status=Status.ACTIVE,
    )
    html = owner_client.get("/").content.decode()
    reminder = html[html.index('id="register-later"') : html.index("</section>")]
    assert "Complete the registration of LATER in India" in reminder
    assert "NOWNOW" not in reminder and "DONE" not in reminder
    assert f'href="/registrations/{later.pk}/"' in reminder


def test_detail_is_for_the_owner(owner_client, owner, countries):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="ACME")
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    assert "ACME in Germany" in html


@pytest.mark.parametrize("status", [Status.APPROVED, Status.SUBMITTING, Status.RELEASING])
def test_detail_refreshes_itself_while_a_worker_is_acting(owner_client, owner, countries, status):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"], status=status)
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    assert '<meta http-equiv="refresh"' in html and 'id="working"' in html


@pytest.mark.parametrize("status", [Status.PENDING_REVIEW, Status.ACTIVE, Status.FAILED])
def test_detail_stays_live_at_a_relaxed_pace_while_people_or_aws_may_still_act(
    owner_client, owner, countries, status
):
    # A request pending approval changes when an approver acts: its page must not go stale.
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"], status=status)
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    assert f'data-live-url="/sender-ids/{request.pk}/status/"' in html and 'data-live-seconds="15"' in html
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in html
    assert 'id="working"' not in html


@pytest.mark.parametrize("status", [Status.RELEASED, Status.REJECTED])
def test_detail_of_a_finished_request_does_not_poll(owner_client, owner, countries, status):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"], status=status)
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    assert "data-live-url" not in html and "http-equiv" not in html and "live.js" not in html


def test_detail_of_someone_elses_request_is_404(client, stranger, owner, countries):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"])
    client.force_login(stranger)
    assert client.get(f"/sender-ids/{request.pk}/").status_code == 404


def test_staff_see_any_request_and_its_owner(client, staff_user, owner, countries):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"])
    client.force_login(staff_user)
    html = client.get(f"/sender-ids/{request.pk}/").content.decode()
    assert "<dt>Owner</dt><dd>olivia</dd>" in html


def test_anonymous_detail_goes_to_login(client, owner, countries):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"])
    response = client.get(f"/sender-ids/{request.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999999"])
def test_unknown_request_is_404(owner_client, pk):
    assert owner_client.get(f"/sender-ids/{pk}/").status_code == 404


def test_timeline_shows_every_transition_with_actor_reason_and_aws_answer(
    owner_client, owner, staff_user, countries
):
    request = SenderIdRequestFactory(
        owner=owner, country=countries["DE"], sender_id="ACME", status=Status.FAILED
    )
    StatusEvent.objects.create(
        request=request, to_status=Status.PENDING_REVIEW, actor=owner, actor_label="olivia"
    )
    StatusEvent.objects.create(
        request=request,
        from_status=Status.PENDING_REVIEW,
        to_status=Status.APPROVED,
        actor=staff_user,
        actor_label="sam",
        reason="Looks fine <b>bold</b>",
    )
    StatusEvent.objects.create(
        request=request,
        from_status=Status.APPROVED,
        to_status=Status.FAILED,
        actor_label="worker",
        aws_code="ValidationException",
        aws_message="SENDER_ID_NOT_SUPPORTED",
    )
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert timeline.count("<li data-to=") == 3
    # The worker is named for people: "the portal" (its technical label is for staff only).
    assert "by olivia" in timeline and "by sam" in timeline and "by the portal" in timeline
    assert "by worker" not in timeline
    assert "Looks fine &lt;b&gt;bold&lt;/b&gt;" in timeline
    assert "ValidationException — SENDER_ID_NOT_SUPPORTED" in timeline
    assert (
        '<span class="badge approved">Approved</span> → <span class="badge failed">Failed</span>' in timeline
    )
    assert "<time datetime=" in timeline


def test_detail_links_to_the_registration_only_for_registration_countries(owner_client, owner, countries):
    india = SenderIdRequestFactory(owner=owner, country=countries["IN"], sender_id="ACMEIN")
    germany = SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="ACME")
    india_html = owner_client.get(f"/sender-ids/{india.pk}/").content.decode()
    germany_html = owner_client.get(f"/sender-ids/{germany.pk}/").content.decode()
    assert f'id="complete-registration" href="/registrations/{india.pk}/"' in india_html
    assert 'id="complete-registration"' not in germany_html


def test_detail_shows_support_case_details_with_labels(owner_client, owner, countries):
    request = SenderIdRequestFactory(
        owner=owner,
        country=countries["VN"],
        support_case_details={"region": "eu-west-1", "contact_language": "ja", "company_name": "ACME"},
    )
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    assert "<dt>Region</dt><dd>Europe (Ireland) eu-west-1</dd>" in html
    assert "<dt>Preferred contact language</dt><dd>Japanese</dd>" in html
    assert "<dt>Company name</dt><dd>ACME</dd>" in html
