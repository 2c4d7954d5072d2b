"""Registration form definitions: AWS's type/section/field definitions, normalised, cached and evaluated.

AWS describes each registration type's form (DescribeRegistrationTypeDefinitions,
DescribeRegistrationSectionDefinitions, DescribeRegistrationFieldDefinitions). The portal builds its
forms from these, so a field AWS adds appears without a code change. Definitions are cached in
`RegistrationDefinition` rows. Pages only read the cache (`cached_definition`); it is filled and
refreshed by the `refresh_registration_definition` task (enqueued when a request needs a type not yet
cached, and daily by beat) and `manage.py refresh_registration_definitions`. The worker's own steps
use `get_definition`: refetched after REGISTRATION_DEFINITION_TTL_SECONDS (default a day), a stale
copy when AWS cannot be reached.

This module also evaluates a CONDITIONAL field's ConditionalBehavior: rules top to bottom, the first
rule whose conditions all hold wins, else the default behaviour; unknown operators evaluate to false
(as the API documents, for forward compatibility).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from countries.models import Country
from senderids.lifecycle import EDITABLE_STATUSES
from smsvoice.gateway import PermanentAwsError, RetryableAwsError, SmsVoiceGateway, gateway_for, get_gateway
from smsvoice.selectors import aws_accounts_enabled, region_for

from .models import Registration, RegistrationDefinition

logger = logging.getLogger(__name__)

TEXT, SELECT, ATTACHMENT = "TEXT", "SELECT", "ATTACHMENT"
REQUIRED, CONDITIONAL, OPTIONAL, DISALLOWED = "REQUIRED", "CONDITIONAL", "OPTIONAL", "DISALLOWED"
# The API's own limit for TextValue, whatever a definition says.
API_MAX_TEXT_LENGTH = 2048
SCHEMA_VERSION = 1


def definition_ttl() -> timedelta:
    return timedelta(seconds=settings.REGISTRATION_DEFINITION_TTL_SECONDS)


@dataclass(frozen=True)
class Condition:
    depends_on: str
    operator: str
    values: tuple[str, ...] = ()

    def holds(self, value: list[str]) -> bool:
        """`value` is the dependency's value as a list (a text is one item, no value is empty)."""
        wanted = set(self.values)
        if self.operator == "HAS_VALUE":
            return bool(value)
        if self.operator == "NO_VALUE":
            return not value
        if self.operator in ("EQUALS", "IN"):
            return bool(value) and any(v in wanted for v in value)
        if self.operator in ("NOT_EQUALS", "NOT_IN"):
            return not any(v in wanted for v in value)
        return False  # Unknown operator: the rule is skipped (the API's documented behaviour).


@dataclass(frozen=True)
class Rule:
    conditions: tuple[Condition, ...]
    behavior: str
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    allowed_values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Resolved:
    """A field's behaviour for the current values, with the validation that applies."""

    behavior: str
    min_length: int | None
    max_length: int | None
    pattern: str | None
    allowed_values: tuple[str, ...] | None
    rule: Rule | None = None


