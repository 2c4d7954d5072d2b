"""The rule calendar's built-in rules: what each country's regulators and operators require, and from when.

This module owns the curated catalogue (``BUILTIN``): per rule code, the country, kind, severity, date,
message type, source, and the user-facing sentence and advice in English source text (gettext_lazy, so
pages and emails show them translated). ``CountryRule`` rows are seeded from it by
``countries.services.countries_load``; an admin may change a seeded rule's date, severity or switch it
off, and may add rules of their own (whose text is then the row's own, untranslated).

Every fact here comes from AWS's country pages as transcribed in
``countries/data/country-eta-and-rules.csv`` (a copy of shared/data/aws-reference): the conformance test
(tests/countries/test_calendar_conformance.py) checks each code against its row. The transactional-only
countries are read from that file's rows rather than listed twice.

Pure: no models, no queries (models and the checks engine import it).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import models
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

RULES_FILE = Path(__file__).resolve().parent / "data" / "country-eta-and-rules.csv"
# A rule is announced (and checked as coming) this many days before it takes effect; later ones are
# shown as information only.
NOTICE_DAYS = 30
# StatusEvent.kind is 40 characters and the regulation notice's kind is "rule_notice:<code>".
CODE_MAX_LENGTH = 28

PROMOTIONAL = "PROMOTIONAL"
TRANSACTIONAL = "TRANSACTIONAL"


class RuleKind(models.TextChoices):
    BLOCKS_UNREGISTERED = "blocks_unregistered", _("Operators block unregistered sender IDs")
    OUTSIDE_ACTION = "outside_action", _("Action outside the portal")
    SAMPLE_URLS = "sample_urls", _("URLs in messages blocked or masked")
    BRAND_IN_SAMPLES = "brand_in_samples", _("Brand name required in messages")
    TRANSACTIONAL_ONLY = "transactional_only", _("Transactional messages only")
    PAUSED = "paused", _("New registrations paused")
    GENERIC_IDS_REFUSED = "generic_ids_refused", _("Generic sender IDs refused")
    # Enforced by Country.sender_id_rules (countries.rules): the calendar only shows its date, the
    # checks engine reports the rule engine's error instead (never both).
    SENDER_ID_RULE = "sender_id_rule", _("Sender ID rule (checked from the country's rules)")
    INFO = "info", _("Information")


class RuleSeverity(models.TextChoices):
    BLOCK = "block", _("Block")
    WARN = "warn", _("Warning")
    INFO = "info", _("Information")


class RuleMessageType(models.TextChoices):
    TRANSACTIONAL = TRANSACTIONAL, _("Transactional")
    PROMOTIONAL = PROMOTIONAL, _("Promotional")


@dataclass(frozen=True)
class RuleSpec:
    """One built-in rule: what the loader writes to CountryRule, and the texts it shows."""

    iso_code: str
    code: str
    kind: str
    severity: str
    text: Promise
    what_to_do: Promise
    source_url: str
    effective_from: dt.date | None = None
    message_types: str = ""


_NX = "https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-country-reg-{}.html"
_INDIA = (
    "https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid-india-support.html"
)
_BY_COUNTRY = "https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers-sms-by-country.html"

# The sentence and advice of rules whose code is shared by several countries (transactional-only).
_TRANSACTIONAL_ONLY_TEXT = _(
    "Only transactional messages are allowed: operators in this country refuse promotional content."
)
_TRANSACTIONAL_ONLY_TODO = _("Choose the transactional message type and keep marketing out of your messages.")
_GENERIC_TODO = _("Choose a sender ID that names your brand or company.")
TRANSACTIONAL_ONLY_CODE = "transactional-only"

CURATED: tuple[RuleSpec, ...] = (
    RuleSpec(
        "FR", "fr-no-hyphen", RuleKind.SENDER_ID_RULE, RuleSeverity.BLOCK,
        _("French operators no longer accept a hyphen (-) in sender IDs: only letters and digits."),
        _("Choose a sender ID without a hyphen."),
        _BY_COUNTRY, dt.date(2026, 3, 1),
    ),
    RuleSpec(
        "ES", "es-cnmc-registry", RuleKind.BLOCKS_UNREGISTERED, RuleSeverity.WARN,
        _("Spanish operators block alphanumeric sender IDs that are not in the CNMC National Alias "
          "Registry."),
        _("Register the sender ID in CNMC's registry (see the action outside the portal) before that date."),
        _NX.format("es"), dt.date(2026, 9, 15),
    ),
    RuleSpec(
        "ES", "es-cnmc-case", RuleKind.INFO, RuleSeverity.WARN,
        _("Spanish operators match the sender ID's case: the sender ID registered with CNMC must be "
          "written exactly as in your AWS request."),
        _("Use the same upper- and lower-case letters on CNMC's portal and here."),
        _NX.format("es"),
    ),
    RuleSpec(
        "ES", "es-generic-refused", RuleKind.GENERIC_IDS_REFUSED, RuleSeverity.BLOCK,
        _("CNMC does not register generic sender IDs."),
        _GENERIC_TODO,
        _NX.format("es"),
    ),
    RuleSpec(
        "ES", "es-cnmc-portal", RuleKind.OUTSIDE_ACTION, RuleSeverity.WARN,
        _("Register the sender ID on CNMC's portal: create the AWS registration first (it shows the details "
          "to enter), select the provider it names, approve CNMC's verification within 10 business days, "
          "then submit the AWS form."),
        _("CNMC's portal needs a Spanish or qualifying eIDAS digital certificate, or a representative with "
          "an apostilled, notarised power of attorney."),
        _NX.format("es"),
    ),
    RuleSpec(
        "AT", "at-rtr-registry", RuleKind.BLOCKS_UNREGISTERED, RuleSeverity.WARN,
        _("Austrian operators block alphanumeric sender IDs that are not registered with RTR."),
        _("Register the sender ID with RTR through its AWS registration before that date."),
        _NX.format("at"), dt.date(2026, 10, 1),
    ),
    RuleSpec(
        "AT", "at-case-sensitive", RuleKind.INFO, RuleSeverity.WARN,
        _("Austrian sender IDs are case-sensitive: “MyBrand” and “MYBRAND” are two different sender IDs."),
        _("Request the sender ID in exactly the case your messages will show."),
        _NX.format("at"),
    ),
    RuleSpec(
        "AT", "at-generic-refused", RuleKind.GENERIC_IDS_REFUSED, RuleSeverity.BLOCK,
        _("RTR does not register generic terms as sender IDs."),
        _GENERIC_TODO,
        _NX.format("at"),
    ),
    RuleSpec(
        "AU", "au-acma-register", RuleKind.BLOCKS_UNREGISTERED, RuleSeverity.WARN,
        _("ACMA's SMS Sender ID Register is enforced: unregistered sender IDs are labelled “Unverified”, "
          "sent from a shared Australian number, or blocked."),
        _("Register the sender ID through its AWS registration before that date."),
        _NX.format("au"), dt.date(2026, 7, 1),
    ),
    RuleSpec(
        "AU", "au-acma-email", RuleKind.OUTSIDE_ACTION, RuleSeverity.WARN,
        _("ACMA emails you to confirm the registration, sometimes a day or two before AWS shows it "
          "complete."),
        _("Confirm ACMA's email; the sender ID is used only once the AWS registration is complete."),
        _NX.format("au"),
    ),
    RuleSpec(
        "TR", "tr-sample-urls", RuleKind.SAMPLE_URLS, RuleSeverity.WARN,
        _("Messages to Turkish mobile numbers that contain a URL may be blocked or have the URL masked "
          "(*******)."),
        _("Remove URLs from your messages and message samples."),
        _NX.format("tr"), dt.date(2026, 4, 1),
    ),
    RuleSpec(
        "IN", "in-dlt-registration", RuleKind.OUTSIDE_ACTION, RuleSeverity.WARN,
        _("Before sending, register your entity (PEID) and your message templates on an Indian DLT portal "
          "(TRAI's Distributed Ledger Technology)."),
        _("Each message you send must carry the Entity ID and Template ID that DLT gives you."),
        _INDIA,
    ),
    RuleSpec(
        "IN", "in-form-transactional", RuleKind.TRANSACTIONAL_ONLY, RuleSeverity.INFO,
        _("India's registration form is for transactional sender IDs: a promotional India sender ID is "
          "requested through an AWS Support case."),
        _("Nothing to do: the portal opens the support case for a promotional request."),
        _INDIA, None, PROMOTIONAL,
    ),
    RuleSpec(
        "SG", "sg-ssir", RuleKind.OUTSIDE_ACTION, RuleSeverity.WARN,
        _("After AWS approves it, register the sender ID on SGNIC's SMS Sender ID Registry (SSIR) with the "
          "aggregator AMCS SG Private Limited: unregistered sender IDs are changed to LIKELY-SCAM."),
        _("Register on SSIR (your UEN is needed); the registration is complete only when SGNIC confirms it."),
        _NX.format("sg"),
    ),
    RuleSpec(
        "IE", "ie-comreg", RuleKind.OUTSIDE_ACTION, RuleSeverity.WARN,
        _("Register the sender ID on ComReg's Sender ID portal first, with Amazon Web Services as third "
          "party: unregistered sender IDs are changed to “Likely Scam”."),
        _("Register with ComReg before you submit the AWS registration."),
        "https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-ireland.html",
    ),
    RuleSpec(
        "AE", "ae-paused", RuleKind.PAUSED, RuleSeverity.BLOCK,
        _("New sender ID registrations in the United Arab Emirates are paused until further notice while "
          "the TDRA updates its requirements."),
        _("Wait until registrations reopen; a submission already made may have to be sent again."),
        _NX.format("ae"),
    ),
    RuleSpec(
        "FI", "fi-traficom", RuleKind.BLOCKS_UNREGISTERED, RuleSeverity.WARN,
        _("Finnish operators require every sender ID to be registered with them beforehand (Traficom)."),
        _("Register the sender ID through its AWS registration before sending."),
        _NX.format("fi"),
    ),
    RuleSpec(
        "LK", "lk-brand-in-samples", RuleKind.BRAND_IN_SAMPLES, RuleSeverity.WARN,
        _("In Sri Lanka your brand name must appear in the messages."),
        _("Include your brand name in every message sample."),
        _NX.format("lk"),
    ),
    RuleSpec(
        "LK", "lk-one-use-case", RuleKind.INFO, RuleSeverity.INFO,
        _("Sri Lanka requires separate sender IDs for transactional and promotional messages."),
        _("Request one sender ID per message type."),
        _NX.format("lk"),
    ),
)  # fmt: skip

# Rows of the reference file that say a country accepts transactional content only.
_TRANSACTIONAL_ONLY = re.compile(r"promotional content disallowed|transactional (content )?only", re.I)


@cache
def transactional_only_countries(path: Path = RULES_FILE) -> dict[str, str]:
    """ISO code -> source URL of every country the reference file says is transactional-only."""
    found: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            iso = row["iso_code"].strip().upper()
            if len(iso) == 2 and _TRANSACTIONAL_ONLY.search(row.get("rule") or ""):
                found.setdefault(iso, row["source_url"].strip())
    return found


def builtin_rules(path: Path = RULES_FILE) -> list[RuleSpec]:
    """Every built-in rule: the curated ones, then one transactional-only rule per country the reference
    file lists (India's form rule is curated separately: promotional India goes to a support case)."""
    specs = list(CURATED)
    for iso, source in sorted(transactional_only_countries(path).items()):
        specs.append(
            RuleSpec(
                iso,
                TRANSACTIONAL_ONLY_CODE,
                RuleKind.TRANSACTIONAL_ONLY,
                RuleSeverity.BLOCK,
                _TRANSACTIONAL_ONLY_TEXT,
                _TRANSACTIONAL_ONLY_TODO,
                source,
                None,
                PROMOTIONAL,
            )
        )
    return specs


@cache
def _texts() -> dict[str, tuple[Promise, Promise]]:
    texts = {spec.code: (spec.text, spec.what_to_do) for spec in CURATED}
    texts[TRANSACTIONAL_ONLY_CODE] = (_TRANSACTIONAL_ONLY_TEXT, _TRANSACTIONAL_ONLY_TODO)
    return texts


def builtin_text(code: str) -> tuple[str, str]:
    """(sentence, what to do) of a built-in rule code, translated; ("", "") for an unknown code."""
    text, todo = _texts().get(code, ("", ""))
    return str(text), str(todo)


# --- dates in words -------------------------------------------------------------------------------
def date_in_words(day: dt.date) -> str:
    """ "1 October 2026" / "1 octobre 2026": the day written out in the active language."""
    return formats.date_format(day, "j F Y")


def in_force(effective_from: dt.date | None, today: dt.date) -> bool:
    return effective_from is None or effective_from <= today


def when_text(effective_from: dt.date | None, today: dt.date) -> str:
    """ "since 1 March 2026" / "from 1 October 2026" / "" (in force, no date published)."""
    if effective_from is None:
        return ""
    if effective_from <= today:
        return gettext("since %(date)s") % {"date": date_in_words(effective_from)}
    return gettext("from %(date)s") % {"date": date_in_words(effective_from)}
