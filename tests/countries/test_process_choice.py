"""Which process a sender-ID request takes: the catalogue row, then AWS's limits of the registration form
(India: local routes only through ap-south-1/ap-south-2; the form is for transactional sender IDs).

Source: https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid-india-support.html
"""

import pytest

from countries.models import PROCESS_RULES, Country, SenderIdProcess
from countries.selectors import country_list, sender_id_process_for, with_process_choices

pytestmark = pytest.mark.django_db

REGISTRATION, SUPPORT_CASE = SenderIdProcess.REGISTRATION, SenderIdProcess.SUPPORT_CASE
REGION_REASON = "India's registration form is only available in ap-south-1 and ap-south-2"
PROMOTIONAL_REASON = "promotional India sender IDs are registered through an AWS Support case"


def india(**fields) -> Country:
    country = Country.objects.get(iso_code="IN")
    for name, value in fields.items():
        setattr(country, name, value)
    return country


@pytest.mark.parametrize(
    ("region", "message_type", "process", "reason"),
    [
        ("ap-south-1", "TRANSACTIONAL", REGISTRATION, ""),
        ("ap-south-2", "TRANSACTIONAL", REGISTRATION, ""),
        ("ap-south-1", "PROMOTIONAL", SUPPORT_CASE, PROMOTIONAL_REASON),
        ("ap-south-1", "", REGISTRATION, PROMOTIONAL_REASON),  # not chosen yet: says what would change
        ("eu-west-1", "TRANSACTIONAL", SUPPORT_CASE, REGION_REASON),
        ("eu-west-1", "PROMOTIONAL", SUPPORT_CASE, REGION_REASON),
        ("us-east-1", "", SUPPORT_CASE, REGION_REASON),
    ],
)
def test_india(region, message_type, process, reason):
    choice = sender_id_process_for(india(), message_type=message_type, region=region)
    assert choice.process == process
    assert (reason in choice.reason) if reason else choice.reason == ""


def test_the_region_reason_names_the_portals_region():
    choice = sender_id_process_for(india(), region="eu-west-1")
    assert "This portal sends from eu-west-1" in choice.reason
    assert choice.label == "Support case required"


def test_india_synced_to_support_case_outside_its_regions_says_why():
    choice = sender_id_process_for(india(sender_id_process=SUPPORT_CASE), region="us-east-1")
    assert (choice.process, REGION_REASON in choice.reason) == (SUPPORT_CASE, True)


def test_an_admins_support_case_for_india_in_mumbai_stands_without_a_reason():
    choice = sender_id_process_for(india(sender_id_process=SUPPORT_CASE), region="ap-south-1")
    assert (choice.process, choice.reason) == (SUPPORT_CASE, "")


@pytest.mark.parametrize("process", [SenderIdProcess.SUPPORTED, SenderIdProcess.NOT_SUPPORTED])
def test_the_rules_only_correct_the_registration_and_support_case_processes(process):
    country = india(sender_id_process=process)
    choice = sender_id_process_for(country, message_type="PROMOTIONAL", region="eu-west-1")
    assert (choice.process, choice.reason) == (process, "")


@pytest.mark.parametrize("iso", ["SG", "GB", "DE", "OM", "BR"])
@pytest.mark.parametrize("message_type", ["", "TRANSACTIONAL", "PROMOTIONAL"])
def test_other_countries_take_their_catalogue_process(iso, message_type):
    country = Country.objects.get(iso_code=iso)
    choice = sender_id_process_for(country, message_type=message_type, region="eu-west-1")
    assert (choice.process, choice.reason) == (country.sender_id_process, "")


def test_the_default_region_is_the_portals(settings):
    settings.AWS_REGION = "ap-south-2"
    assert sender_id_process_for(india(), message_type="TRANSACTIONAL").process == REGISTRATION
    settings.AWS_REGION = "eu-west-1"
    assert sender_id_process_for(india(), message_type="TRANSACTIONAL").process == SUPPORT_CASE


def test_unknown_message_types_are_treated_as_not_chosen():
    choice = sender_id_process_for(india(), message_type="promotional<script>", region="ap-south-1")
    assert choice.process == REGISTRATION


def test_every_rule_cites_its_source_and_explains_itself():
    for rule in PROCESS_RULES.values():
        assert rule.source.startswith("https://docs.aws.amazon.com/")
        assert "%(region)s" in str(rule.region_reason)
        assert str(rule.message_type_reason)


@pytest.mark.parametrize("region", ["ap-south-1", "ap-south-2", "eu-west-1", "us-east-1"])
def test_the_catalogue_filter_agrees_with_the_rule_for_every_country(region):
    """country_list's SQL filter and sender_id_process_for say the same for all 215 countries."""
    listed = with_process_choices(country_list(), region=region)
    expected = {c.iso_code: c.process_choice.process for c in listed}
    for process in SenderIdProcess.values:
        listed = {c.iso_code for c in country_list(process=process, region=region)}
        assert listed == {iso for iso, p in expected.items() if p == process}, process


def test_with_process_choices_runs_no_query(django_assert_num_queries):
    countries = list(country_list())
    with django_assert_num_queries(0):
        with_process_choices(countries, region="eu-west-1")
