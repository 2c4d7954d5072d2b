"""/countries/: the public catalogue. Searchable, filterable, no JavaScript needed, any input."""

import pytest
from django.urls import reverse

from countries.models import Country

pytestmark = pytest.mark.django_db
URL = reverse("countries:list")


def rows(response) -> list[str]:
    return [c.iso_code for c in response.context["countries"]]


def test_anyone_can_read_the_catalogue(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert len(rows(response)) == 215
    assert "Showing <span data-shown>215</span> of 215 countries." in response.content.decode()


def test_each_country_shows_its_process_badge_and_estimate(client):
    html = client.get(URL, {"q": "united kingdom"}).content.decode()
    assert '<span class="badge registration">Registration required</span>' in html
    assert "Estimated: about 3 days" in html  # AWS's published table, in words
    assert "GB_SENDER_ID_REGISTRATION" in html


@pytest.mark.parametrize(
    ("iso", "badge"),
    [("BR", "not_supported"), ("OM", "support_case"), ("DE", "supported"), ("IN", "registration")],
)
def test_badge_per_process(client, settings, iso, badge):
    settings.AWS_REGION = "ap-south-1"  # India's registration form exists only in ap-south-1/2
    html = client.get(URL, {"q": iso}).content.decode()
    assert f'<span class="badge {badge}">' in html


def row_of(html: str, iso: str) -> str:
    start = html.index(f'<td class="iso">{iso}</td>')
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def test_outside_ap_south_india_is_a_support_case_and_the_page_says_why(client, settings):
    settings.AWS_REGION = "eu-west-1"
    html = client.get(URL, {"q": "india"}).content.decode()
    india = row_of(html, "IN")
    assert 'data-process="support_case"' in india
    assert '<span class="badge support_case">Support case required</span>' in india
    assert "India&#x27;s registration form is only available in ap-south-1 and ap-south-2" in india
    assert "This portal sends from eu-west-1" in india
    assert "<code>eu-west-1</code>" in html


def test_in_mumbai_india_is_a_registration_and_promotional_goes_to_a_support_case(client, settings):
    settings.AWS_REGION = "ap-south-1"
    india = row_of(client.get(URL, {"q": "india"}).content.decode(), "IN")
    assert '<span class="badge registration">Registration required</span>' in india
    assert "promotional India sender IDs are registered through an AWS Support case" in india
    assert "only available in ap-south-1" not in india


def test_the_process_filter_follows_the_region(client, settings):
    settings.AWS_REGION = "eu-west-1"
    response = client.get(URL, {"process": "support_case"})
    assert rows(response) == ["IN", "OM"]
    assert '<span class="badge support_case">Support case required</span> (2)' in response.content.decode()
    settings.AWS_REGION = "ap-south-2"
    assert rows(client.get(URL, {"process": "support_case"})) == ["OM"]


def test_the_page_states_the_base_rule(client):
    html = client.get(URL).content.decode()
    assert "the first character must be a letter and the last cannot be a hyphen" in html


def test_search_by_name(client):
    assert rows(client.get(URL, {"q": "singapore"})) == ["SG"]


def test_filter_by_process(client):
    response = client.get(URL, {"process": "not_supported"})
    assert "AR" in rows(response) and "BR" in rows(response) and len(rows(response)) == 38


def test_search_and_filter_combine(client):
    assert rows(client.get(URL, {"q": "united", "process": "registration"})) == ["AE", "GB"]


def test_the_rules_are_shown_in_words(client):
    html = client.get(URL, {"q": "india"}).content.decode()
    assert "3–6 characters" in html and "letters only" in html


def test_no_match_says_so(client):
    html = client.get(URL, {"q": "atlantis"}).content.decode()
    assert "No country matches your search." in html


def test_works_without_javascript(client):
    html = client.get(URL).content.decode()
    assert '<form method="get"' in html and 'name="q"' in html and 'name="process"' in html
    assert '<button type="submit"' in html


def test_process_links_keep_the_search(client):
    html = client.get(URL, {"q": "united"}).content.decode()
    assert 'href="?q=united&amp;process=registration"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 10_000}, "Search text is too long (at most 100 characters); it was ignored."),
        ({"process": "everything"}, "Unknown sender ID process; showing every process."),
        ({"process": "<script>alert(1)</script>"}, "Unknown sender ID process; showing every process."),
    ],
)
def test_bad_input_answers_200_with_a_clear_message(client, params, message):
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert len(rows(response)) == 215
    assert "<script>alert(1)</script>" not in html


def test_a_nul_byte_in_the_search_is_refused_with_a_clear_message(client):
    # config.middleware.HostileInputMiddleware refuses control characters before any view reads them.
    response = client.get(URL, {"q": "in\x00dia"})
    assert response.status_code == 400
    assert "control character" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["'; DROP TABLE countries_country; --", "%", "_", "\\", "<b>", "🇫🇷", "ü" * 100]
)
def test_hostile_search_text_is_just_text(client, query):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert "<b>" not in response.content.decode().split("<main", 1)[1]
    assert Country.objects.count() == 215


def test_a_valid_search_still_applies_when_the_process_is_unknown(client):
    assert rows(client.get(URL, {"q": "singapore", "process": "nope"})) == ["SG"]


def test_query_count_is_constant_whatever_the_number_of_countries(client, django_assert_num_queries):
    with django_assert_num_queries(3):  # the countries, the rule calendar, the per-process counts
        client.get(URL)
    Country.objects.exclude(iso_code__in=["IN", "BR"]).delete()
    with django_assert_num_queries(3):
        response = client.get(URL)
    assert rows(response) == ["BR", "IN"]


def test_query_count_for_a_signed_in_user(client, owner, django_assert_num_queries):
    client.force_login(owner)
    # + the user (its login wrote auth in this test's transaction: read directly); the session is cached.
    with django_assert_num_queries(4):
        client.get(URL, {"q": "a", "process": "supported"})


def test_page_in_french_uses_translated_process_labels(client):
    response = client.get(URL, {"q": "SG"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"


def test_the_page_only_answers_reads(client):
    assert client.post(URL, {"q": "india"}).status_code == 405
