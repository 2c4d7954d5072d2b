"""load_countries --sync: registration types as the configured Region has them."""

from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import call_command

from countries import services
from countries.models import Country, SenderIdProcess
from countries.services import catalogue_rows, countries_sync, registration_types_by_country

pytestmark = pytest.mark.django_db

FORM_COUNTRIES = [row["iso_code"] for row in catalogue_rows() if row["registration_form_in_console"]]


@dataclass
class TypeDefinition:
    """The gateway's contract: .registration_type and .supported_iso_countries."""

    registration_type: str
    supported_iso_countries: list[str]
    resource_types: list[str] = field(default_factory=lambda: ["SENDER_ID"])


class FakeGateway:
    def __init__(self, definitions, region="us-east-1"):
        self.definitions, self.region = definitions, region

    def describe_registration_type_definitions(self):
        return self.definitions


def region_offering(*isos, region="us-east-1", extra=()):
    definitions = [TypeDefinition(f"{iso}_SENDER_ID_REGISTRATION", [iso]) for iso in isos]
    return FakeGateway([*definitions, *extra], region)


def process(iso):
    return Country.objects.get(iso_code=iso).sender_id_process


def test_a_registration_country_without_a_type_in_the_region_falls_back_to_support_case():
    report = countries_sync(gateway=region_offering(*(i for i in FORM_COUNTRIES if i != "IN")))
    india = Country.objects.get(iso_code="IN")
    assert (india.sender_id_process, india.registration_type) == (SenderIdProcess.SUPPORT_CASE, "")
    (change,) = report.changes
    assert change.reason == "no sender-ID registration type for IN in us-east-1"


def test_a_country_whose_type_is_offered_keeps_registration_with_the_regions_type():
    gateway = region_offering("IN", region="ap-south-1", extra=[TypeDefinition("UK_SENDER_ID_REG", ["GB"])])
    countries_sync(gateway=gateway)
    assert process("IN") == SenderIdProcess.REGISTRATION
    uk = Country.objects.get(iso_code="GB")
    assert (uk.sender_id_process, uk.registration_type) == ("registration", "UK_SENDER_ID_REG")
    assert process("AU") == SenderIdProcess.SUPPORT_CASE


def test_a_support_case_country_moves_to_registration_when_the_region_offers_a_type():
    countries_sync(gateway=region_offering("OM"))
    oman = Country.objects.get(iso_code="OM")
    assert (oman.sender_id_process, oman.registration_type) == ("registration", "OM_SENDER_ID_REGISTRATION")


def test_sync_is_idempotent():
    gateway = region_offering("SG", "GB")
    countries_sync(gateway=gateway)
    report = countries_sync(gateway=gateway)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 215)


def test_sync_keeps_an_admins_override():
    Country.objects.filter(iso_code="IN").update(process_overridden=True)
    report = countries_sync(gateway=region_offering("SG"))
    india = Country.objects.get(iso_code="IN")
    assert (india.sender_id_process, india.registration_type) == ("registration", "")
    assert any("IN India: kept the admin's process" in n for n in report.notices)


def test_sync_with_force_overrides_the_admin():
    Country.objects.filter(iso_code="IN").update(process_overridden=True)
    countries_sync(gateway=region_offering("SG"), force=True)
    assert process("IN") == SenderIdProcess.SUPPORT_CASE


def test_other_registration_types_are_ignored():
    ten_dlc = TypeDefinition("US_TEN_DLC_BRAND_REGISTRATION", ["US"], ["TEN_DLC_BRAND"])
    assert registration_types_by_country([ten_dlc]) == {}


def test_types_are_recognised_by_name_when_the_gateway_gives_no_resource_types():
    @dataclass
    class Bare:
        registration_type: str
        supported_iso_countries: list[str]

    definitions = [Bare("JO_SENDER_ID_REGISTRATION", ["JO"]), Bare("US_TOLL_FREE_REGISTRATION", ["US"])]
    assert registration_types_by_country(definitions) == {"JO": "JO_SENDER_ID_REGISTRATION"}


def test_a_countrys_own_type_wins_over_a_shared_one():
    shared = TypeDefinition("GCC_SENDER_ID_REGISTRATION", ["AE", "QA"])
    own = TypeDefinition("QA_SENDER_ID_REGISTRATION", ["QA"])
    assert registration_types_by_country([shared, own]) == {
        "AE": "GCC_SENDER_ID_REGISTRATION",
        "QA": "QA_SENDER_ID_REGISTRATION",
    }


def test_a_type_for_a_supported_country_is_reported_not_applied():
    report = countries_sync(gateway=region_offering(*FORM_COUNTRIES, "DE"))
    assert process("DE") == SenderIdProcess.SUPPORTED
    assert any("DE Germany: us-east-1 offers DE_SENDER_ID_REGISTRATION" in n for n in report.notices)


def test_the_command_prints_what_changed(monkeypatch):
    monkeypatch.setattr(
        services,
        "region_registration_types",
        lambda **_kwargs: ("us-east-1", {"SG": "SG_SENDER_ID_REGISTRATION"}),
    )
    out = StringIO()
    call_command("load_countries", "--sync", stdout=out)
    text = out.getvalue()
    assert "Registration types from AWS: Default us-east-1." in text
    assert "IN India: sender_id_process 'registration' -> 'support_case'" in text
    assert "[no sender-ID registration type for IN in Default us-east-1]" in text
    assert "updated 24" in text  # the 25 form countries but Singapore


def test_a_type_offered_in_a_region_without_local_routes_is_not_used():
    """AWS may list IN_SENDER_ID_REGISTRATION elsewhere, but only ap-south-1/2 carry India's local routes."""
    report = countries_sync(gateway=region_offering(*FORM_COUNTRIES, region="eu-west-1"))
    india = Country.objects.get(iso_code="IN")
    assert (india.sender_id_process, india.registration_type) == (SenderIdProcess.SUPPORT_CASE, "")
    (change,) = [c for c in report.changes if c.iso_code == "IN"]
    assert change.reason == (
        "IN_SENDER_ID_REGISTRATION offered in eu-west-1, but IN has local routes only through "
        "ap-south-1, ap-south-2"
    )
