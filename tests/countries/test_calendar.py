"""The rule calendar: seeded by load_countries (idempotent, admin edits kept), read in one query, shown
on the catalogue with its dates in words, edited in the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from countries import views
from countries.calendar import TRANSACTIONAL_ONLY_CODE, builtin_rules
from countries.models import Country, CountryRule
from countries.selectors import rules_by_country
from countries.services import countries_load
from teams.services import portal_groups_ensure

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:countries_countryrule_changelist")


def rule(iso: str, code: str) -> CountryRule:
    return CountryRule.objects.get(country_id=iso, code=code)


# --- seed ------------------------------------------------------------------------------------------
def test_a_fresh_database_has_every_builtin_rule():
    assert CountryRule.objects.filter(builtin=True).count() == len(builtin_rules())
    assert rule("FR", "fr-no-hyphen").effective_from == dt.date(2026, 3, 1)
    assert rule("ES", "es-cnmc-registry").effective_from == dt.date(2026, 9, 15)
    assert rule("AT", "at-rtr-registry").effective_from == dt.date(2026, 10, 1)
    assert rule("AU", "au-acma-register").effective_from == dt.date(2026, 7, 1)
    assert rule("TR", "tr-sample-urls").effective_from == dt.date(2026, 4, 1)


def test_the_transactional_only_countries_come_from_the_reference_file():
    seeded = set(
        CountryRule.objects.filter(code=TRANSACTIONAL_ONLY_CODE).values_list("country_id", flat=True)
    )
    assert {"BY", "EG", "JO", "KW", "PH", "QA", "RU", "KE", "SA"} <= seeded
    assert "LK" not in seeded  # separate sender IDs per use case, not transactional-only


def test_loading_again_changes_no_rule():
    before = dict(CountryRule.objects.values_list("pk", "updated_at"))
    report = countries_load()
    assert (report.rules_created, report.rules_updated) == (0, 0)
    assert dict(CountryRule.objects.values_list("pk", "updated_at")) == before


def test_a_deleted_builtin_rule_comes_back_and_a_changed_one_is_reset():
    rule("ES", "es-cnmc-registry").delete()
    CountryRule.objects.filter(country_id="AT", code="at-rtr-registry").update(severity="info")
    report = countries_load()
    assert (report.rules_created, report.rules_updated) == (1, 1)
    assert rule("AT", "at-rtr-registry").severity == "warn"


def test_an_admins_edit_is_kept_until_force(admin_client_):
    at = rule("AT", "at-rtr-registry")
    response = admin_client_.post(
        CHANGELIST,
        {
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(at.pk),
            "form-0-effective_from": "2026-11-01", "form-0-enabled": "on", "_save": "Save",
        },
        QUERY_STRING="q=at-rtr-registry",
    )  # fmt: skip
    assert response.status_code == 302
    at.refresh_from_db()
    assert (at.effective_from, at.overridden) == (dt.date(2026, 11, 1), True)

    report = countries_load()
    assert rule("AT", "at-rtr-registry").effective_from == dt.date(2026, 11, 1)
    assert any("at-rtr-registry: kept the admin's change" in n for n in report.notices)

    countries_load(force=True)
    at.refresh_from_db()
    assert (at.effective_from, at.overridden) == (dt.date(2026, 10, 1), False)


def test_an_admins_own_rule_is_left_alone_by_the_loader():
    CountryRule.objects.create(country_id="DE", code="de-own", kind="info", severity="info", text="Our rule.")
    countries_load(force=True)
    assert rule("DE", "de-own").text == "Our rule."


def test_a_rule_of_ones_own_needs_a_text():
    with pytest.raises(ValidationError):
        CountryRule(country_id="DE", code="de-empty", kind="info", severity="info").full_clean()


# --- reads -----------------------------------------------------------------------------------------
def test_rules_by_country_is_one_query_for_fifty_countries(django_assert_num_queries):
    isos = [*Country.objects.order_by("iso_code").values_list("iso_code", flat=True)[:48], "ES", "AT"]
    with django_assert_num_queries(1):
        found = rules_by_country(isos)
    assert set(found) == set(isos)
    assert {r.code for r in found["ES"]} >= {"es-cnmc-registry", "es-generic-refused"}


def test_rules_by_country_returns_enabled_rules_only():
    CountryRule.objects.filter(country_id="AE", code="ae-paused").update(enabled=False)
    assert rules_by_country(["AE"]) == {"AE": []}


# --- the builtin texts are translated, an admin's text is not ------------------------------------
def test_a_builtin_rule_reads_the_catalogue_text_and_an_admin_text_replaces_it():
    es = rule("ES", "es-cnmc-registry")
    assert "CNMC National Alias" in es.message
    es.text = "Our own words."
    assert es.message == "Our own words."


def test_dates_are_written_in_the_readers_language():
    at = rule("AT", "at-rtr-registry")
    assert at.when(dt.date(2026, 9, 1)) == "from 1 October 2026"
    assert at.when(dt.date(2026, 10, 2)) == "since 1 October 2026"
    with translation.override("fr"):
        assert "1 octobre 2026" in at.when(dt.date(2026, 9, 1))


# --- the public catalogue --------------------------------------------------------------------------
@pytest.fixture
def on_day(monkeypatch):
    def set_today(day: dt.date) -> None:
        monkeypatch.setattr(views.timezone, "localdate", lambda: day)

    return set_today


def test_the_catalogue_lists_each_countrys_rules_with_dates_in_words(client, on_day):
    on_day(dt.date(2026, 9, 1))
    html = client.get(reverse("countries:list"), {"q": "austria"}).content.decode()
    assert 'data-rule="at-rtr-registry"' in html
    assert "From 1 October 2026:" in html
    assert "What to do: Register the sender ID with RTR" in html


def test_a_rule_in_force_says_since(client, on_day):
    on_day(dt.date(2026, 12, 1))
    html = client.get(reverse("countries:list"), {"q": "france"}).content.decode()
    assert "Since 1 March 2026:" in html


def test_outside_actions_are_marked_on_the_catalogue(client, on_day):
    on_day(dt.date(2026, 1, 1))
    html = client.get(reverse("countries:list"), {"q": "india"}).content.decode()
    assert "Outside the portal:" in html and "DLT" in html


def test_a_disabled_rule_is_not_shown(client):
    CountryRule.objects.filter(country_id="AE").update(enabled=False)
    html = client.get(reverse("countries:list"), {"q": "AE"}).content.decode()
    assert 'data-rule="ae-paused"' not in html


def test_the_country_page_shows_its_calendar(on_day):
    on_day(dt.date(2026, 9, 1))
    request = RequestFactory().get("/countries/ES/")
    request.user = None
    html = views.country_detail(request, "ES").content.decode()
    assert "From 15 September 2026:" in html and "eIDAS" in html


def test_the_country_page_of_an_unknown_country_is_404():
    from django.http import Http404

    with pytest.raises(Http404):
        views.country_detail(RequestFactory().get("/countries/ZZ/"), "ZZ")


# --- admin -----------------------------------------------------------------------------------------
@pytest.fixture
def admin_client_(client, admin_user_):
    client.force_login(admin_user_)
    return client


@pytest.mark.parametrize(
    ("params", "expected"), [({"kind__exact": "paused"}, {"AE"}), ({"q": "cnmc"}, {"ES"})]
)
def test_admin_lists_filters_and_searches_rules(admin_client_, params, expected):
    response = admin_client_.get(CHANGELIST, params)
    assert response.status_code == 200
    assert {r.country_id for r in response.context["cl"].result_list} == expected


def test_support_staff_see_the_calendar_but_cannot_change_it(client, staff_user):
    portal_groups_ensure()
    staff_user.groups.add(Group.objects.get(name="Support staff"))
    client.force_login(staff_user)
    assert client.get(CHANGELIST).status_code == 200
    es = rule("ES", "es-cnmc-registry")
    url = reverse("admin:countries_countryrule_change", args=[es.pk])
    response = client.post(url, {"effective_from": "2030-01-01"})
    assert response.status_code == 403
    es.refresh_from_db()
    assert es.effective_from == dt.date(2026, 9, 15)
