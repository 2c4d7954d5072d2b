"""Country names in the reader's language: django-countries' maintained translations, the catalogue's
English name where it has none (and always in English)."""

from __future__ import annotations

import pytest
from django.utils import translation

from countries.models import Country

pytestmark = pytest.mark.django_db


def test_country_names_follow_the_readers_language(countries):
    germany = countries["DE"]
    with translation.override("fr"):
        assert germany.label == "Allemagne" and countries["IN"].label == "Inde"
    with translation.override("en"):
        assert germany.label == germany.name == "Germany"


def test_a_territory_django_countries_does_not_know_keeps_the_catalogue_name():
    kosovo = Country(iso_code="XK", name="Kosovo", sender_id_process="supported")
    with translation.override("fr"):
        assert kosovo.label == "Kosovo"


def test_french_pages_show_french_country_names(owner_client, countries):
    owner_client.cookies["django_language"] = "fr"
    html = owner_client.get("/countries/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Allemagne" in html and "Inde" in html
