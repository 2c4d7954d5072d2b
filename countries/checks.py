"""The checks engine: everything the portal can tell about a (country, sender ID) before AWS sees it.

One engine for the wizard's sender step, its review (up to 50 countries) and the approver's admin page,
so a sender ID is judged the same way everywhere. Pure functions: no queries. The caller loads the
countries and their calendar rules up front (``countries.selectors.rules_by_country``: one query for
any number of countries) and passes them in.

- ``sender_id_checks``: the rule engine's errors (countries.rules), coming rule-engine changes (France's
  hyphen from 1 March 2026), the calendar rules in force or starting soon, generic sender IDs, and
  whether the sender ID resembles the company's name or domain.
- ``sample_checks``: message samples against the country's rules (URLs in Turkey, the brand in Sri Lanka).
- ``outside_actions``: what the user must do outside the portal (CNMC, DLT, SSIR, ComReg...).
- ``light`` / ``summary_counts``: the worst level of a list of checks, and how many of each.

Levels, worst last: ``ok`` (a reason it is fine), ``info``, ``warn`` (may cause trouble), ``block``
(AWS or the country will refuse it: the request cannot go on).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext

from . import rules as rule_engine
from .calendar import NOTICE_DAYS, RuleKind, RuleSeverity, date_in_words

if TYPE_CHECKING:
    from .models import Country, CountryRule

OK, INFO, WARN, BLOCK = "ok", "info", "warn", "block"
LEVELS = (OK, INFO, WARN, BLOCK)  # best to worst
SENDER_ID_FIELD = "sender_id"
# The registration forms' FieldPaths of the message samples (one per sample, in order).
SAMPLE_FIELD = "messageSamples.messageSample{}"


@dataclass(frozen=True)
class Check:
    level: str  # ok | info | warn | block
    code: str
    message: str
    field: str = ""  # "" (the request), "sender_id", or a registration FieldPath
    what_to_do: str = ""
    source_url: str = ""
    effective_from: dt.date | None = None
    outside: bool = False  # an action the user takes outside the portal


def light(checks: Iterable[Check]) -> str:
    """The worst level among the checks ("ok" when there are none)."""
    return max((c.level for c in checks), key=LEVELS.index, default=OK)


def summary_counts(checks: Iterable[Check]) -> dict[str, int]:
    """How many checks of each level, every level present: {"ok": 1, "info": 0, "warn": 2, "block": 0}."""
    counts = dict.fromkeys(LEVELS, 0)
    for check in checks:
        counts[check.level] += 1
    return counts


# --- calendar rules -------------------------------------------------------------------------------
# Kinds another function of this module reports: sender_id_checks leaves them out (never twice).
_SAMPLE_KINDS = frozenset({RuleKind.SAMPLE_URLS, RuleKind.BRAND_IN_SAMPLES})
_NOT_SENDER_ID_KINDS = frozenset(
    {
        RuleKind.OUTSIDE_ACTION,  # outside_actions
        *_SAMPLE_KINDS,  # sample_checks
        RuleKind.GENERIC_IDS_REFUSED,  # only when the sender ID is generic (below)
        RuleKind.SENDER_ID_RULE,  # the rule engine reports it from Country.sender_id_rules
    }
)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _of_country(rules: Iterable[CountryRule], country: Country) -> list[CountryRule]:
    # Callers pass the country's own list; a whole dict's worth must not leak another country's rules.
    return [r for r in rules if r.country_id == country.iso_code and r.enabled]


def _rule_check(
    rule: CountryRule, *, message_type: str, today: dt.date, outside: bool = False, field: str = ""
) -> Check | None:
    """A calendar rule as a check, or None when it does not concern this message type.

    In force: its severity. Starting within NOTICE_DAYS: its severity, but a block only warns (it is
    not in force yet). Starting later: information. A rule for one message type seen before the type
    is chosen is information too ("for promotional messages").
    """
    if not rule.applies_to(message_type):
        return None
    level = str(rule.severity)
    message = rule.message
    if rule.effective_from is not None and rule.effective_from > today:
        soon = rule.effective_from <= today + dt.timedelta(days=NOTICE_DAYS)
        level = (WARN if level == BLOCK else level) if soon else INFO
        message = gettext("From %(date)s: %(rule)s") % {
            "date": date_in_words(rule.effective_from),
            "rule": message,
        }
    elif rule.effective_from is not None:
        message = gettext("Since %(date)s: %(rule)s") % {
            "date": date_in_words(rule.effective_from),
            "rule": message,
        }
    if rule.message_types and not message_type:
        level = INFO
        label = gettext("promotional") if rule.message_types == "PROMOTIONAL" else gettext("transactional")
        message = gettext("For %(type)s messages: %(rule)s") % {"type": label, "rule": message}
    return Check(
        level=level,
        code=f"rule:{rule.code}",
        message=message,
        field=field,
        what_to_do=rule.advice,
        source_url=rule.source_url,
        effective_from=rule.effective_from,
        outside=outside,
    )


# --- generic sender IDs ---------------------------------------------------------------------------
# The portal's own list, not an AWS one: AWS's country pages say generic sender IDs are refused
# (Spain's CNMC registry, Austria's RTR: "no generic terms") without listing them, and operators
# elsewhere block or replace sender IDs that name no one. These are the words such registries and
# operators' guidelines give as examples of sender IDs that identify no brand; a sender ID made only
# of them (INFO, SMSALERT, NOREPLY) is generic.
GENERIC_WORDS = frozenset(
    {
        "ACCOUNT", "ADMIN", "ALERT", "ALERTS", "AUTH", "BANK", "CODE", "CODES", "CONFIRM", "DELIVERY",
        "HELLO", "HELP", "INFO", "LOGIN", "MESSAGE", "MSG", "MOBILE", "NO", "NOREPLY", "NOTICE",
        "NOTIFY", "OFFER", "OFFERS", "ORDER", "OTP", "PASS", "PAYMENT", "PIN", "PROMO", "REMINDER",
        "REPLY", "SALE", "SECURE", "SECURITY", "SERVICE", "SHOP", "SMS", "SUPPORT", "TEST", "TEXT",
        "UPDATE", "VERIFY",
    }
)  # fmt: skip
# Short pieces ("NO", "PIN") count only inside a compound: "NO" alone is not a word someone requests.
_GENERIC_ALONE_MIN = 3


def generic_word(sender_id: str) -> str:
    """The sender ID's letters when they are only generic words ("SMS-ALERT" -> "SMSALERT"), else ""."""
    letters = "".join(c for c in sender_id.upper() if c.isalpha())
    if not letters:
        return ""
    if letters in GENERIC_WORDS:
        return letters if len(letters) >= _GENERIC_ALONE_MIN else ""
    # Compounds: can the letters be cut into generic words? (dynamic programming over prefixes)
    reachable = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        reachable[end] = any(reachable[start] and letters[start:end] in GENERIC_WORDS for start in range(end))
    return letters if reachable[-1] else ""


