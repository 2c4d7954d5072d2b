"""What each country's request will be, before it exists: the plan the review, the sender step and the
approver read (Region and account, process, published ETA, fee, the checks, the steps outside the
portal).

Built for many countries at once without a query per country: the caller passes the countries (one
query), the rule calendar is read once for all of them, the brand names once per team.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from countries import checks as country_checks
from countries.models import Country, ProcessChoice
from countries.selectors import rules_by_country
from profiles.selectors import brand_names as profile_brand_names

from .models import SenderIdRequest
from .selectors import Placement


@dataclass
class CountryPlan:
    country: Country
    sender_id: str
    placement: Placement | None
    process: ProcessChoice
    eta_text: str = ""
    checks: list[country_checks.Check] = field(default_factory=list)
    outside: list[country_checks.Check] = field(default_factory=list)

    @property
    def light(self) -> str:
        """ "ok", "warn" or "block": the worst of the checks (a plan without checks is "ok")."""
        levels = {getattr(c, "level", "ok") for c in self.checks}
        return "block" if "block" in levels else "warn" if "warn" in levels else "ok"

    @property
    def light_label(self) -> str:
        return {
            "ok": _("No problem found"),
            "warn": ngettext("%(n)d warning", "%(n)d warnings", self.warning_count)
            % {"n": self.warning_count},
            "block": _("Must be fixed"),
        }[self.light]

    @property
    def warning_count(self) -> int:
        return sum(1 for c in self.checks if c.level == country_checks.WARN)

    @property
    def problems(self) -> list[Any]:
        return [c for c in self.checks if c.level != country_checks.OK]


def eta_text(country: Country) -> str:
    return country.registration_time or _("No estimate published by AWS")


def country_plans(
    countries: Iterable[Country],
    *,
    sender_ids: dict[str, str],
    message_type: str,
    placement_of: Callable[[Country], Placement | None],
    process_of: Callable[[Country], ProcessChoice],
    brand_names: list[str] | None = None,
    today: dt.date | None = None,
) -> list[CountryPlan]:
    """One plan per country, in the order given. `sender_ids` maps ISO code → the sender ID asked for
    there (a country without one gets no sender-ID checks)."""
    return row_plans(
        [(c, sender_ids.get(c.iso_code, ""), message_type) for c in countries],
        placement_of=placement_of,
        process_of=process_of,
        brand_names=brand_names,
        today=today,
    )


def row_plans(
    rows: Sequence[tuple[Country, str, str]],
    *,
    placement_of: Callable[[Country], Placement | None],
    process_of: Callable[[Country], ProcessChoice],
    brand_names: list[str] | None = None,
    today: dt.date | None = None,
) -> list[CountryPlan]:
    """One plan per (country, sender ID, message type) row, in order; a country may come back many
    times (a CSV import). The rule calendar is read once for all rows."""
    rules = rules_by_country({country.iso_code for country, _sender_id, _type in rows})
    plans = []
    for country, sender_id, message_type in rows:
        plan = CountryPlan(
            country=country,
            sender_id=sender_id,
            placement=placement_of(country),
            process=process_of(country),
            eta_text=eta_text(country),
        )
        country_rules = rules.get(country.iso_code, [])
        if sender_id:
            plan.checks = country_checks.sender_id_checks(
                country,
                sender_id,
                message_type=message_type,
                rules=country_rules,
                today=today,
                brand_names=brand_names or (),
            )
        plan.outside = country_checks.outside_actions(
            country, rules=country_rules, message_type=message_type, today=today
        )
        plans.append(plan)
    return plans


def team_brand_names(team: Any) -> list[str]:
    """The team's company, trading and domain names from its company profile ([] without one)."""
    return profile_brand_names(team) if team is not None else []


def request_plan(request: SenderIdRequest) -> CountryPlan:
    """The plan of a stored request, as the approver reads it (its own sender ID, Region, process)."""
    return country_plans(
        [request.country],
        sender_ids={request.country_id: request.sender_id},
        message_type=request.message_type,
        placement_of=lambda _country: Placement(request.aws_account, request.aws_region),
        process_of=lambda _country: ProcessChoice(request.process),
        brand_names=team_brand_names(request.team),
    )[0]