@dataclass(frozen=True)
class FieldDef:
    section_path: str
    field_path: str
    field_type: str
    requirement: str
    title: str
    short_description: str = ""
    long_description: str = ""
    example: str = ""
    text_validation_description: str = ""
    documentation_title: str = ""
    documentation_link: str = ""
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    min_choices: int | None = None
    max_choices: int | None = None
    options: tuple[str, ...] = ()
    option_titles: tuple[tuple[str, str], ...] = ()
    default_behavior: str | None = None
    rules: tuple[Rule, ...] = ()

    @property
    def is_multi(self) -> bool:
        return self.field_type == SELECT and (self.max_choices or 1) > 1

    @property
    def depends_on(self) -> set[str]:
        return {c.depends_on for rule in self.rules for c in rule.conditions}

    def resolve(self, values: Mapping[str, list[str]]) -> Resolved:
        base = Resolved(
            behavior=self.requirement,
            min_length=self.min_length,
            max_length=self.max_length,
            pattern=self.pattern,
            allowed_values=None,
        )
        if self.requirement != CONDITIONAL:
            return base
        for rule in self.rules:
            if all(c.holds(values.get(c.depends_on, [])) for c in rule.conditions):
                return Resolved(
                    behavior=_behavior(rule.behavior),
                    min_length=rule.min_length if rule.min_length is not None else self.min_length,
                    max_length=rule.max_length if rule.max_length is not None else self.max_length,
                    pattern=rule.pattern or self.pattern,
                    allowed_values=rule.allowed_values,
                    rule=rule,
                )
        # No rule matched, or an older definition without ConditionalBehavior: AWS decides on submit.
        return dataclasses.replace(base, behavior=_behavior(self.default_behavior or OPTIONAL))

    def describe_conditions(self, titles: Mapping[str, str] | None = None) -> list[str]:
        """Human-readable rules for help text: "Required when “Registering on behalf…?” is Yes."."""
        titles = titles or {}
        behaviors = {REQUIRED: _("Required"), OPTIONAL: _("Optional"), DISALLOWED: _("Not allowed")}
        out = []
        for rule in self.rules:
            parts = []
            for c in rule.conditions:
                params = {"field": titles.get(c.depends_on, c.depends_on), "values": " / ".join(c.values)}
                if c.operator == "HAS_VALUE":
                    parts.append(_("“%(field)s” has a value") % params)
                elif c.operator == "NO_VALUE":
                    parts.append(_("“%(field)s” is empty") % params)
                elif c.operator in ("NOT_EQUALS", "NOT_IN"):
                    parts.append(_("“%(field)s” is not %(values)s") % params)
                else:
                    parts.append(_("“%(field)s” is %(values)s") % params)
            behavior = behaviors.get(rule.behavior, rule.behavior)
            out.append(
                _("%(behavior)s when %(conditions)s.")
                % {"behavior": behavior, "conditions": _(" and ").join(parts)}
            )
        return out


def _behavior(value: str) -> str:
    return value if value in (REQUIRED, OPTIONAL, DISALLOWED) else OPTIONAL


@dataclass(frozen=True)
class SectionDef:
    section_path: str
    title: str
    short_description: str = ""
    long_description: str = ""
    documentation_title: str = ""
    documentation_link: str = ""


@dataclass
class FormDefinition:
    registration_type: str
    title: str = ""
    short_description: str = ""
    long_description: str = ""
    documentation_title: str = ""
    documentation_link: str = ""
    association_behavior: str = ""
    sections: list[SectionDef] = field(default_factory=list)
    fields: list[FieldDef] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_path = {f.field_path: f for f in self.fields}

    def field(self, path: str) -> FieldDef | None:
        return self._by_path.get(path)

    @property
    def field_paths(self) -> list[str]:
        return [f.field_path for f in self.fields]

    def sections_with_fields(self) -> list[tuple[SectionDef, list[FieldDef]]]:
        """Sections in AWS's order, each with its fields; fields of an undeclared section go last."""
        by_section: dict[str, list[FieldDef]] = {}
        for f in self.fields:
            by_section.setdefault(f.section_path, []).append(f)
        out = [(s, by_section.pop(s.section_path, [])) for s in self.sections]
        out += [(SectionDef(section_path=p, title=p), fs) for p, fs in by_section.items()]
        return [(s, fs) for s, fs in out if fs]

    def conditional_rules(self) -> dict[str, Any]:
        """CONDITIONAL fields' rules for the page's script (shows/hides fields as answers change)."""
        return {
            f.field_path: {
                "default": f.default_behavior or OPTIONAL,
                "rules": [
                    {
                        "behavior": r.behavior,
                        "conditions": [
                            {"path": c.depends_on, "operator": c.operator, "values": list(c.values)}
                            for c in r.conditions
                        ],
                    }
                    for r in f.rules
                ],
            }
            for f in self.fields
            if f.requirement == CONDITIONAL and f.rules
        }

    # --- serialisation (the cache row) ---------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["schema"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FormDefinition:
        def field_def(d: Mapping[str, Any]) -> FieldDef:
            d = dict(d)
            d["options"] = tuple(d.get("options") or ())
            d["option_titles"] = tuple(tuple(p) for p in d.get("option_titles") or ())
            d["rules"] = tuple(
                Rule(
                    conditions=tuple(
                        Condition(c["depends_on"], c["operator"], tuple(c.get("values") or ()))
                        for c in r["conditions"]
                    ),
                    behavior=r["behavior"],
                    min_length=r.get("min_length"),
                    max_length=r.get("max_length"),
                    pattern=r.get("pattern"),
                    allowed_values=(
                        tuple(r["allowed_values"]) if r.get("allowed_values") is not None else None
                    ),
                )
                for r in d.get("rules") or ()
            )
            return FieldDef(**d)

        return cls(
            registration_type=data["registration_type"],
            title=data.get("title", ""),
            short_description=data.get("short_description", ""),
            long_description=data.get("long_description", ""),
            documentation_title=data.get("documentation_title", ""),
            documentation_link=data.get("documentation_link", ""),
            association_behavior=data.get("association_behavior", ""),
            sections=[SectionDef(**s) for s in data.get("sections") or ()],
            fields=[field_def(f) for f in data.get("fields") or ()],
        )