def _generic_check(
    sender_id: str, rules: Sequence[CountryRule], *, message_type: str, today: dt.date
) -> Check | None:
    word = generic_word(sender_id)
    if not word:
        return None
    refusing = [
        r
        for r in rules
        if r.kind == RuleKind.GENERIC_IDS_REFUSED and r.applies_to(message_type) and r.in_force(today)
    ]
    said = gettext("“%(sender_id)s” is a generic sender ID: it names no brand.") % {"sender_id": sender_id}
    if refusing:
        rule = refusing[0]
        return Check(
            level=BLOCK if rule.severity == RuleSeverity.BLOCK else WARN,
            code=f"rule:{rule.code}",
            message=f"{said} {rule.message}",
            field=SENDER_ID_FIELD,
            what_to_do=rule.advice,
            source_url=rule.source_url,
            effective_from=rule.effective_from,
        )
    return Check(
        level=WARN,
        code="generic_sender_id",
        message=f"{said} "
        + gettext("Operators often block generic sender IDs or replace them with a number."),
        field=SENDER_ID_FIELD,
        what_to_do=gettext("Choose a sender ID that names your brand or company."),
    )


# --- does the sender ID resemble the brand? ---------------------------------------------------------
# Legal-form words and domain parts that say nothing about the brand ("Globex Ltd", "globex.co.uk").
_SUFFIXES = frozenset(
    {
        "ab", "ag", "as", "bv", "co", "company", "corp", "corporation", "gmbh", "group", "inc",
        "incorporated", "kg", "limited", "llc", "llp", "ltd", "nv", "oy", "plc", "pte", "pty", "sa",
        "sarl", "sas", "spa", "srl", "the",
    }
)  # fmt: skip
_DOMAIN_PARTS = frozenset({"www", "com", "net", "org", "io", "co", "uk", "fr", "de", "es", "eu", "app"})


