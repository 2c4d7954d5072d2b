"""countries.checks: one engine for the sender step, the review and the approver's page. Pure: no query."""

from __future__ import annotations

import datetime as dt

import pytest

from countries.calendar import RuleKind, RuleSeverity
from countries.checks import (
    BLOCK,
    INFO,
    OK,
    WARN,
    Check,
    brand_resemblance,
    generic_word,
    light,
    outside_actions,
    sample_checks,
    sender_id_checks,
    summary_counts,
)
from countries.models import Country, CountryRule
from countries.rules import normalise_sender_id
from countries.selectors import rules_by_country

pytestmark = pytest.mark.django_db

D = dt.date


def country(iso: str) -> Country:
    return Country.objects.get(iso_code=iso)


def check(iso: str, sender_id: str, *, today: dt.date, brand=("Acme",), **kwargs) -> list[Check]:
    return sender_id_checks(
        country(iso), sender_id, rules=rules_by_country([iso])[iso], today=today, brand_names=brand, **kwargs
    )


def codes(checks: list[Check]) -> dict[str, str]:
    return {c.code: c.level for c in checks}


# --- France: the hyphen, from the rule engine only -------------------------------------------------
@pytest.mark.parametrize("today", [D(2026, 3, 1), D(2026, 3, 2), D(2027, 1, 1)])
def test_france_blocks_a_hyphen_from_1_march_2026(today):
    checks = check("FR", "ACME-PAY", today=today)
    blocks = [c for c in checks if c.level == BLOCK]
    assert [c.code for c in blocks] == ["sender_id_rule"]
    assert "-" in blocks[0].message and blocks[0].field == "sender_id"


def test_france_allows_a_hyphen_before_1_march_2026_but_warns_of_the_date():
    checks = check("FR", "ACME-PAY", today=D(2026, 2, 28))
    assert light(checks) == WARN
    (coming,) = [c for c in checks if c.code == "sender_id_rule_from"]
    assert coming.message.startswith("From 1 March 2026: ")
    assert coming.effective_from == D(2026, 3, 1)
    # The calendar entry lends its advice and source; it is not reported a second time.
    assert coming.what_to_do == "Choose a sender ID without a hyphen."
    assert "phone-numbers-sms-by-country" in coming.source_url
    assert "rule:fr-no-hyphen" not in codes(checks)


def test_france_says_nothing_about_hyphens_to_a_sender_id_without_one():
    checks = check("FR", "ACMEPAY", today=D(2026, 2, 28))
    assert {"sender_id_rule", "sender_id_rule_from", "rule:fr-no-hyphen"}.isdisjoint(codes(checks))
    assert light(checks) == OK


# --- Spain: CNMC from 15 September 2026 ------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "level", "prefix"),
    [
        (D(2026, 6, 1), INFO, "From 15 September 2026: "),  # more than 30 days ahead
        (D(2026, 8, 16), WARN, "From 15 September 2026: "),  # within 30 days
        (D(2026, 9, 15), WARN, "Since 15 September 2026: "),
        (D(2026, 12, 1), WARN, "Since 15 September 2026: "),
    ],
)
def test_spain_announces_the_cnmc_registry_then_warns(today, level, prefix):
    (rule,) = [c for c in check("ES", "ACME", today=today) if c.code == "rule:es-cnmc-registry"]
    assert rule.level == level
    assert rule.message.startswith(prefix)
    assert "CNMC" in rule.message and rule.effective_from == D(2026, 9, 15)


def test_spain_warns_that_the_case_must_match_cnmc():
    assert codes(check("ES", "Acme", today=D(2026, 1, 1)))["rule:es-cnmc-case"] == WARN


def test_spain_refuses_generic_sender_ids():
    checks = check("ES", "INFO", today=D(2026, 1, 1))
    (generic,) = [c for c in checks if "generic" in c.message]
    assert (generic.level, generic.code) == (BLOCK, "rule:es-generic-refused")
    assert light(checks) == BLOCK


def test_elsewhere_a_generic_sender_id_only_warns():
    checks = check("DE", "INFO", today=D(2026, 1, 1))
    assert codes(checks)["generic_sender_id"] == WARN
    assert light(checks) == WARN


@pytest.mark.parametrize("sender_id", ["INFO", "SMS", "NOREPLY", "SMS-ALERT", "OTPCODE", "Verify"])
def test_generic_words_and_their_compounds_are_generic(sender_id):
    assert generic_word(sender_id)


@pytest.mark.parametrize("sender_id", ["ACMEINFO", "GLOBEX", "NO", "INFORMA"])
def test_a_brand_is_not_generic(sender_id):
    assert generic_word(sender_id) == ""


