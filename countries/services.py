"""Writes to the country catalogue: loading the data file, syncing registration types with AWS,
seeding the rule calendar (countries/calendar.py's built-in rules), and admin edits (a hand-set
process, or a hand-changed built-in rule, is an override the loader keeps).

The loader computes the catalogue it wants (data file, then the Region's registration types when
syncing, then admin overrides), diffs it against the table and writes only what differs, in one
transaction. Re-running it is therefore a no-op, and what it reports is the net change.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from smsvoice.gateway import get_gateway

from .calendar import builtin_rules
from .models import PROCESS_RULES, Country, CountryRule, SenderIdProcess, fold_name
from .rules import rules_errors

logger = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().parent / "data" / "countries.csv"

# Columns of the data file the loader owns in the table (registration_type_source documents the
# derivation and stays in the file).
CATALOGUE_FIELDS = (
    "name",
    "name_folded",
    "dialing_code",
    "sender_id_process",
    "registration_type",
    "registration_form_in_console",
    "two_way",
    "est_registration_time",
    "notes",
    "sender_id_rules",
)
NEEDS_REGISTRATION = frozenset({SenderIdProcess.REGISTRATION, SenderIdProcess.SUPPORT_CASE})


class CatalogueFileError(ValueError):
    """The data file is malformed (a bad row would otherwise reach the wizard)."""


class RegistrationTypeDefinition(Protocol):
    """What the smsvoice gateway returns per registration type."""

    registration_type: str
    supported_iso_countries: Sequence[str]


@dataclass(frozen=True)
class CountryChange:
    iso_code: str
    name: str
    created: bool
    fields: dict[str, tuple[Any, Any]]  # field -> (old, new); old is None when created
    reason: str = ""

    def describe(self) -> str:
        if self.created:
            return f"{self.iso_code} {self.name}: created ({self.fields['sender_id_process'][1]})"
        parts = [f"{name} {old!r} -> {new!r}" for name, (old, new) in self.fields.items()]
        reason = f"  [{self.reason}]" if self.reason else ""
        return f"{self.iso_code} {self.name}: " + "; ".join(parts) + reason


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[CountryChange] = field(default_factory=list)
    # Things the operator should know that did not change a row (kept overrides, odd Region data).
    notices: list[str] = field(default_factory=list)
    region: str = ""
    # The rule calendar's seed (country_rules_load), reported apart: summary() is the countries'.
    rules_created: int = 0
    rules_updated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


# --- the data file -------------------------------------------------------------------------------
def _bool(value: str, *, line: int, column: str) -> bool:
    if value in ("true", "false"):
        return value == "true"
    raise CatalogueFileError(f"line {line}: {column} must be true or false, not {value!r}")


def catalogue_rows(path: Path = DATA_FILE) -> list[dict[str, Any]]:
    """The data file as field dicts keyed like Country, validated. Lines starting '#' are comments."""
    with path.open(encoding="utf-8", newline="") as fh:
        numbered = [(n, line) for n, line in enumerate(fh, start=1) if not line.startswith("#")]
    reader = csv.DictReader(line for _, line in numbered)
    max_lengths = {f.name: f.max_length for f in Country._meta.fields if f.max_length}
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(reader, start=1):
        line = numbered[index][0]
        iso = (raw.get("iso_code") or "").strip().upper()
        if len(iso) != 2 or not iso.isascii() or not iso.isalpha():
            raise CatalogueFileError(f"line {line}: bad iso_code {raw.get('iso_code')!r}")
        if iso in seen:
            raise CatalogueFileError(f"line {line}: duplicate iso_code {iso}")
        seen.add(iso)
        if raw["sender_id_process"] not in SenderIdProcess.values:
            raise CatalogueFileError(f"line {line}: unknown sender_id_process {raw['sender_id_process']!r}")
        rules = json.loads(raw["sender_id_rules"]) if raw["sender_id_rules"].strip() else {}
        problems = rules_errors(rules)
        if problems:
            raise CatalogueFileError(f"line {line} ({iso}): sender_id_rules: {' '.join(problems)}")
        row = {
            "iso_code": iso,
            "name": raw["name"].strip(),
            "dialing_code": raw["dialing_code"].strip(),
            "sender_id_process": raw["sender_id_process"],
            "registration_type": raw["registration_type"].strip(),
            "registration_form_in_console": _bool(
                raw["registration_form_in_console"], line=line, column="registration_form_in_console"
            ),
            "two_way": _bool(raw["two_way"], line=line, column="two_way"),
            "est_registration_time": raw["est_registration_time"].strip(),
            "notes": raw["notes"].strip(),
            "sender_id_rules": rules,
        }
        if not row["name"]:
            raise CatalogueFileError(f"line {line} ({iso}): name is empty")
        for name, limit in max_lengths.items():
            if isinstance(row.get(name), str) and len(row[name]) > limit:
                raise CatalogueFileError(f"line {line} ({iso}): {name} longer than {limit} characters")
        row["name_folded"] = fold_name(row["name"])
        rows.append(row)
    return rows


# --- the Region's registration types -------------------------------------------------------------
def _is_sender_id_type(definition: Any) -> bool:
    # AWS lists every registration type (10DLC, toll-free, short codes, ...). Prefer the resource
    # types if the gateway exposes them; fall back on AWS's naming (<ISO2>_SENDER_ID_REGISTRATION).
    for attr in ("resource_types", "supported_resource_types"):
        kinds = getattr(definition, attr, None)
        if kinds:
            return any(str(k).upper() == "SENDER_ID" for k in kinds)
    return "SENDER_ID" in definition.registration_type.upper()


def registration_types_by_country(definitions: Iterable[RegistrationTypeDefinition]) -> dict[str, str]:
    """ISO code -> the sender-ID registration type the Region offers for it.

    When a country has several, its own ``<ISO2>_SENDER_ID_REGISTRATION`` wins, else the first by
    name, so the result does not depend on the order AWS lists them in.
    """
    offered: dict[str, set[str]] = {}
    for definition in definitions:
        if not _is_sender_id_type(definition):
            continue
        for iso in definition.supported_iso_countries or ():
            offered.setdefault(str(iso).upper(), set()).add(definition.registration_type)
    chosen: dict[str, str] = {}
    for iso, types in offered.items():
        own = f"{iso}_SENDER_ID_REGISTRATION"
        chosen[iso] = own if own in types else sorted(types)[0]
    return chosen


# --- load -----------------------------------------------------------------------------------------
def _apply_region(
    wanted: dict[str, Any],
    *,
    types: Mapping[str, str],
    region: str,
    report: LoadReport,
    type_regions: Mapping[str, str] | None = None,
) -> str:
    """Set the Region's truth on a wanted row; return the reason when it differs from the file.
    ``type_regions`` names the Region each country's type came from (a sync over several Regions)."""
    iso, file_process = wanted["iso_code"], wanted["sender_id_process"]
    api_type = types.get(iso, "")
    region = (type_regions or {}).get(iso, region)
    if file_process not in NEEDS_REGISTRATION:
        if api_type:
            report.notices.append(
                f"{iso} {wanted['name']}: {region} offers {api_type}, but the catalogue says "
                f"{file_process}; not changed (an admin can switch it to registration)."
            )
        return ""
    rule = PROCESS_RULES.get(iso)
    if api_type and rule is not None and rule.gates(region):
        # AWS may list the type here, but a sender ID registered in this Region gets no local routes.
        wanted.update(registration_type="", sender_id_process=SenderIdProcess.SUPPORT_CASE.value)
        regions = ", ".join(sorted(rule.registration_regions))
        return f"{api_type} offered in {region}, but {iso} has local routes only through {regions}"
    if api_type:
        wanted.update(registration_type=api_type, sender_id_process=SenderIdProcess.REGISTRATION.value)
        return f"{api_type} offered in {region}"
    wanted.update(registration_type="", sender_id_process=SenderIdProcess.SUPPORT_CASE.value)
    return f"no sender-ID registration type for {iso} in {region}"


