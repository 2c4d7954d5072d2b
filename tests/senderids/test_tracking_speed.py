"""/tracking/ from senderids.tracking_page: its rows, written in Python, are the markup tracking.html
wrote for them, byte for byte (English and French, flags, support case link, AWS error code, escaping,
the reader's time zone); the cached page is the page, and any write to what it shows changes it; a
page filtered on the time is never cached."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from registrations.models import Registration
from senderids import selectors, tracking_page
from senderids.choices import Status
from senderids.clocks import row_flags
from senderids.models import SenderIdRequest
from teams.models import ApproverScope, Team
from teams.services import SUPPORT_STAFF, portal_groups_ensure
from tests.factories import SenderIdRequestFactory, UserFactory
from tests.senderids.test_clocks_and_live import waiting as submitted_waiting

# tracking.html's rows as the template wrote them before senderids.tracking_page did (the reference).
TEMPLATE_ROWS = """{% load i18n plain_status %}\
  {% for r in page %}
    <tr{% if r.flags %} class="needs-attention"{% endif %}>
      <td><a href="{% url 'senderids:detail' r.pk %}">{{ r.pk }}</a></td>
      <td><strong>{{ r.sender_id }}</strong>{% if r.process == "support_case" %}<br><a class="support-case-link" href="{% url 'supportcases:detail' r.pk %}">{% translate "Support case" %}</a>{% endif %}</td>
      <td>{{ r.country.label }} ({{ r.country_id }})</td>
      <td>{{ r.team.name }}<br><small>{{ r.owner.get_username }}</small></td>
      <td>{{ r.aws_account.name }}<br><small>{{ r.aws_region }}</small></td>
      <td><span class="badge {{ r.status }}" data-status="{{ r.status }}">{{ r.status|status_label }}</span>{% if r.aws_error_code %}<br><small class="error">{{ r.aws_error_code }}</small>{% endif %}{% for flag in r.flags %}<br><small class="flag" data-flag="{{ flag.code }}">⚠ {{ flag.text }}</small>{% endfor %}</td>
      <td>{{ r.aws_status|default:"—" }}</td>
      <td>{{ r.created_at|date:"Y-m-d H:i" }}</td>
      <td>{{ r.status_changed_at|timesince }}</td>
    </tr>
  {% empty %}
    <tr><td colspan="{{ headers|length }}" class="empty">{% translate "No request matches these filters." %}</td></tr>
  {% endfor %}"""  # noqa: E501


def waiting(owner, country, *, days: float, aws_status: str, sender_id: str) -> SenderIdRequest:
    """A registration AWS got `days` days ago (half a minute more: an age never near a minute's turn)."""
    return submitted_waiting(
        owner, country, submitted_days_ago=days + 30 / 86400, sender_id=sender_id, aws_status=aws_status
    )


@pytest.fixture
def rows(db, countries):
    """Rows of every shape the table has: each flag, a support case, an AWS error code, no AWS status,
    markup in names, an unknown status, ages from minutes to over a year."""
    owner = UserFactory(username='o<w>n&"er')
    team = Team.objects.create(name="<b>Team</b> & 'co'")
    waiting(owner, countries["AT"], days=22, aws_status="CREATED", sender_id="LATE")  # all three flags
    waiting(owner, countries["AT"], days=8, aws_status="REVIEWING", sender_id="STALE")
    waiting(owner, countries["AT"], days=0.1, aws_status="REVIEWING", sender_id="FRESH")
    case = SenderIdRequestFactory(
        owner=owner, team=team, country=countries["DE"], sender_id="A&B<C>", process="support_case",
        status=Status.FAILED, aws_error_code='Throttling<"x">',
    )  # fmt: skip
    odd = SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="ODD")
    SenderIdRequest.objects.filter(pk=odd.pk).update(
        status="<odd>", status_changed_at=timezone.now() - timedelta(days=400, seconds=30)
    )
    SenderIdRequest.objects.filter(pk=case.pk).update(
        status_changed_at=timezone.now() - timedelta(seconds=30)
    )
    return list(selectors.sender_id_requests_tracked(viewer=None))


def reference(requests: list[SenderIdRequest], now) -> str:
    for request in requests:
        request.flags = row_flags(request, now=now)
    return engines["django"].from_string(TEMPLATE_ROWS).render({"page": requests, "headers": [0] * 9})


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Chatham"])
def test_rows_are_what_the_template_wrote(rows, language, zone):
    with translation.override(language), timezone.override(zone):
        now = timezone.now()
        ours = tracking_page.rows_html([tracking_page._row(r) for r in rows], now=now)
        expected = reference(rows, now)
    assert f"  {ours}" == expected
    assert {"past_estimate", "no_progress", "created_too_long"} <= {f.code for r in rows for f in r.flags}
    assert "support-case-link" in ours and 'class="error"' in ours and "<td>—</td>" in ours


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_row_is_what_the_template_wrote(db, language):
    with translation.override(language):
        assert f"  {tracking_page.rows_html([], now=timezone.now())}" == reference([], timezone.now())


# --- the read cache: the cached page is the page, a write changes it -------------------------------------
@pytest.fixture
def support_client(staff_user) -> Client:
    portal_groups_ensure()
    staff_user.groups.add(Group.objects.get(name=SUPPORT_STAFF))
    browser = Client()
    browser.force_login(staff_user)
    return browser


def page(client: Client, params: dict | None = None) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/tracking/", params or {})
    assert response.status_code == 200
    request_reads = [q["sql"] for q in queries.captured_queries if '"senderids_senderidrequest"' in q["sql"]]
    return response.content.decode(), request_reads


def main(body: str) -> str:
    """The page's own content (the footer's forms carry a new CSRF token each time)."""
    return body.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.django_db(transaction=True)
def test_the_cached_page_is_the_page_and_writes_change_it(support_client, staff_user, countries):
    made = SenderIdRequestFactory(sender_id="FIRST", country=countries["DE"], process="registration")
    Registration.objects.create(request=made, registration_type="DE_TEST", aws_status="COMPLETE")
    first, reads = page(support_client, {"q": "first"})
    assert reads and ">FIRST<" in first
    again, reads = page(support_client, {"q": "first"})
    assert not reads and main(again) == main(first)  # served from the cache

    SenderIdRequestFactory(sender_id="FIRST2", country=countries["DE"])  # senderids
    body, reads = page(support_client, {"q": "first"})
    assert reads and ">FIRST2<" in body and "2 requests" in body
    Team.objects.filter(pk=made.team_id).update(name="Renamed team")  # teams
    assert "Renamed team" in page(support_client, {"q": "first"})[0]
    Registration.objects.filter(request=made).update(aws_status="BRAND_NEW")  # registrations
    assert 'value="registration:BRAND_NEW"' in page(support_client, {"q": "first"})[0]
    ApproverScope.objects.create(user=staff_user)  # teams: limited to no team at all
    assert "No request matches these filters." in page(support_client, {"q": "first"})[0]


@pytest.mark.django_db(transaction=True)
def test_a_page_filtered_on_the_time_is_never_cached(support_client, countries):
    SenderIdRequestFactory(sender_id="TIMED", country=countries["DE"])
    for params in ({"attention": "on"}, {"created_within": "3"}, {"older_than": "1"}):
        page(support_client, params)
        assert page(support_client, params)[1], params  # read again: its rows move with the clock
