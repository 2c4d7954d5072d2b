"""The project's own data file, derived from the AWS table: complete, right, and reproducible."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from countries.data import build
from countries.services import DATA_FILE, catalogue_rows

ROWS = {row["iso_code"]: row for row in catalogue_rows()}


def test_the_file_has_all_215_countries():
    assert len(ROWS) == 215


def test_the_header_names_its_source():
    header = DATA_FILE.read_text(encoding="utf-8").split("\niso_code,", 1)[0]
    assert build.SOURCE_URL in header
    assert "countries/data/build.py" in header


@pytest.mark.parametrize(
    ("iso", "process"),
    [
        ("IN", "registration"),
        ("AU", "registration"),
        ("GB", "registration"),
        ("SG", "registration"),
        ("BR", "not_supported"),
        ("AR", "not_supported"),
        ("US", "not_supported"),
        ("OM", "support_case"),  # registration required, but no form and no API type known
        ("DE", "supported"),
        ("FR", "supported"),
    ],
)
def test_spot_checks_from_the_aws_table(iso, process):
    assert ROWS[iso]["sender_id_process"] == process


@pytest.mark.parametrize(
    ("iso", "registration_type"),
    [
        ("SG", "SG_SENDER_ID_REGISTRATION"),
        ("IN", "IN_SENDER_ID_REGISTRATION"),
        ("ID", "ID_SENDER_ID_REGISTRATION"),
        ("GB", "GB_SENDER_ID_REGISTRATION"),  # AWS's <ISO2>_SENDER_ID_REGISTRATION pattern
        ("OM", ""),
        ("DE", ""),
    ],
)
def test_registration_types(iso, registration_type):
    assert ROWS[iso]["registration_type"] == registration_type


def test_process_counts():
    counts = Counter(row["sender_id_process"] for row in ROWS.values())
    assert counts == {"supported": 151, "registration": 25, "support_case": 1, "not_supported": 38}


def test_exactly_the_registration_countries_have_a_registration_type():
    with_type = {iso for iso, row in ROWS.items() if row["registration_type"]}
    assert with_type == {iso for iso, row in ROWS.items() if row["sender_id_process"] == "registration"}


def test_country_rules_come_from_the_file():
    assert ROWS["IN"]["sender_id_rules"]["letters_only"] is True
    assert ROWS["FR"]["sender_id_rules"]["forbidden_from"] == "2026-03-01"
    assert ROWS["AT"]["sender_id_rules"]["case_sensitive"] is True
    assert ROWS["AT"]["sender_id_rules"]["charset"] == "A-Za-z0-9_-"


def test_two_way_and_estimates():
    assert ROWS["GB"]["two_way"] is True and ROWS["GB"]["est_registration_time"] == "3 days"
    assert ROWS["GW"]["two_way"] is False  # "N/A" in the table


SHARED_SOURCE = build.DEFAULT_SOURCE


@pytest.mark.skipif(not SHARED_SOURCE.exists(), reason="shared AWS table not on this machine")
def test_the_file_is_what_build_py_derives_from_the_shared_table():
    result = subprocess.run(
        [sys.executable, str(Path(build.__file__)), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not SHARED_SOURCE.exists(), reason="shared AWS table not on this machine")
def test_stated_types_only_sends_unconfirmed_form_countries_to_support_case():
    text = build.build(SHARED_SOURCE.read_text(encoding="utf-8"), stated_types_only=True)
    assert "# Counts: 215 countries: supported 151, registration 3, support_case 23, not_supported 38" in text