def _words(name: str) -> list[str]:
    """Lower-case ASCII words of a company name or domain, legal forms and domain parts dropped."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"^[a-z]+://", "", text.strip()).split("/")[0]
    is_domain = " " not in text and "." in text
    if not is_domain:
        text = text.replace(".", "")  # "S.A." is "SA", "Corp." is "Corp"
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    if is_domain:
        words = [w for w in words if w not in _DOMAIN_PARTS] or words[:1]
    return [w for w in words if w not in _SUFFIXES] or words


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short strings: a sender ID has at most 11 characters)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def brand_resemblance(sender_id: str, brand_name: str) -> str:
    """Why the sender ID resembles the brand (translated), or "" when it does not.

    Normalised on both sides (case, accents, punctuation, legal forms such as Ltd/GmbH/SA/Inc, the
    domain's www and TLD). Tried in order: same name, initials, one contains the other, an abbreviation
    (the sender ID's letters in order in the name, same first letter), a small edit distance.
    """
    sid = "".join(c for c in sender_id.casefold() if c.isalnum())
    words = _words(brand_name)
    brand = "".join(words)
    if len(sid) < 2 or not brand:
        return ""
    name = {"name": brand_name}
    if sid == brand:
        return gettext("it is “%(name)s”") % name
    initials = "".join(w[0] for w in words)
    if len(words) >= 2 and sid == initials:
        return gettext("it is the initials of “%(name)s”") % name
    if len(sid) >= 3 and sid in brand:
        return gettext("it is part of “%(name)s”") % name
    if len(brand) >= 3 and brand in sid:
        return gettext("it contains “%(name)s”") % name
    if any(len(w) >= 3 and w in sid for w in words):
        return gettext("it contains a word of “%(name)s”") % name
    if len(sid) >= 3 and sid[0] == brand[0] and _is_subsequence(sid, brand):
        return gettext("it abbreviates “%(name)s”") % name
    allowed = 1 if max(len(sid), len(brand)) <= 5 else 2
    if _distance(sid, brand) <= allowed:
        return gettext("it is spelled almost like “%(name)s”") % name
    return ""


def _brand_check(sender_id: str, brand_names: Sequence[str]) -> Check:
    names = [n for n in brand_names if n and n.strip()]
    if not names:
        return Check(
            level=INFO,
            code="brand_unknown",
            message=gettext(
                "Fill in your company profile (company name and website): the portal then checks that the "
                "sender ID resembles your brand, as carriers do."
            ),
            field=SENDER_ID_FIELD,
        )
    for name in names:
        reason = brand_resemblance(sender_id, name)
        if reason:
            return Check(
                level=OK,
                code="brand_match",
                message=gettext("%(sender_id)s resembles your brand: %(reason)s.")
                % {"sender_id": sender_id, "reason": reason},
                field=SENDER_ID_FIELD,
            )
    quoted = gettext(" or ").join(f"“{n}”" for n in names)
    return Check(
        level=WARN,
        code="brand_mismatch",
        message=gettext(
            "%(sender_id)s does not resemble your company name or domain (%(names)s): carriers may ask for "
            "a letter of authorization."
        )
        % {"sender_id": sender_id, "names": quoted},
        field=SENDER_ID_FIELD,
        what_to_do=gettext(
            "Choose a sender ID close to your brand, or get a letter of authorization from the brand's owner."
        ),
    )


# --- the engine -----------------------------------------------------------------------------------
def _coming_rule_errors(
    country: Country, sender_id: str, now_errors: list[str], today: dt.date
) -> list[Check]:
    """What the rule engine will refuse from a date set in the country's rules (France: no hyphen from
    1 March 2026). Reported as a warning: a sender ID is kept for years."""
    rules = country.sender_id_rules or {}
    since = rules.get("forbidden_from")
    if not since:
        return []
    start = dt.date.fromisoformat(since)
    if start <= today:
        return []
    later = [e for e in rule_engine.sender_id_errors(sender_id, rules, today=start) if e not in now_errors]
    return [
        Check(
            level=WARN,
            code="sender_id_rule_from",
            message=gettext("From %(date)s: %(error)s") % {"date": date_in_words(start), "error": error},
            field=SENDER_ID_FIELD,
            effective_from=start,
        )
        for error in later
    ]


def sender_id_checks(
    country: Country,
    sender_id: str,
    *,
    message_type: str = "",
    rules: Sequence[CountryRule] = (),
    today: dt.date | None = None,
    brand_names: Sequence[str] = (),
) -> list[Check]:
    """Every check of one sender ID in one country, worst first. No query.

    ``sender_id`` as it will be sent (normalised by the caller: countries.rules.normalise_sender_id);
    ``message_type`` "" = not chosen yet; ``rules`` the country's enabled calendar rules
    (rules_by_country()[iso]); ``brand_names`` the company name and website domain of the profile.
    """
    today = _today(today)
    rules = _of_country(rules, country)
    errors = rule_engine.sender_id_errors(sender_id, country.sender_id_rules, today=today)
    checks = [Check(level=BLOCK, code="sender_id_rule", message=e, field=SENDER_ID_FIELD) for e in errors]
    if sender_id:
        checks += _coming_rule_errors(country, sender_id, errors, today)
    # Attach the calendar's advice and source to the engine's dated rule (its date, not a second check).
    dated = {r.effective_from: r for r in rules if r.kind == RuleKind.SENDER_ID_RULE}
    checks = [
        replace(c, what_to_do=dated[c.effective_from].advice, source_url=dated[c.effective_from].source_url)
        if c.code == "sender_id_rule_from" and c.effective_from in dated
        else c
        for c in checks
    ]
    for rule in rules:
        if rule.kind in _NOT_SENDER_ID_KINDS:
            continue
        check = _rule_check(rule, message_type=message_type, today=today)
        if check is not None:
            checks.append(check)
    if sender_id:
        generic = _generic_check(sender_id, rules, message_type=message_type, today=today)
        if generic is not None:
            checks.append(generic)
        checks.append(_brand_check(sender_id, brand_names))
    return _worst_first(checks)


_URL = re.compile(r"(https?://|www\.)\S+|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?", re.I)


def _samples_by_field(samples: Sequence[str] | Mapping[str, str]) -> list[tuple[str, str]]:
    if isinstance(samples, Mapping):
        return [(str(path), str(text or "")) for path, text in samples.items()]
    return [(SAMPLE_FIELD.format(i), str(text or "")) for i, text in enumerate(samples, start=1)]


def _mentions_brand(sample: str, brand_names: Sequence[str]) -> bool:
    folded = "".join(c for c in sample.casefold() if c.isalnum() or c.isspace())
    squeezed = folded.replace(" ", "")
    for name in brand_names:
        words = _words(name)
        if words and ("".join(words) in squeezed or any(len(w) >= 3 and w in folded.split() for w in words)):
            return True
    return False


def sample_checks(
    country: Country,
    samples: Sequence[str] | Mapping[str, str],
    *,
    rules: Sequence[CountryRule] = (),
    today: dt.date | None = None,
    brand_names: Sequence[str] = (),
    message_type: str = "",
) -> list[Check]:
    """The message samples against the country's sample rules, each finding on its sample's field. No query.

    ``samples``: texts in order (FieldPaths messageSamples.messageSample1, 2, ...) or {FieldPath: text}.
    A URL where URLs are blocked or masked (Turkey), a sample without the brand where it is required
    (Sri Lanka: needs ``brand_names``). Without samples, the rule itself, as information.
    """
    today = _today(today)
    by_field = [(path, text) for path, text in _samples_by_field(samples) if text.strip()]
    checks: list[Check] = []
    for rule in _of_country(rules, country):
        if rule.kind not in _SAMPLE_KINDS:
            continue
        if not by_field:
            check = _rule_check(rule, message_type=message_type, today=today)
            if check is not None:
                checks.append(replace(check, level=INFO))
            continue
        for path, text in by_field:
            if rule.kind == RuleKind.SAMPLE_URLS:
                hit = _URL.search(text) is not None
            else:
                hit = bool(brand_names) and not _mentions_brand(text, brand_names)
            if hit:
                check = _rule_check(rule, message_type=message_type, today=today, field=path)
                if check is not None:
                    checks.append(check)
    return _worst_first(checks)


def outside_actions(
    country: Country,
    *,
    rules: Sequence[CountryRule] = (),
    message_type: str = "",
    today: dt.date | None = None,
) -> list[Check]:
    """What the user must do outside the portal for this country (register with CNMC, DLT, SSIR...).
    No query; each check has ``outside=True``."""
    today = _today(today)
    checks = []
    for rule in _of_country(rules, country):
        if rule.kind != RuleKind.OUTSIDE_ACTION:
            continue
        check = _rule_check(rule, message_type=message_type, today=today, outside=True)
        if check is not None:
            checks.append(check)
    return _worst_first(checks)


def _worst_first(checks: list[Check]) -> list[Check]:
    # Stable: within a level, the order above (engine, calendar, generic, brand).
    return sorted(checks, key=lambda c: -LEVELS.index(c.level))