@transaction.atomic
def countries_load(
    *,
    force: bool = False,
    registration_types: Mapping[str, str] | None = None,
    region: str = "",
    path: Path = DATA_FILE,
    model: type[Model] = Country,
    type_regions: Mapping[str, str] | None = None,
) -> LoadReport:
    """Make the table match the data file (and, when given, the Region's registration types).

    - Idempotent: rows already right are not written; the report says what changed.
    - An admin's hand-set process (``process_overridden``) is kept unless ``force``, which also
      clears the override flag.
    - ``registration_types`` (ISO -> type, from ``registration_types_by_country``): countries that
      need registration get the Region's type and the ``registration`` process, or ``support_case``
      when the Region offers none.
    - Rows not in the file (added by hand) are left alone.
    - ``model`` lets the post_migrate hook pass the migration state's model; only fields that
      model has are written.
    """
    report = LoadReport(region=region)
    if registration_types is not None and not registration_types:
        report.notices.append(f"{region or 'The Region'} offers no sender-ID registration types at all.")
    model_fields = {f.name for f in model._meta.fields}
    fields = [f for f in CATALOGUE_FIELDS if f in model_fields]
    has_override = "process_overridden" in model_fields
    existing = {c.iso_code: c for c in model.objects.select_for_update()}
    to_create, to_update, touched = [], [], set()
    now = timezone.now()
    rows = catalogue_rows(path)
    for wanted in rows:
        iso = wanted["iso_code"]
        reason = ""
        if registration_types is not None:
            reason = _apply_region(
                wanted, types=registration_types, region=region, report=report, type_regions=type_regions
            )
        current = existing.get(iso)
        if current is None:
            values = {f: wanted[f] for f in fields}
            to_create.append(model(iso_code=iso, **values))
            report.changes.append(
                CountryChange(iso, wanted["name"], True, {f: (None, v) for f, v in values.items()}, reason)
            )
            continue
        if has_override and current.process_overridden:
            if force:
                wanted["process_overridden"] = False
            else:
                if current.sender_id_process != wanted["sender_id_process"]:
                    report.notices.append(
                        f"{iso} {current.name}: kept the admin's process {current.sender_id_process!r} "
                        f"(data says {wanted['sender_id_process']!r}; --force to reset)."
                    )
                wanted["sender_id_process"] = current.sender_id_process
        diff = {
            f: (getattr(current, f), wanted[f])
            for f in [*fields, "process_overridden"]
            if f in wanted and f in model_fields and getattr(current, f) != wanted[f]
        }
        if not diff:
            report.unchanged += 1
            continue
        for f, (_old, new) in diff.items():
            setattr(current, f, new)
        if "updated_at" in model_fields:
            current.updated_at = now
        to_update.append(current)
        touched.update(diff)
        if not {"sender_id_process", "registration_type"} & diff.keys():
            reason = ""
        report.changes.append(CountryChange(iso, current.name, False, diff, reason))
    if to_create:
        model.objects.bulk_create(to_create)
    if to_update:
        update_fields = sorted(touched | ({"updated_at"} & model_fields))
        model.objects.bulk_update(to_update, update_fields)
    report.created, report.updated = len(to_create), len(to_update)
    extra = sorted(set(existing) - {row["iso_code"] for row in rows})
    if extra:
        report.notices.append(f"not in the data file, left as they are: {', '.join(extra)}")
    rule_model = _rule_model_of(model)
    if rule_model is not None:
        country_rules_load(force=force, model=rule_model, report=report)
    logger.debug("countries_load: %s", report.summary())
    return report