# --- from the gateway's dataclasses ----------------------------------------------------------------
def _s(value: Any) -> str:
    return value or ""


def _rule(data: Mapping[str, Any]) -> Rule:
    validation = data.get("conditional_validation") or {}
    allowed = validation.get("allowed_values")
    return Rule(
        conditions=tuple(
            Condition(
                depends_on=c.get("depends_on_field_path", ""),
                operator=c.get("operator", ""),
                values=tuple(c.get("values") or ()),
            )
            for c in data.get("conditions") or ()
        ),
        behavior=data.get("rule_behavior", OPTIONAL),
        min_length=validation.get("min_length"),
        max_length=validation.get("max_length"),
        pattern=validation.get("pattern"),
        allowed_values=tuple(allowed) if allowed is not None else None,
    )


def field_from_info(info: Any) -> FieldDef:
    """FieldDef from smsvoice.types.FieldDefinitionInfo."""
    text = info.text_validation
    select = info.select_options
    conditional = info.conditional_behavior or {}
    titles = tuple(
        (d.get("option", ""), d.get("title") or d.get("option", ""))
        for d in info.select_option_descriptions or ()
        if d.get("option")
    )
    return FieldDef(
        section_path=info.section_path,
        field_path=info.field_path,
        field_type=info.field_type,
        requirement=info.field_requirement,
        title=_s(info.display_name) or info.field_path,
        short_description=_s(info.short_description),
        long_description=_s(info.long_description),
        example=_s(info.example_text_value),
        text_validation_description=_s(info.text_validation_description),
        documentation_title=_s(info.documentation_title),
        documentation_link=_s(info.documentation_link),
        min_length=text.min_length if text else None,
        max_length=text.max_length if text else None,
        pattern=(text.pattern or None) if text else None,
        min_choices=select.min_choices if select else None,
        max_choices=select.max_choices if select else None,
        options=tuple(select.options) if select else (),
        option_titles=titles,
        default_behavior=conditional.get("default_behavior"),
        rules=tuple(_rule(r) for r in conditional.get("rules") or ()),
    )


def section_from_info(info: Any) -> SectionDef:
    return SectionDef(
        section_path=info.section_path,
        title=_s(info.display_name) or info.section_path,
        short_description=_s(info.description),
        long_description=_s(info.long_description),
        documentation_title=_s(info.documentation_title),
        documentation_link=_s(info.documentation_link),
    )


def definition_from_infos(
    registration_type: str, type_info: Any | None, sections: Iterable[Any], fields: Iterable[Any]
) -> FormDefinition:
    return FormDefinition(
        registration_type=registration_type,
        title=_s(getattr(type_info, "display_name", "")) or registration_type,
        short_description=_s(getattr(type_info, "short_description", "")),
        long_description=_s(getattr(type_info, "long_description", "")),
        documentation_title=_s(getattr(type_info, "documentation_title", "")),
        documentation_link=_s(getattr(type_info, "documentation_link", "")),
        association_behavior=_s(getattr(type_info, "association_behavior", "")),
        sections=[section_from_info(s) for s in sections],
        fields=[field_from_info(f) for f in fields],
    )


