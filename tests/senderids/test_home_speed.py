"""The home page's rows written in Python (senderids/page_rows.py) are what its template loop wrote:
byte for byte, in English and French, with names to escape, a support case and a pending count that
follows writes (the page's count comes from the read cache)."""
# ruff: noqa: E501 (TEMPLATE_LOOP keeps the template's own lines)

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from countries.models import SenderIdProcess
from senderids.choices import Status
from senderids.page_rows import home_rows_html, status_badge_html
from senderids.selectors import sender_id_request_list_for_member
from tests.factories import CountryFactory, SenderIdRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

# templates/senderids/home.html's row loop as it was before the rows were written in Python.
TEMPLATE_LOOP = """{% load i18n plain_status %}{% for r in requests %}
    <tr data-request="{{ r.pk }}">
      <td><a href="{% url 'senderids:detail' r.pk %}"><strong>{{ r.sender_id }}</strong></a></td>
      <td>{{ r.country.label }} ({{ r.country_id }})</td>
      <td data-role="placement"><span title="{{ r.aws_account.name }}">{{ r.aws_region }}</span></td>
      <td>{{ r.get_message_type_display }}</td>
      <td>{% include "senderids/_status_badge.html" %}{% if r.process == "support_case" %} <a class="support-case-link" href="{% url 'supportcases:detail' r.pk %}">{% translate "Support case" %}</a>{% endif %}</td>
      <td>{{ r.created_at|date:"Y-m-d H:i" }}</td>
    </tr>
  {% endfor %}"""


@pytest.fixture
def mine(owner):
    country = CountryFactory(iso_code="DE", name='Ger<m>&ny "x"')
    first = SenderIdRequestFactory(owner=owner, sender_id='A<b>&"c', country=country)
    return [
        first,
        SenderIdRequestFactory(owner=owner, team=first.team, status=Status.ACTIVE),
        SenderIdRequestFactory(owner=owner, team=first.team, process=SenderIdProcess.SUPPORT_CASE),
        SenderIdRequestFactory(owner=owner, team=first.team, status=Status.FAILED),
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_rows_are_what_the_template_wrote(owner, mine, language):
    with translation.override(language):
        requests = list(sender_id_request_list_for_member(user=owner))
        assert len(requests) == len(mine)
        expected = Template(TEMPLATE_LOOP).render(Context({"requests": requests}))
        assert home_rows_html(requests) == expected


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("status", [*Status.values, "unknown<&>"])
def test_badge_is_the_include(status, language):
    with translation.override(language):
        include = Template('{% include "senderids/_status_badge.html" %}')
        assert status_badge_html(status) == include.render(Context({"r": {"status": status}}))


def test_home_shows_the_rows_and_a_count_that_follows_writes(owner_client, owner, mine, settings):
    page = owner_client.get(reverse("senderids:home"))
    html = page.content.decode()
    for r in mine:
        assert f'data-request="{r.pk}"' in html
    assert page.context["page"].paginator.count == len(mine)
    SenderIdRequestFactory(owner=owner, team=mine[0].team)
    assert owner_client.get(reverse("senderids:home")).context["page"].paginator.count == len(mine) + 1
