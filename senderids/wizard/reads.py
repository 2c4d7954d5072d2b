"""The wizard's reads of rarely written tables, through the cross-request read cache (caching/).

Every step's GET asks the same things of the catalogue, the user's team and its AWS accounts (the
Regions it may use, where the routing table sends a country), of the team's open requests (the sender
step's duplicate check, run by the stepper on every page) and, on some steps, of bigger reads (the
country list, the review's plans): each was a query, or many, per page view.

`WizardReads` answers each read once per request (memo) and across requests from the read cache,
until a table it reads is written (exact, not time-based: see caching/), under a key that encodes
every other input (the user, whose memberships say the team; the ISO codes; the answers; the
language). A cache lookup is a Redis round trip, so a GET does one for all of them: `load()` fetches
the reads an earlier view of the same page with the same answers made (a "bundle" of entries, each
still keyed by all its inputs, so an entry is only ever used for the inputs it was computed from; a
read the bundle lacks is looked up on its own).

The selectors themselves are shared with other pages and stay unchanged: these only wrap them. Values
are pickled: model instances (countries, AWS accounts, requests) come back as fresh copies each time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser

from caching import cached, digest
from countries.models import Country
from countries.selectors import countries_by_iso
from smsvoice.selectors import region_routes

from ..selectors import Placement, placement_options, team_sender_id_countries
from .steps import ISO_CODE_RE, team_open_duplicates

T = TypeVar("T")

# The apps each read depends on: a write to any of their tables gives its value a new generation.
CATALOGUE = ("countries",)
PLACEMENTS = ("teams", "smsvoice")  # memberships, the team ↔ account m2m, accounts, Region routes
TEAM_COUNTRIES = ("teams", "countries", "senderids")
DUPLICATES = ("teams", "senderids")
COUNTRY_OPTIONS = ("countries", "smsvoice")
PLANS = ("countries", "smsvoice", "teams", "profiles")  # the catalogue, rules, placements, brand names
# A bundle holds entries of every kind above: it depends on all of their apps.
BUNDLE = ("countries", "smsvoice", "teams", "senderids", "profiles")


class WizardReads:
    """One request's reads (see the module docstring); `user` is the request's user."""

    def __init__(self, user: AbstractBaseUser) -> None:
        self.user = user
        self.uid = user.pk if user.is_authenticated else None
        self.values: dict[str, Any] = {}

    def get(self, key: str, compute: Callable[[], T], depends: Iterable[str]) -> T:
        """`compute()`'s value for `key` (which names every input besides the `depends` apps' rows)."""
        if key not in self.values:
            labels = tuple(depends)
            if not set(labels) <= set(BUNDLE):  # a bundle must depend on every entry's apps
                raise ValueError(f"{key}: {labels} not all in {BUNDLE}")
            self.values[key] = cached(f"wizard:{key}", compute, depends=labels)
        return self.values[key]

    def load(self, key: str, prefetch: Callable[[], None]) -> None:
        """Every read a page makes, in one cache lookup: `prefetch()` makes them (through `get`) when
        the bundle `key` (the page and what it is drawn from) is not cached yet."""
        if self.uid is None:
            return

        def compute() -> dict[str, Any]:
            prefetch()
            return dict(self.values)

        self.values.update(cached(f"wizard:bundle:{self.uid}:{key}", compute, depends=BUNDLE))

    # --- the reads --------------------------------------------------------------------------------
    def countries(self, isos: list[str]) -> dict[str, Country]:
        """countries_by_iso: Country by ISO code (codes not in the catalogue absent)."""
        codes = sorted(set(isos))
        name = ",".join(codes) if all(ISO_CODE_RE.fullmatch(iso) for iso in codes) else digest(codes)
        return self.get(f"countries:{name}", lambda: countries_by_iso(codes), CATALOGUE)

    def placements(self) -> tuple[list[Placement], dict[str, list[str]]]:
        """The (account, Region) pairs the user's team may use, and the whole routing table."""

        def compute() -> tuple[list[Placement], dict[str, list[str]]]:
            return placement_options(user=self.user), region_routes()

        if self.uid is None:
            return compute()
        return self.get(f"placements:{self.uid}", compute, PLACEMENTS)

    def team_country_isos(self) -> list[str]:
        """Where the user's team holds sender IDs (team_sender_id_countries)."""
        if self.uid is None:
            return team_sender_id_countries(user=self.user)
        return self.get(
            f"team-isos:{self.uid}", lambda: team_sender_id_countries(user=self.user), TEAM_COUNTRIES
        )

    def open_duplicates(self, owner: Any, countries: list[Country], wanted: dict[str, str]) -> dict[str, Any]:
        """team_open_duplicates for the owner and the (country, sender ID, keeps case) asked."""
        if not wanted:
            return {}  # what team_open_duplicates answers for nothing asked, without reading the team
        owner_id = getattr(owner, "pk", None)
        if owner_id is None:
            return team_open_duplicates(owner, countries, wanted)
        keeps_case = {c.iso_code: c.keeps_case for c in countries}
        asked = sorted((iso, sender_id, keeps_case.get(iso)) for iso, sender_id in wanted.items())
        return self.get(
            f"duplicates:{owner_id}:{digest(asked)}",
            lambda: team_open_duplicates(owner, countries, wanted),
            DUPLICATES,
        )