def region_registration_types(*, gateway: Any = None) -> tuple[str, dict[str, str]]:
    """(Region, ISO code -> sender-ID registration type) as AWS has them for the configured Region.

    Asks through the smsvoice gateway (the simulator in development); raises what it raises.
    """
    if gateway is None:
        gateway = get_gateway()
    region = getattr(gateway, "region", None) or settings.AWS_REGION
    return region, registration_types_by_country(gateway.describe_registration_type_definitions())


def placements_registration_types(
    placements: Iterable[tuple[str, Any]],
) -> tuple[str, dict[str, str], dict[str, str], list[str]]:
    """Registration types from every (label, gateway) — each enabled Region of each account — merged
    by country (a country's form has one type name wherever AWS offers it), with what each Region
    offers or why it could not be asked. Raises only when no Region answered."""
    merged: dict[str, str] = {}
    regions: dict[str, str] = {}
    lines: list[str] = []
    answered, last_error = [], None
    for label, gateway in placements:
        try:
            region, types = region_registration_types(gateway=gateway)
        except Exception as exc:  # one account failing never blocks the others
            last_error = exc
            lines.append(f"{label}: could not be asked ({exc})")
            continue
        answered.append(label)
        lines.append(f"{label}: {len(types)} countries — {', '.join(sorted(types)) or 'none'}")
        for iso, registration_type in types.items():
            # Prefer a Region where the registered sender ID gets local routes (India: ap-south-1).
            rule = PROCESS_RULES.get(iso)
            if iso not in merged or (
                rule is not None and rule.gates(regions[iso]) and not rule.gates(region)
            ):
                merged[iso], regions[iso] = registration_type, region
    if not answered and last_error is not None:
        raise last_error
    return ", ".join(answered), merged, regions, lines


