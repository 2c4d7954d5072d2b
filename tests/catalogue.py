"""The test catalogue: the countries every suite uses, each standing for one process, rules pinned.

Germany: sender IDs supported, no registration. India: API registration (3–6 letters). Singapore and
Indonesia: API registration. Vietnam: support case. United States: not supported. Austria: supported,
case-sensitive.
The `countries` fixture (tests/conftest.py) returns {ISO code: Country} for all of them.
"""

from __future__ import annotations

from typing import Any

from countries.models import Country, SenderIdProcess

TEST_COUNTRIES: dict[str, dict[str, Any]] = {
    "DE": {"name": "Germany", "sender_id_process": SenderIdProcess.SUPPORTED, "sender_id_rules": {}},
    "IN": {
        "name": "India",
        "sender_id_process": SenderIdProcess.REGISTRATION,
        "registration_type": "IN_SENDER_ID_REGISTRATION",
        "sender_id_rules": {"min_length": 3, "max_length": 6, "letters_only": True},
    },
    "SG": {
        "name": "Singapore",
        "sender_id_process": SenderIdProcess.REGISTRATION,
        "registration_type": "SG_SENDER_ID_REGISTRATION",
        "sender_id_rules": {},
    },
    "ID": {
        "name": "Indonesia",
        "sender_id_process": SenderIdProcess.REGISTRATION,
        "registration_type": "ID_SENDER_ID_REGISTRATION",
        "sender_id_rules": {},
    },
    "VN": {"name": "Vietnam", "sender_id_process": SenderIdProcess.SUPPORT_CASE, "sender_id_rules": {}},
    "US": {
        "name": "United States",
        "sender_id_process": SenderIdProcess.NOT_SUPPORTED,
        "sender_id_rules": {},
    },
    "AT": {
        "name": "Austria",
        "sender_id_process": SenderIdProcess.SUPPORTED,
        "sender_id_rules": {"min_length": 3, "case_sensitive": True},
    },
}


def ensure_country(iso: str, **overrides: Any) -> Country:
    """The test country `iso` as TEST_COUNTRIES pins it (with `overrides`), created or updated."""
    defaults = {"registration_type": "", "notes": "", **TEST_COUNTRIES.get(iso, {}), **overrides}
    country, _ = Country.objects.update_or_create(iso_code=iso, defaults=defaults)
    return country


def ensure_test_countries() -> dict[str, Country]:
    return {iso: ensure_country(iso) for iso in TEST_COUNTRIES}


def ensure_batch_countries() -> None:
    """France (supported, no hyphen from 1 March 2026), Oman (support case) and Brazil (not
    supported) beside TEST_COUNTRIES: the multi-country runs' catalogue."""
    ensure_country(
        "FR",
        name="France",
        sender_id_process=SenderIdProcess.SUPPORTED,
        sender_id_rules={"forbidden_chars": "-", "forbidden_from": "2026-03-01"},
    )
    ensure_country("OM", name="Oman", sender_id_process=SenderIdProcess.SUPPORT_CASE, sender_id_rules={})
    ensure_country("BR", name="Brazil", sender_id_process=SenderIdProcess.NOT_SUPPORTED, sender_id_rules={})


def team_in_ireland_and_mumbai(owner: Any) -> Any:
    """The owner's team, on one account with Ireland (default) and Mumbai (India's route)."""
    from smsvoice.models import AwsAccount
    from teams.services import team_ensure_for

    production = AwsAccount(
        name="Production", regions=["eu-west-1", "ap-south-1"], default_region="eu-west-1"
    )
    production.full_clean()
    production.save()
    team = team_ensure_for(owner)
    team.aws_accounts.set([production])
    return team
