"""/tracking/ for support staff: one search box, counts per status, filters, sortable columns.

Each search kind finds its request and no other; hostile input gets a clear message, never a 500; the
page runs the same number of queries for 10 rows as for 60.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations.models import Registration
from senderids import selectors
from senderids.choices import Status
from senderids.forms import TrackingFilterForm
from senderids.models import SenderIdRequest
from smsvoice.models import AwsAccount
from supportcases.models import CaseState, SupportCase, SupportCaseMode
from teams.models import ApproverScope, Team
from teams.services import APPROVERS, SUPPORT_STAFF
from tests.factories import CountryFactory, SenderIdRequestFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

REGISTRATION_ID = "registration-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
CASE_ID = "case-123456789012-muen-2024-7c0ffee7c0ffee70"
ARN = "arn:aws:sms-voice:eu-west-1:111122223333:sender-id/ARNED/DE"


@pytest.fixture
def support(staff_user):
    staff_user.groups.add(Group.objects.get(name=SUPPORT_STAFF))
    return staff_user


@pytest.fixture
def support_client(client, support):
    client.force_login(support)
    return client


@pytest.fixture
def world(db):
    """One request per search kind, each findable by exactly one distinctive term."""
    de = CountryFactory(iso_code="DE", name="Germany")
    jp = CountryFactory(iso_code="JP", name="Japan")
    owner = UserFactory(
        username="quentin.q", email="q@owners.example", first_name="Quentin", last_name="Quimby"
    )
    umbrella = Team.objects.create(name="Umbrella Holdings")
    made = {
        "sender": SenderIdRequestFactory(sender_id="ZEBRA1", country=de),
        "owner": SenderIdRequestFactory(sender_id="OWNED", owner=owner, country=de),
        "team": SenderIdRequestFactory(sender_id="TEAMED", team=umbrella, country=de),
        "country": SenderIdRequestFactory(sender_id="NIPPON", country=jp),
        "registration": SenderIdRequestFactory(sender_id="REGGED", country=de, process="registration"),
        "case": SenderIdRequestFactory(sender_id="CASED", country=de, process="support_case"),
        "arn": SenderIdRequestFactory(sender_id="ARNED", country=de, aws_sender_id_arn=ARN),
    }
    Registration.objects.create(
        request=made["registration"], registration_type="DE_TEST", aws_registration_id=REGISTRATION_ID,
        aws_status="COMPLETE",
    )  # fmt: skip
    SupportCase.objects.create(
        request=made["case"], mode=SupportCaseMode.ASSISTED, state=CaseState.OPEN, case_id=CASE_ID
    )
    return made


def shown(response) -> list[str]:
    """The sender IDs of the table's rows, in order."""
    assert response.status_code == 200
    return re.findall(r"<td><strong>([^<]+)</strong>", response.content.decode())


def search(client, term: str, **headers: str) -> list[str]:
    return shown(client.get("/tracking/", {"q": term}, headers=headers))


# --- search: each kind finds its request and not the others -----------------------------------------
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("zebra", "ZEBRA1"),  # sender ID, any case, part of it
        ("quentin.q", "OWNED"),  # owner's username
        ("q@owners.example", "OWNED"),  # owner's email
        ("Quimby", "OWNED"),  # owner's last name
        ("quentin quimby", "OWNED"),  # owner's full name
        ("umbrella", "TEAMED"),  # team
        ("Japan", "NIPPON"),  # country name in English
        ("jp", "NIPPON"),  # ISO code
        (REGISTRATION_ID.upper(), "REGGED"),  # AWS registration id (from the registrations process)
        (CASE_ID, "CASED"),  # support case id (from the supportcases process)
        (ARN, "ARNED"),  # sender ID ARN
    ],
)
def test_each_search_kind_finds_its_request_and_no_other(support_client, world, term, expected):
    assert search(support_client, term) == [expected]


def test_country_names_are_found_in_the_readers_language(support_client, world):
    assert search(support_client, "Japon", **{"accept-language": "fr"}) == ["NIPPON"]
    assert search(support_client, "Japan", **{"accept-language": "fr"}) == ["NIPPON"]  # English too
    assert search(support_client, "Japon") == []  # an English reader typed no country of theirs


def test_a_request_number_finds_that_request(support_client, world):
    assert search(support_client, f"#{world['case'].pk}") == ["CASED"]


def test_part_of_a_registration_or_case_id_finds_nothing(support_client, world):
    # The processes match their AWS ids exactly: a fragment is no id.
    assert search(support_client, REGISTRATION_ID[:20]) == []
    assert search(support_client, "7c0ffee7") == []


def test_like_wildcards_are_literal(support_client, world):
    assert search(support_client, "%") == []
    assert search(support_client, "_") == []


# --- counts per status ---------------------------------------------------------------------------
def status_link(body: str, status: str) -> str:
    match = re.search(rf'<a href="([^"]*)" data-status="{status}"([^>]*)>[^<]*<span class="n">(\d+)', body)
    assert match, f"no count link for {status!r}"
    return match.group(0)


