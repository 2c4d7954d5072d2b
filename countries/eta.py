"""AWS's published registration-time estimates per country (countries/data/country-eta-and-rules.csv).

A copy of shared/data/aws-reference's file, read once per process. Where AWS publishes two figures for
a country (the "Estimated registration times" table and the country page), the table's row wins: it
is the one AWS keeps for every country. A country without a row has no published estimate (the UI says
so rather than guessing).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext, ngettext

DATA_FILE = Path(__file__).resolve().parent / "data" / "country-eta-and-rules.csv"
TABLE_MARKER = "Estimated registration times table"


@dataclass(frozen=True)
class Eta:
    iso_code: str
    min_days: int
    max_days: int
    text: str
    source_url: str


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@cache
def _estimates(path: Path = DATA_FILE) -> dict[str, Eta]:
    found: dict[str, Eta] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            low, high = _int(row.get("eta_days_min", "")), _int(row.get("eta_days_max", ""))
            if low is None and high is None:
                continue  # a rule row, not an estimate
            iso = row["iso_code"].strip().upper()
            eta = Eta(
                iso, low or high or 0, high or low or 0, row.get("eta_text", ""), row.get("source_url", "")
            )
            if iso not in found or (TABLE_MARKER in eta.text and TABLE_MARKER not in found[iso].text):
                found[iso] = eta
    return found


def published_eta(iso_code: str) -> Eta | None:
    """AWS's published estimate for the country's sender-ID registration, or None (none published)."""
    return _estimates().get((iso_code or "").upper())


def published_etas() -> dict[str, Eta]:
    """Every published estimate, by ISO code."""
    return dict(_estimates())


def eta_text(iso_code: str, *, process: str = "") -> str:
    """AWS's estimate in words, in the reader's language ("" when AWS publishes none). A support
    case has no per-country figure: AWS's general "2–4 weeks" is given instead."""
    eta = published_eta(iso_code)
    if eta is not None:
        if eta.min_days == eta.max_days:
            return ngettext("about %(n)d day", "about %(n)d days", eta.max_days) % {"n": eta.max_days}
        return gettext("%(min)d–%(max)d days") % {"min": eta.min_days, "max": eta.max_days}
    if process == "support_case":
        return gettext("usually 2–4 weeks (support case)")
    return ""