# --- Austria: case-sensitive, RTR from 1 October 2026 -----------------------------------------------
def test_austria_keeps_the_case_and_says_so():
    austria = country("AT")
    assert normalise_sender_id(" MyBrand ", austria.sender_id_rules) == "MyBrand"
    assert (
        codes(check("AT", "MyBrand", today=D(2026, 1, 1), brand=("MyBrand GmbH",)))["rule:at-case-sensitive"]
        == WARN
    )


def test_austria_announces_rtr_registration():
    assert codes(check("AT", "MyBrand", today=D(2026, 9, 5)))["rule:at-rtr-registry"] == WARN
    assert codes(check("AT", "MyBrand", today=D(2026, 5, 1)))["rule:at-rtr-registry"] == INFO


def test_austria_refuses_generic_terms():
    assert codes(check("AT", "Info", today=D(2026, 1, 1)))["rule:at-generic-refused"] == BLOCK


# --- message types ---------------------------------------------------------------------------------
def test_a_transactional_only_country_blocks_promotional_requests():
    assert (
        codes(check("EG", "ACME", today=D(2026, 1, 1), message_type="PROMOTIONAL"))["rule:transactional-only"]
        == BLOCK
    )
    assert "rule:transactional-only" not in codes(
        check("EG", "ACME", today=D(2026, 1, 1), message_type="TRANSACTIONAL")
    )


def test_before_the_message_type_is_chosen_a_type_rule_is_information():
    (rule,) = [c for c in check("EG", "ACME", today=D(2026, 1, 1)) if c.code == "rule:transactional-only"]
    assert rule.level == INFO
    assert rule.message.startswith("For promotional messages: ")


def test_india_promotional_is_told_it_goes_through_a_support_case_not_blocked():
    checks = check("IN", "ACMEIN", today=D(2026, 1, 1), message_type="PROMOTIONAL", brand=("Acme India",))
    assert codes(checks)["rule:in-form-transactional"] == INFO
    assert light(checks) != BLOCK


def test_new_registrations_paused_in_the_uae_block():
    assert codes(check("AE", "ACME", today=D(2026, 1, 1)))["rule:ae-paused"] == BLOCK


def test_a_rule_starting_soon_warns_instead_of_blocking():
    rule = CountryRule(country_id="DE", code="de-pause", kind=RuleKind.PAUSED, severity=RuleSeverity.BLOCK,
                       effective_from=D(2026, 2, 1), text="Paused.")  # fmt: skip
    (found,) = sender_id_checks(
        country("DE"), "ACME", rules=[rule], today=D(2026, 1, 15), brand_names=("Acme",)
    )[:1]
    assert (found.code, found.level) == ("rule:de-pause", WARN)


def test_another_countrys_rules_are_ignored():
    spanish = rules_by_country(["ES"])["ES"]
    checks = sender_id_checks(
        country("DE"), "INFO", rules=spanish, today=D(2027, 1, 1), brand_names=("Acme",)
    )
    assert not [c for c in checks if c.code.startswith("rule:")]


# --- samples ---------------------------------------------------------------------------------------
def tr_samples(samples, today):
    return sample_checks(country("TR"), samples, rules=rules_by_country(["TR"])["TR"], today=today)


def test_turkey_warns_of_a_url_in_a_sample_on_that_samples_field():
    (found,) = tr_samples(["Your code is 1234", "Track it at https://acme.example/t/1"], D(2026, 4, 1))
    assert (found.level, found.field, found.code) == (
        WARN,
        "messageSamples.messageSample2",
        "rule:tr-sample-urls",
    )
    assert found.message.startswith("Since 1 April 2026: ")


def test_turkey_url_rule_is_information_long_before_the_date():
    (found,) = tr_samples({"messageSamples.messageSample1": "see www.acme.example"}, D(2026, 1, 1))
    assert (found.level, found.field) == (INFO, "messageSamples.messageSample1")


def test_turkey_samples_without_urls_pass():
    assert tr_samples(["Your code is 1234", "Your parcel ships today."], D(2026, 5, 1)) == []


def test_without_samples_the_url_rule_is_a_reminder():
    (found,) = tr_samples([], D(2026, 5, 1))
    assert found.level == INFO and found.field == ""


def test_sri_lanka_wants_the_brand_in_every_sample():
    lk = country("LK")
    found = sample_checks(
        lk, ["Acme: your code is 1234", "Your code is 1234"], rules=rules_by_country(["LK"])["LK"],
        today=D(2026, 1, 1), brand_names=("Acme Ltd",),
    )  # fmt: skip
    assert [(c.field, c.code) for c in found] == [
        ("messageSamples.messageSample2", "rule:lk-brand-in-samples")
    ]


