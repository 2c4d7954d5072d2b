"""The selector API the wizard uses."""

import pytest

from countries.selectors import (
    countries_for_select,
    country_get,
    country_list,
    country_process,
    country_process_counts,
    country_rules,
)

pytestmark = pytest.mark.django_db


def test_process_for_a_country():
    assert country_process(iso_code="in") == "registration"
    assert country_process(iso_code="BR") == "not_supported"
    assert country_process(iso_code="ZZ") is None


def test_rules_for_a_country():
    assert country_rules(iso_code="IN")["max_length"] == 6
    assert country_rules(iso_code="DE") == {}
    assert country_rules(iso_code="ZZ") == {}


def test_country_get_ignores_case_and_spaces():
    assert country_get(iso_code=" sg ").name == "Singapore"
    assert country_get(iso_code="") is None


def test_countries_for_select_ordered_by_name_with_the_process_in_one_query(
    django_assert_num_queries, settings
):
    settings.AWS_REGION = "ap-south-1"  # India's registration form exists only there
    with django_assert_num_queries(1):
        choices = countries_for_select()
    assert len(choices) == 215
    assert choices[0] == ("AF", "Afghanistan — Supported")
    assert ("IN", "India — Registration required") in choices
    names = [label.split(" — ")[0] for _, label in choices]
    # Accents don't push a country to the end: Réunion sits among the R's, São Tomé among the S's.
    assert names.index("Réunion (France)") < names.index("Romania")
    assert names.index("São Tomé and Príncipe") < names.index("Saudi Arabia")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("singapore", {"SG"}),
        ("SINGA", {"SG"}),
        ("reunion", {"RE"}),
        ("sao tome", {"ST"}),
        ("+44", {"GB"}),
        ("1-829", {"DO"}),
        ("SG_SENDER", {"SG"}),
    ],
)
def test_country_list_search(query, expected):
    assert {c.iso_code for c in country_list(query=query)} == expected


def test_country_list_search_by_iso_code():
    assert "IN" in {c.iso_code for c in country_list(query="in")}


def test_countries_for_select_gives_the_process_in_the_region():
    assert ("IN", "India — Support case required") in countries_for_select(region="eu-west-1")
    assert ("IN", "India — Registration required") in countries_for_select(region="ap-south-2")


def test_country_list_filter_by_process(settings):
    settings.AWS_REGION = "ap-south-1"
    assert {c.iso_code for c in country_list(process="support_case")} == {"OM"}


def test_country_list_filters_on_the_process_in_the_region():
    assert {c.iso_code for c in country_list(process="support_case", region="eu-west-1")} == {"OM", "IN"}
    assert "IN" not in {c.iso_code for c in country_list(process="registration", region="eu-west-1")}
    assert "IN" in {c.iso_code for c in country_list(process="registration", region="ap-south-1")}


def test_process_counts(settings):
    settings.AWS_REGION = "ap-south-1"
    assert country_process_counts() == {
        "supported": 151,
        "registration": 25,
        "support_case": 1,
        "not_supported": 38,
    }


def test_process_counts_outside_indias_regions_count_india_as_a_support_case():
    assert country_process_counts(region="eu-west-1") == {
        "supported": 151,
        "registration": 24,
        "support_case": 2,
        "not_supported": 38,
    }