def countries_sync(*, force: bool = False, gateway: Any = None, path: Path = DATA_FILE) -> LoadReport:
    """Load the data file with each country's registration type as the configured Region has it."""
    region, types = region_registration_types(gateway=gateway)
    return countries_load(force=force, registration_types=types, region=region, path=path)


def countries_load_if_empty(*, model: type[Model] = Country) -> LoadReport | None:
    """First migrate of a fresh database (and a test flush): load the catalogue if the table is empty.

    Only then: on later migrates the table belongs to load_countries, --sync and the admins. An existing
    catalogue without a rule calendar (the migrate that adds it) gets the built-in rules.
    """
    if model.objects.exists():
        rule_model = _rule_model_of(model)
        if rule_model is not None and not rule_model.objects.exists():
            with transaction.atomic():
                return country_rules_load(model=rule_model, report=LoadReport())
        return None
    return countries_load(model=model)


# --- the rule calendar ----------------------------------------------------------------------------
# The columns of a built-in rule the loader owns; an admin's change to any of them is kept (overridden).
RULE_FIELDS = ("kind", "severity", "effective_from", "message_types", "source_url", "enabled")


def _rule_model_of(country_model: type[Model]) -> type[Model] | None:
    """CountryRule as the registry of `country_model` has it (the post_migrate hook passes the migration
    state's), or None before the migration that adds it."""
    try:
        return country_model._meta.apps.get_model("countries", "CountryRule")
    except LookupError:
        return None


def country_rules_load(
    *, force: bool = False, model: type[Model] = CountryRule, report: LoadReport | None = None
) -> LoadReport:
    """Make the built-in rules of the calendar match countries/calendar.py (idempotent, one diff).

    A built-in rule an admin changed (``overridden``) is kept unless ``force``, which resets it and clears
    the flag; admin-added rules and built-in rules no longer in the catalogue are left alone. Rules of a
    country missing from the table are skipped (and reported).
    """
    report = report if report is not None else LoadReport()
    countries = set(model._meta.get_field("country").related_model.objects.values_list("pk", flat=True))
    existing = {(r.country_id, r.code): r for r in model.objects.select_for_update()}
    to_create, to_update = [], []
    now = timezone.now()
    for spec in builtin_rules():
        if spec.iso_code not in countries:
            report.notices.append(f"rule {spec.iso_code} {spec.code}: no such country, not loaded")
            continue
        wanted = {f: getattr(spec, f) for f in RULE_FIELDS if f != "enabled"}
        wanted["enabled"] = True
        current = existing.get((spec.iso_code, spec.code))
        if current is None:
            to_create.append(model(country_id=spec.iso_code, code=spec.code, builtin=True, **wanted))
            continue
        if current.overridden and not force:
            if any(getattr(current, f) != v for f, v in wanted.items()):
                report.notices.append(
                    f"rule {spec.iso_code} {spec.code}: kept the admin's change (--force to reset)."
                )
            continue
        wanted.update(builtin=True, overridden=False)
        diff = {f: v for f, v in wanted.items() if getattr(current, f) != v}
        if diff:
            for f, v in diff.items():
                setattr(current, f, v)
            current.updated_at = now
            to_update.append(current)
    if to_create:
        model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, [*RULE_FIELDS, "builtin", "overridden", "updated_at"])
    report.rules_created, report.rules_updated = len(to_create), len(to_update)
    return report


# --- admin ----------------------------------------------------------------------------------------
def country_admin_save(*, country: Country, changed_fields: Iterable[str]) -> Country:
    """Save an admin's edit; a hand-changed process becomes an override the loader keeps."""
    changed = set(changed_fields)
    if "sender_id_process" in changed and "process_overridden" not in changed:
        country.process_overridden = True
    country.save()
    return country


def country_rule_admin_save(*, rule: CountryRule, changed_fields: Iterable[str]) -> CountryRule:
    """Save an admin's edit of a rule; a built-in rule's changed date, severity... becomes an override
    the loader keeps (until --force)."""
    changed = set(changed_fields)
    # Unticking "changed by an admin" is itself an edit: it hands the rule back to the loader.
    if rule.builtin and "overridden" not in changed and changed & {*RULE_FIELDS, "text", "what_to_do"}:
        rule.overridden = True
    rule.save()
    return rule


def countries_clear_override(*, iso_codes: Iterable[str]) -> int:
    """Let the data file and --sync decide these countries' process again (from the next load)."""
    return Country.objects.filter(iso_code__in=list(iso_codes), process_overridden=True).update(
        process_overridden=False, updated_at=timezone.now()
    )