# --- outside the portal ----------------------------------------------------------------------------
def test_india_lists_the_dlt_registration_as_an_outside_action():
    (action,) = outside_actions(country("IN"), rules=rules_by_country(["IN"])["IN"], today=D(2026, 1, 1))
    assert action.outside and action.code == "rule:in-dlt-registration"
    assert "DLT" in action.message and "Template ID" in action.what_to_do


def test_outside_actions_are_not_repeated_among_the_sender_id_checks():
    assert "rule:in-dlt-registration" not in codes(check("IN", "ACMEIN", today=D(2026, 1, 1)))


@pytest.mark.parametrize(
    ("iso", "code"),
    [("ES", "es-cnmc-portal"), ("SG", "sg-ssir"), ("IE", "ie-comreg"), ("AU", "au-acma-email")],
)
def test_each_registry_outside_the_portal_is_an_outside_action(iso, code):
    actions = outside_actions(country(iso), rules=rules_by_country([iso])[iso], today=D(2026, 1, 1))
    assert f"rule:{code}" in codes(actions)


def test_the_spanish_outside_action_names_the_certificate():
    (action,) = outside_actions(country("ES"), rules=rules_by_country(["ES"])["ES"], today=D(2026, 1, 1))
    assert "eIDAS" in action.what_to_do


# --- the brand ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender_id", "brand", "reason"),
    [
        ("GLOBEX", "Globex Ltd", "it is “Globex Ltd”"),
        ("Globex", "https://www.globex.co.uk/", "it is “https://www.globex.co.uk/”"),
        ("IBM", "International Business Machines Corp.", "it is the initials of"),
        ("ACME", "Acme Payments GmbH", "it is part of"),
        ("ACMEPAY", "Acme S.A.", "it contains “Acme S.A.”"),
        ("GLBX", "Globex Inc", "it abbreviates"),
        ("GLOBEKS", "Globex", "it is spelled almost like"),
        ("SOCGEN", "Société Générale", "it abbreviates"),
    ],
)
def test_the_sender_id_resembles_the_brand(sender_id, brand, reason):
    assert reason in brand_resemblance(sender_id, brand)


@pytest.mark.parametrize(
    ("sender_id", "brand"), [("ACMEPAY", "Globex Ltd"), ("ZETA", "Globex"), ("GX", "Globex")]
)
def test_the_sender_id_does_not_resemble_the_brand(sender_id, brand):
    assert brand_resemblance(sender_id, brand) == ""


def test_a_matching_brand_is_ok_with_its_reason():
    (brand,) = [
        c
        for c in check("DE", "GLOBEX", today=D(2026, 1, 1), brand=("Globex Ltd", "globex.com"))
        if c.code == "brand_match"
    ]
    assert brand.level == OK and "resembles your brand" in brand.message


def test_a_foreign_brand_warns_about_a_letter_of_authorization_and_never_blocks():
    checks = check("DE", "ACMEPAY", today=D(2026, 1, 1), brand=("Globex Ltd", "globex"))
    (brand,) = [c for c in checks if c.code == "brand_mismatch"]
    assert brand.level == WARN
    assert "“Globex Ltd” or “globex”" in brand.message and "letter of authorization" in brand.message
    assert light(checks) == WARN


def test_without_a_company_profile_one_check_asks_for_it():
    checks = check("DE", "ACMEPAY", today=D(2026, 1, 1), brand=())
    assert [c.code for c in checks if c.code.startswith("brand")] == ["brand_unknown"]
    assert codes(checks)["brand_unknown"] == INFO and "company profile" in checks[0].message


# --- the engine as a whole -------------------------------------------------------------------------
def test_checks_run_no_query(django_assert_num_queries):
    rules = rules_by_country(["ES", "TR", "IN"])
    spain, turkey, india = country("ES"), country("TR"), country("IN")
    with django_assert_num_queries(0):
        sender_id_checks(spain, "INFO", rules=rules["ES"], today=D(2026, 9, 20), brand_names=("Acme",))
        sample_checks(turkey, ["https://x.example"], rules=rules["TR"], today=D(2026, 9, 20))
        outside_actions(india, rules=rules["IN"], today=D(2026, 9, 20))


def test_checks_come_worst_first():
    levels = [c.level for c in check("ES", "INFO", today=D(2026, 9, 20))]
    assert levels == sorted(levels, key=[BLOCK, WARN, INFO, OK].index)


def test_light_and_counts():
    checks = [Check(OK, "a", ""), Check(WARN, "b", ""), Check(WARN, "c", ""), Check(INFO, "d", "")]
    assert light(checks) == WARN
    assert light([]) == OK
    assert summary_counts(checks) == {"ok": 1, "info": 1, "warn": 2, "block": 0}
