"""The country admin: search, filters, rules in words; a hand-changed process becomes an override."""

import json

import pytest
from django.urls import reverse

from countries.models import Country

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:countries_country_changelist")


@pytest.fixture
def admin_client_(client, admin_user_):
    client.force_login(admin_user_)
    return client


def change_url(iso: str) -> str:
    return reverse("admin:countries_country_change", args=[iso])


def form_data(country: Country, **changes) -> dict:
    """The change form as a browser posts it (unticked checkboxes are simply absent)."""
    data = {
        "name": country.name,
        "dialing_code": country.dialing_code,
        "sender_id_process": country.sender_id_process,
        "registration_type": country.registration_type,
        "est_registration_time": country.est_registration_time,
        "sender_id_rules": json.dumps(country.sender_id_rules),
        "notes": country.notes,
    }
    for checkbox in ("two_way", "process_overridden", "registration_form_in_console"):
        if getattr(country, checkbox):
            data[checkbox] = "on"
    data.update(changes)
    return data


def test_changelist_lists_every_country(admin_client_):
    response = admin_client_.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 215


@pytest.mark.parametrize(("q", "iso"), [("singapore", "SG"), ("SG", "SG"), ("reunion", "RE")])
def test_search_by_name_or_iso(admin_client_, q, iso):
    result = admin_client_.get(CHANGELIST, {"q": q}).context["cl"].result_list
    assert iso in [c.iso_code for c in result]


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"sender_id_process__exact": "support_case"}, 1),
        ({"registration_type": "SG_SENDER_ID_REGISTRATION"}, 1),
        ({"registration_type": "__any__"}, 25),
        ({"two_way__exact": "1"}, 77),
    ],
)
def test_filters(admin_client_, params, count):
    assert admin_client_.get(CHANGELIST, params).context["cl"].result_count == count


def test_changing_the_process_marks_it_overridden(admin_client_):
    australia = Country.objects.get(iso_code="AU")
    response = admin_client_.post(change_url("AU"), form_data(australia, sender_id_process="support_case"))
    assert response.status_code == 302
    australia.refresh_from_db()
    assert (australia.sender_id_process, australia.process_overridden) == ("support_case", True)


def test_saving_without_changing_the_process_is_not_an_override(admin_client_):
    australia = Country.objects.get(iso_code="AU")
    admin_client_.post(change_url("AU"), form_data(australia, notes="Checked with AWS."))
    australia.refresh_from_db()
    assert (australia.notes, australia.process_overridden) == ("Checked with AWS.", False)


def test_invalid_rules_are_refused_with_the_reason(admin_client_):
    india = Country.objects.get(iso_code="IN")
    response = admin_client_.post(change_url("IN"), form_data(india, sender_id_rules='{"charset": "A-Z "}'))
    assert response.status_code == 200
    assert "not sendable" in response.content.decode()


def test_the_rules_are_shown_in_words(admin_client_):
    html = admin_client_.get(change_url("AT")).content.decode()
    assert "<li>3–11 characters</li>" in html and "<li>case-sensitive</li>" in html


def test_clear_override_action(admin_client_):
    Country.objects.filter(iso_code="AU").update(process_overridden=True)
    admin_client_.post(CHANGELIST, {"action": "clear_process_override", "_selected_action": ["AU"]})
    assert Country.objects.get(iso_code="AU").process_overridden is False


def test_staff_without_permission_cannot_change_countries(client, staff_user):
    client.force_login(staff_user)
    assert client.get(change_url("IN")).status_code == 403


def test_emptying_the_rules_box_means_no_country_rules(admin_client_):
    india = Country.objects.get(iso_code="IN")
    response = admin_client_.post(change_url("IN"), form_data(india, sender_id_rules=""))
    assert response.status_code == 302
    assert Country.objects.get(iso_code="IN").sender_id_rules == {}


def test_the_rules_box_shows_one_key_per_line(admin_client_):
    html = admin_client_.get(change_url("IN")).content.decode()
    assert "{\n  &quot;letters_only&quot;: true," in html


def test_the_changelist_shows_what_requests_take_in_the_portals_region(admin_client_, settings):
    settings.AWS_REGION = "eu-west-1"
    html = admin_client_.get(CHANGELIST, {"q": "IN"}).content.decode()
    assert '<span class="badge registration">Registration required</span> → ' in html
    assert "only available in ap-south-1 and ap-south-2" in html  # the reason, as the badge's title
    settings.AWS_REGION = "ap-south-1"
    assert " → " not in admin_client_.get(CHANGELIST, {"q": "IN"}).content.decode()