def test_counts_per_status_link_to_the_status_and_keep_the_other_filters(support_client, world):
    SenderIdRequest.objects.filter(pk__in=[world["sender"].pk, world["owner"].pk]).update(
        status=Status.ACTIVE
    )
    body = support_client.get("/tracking/", {"country": "DE", "sort": "sender_id"}).content.decode()
    active = status_link(body, "active")
    assert active.endswith('<span class="n">2')
    assert "country=DE" in active and "sort=sender_id" in active and "status=active" in active
    # The JP request is filtered out: six German requests, four of them still pending review.
    assert status_link(body, "pending_review").endswith('<span class="n">4')
    everything = status_link(body, "")
    assert everything.endswith('<span class="n">6') and 'aria-current="page"' in everything


def test_the_current_status_is_marked_and_counts_ignore_the_status_filter(support_client, world):
    SenderIdRequest.objects.filter(pk=world["sender"].pk).update(status=Status.ACTIVE)
    response = support_client.get("/tracking/", {"status": "active"})
    body = response.content.decode()
    assert 'aria-current="page"' in status_link(body, "active")
    assert "aria-current" not in status_link(body, "")
    assert status_link(body, "pending_review").endswith('<span class="n">6')  # still counted
    assert shown(response) == ["ZEBRA1"]


def test_counts_are_one_grouped_query(support, world):
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.tracking_status_counts(viewer=support, q="ed")
    grouped = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(grouped) == 1 and "GROUP BY" in grouped[0]
    assert counts == {Status.PENDING_REVIEW: 5}


def test_a_limited_approver_counts_only_their_teams(client, world, django_user_model):
    approver = django_user_model.objects.create_user("appr", "appr@portal.example", "x", is_staff=True)
    approver.groups.add(Group.objects.get(name=APPROVERS))
    ApproverScope.objects.create(user=approver).teams.set([world["team"].team])
    client.force_login(approver)
    response = client.get("/tracking/")
    assert shown(response) == ["TEAMED"]
    assert status_link(response.content.decode(), "").endswith('<span class="n">1')


# --- filters ---------------------------------------------------------------------------------------
def test_filter_by_account_and_region(support_client, world):
    other = AwsAccount.objects.create(
        name="Staging", default_region="us-east-1", regions=["us-east-1", "eu-west-1"]
    )
    SenderIdRequest.objects.filter(pk=world["sender"].pk).update(aws_account=other, aws_region="us-east-1")
    SenderIdRequest.objects.filter(pk=world["owner"].pk).update(aws_account=other, aws_region="eu-west-1")
    by_account = shown(support_client.get("/tracking/", {"placement": str(other.pk), "sort": "sender_id"}))
    assert by_account == ["OWNED", "ZEBRA1"]
    assert shown(support_client.get("/tracking/", {"placement": f"{other.pk}:eu-west-1"})) == ["OWNED"]


def test_filter_by_the_registrations_raw_aws_status(support_client, world):
    assert shown(support_client.get("/tracking/", {"aws_status": "registration:COMPLETE"})) == ["REGGED"]
    assert shown(support_client.get("/tracking/", {"aws_status": "registration:CLOSED"})) == []


def test_a_new_aws_status_is_offered_as_soon_as_a_registration_has_it(support_client, world):
    Registration.objects.filter(request=world["registration"]).update(aws_status="SOMETHING_NEW")
    body = support_client.get("/tracking/").content.decode()
    assert 'value="registration:SOMETHING_NEW"' in body
    assert shown(support_client.get("/tracking/", {"aws_status": "registration:SOMETHING_NEW"})) == ["REGGED"]


def test_filter_by_age(support_client, world):
    old = timezone.now() - timedelta(days=40)
    SenderIdRequest.objects.filter(pk=world["sender"].pk).update(created_at=old)
    assert shown(support_client.get("/tracking/", {"older_than": "30"})) == ["ZEBRA1"]
    assert "ZEBRA1" not in shown(support_client.get("/tracking/", {"created_within": "30"}))
    assert len(shown(support_client.get("/tracking/", {"created_within": "30"}))) == 6


def test_filter_by_status_and_search_together(support_client, world):
    SenderIdRequest.objects.filter(pk=world["sender"].pk).update(status=Status.ACTIVE)
    assert shown(support_client.get("/tracking/", {"status": "active", "q": "zebra"})) == ["ZEBRA1"]
    assert shown(support_client.get("/tracking/", {"status": "active", "q": "nippon"})) == []


def test_stuck_shows_only_the_flagged_requests(support_client, world, settings):
    settings.SENDERIDS_NO_PROGRESS_DAYS = 3
    SenderIdRequest.objects.filter(pk=world["case"].pk).update(
        status=Status.SUPPORT_CASE_OPEN, status_changed_at=timezone.now() - timedelta(days=5)
    )
    assert shown(support_client.get("/tracking/", {"attention": "on"})) == ["CASED"]


