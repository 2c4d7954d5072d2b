"""Derive countries/data/countries.csv from the shared AWS table, reproducibly.

    python countries/data/build.py [--source PATH] [--output PATH] [--check] [--stated-types-only]

Standard library only (no Django): the derivation is a plain function of the source table, so it
can be re-run and reviewed. The portal reads only the output file, never the source, at run time.
``--check`` exits 1 when the committed file is not what the source derives (for CI and the tests).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import Counter
from pathlib import Path

SOURCE_URL = "https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers-sms-by-country.html"
HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent.parent / "shared" / "data" / "aws-sms-countries.csv"
DEFAULT_OUTPUT = HERE / "countries.csv"

COLUMNS = [
    "iso_code",
    "name",
    "dialing_code",
    "sender_id_process",
    "registration_type",
    "registration_type_source",
    "registration_form_in_console",
    "two_way",
    "est_registration_time",
    "notes",
    "sender_id_rules",
]

# Country rules (countries.rules reads these keys). Sources: the AWS table's footnotes and the
# sender-ID registration pages summarised in shared/data/README.md.
RULES: dict[str, dict[str, object]] = {
    "IN": {
        "min_length": 3,
        "max_length": 6,
        "letters_only": True,
        "note": "India (TRAI DLT): sender IDs (headers) are 3-6 letters. Promotional headers are "
        "6 digits, which a sender ID here cannot be (it must start with a letter).",
    },
    "FR": {
        "forbidden_chars": "-",
        "forbidden_from": "2026-03-01",
        "note": "France: from 1 March 2026 no hyphen (-) in sender IDs; only a-z, A-Z and 0-9.",
    },
    "AT": {
        "min_length": 3,
        "max_length": 11,
        "charset": "A-Za-z0-9_-",
        "case_sensitive": True,
        "note": "Austria (RTR register): 3-11 characters, case-sensitive. RTR also allows space, "
        "+ and &, but AWS accepts only A-Z a-z 0-9 _ - in a sender ID, so those cannot be sent.",
    },
}

# The original console page sent support-case countries here; AWS answers within 24 h and
# provisioning takes 2-4 weeks in many countries (shared/data/README.md).
SUPPORT_CASE_ESTIMATE = "2-4 weeks (support case)"

HEADER = """\
# Sender ID portal: country catalogue (generated file, do not edit by hand).
# Source: AWS End User Messaging SMS, "Supported countries and regions for SMS messaging"
#   {url}
#   as captured in shared/data/aws-sms-countries.csv (plus columns from neighbouring AWS pages).
# Regenerate: python countries/data/build.py   (then: python manage.py load_countries)
# Derivation of sender_id_process (the default; admins may override a country, and
# `load_countries --sync` corrects registration types for the configured AWS Region):
#   not_supported  supports_sender_id = no
#   registration   registration_form_in_console = yes and an API registration type is known
#   support_case   registration needed (registration_required, or a console form) but no API type
#                  known (e.g. Oman: registration required, no form)
#   supported      supports_sender_id = yes and no registration form
# registration_type: the type where a source states it (registration_type_source=stated:
#   IN, ID, SG); for the other console-form countries AWS's documented naming pattern
#   <ISO2>_SENDER_ID_REGISTRATION (registration_type_source=pattern). Why: every console
#   registration form is an API registration type (the console and CreateRegistration are the
#   same registrations), and AWS's own API walkthrough registers Jordan, one of the legacy
#   support-case countries, as JO_SENDER_ID_REGISTRATION. A pattern type is unverified until
#   --sync finds it in the Region; --sync falls back to support_case where it is absent.
#   (build.py --stated-types-only derives the conservative variant instead.)
# two_way: Yes -> true; No and N/A -> false. est_registration_time: AWS's published estimate;
#   support-case countries without one get "{support_case_estimate}".
# sender_id_rules: JSON read by countries/rules.py (India, France, Austria; see build.py).
# Counts: {counts}
"""


def derive(row: dict[str, str], *, stated_types_only: bool = False) -> dict[str, str]:
    """One source row -> one catalogue row."""
    iso = row["iso_code"].strip().upper()
    support = row["supports_sender_id"].strip()
    has_form = row["registration_form_in_console"].strip().lower() == "yes"
    stated = row["registration_type_api"].strip()
    if stated:
        reg_type, reg_source = stated, "stated"
    elif has_form and not stated_types_only:
        reg_type, reg_source = f"{iso}_SENDER_ID_REGISTRATION", "pattern"
    else:
        reg_type, reg_source = "", ""

    if support == "no":
        process = "not_supported"
    elif has_form and reg_type:
        process = "registration"
    elif has_form or support == "registration_required":
        process = "support_case"
    elif support == "yes":
        process = "supported"
    else:
        raise ValueError(f"{iso}: unknown supports_sender_id {support!r}")
    if process not in ("registration", "support_case"):
        reg_type, reg_source = "", ""

    estimate = row["est_registration_time"].strip()
    if process == "support_case" and not estimate:
        estimate = SUPPORT_CASE_ESTIMATE
    return {
        "iso_code": iso,
        "name": row["country"].strip(),
        "dialing_code": row["dialing_code"].strip(),
        "sender_id_process": process,
        "registration_type": reg_type,
        "registration_type_source": reg_source,
        "registration_form_in_console": "true" if has_form else "false",
        "two_way": "true" if row["two_way"].strip().lower() == "yes" else "false",
        "est_registration_time": estimate,
        "notes": " ".join(row["notes"].split()),
        "sender_id_rules": json.dumps(RULES[iso], sort_keys=True, ensure_ascii=False) if iso in RULES else "",
    }


def build(source_text: str, *, stated_types_only: bool = False) -> str:
    """The whole output file as text."""
    rows = [derive(r, stated_types_only=stated_types_only) for r in csv.DictReader(io.StringIO(source_text))]
    isos = [r["iso_code"] for r in rows]
    duplicates = sorted(iso for iso, n in Counter(isos).items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate ISO codes in source: {duplicates}")
    missing_rules = sorted(set(RULES) - set(isos))
    if missing_rules:
        raise ValueError(f"rules for countries not in the source: {missing_rules}")
    rows.sort(key=lambda r: r["iso_code"])
    counts = Counter(r["sender_id_process"] for r in rows)
    summary = f"{len(rows)} countries: " + ", ".join(
        f"{p} {counts[p]}" for p in ("supported", "registration", "support_case", "not_supported")
    )
    out = io.StringIO()
    out.write(HEADER.format(url=SOURCE_URL, support_case_estimate=SUPPORT_CASE_ESTIMATE, counts=summary))
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output file is out of date")
    parser.add_argument(
        "--stated-types-only",
        action="store_true",
        help="only registration types a source states (IN, ID, SG); other form countries -> support_case",
    )
    args = parser.parse_args(argv)
    text = build(args.source.read_text(encoding="utf-8"), stated_types_only=args.stated_types_only)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run: python countries/data/build.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    counts = next(line for line in text.splitlines() if line.startswith("# Counts: "))
    print(f"wrote {args.output} ({counts.removeprefix('# Counts: ')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
