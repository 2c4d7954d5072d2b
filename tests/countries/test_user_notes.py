"""Users read plain notes about a country (countries.notes), never the catalogue's research column
(sources, footnote numbers, conflicts between AWS pages), which stays for admins."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from countries.models import Country
from countries.notes import USER_NOTES

pytestmark = pytest.mark.django_db

RESEARCH_MARKS = ("(note 4)", "table still says", "(SG FAQ)", "end-user-messaging guide", "footnote")


@pytest.fixture
def catalogue():
    call_command("load_countries", verbosity=0)
    return Country.objects.all()


def test_the_catalogue_page_shows_no_research_notes(client, catalogue):
    html = client.get("/countries/").content.decode()

    assert [mark for mark in RESEARCH_MARKS if mark in html] == []
    assert str(USER_NOTES["SG"]) in html.replace("&#x27;", "'").replace("&quot;", '"')


def test_the_wizard_country_step_shows_no_research_notes(owner_client, catalogue):
    html = owner_client.get("/sender-ids/request/country/").content.decode()

    assert [mark for mark in RESEARCH_MARKS if mark in html] == []


def test_admins_keep_the_research_column(catalogue):
    assert "(note 4)" in Country.objects.get(iso_code="IN").notes


def test_a_note_is_read_in_the_readers_language(client, catalogue):
    html = client.get("/countries/NZ/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Good to know" not in html and "Bon à savoir" in html
