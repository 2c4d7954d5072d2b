"""Internal staff notes on a request: support staff read and write them on the request page; the
request's team never sees them (page, JSON status, CSV export), another team's approver cannot reach
them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from senderids.models import StaffNote
from senderids.services.notes import staff_note_add
from teams.models import ApproverScope, Team
from teams.services import APPROVERS, SUPPORT_STAFF
from tests.factories import SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

NOTE = "Customer called: the LOA is on its way."


@pytest.fixture
def support(staff_user):
    staff_user.groups.add(Group.objects.get(name=SUPPORT_STAFF))
    return staff_user


@pytest.fixture
def olivias_request(owner):
    return SenderIdRequestFactory(owner=owner, sender_id="OLIVIA")


@pytest.fixture
def other_teams_approver(django_user_model):
    approver = django_user_model.objects.create_user("vera", "vera@portal.example", "x", is_staff=True)
    approver.groups.add(Group.objects.get(name=APPROVERS))
    ApproverScope.objects.create(user=approver).teams.set([Team.objects.create(name="Other team")])
    return approver


def add_url(request) -> str:
    return f"/sender-ids/{request.pk}/notes/"


def test_support_staff_add_a_note_and_see_it_on_the_request_page(client, support, olivias_request):
    client.force_login(support)
    response = client.post(add_url(olivias_request), {"body": f"  {NOTE}  "})
    assert response.status_code == 302
    assert response["Location"] == f"/sender-ids/{olivias_request.pk}/#staff-notes"
    note = StaffNote.objects.get(request=olivias_request)
    assert (note.author, note.body) == (support, NOTE)
    page = client.get(f"/sender-ids/{olivias_request.pk}/").content.decode()
    assert 'id="staff-notes"' in page and NOTE in page and "Sam Support" in page
    assert "Note added." in page


def test_notes_are_listed_newest_first(client, support, olivias_request):
    client.force_login(support)
    for body in ("first note", "second note"):
        client.post(add_url(olivias_request), {"body": body})
    page = client.get(f"/sender-ids/{olivias_request.pk}/").content.decode()
    assert page.index("second note") < page.index("first note")


def test_the_team_never_sees_the_notes(client, support, owner, olivias_request):
    staff_note_add(request=olivias_request, author=support, body=NOTE)
    client.force_login(owner)
    page = client.get(f"/sender-ids/{olivias_request.pk}/")
    assert page.status_code == 200 and NOTE not in page.content.decode()
    assert 'id="staff-notes"' not in page.content.decode()
    status = client.get(f"/sender-ids/{olivias_request.pk}/status/")
    assert status.status_code == 200 and NOTE not in status.content.decode()
    assert client.get("/tracking/", {"format": "csv"}).status_code == 403


def test_the_csv_export_carries_no_note(client, support, olivias_request):
    staff_note_add(request=olivias_request, author=support, body=NOTE)
    client.force_login(support)
    response = client.get("/tracking/", {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert "OLIVIA" in body and NOTE not in body


def test_the_requests_team_may_not_write_a_note(client, owner, olivias_request):
    client.force_login(owner)
    assert client.post(add_url(olivias_request), {"body": NOTE}).status_code == 403
    assert not StaffNote.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "other_teams_approver"])
def test_who_may_not_see_the_request_gets_404(client, request, olivias_request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(add_url(olivias_request), {"body": NOTE}).status_code == 404
    assert not StaffNote.objects.exists()


def test_a_get_is_refused(client, support, olivias_request):
    client.force_login(support)
    assert client.get(add_url(olivias_request)).status_code == 405


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "This field is required."), ("x" * 2001, "at most 2000 characters")],
)
def test_an_empty_or_too_long_note_is_refused_with_a_message(client, support, olivias_request, body, message):
    client.force_login(support)
    response = client.post(add_url(olivias_request), {"body": body}, follow=True)
    assert message in response.content.decode()
    assert not StaffNote.objects.exists()


def test_the_service_refuses_anyone_but_staff_who_see_the_request(
    owner, other_teams_approver, olivias_request
):
    for user in (owner, other_teams_approver):
        with pytest.raises(PermissionDenied):
            staff_note_add(request=olivias_request, author=user, body=NOTE)


@pytest.mark.parametrize("body", ["", "a\x00b", "x" * 2001])
def test_the_service_validates_the_body(support, olivias_request, body):
    with pytest.raises(ValidationError):
        staff_note_add(request=olivias_request, author=support, body=body)
    assert not StaffNote.objects.exists()