# --- sort ------------------------------------------------------------------------------------------
def test_sort_by_a_column_both_ways(support_client, world):
    ascending = shown(support_client.get("/tracking/", {"sort": "sender_id"}))
    assert ascending == sorted(ascending) and len(ascending) == 7
    assert shown(support_client.get("/tracking/", {"sort": "-sender_id"})) == ascending[::-1]


def test_an_unknown_sort_key_falls_back_to_newest_first(support_client, world):
    newest_first = [r.sender_id for r in SenderIdRequest.objects.order_by("-created_at", "-pk")]
    for sort in ("password", "owner__password", "-", "?", "created_at; DROP TABLE x"):
        assert shown(support_client.get("/tracking/", {"sort": sort})) == newest_first


def test_headers_link_to_sorting_keep_the_filters_and_mark_the_sorted_column(support_client, world):
    body = support_client.get("/tracking/", {"sort": "country", "q": "e"}).content.decode()
    header = re.search(r'<th scope="col" data-sort="country"([^>]*)><a href="([^"]*)"', body)
    assert header and 'aria-sort="ascending"' in header.group(1)
    assert "sort=-country" in header.group(2) and "q=e" in header.group(2)
    team = re.search(r'<th scope="col" data-sort="team"([^>]*)><a href="([^"]*)"', body)
    assert "aria-sort" not in team.group(1) and "sort=team" in team.group(2)
    default = support_client.get("/tracking/").content.decode()
    assert re.search(r'data-sort="created" aria-sort="descending"', default)


# --- the CSV export: the same rows, same order, streamed ---------------------------------------------
def test_the_csv_export_applies_the_search_filters_and_sort(support_client, world):
    response = support_client.get("/tracking/", {"format": "csv", "q": "ed", "sort": "-sender_id"})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r[1] for r in rows[1:]] == ["TEAMED", "REGGED", "OWNED", "CASED", "ARNED"]


# --- hostile input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 10_000}, "at most 100 characters"),
        ({"q": "9" * 101}, "at most 100 characters"),
        ({"created_within": "-3"}, "greater than or equal to 1"),
        ({"older_than": "9" * 40}, "less than or equal to 3650"),
        ({"placement": "999:xx-nowhere-1"}, "Select a valid choice"),
        ({"aws_status": "support_case:OPEN"}, "Select a valid choice"),
    ],
)
def test_hostile_input_gets_a_clear_message_and_the_page(support_client, world, params, message):
    response = support_client.get("/tracking/", params)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert len(shown(response)) == 7  # the bad filter is left out, the rest of the page works


@pytest.mark.parametrize(
    "term",
    ["Ünïcødé", "日本", "🚀", "\u202eZEBRA", "e\u0301", "\u0301", "²³", "9" * 50, "' OR 1=1 --", "<script>x"],
)
def test_odd_searches_answer_normally(support_client, world, term):
    response = support_client.get("/tracking/", {"q": term})
    assert response.status_code == 200
    assert "<script>x" not in response.content.decode()


@pytest.mark.parametrize("params", [{"q": "ab\x00cd"}, {"q": "\x00", "format": "csv"}, {"sort": "x\x01"}])
def test_a_nul_or_control_character_is_refused_with_a_clear_message(support_client, world, params):
    # config.middleware.HostileInputMiddleware answers before the view: PostgreSQL cannot store NUL.
    response = support_client.get("/tracking/", params)
    assert response.status_code == 400
    assert "control character" in response.content.decode()


def test_the_search_form_refuses_nul_itself_too(world):
    # Behind the middleware, the form still says so (a caller that builds the form from other data).
    form = TrackingFilterForm({"q": "ab\x00cd"})
    assert not form.is_valid() and "Null characters are not allowed." in form.errors["q"]
    assert "q" not in form.filters()


def test_a_csv_export_with_a_too_long_search_still_streams(support_client, world):
    response = support_client.get("/tracking/", {"format": "csv", "q": "x" * 10_000})
    assert response.status_code == 200 and response.streaming
    assert len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))) == 8


# --- query count -----------------------------------------------------------------------------------
def page_queries(client, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/tracking/", params)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "acme"}, {"q": "germany", "status": "pending_review", "sort": "team"}, {"attention": "on"}],
)
def test_queries_do_not_grow_with_the_rows(support_client, params):
    jp = CountryFactory(iso_code="JP", name="Japan")
    for i in range(10):
        SenderIdRequestFactory(owner=UserFactory(), country=jp if i % 2 else CountryFactory())
    few = page_queries(support_client, params)
    for i in range(50):
        SenderIdRequestFactory(owner=UserFactory(), country=jp if i % 2 else CountryFactory())
    assert page_queries(support_client, params) == few
    assert page_queries(support_client, {**params, "page": "2"}) == few