# --- the cache ---------------------------------------------------------------------------------------
def gateway_offering(registration_type: str) -> SmsVoiceGateway:
    """Where to read a type's definitions: a Region that offers it. The (account, Region) of the latest
    registration of that type; else where the routing table sends its country; else the default.
    (A type exists only in some Regions: India's form is not in eu-west-1.)"""
    latest = (
        Registration.objects.filter(registration_type=registration_type)
        .select_related("request__aws_account")
        .order_by("-pk")
        .first()
    )
    if latest is not None:
        return gateway_for(latest.request.aws_account, latest.request.aws_region)
    iso = (
        Country.objects.filter(registration_type=registration_type).values_list("iso_code", flat=True).first()
    )
    account = aws_accounts_enabled().first()
    if iso and account is not None:
        return gateway_for(account, region_for(iso, account))
    return get_gateway()


def fetch_definition(registration_type: str) -> FormDefinition:
    """Read one type's definitions from AWS (three calls, each paged by the gateway)."""
    gateway = gateway_offering(registration_type)
    types = list(gateway.describe_registration_type_definitions(registration_types=[registration_type]))
    sections = list(gateway.describe_registration_section_definitions(registration_type=registration_type))
    fields = list(gateway.describe_registration_field_definitions(registration_type=registration_type))
    return definition_from_infos(registration_type, types[0] if types else None, sections, fields)


def refresh_definition(registration_type: str) -> FormDefinition:
    """Fetch from AWS and store in the cache (raises the gateway's errors).

    Run by the `refresh_registration_definition` task, `manage.py refresh_registration_definitions`
    and the worker's own steps; never by a page.
    """
    definition = fetch_definition(registration_type)
    RegistrationDefinition.objects.update_or_create(
        registration_type=registration_type,
        defaults={"definition": definition.to_json(), "fetched_at": timezone.now()},
    )
    return definition


def cached_definition(registration_type: str) -> FormDefinition | None:
    """The cached definition whatever its age, or None: what pages read (they never call AWS).

    A stale copy is still the best the page has; the daily refresh (beat) keeps it current.
    """
    row = RegistrationDefinition.objects.filter(registration_type=registration_type).first()
    if row is None or row.definition.get("schema") != SCHEMA_VERSION:
        return None
    return FormDefinition.from_json(row.definition)


def is_cached(registration_type: str) -> bool:
    return cached_definition(registration_type) is not None


def get_definition(registration_type: str) -> FormDefinition:
    """For the worker: the cached definition when fresh; else fetched (falling back to a stale copy if
    AWS fails)."""
    row = RegistrationDefinition.objects.filter(registration_type=registration_type).first()
    fresh = row is not None and row.definition.get("schema") == SCHEMA_VERSION
    if fresh and row.fetched_at >= timezone.now() - definition_ttl():
        return FormDefinition.from_json(row.definition)
    try:
        return refresh_definition(registration_type)
    except (RetryableAwsError, PermanentAwsError):
        if fresh:
            logger.warning(
                "using stale definitions for %s: AWS unavailable", registration_type, exc_info=True
            )
            return FormDefinition.from_json(row.definition)
        raise


def definition_refresh(*, registration_type: str, force: bool = True) -> FormDefinition:
    """What the refresh task runs: fetch and cache, or (`force=False`) only when not cached yet, so a
    duplicate request for the same type costs one read and no AWS call."""
    if not force:
        cached = cached_definition(registration_type)
        if cached is not None:
            return cached
    return refresh_definition(registration_type)


def registration_types_awaited() -> list[str]:
    """The registration types of registrations whose owner may still fill the form: the ones a page needs."""
    return sorted(
        set(
            Registration.objects.filter(request__status__in=EDITABLE_STATUSES)
            .values_list("registration_type", flat=True)
            .distinct()
        )
    )


def registration_types_in_use() -> list[str]:
    """Every registration type the country catalogue, a registration or the cache names."""
    return sorted(
        {
            *Country.objects.exclude(registration_type="").values_list("registration_type", flat=True),
            *Registration.objects.values_list("registration_type", flat=True),
            *RegistrationDefinition.objects.values_list("registration_type", flat=True),
        }
    )
