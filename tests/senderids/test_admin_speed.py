"""The approval queue's quick parts (senderids/admin_changelist.py) write what Django's admin writes:
the table's rows byte for byte against `{% result_list cl %}`, the filters against
`{% admin_list_filter %}`, in English and French, with filters kept in the links and names to escape."""

from __future__ import annotations

import pytest
from django.contrib.admin.templatetags.admin_list import admin_list_filter, result_list
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from senderids.admin_changelist import QuickChangeList
from senderids.choices import Status
from tests.factories import CountryFactory, SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

CHANGELIST = reverse("admin:senderids_senderidrequest_changelist")


@pytest.fixture
def queue(admin_user_):
    country = CountryFactory(iso_code="FR", name='Fr<a>n&ce "x"')
    rows = [
        SenderIdRequestFactory(sender_id='A<b>&"c', country=country, status=Status.PENDING_REVIEW),
        SenderIdRequestFactory(sender_id="PLAIN", status=Status.PENDING_REVIEW),
        SenderIdRequestFactory(sender_id="LIVE", status=Status.ACTIVE),
    ]
    rows[0].team.name = "Team <&> 'one'"
    rows[0].team.save()
    return rows


def _django_table(cl) -> str:
    return get_template("admin/change_list_results.html").render(result_list(cl))


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("query", ["", "?status=all", "?status=all&o=-2.3", "?q=A%3Cb"])
def test_rows_are_what_django_writes(client, admin_user_, queue, language, query):
    client.force_login(admin_user_)
    with translation.override(language):
        response = client.get(CHANGELIST + query, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        cl = response.context["cl"]
        assert isinstance(cl, QuickChangeList) and cl._quick()
        assert cl.result_list
        ours = cl.result_list_html()
        assert ours == _django_table(cl)
        assert ours in response.content.decode()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("query", ["", "?status=active&country__iso_code__exact=FR"])
def test_filters_are_what_django_writes(client, admin_user_, queue, language, query):
    client.force_login(admin_user_)
    with translation.override(language):
        response = client.get(CHANGELIST + query, HTTP_ACCEPT_LANGUAGE=language)
        cl = response.context["cl"]
        django_filters = "".join(admin_list_filter(cl, spec) for spec in cl.filter_specs)
        assert cl.filters_html() == django_filters  # from the cache now
        assert django_filters in response.content.decode()


def test_a_renamed_team_shows_at_once(client, admin_user_, queue):
    """The cached filter choices follow writes to the teams' table (the read cache's generations)."""
    client.force_login(admin_user_)
    assert "Renamed team" not in client.get(CHANGELIST).content.decode()
    team = queue[1].team
    team.name = "Renamed team"
    team.save()
    page = client.get(CHANGELIST).content.decode()
    assert page.count("Renamed team") == 2  # its row and the team filter


def test_the_count_follows_writes(client, admin_user_, queue):
    client.force_login(admin_user_)
    assert client.get(CHANGELIST).context["cl"].result_count == 2
    SenderIdRequestFactory(status=Status.PENDING_REVIEW)
    assert client.get(CHANGELIST).context["cl"].result_count == 3
