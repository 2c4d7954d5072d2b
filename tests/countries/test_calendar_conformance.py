"""AWS facts the rule calendar encodes: one test per fact, its source named. The reference is
shared/data/aws-reference/country-eta-and-rules.csv (transcribed from AWS's country pages, each row with
its source URL); countries/data/ holds the copy the portal reads."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from countries.calendar import CURATED, RULES_FILE, transactional_only_countries
from countries.models import Country

SHARED_REFERENCE = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "aws-reference" / "country-eta-and-rules.csv"
)
# The facts are read from the portal's copy (a clone has no shared/ beside it); that the copy is the
# reference unchanged is checked where the reference is at hand.
REFERENCE = RULES_FILE
NX = "https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-country-reg-{}.html"
INDIA = "https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid-india-support.html"


def reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["rule"]]


def spec(code: str):
    (found,) = [s for s in CURATED if s.code == code]
    return found


# code -> (ISO, date in the reference or None, words of the reference row, source page)
FACTS = {
    "fr-no-hyphen": ("FR", "2026-03-01", "Dash (-) no longer supported",
                     "https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers-sms-by-country.html"),
    "es-cnmc-registry": ("ES", "2026-09-15", "CNMC National Alias Registry", NX.format("es")),
    "es-generic-refused": ("ES", "2026-09-15", "generic sender IDs cannot be registered", NX.format("es")),
    "es-cnmc-case": ("ES", None, "casing registered with CNMC must match", NX.format("es")),
    "es-cnmc-portal": ("ES", None, "eIDAS certificate", NX.format("es")),
    "at-rtr-registry": ("AT", "2026-10-01", "RTR registration", NX.format("at")),
    "at-case-sensitive": ("AT", None, "case-sensitive ('MyBrand' does not cover 'MYBRAND')", NX.format("at")),
    "at-generic-refused": ("AT", None, "no generic terms", NX.format("at")),
    "au-acma-register": ("AU", "2026-07-01", "ACMA SMS Sender ID Register enforced", NX.format("au")),
    "au-acma-email": ("AU", None, "ACMA confirmation email", NX.format("au")),
    "tr-sample-urls": ("TR", "2026-04-01", "containing URLs at risk of being blocked", NX.format("tr")),
    "in-form-transactional": ("IN", None, "Promotional sender IDs (6 characters) are registered through an "
                              "AWS Support case", INDIA),
    "in-dlt-registration": ("IN", None, "Local DLT routes", INDIA),
    "sg-ssir": ("SG", None, "registered on SGNIC's SSIR", NX.format("sg")),
    "ie-comreg": ("IE", None, "Register on the ComReg Sender ID portal first",
                  "https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-ireland.html"),
    "ae-paused": ("AE", None, "registrations paused until further notice", NX.format("ae")),
    "fi-traficom": ("FI", None, "must be pre-registered with local operators", NX.format("fi")),
    "lk-brand-in-samples": ("LK", None, "brand name must be in the messages", NX.format("lk")),
    "lk-one-use-case": ("LK", None, "must use separate sender IDs", NX.format("lk")),
}  # fmt: skip


def test_every_curated_rule_names_its_fact():
    assert {s.code for s in CURATED} == set(FACTS)


@pytest.mark.parametrize("code", sorted(FACTS))
def test_each_curated_rule_matches_its_row_in_the_reference(code):
    iso, date, words, source = FACTS[code]
    rows = [r for r in reference_rows() if r["iso_code"] == iso and words in r["rule"]]
    assert rows, f"{code}: no {iso} row saying {words!r} in {REFERENCE}"
    assert rows[0]["source_url"] == source
    rule = spec(code)
    assert (rule.iso_code, rule.source_url) == (iso, source)
    if rule.effective_from is not None:  # a rule the portal dates carries AWS's date
        assert rule.effective_from == dt.date.fromisoformat(date)


@pytest.mark.skipif(not SHARED_REFERENCE.exists(), reason="no shared/data/aws-reference beside this checkout")
def test_the_portal_reads_a_faithful_copy_of_the_reference():
    """countries/data/country-eta-and-rules.csv is shared/data/aws-reference's file, unchanged."""
    assert RULES_FILE.read_bytes() == SHARED_REFERENCE.read_bytes()


def test_the_transactional_only_countries_are_the_ones_aws_names():
    """nx-country-reg-{by,eg,jo,kw,ph,qa,ru,vn,zm}: "Promotional content disallowed"; -ke, -sa:
    "transactional only"; -tr: "Transactional content only"."""
    expected = {"BY", "EG", "JO", "KE", "KW", "PH", "QA", "RU", "SA", "TR", "VN", "ZM"}
    assert set(transactional_only_countries(REFERENCE)) == expected
    assert all(url == NX.format(iso.lower()) for iso, url in transactional_only_countries(REFERENCE).items())


@pytest.mark.django_db
def test_frances_hyphen_date_is_the_same_in_the_rule_engine_and_the_calendar():
    """phone-numbers-sms-by-country: France's dash ban from 2026-03-01 (Country.sender_id_rules enforces it;
    the calendar only shows it)."""
    rules = Country.objects.get(iso_code="FR").sender_id_rules
    assert (rules["forbidden_chars"], dt.date.fromisoformat(rules["forbidden_from"])) == (
        "-",
        spec("fr-no-hyphen").effective_from,
    )
