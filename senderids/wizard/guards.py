"""The wizard's guards: what django-formtools leaves to us, so that no page of the wizard answers 500.

On top of formtools (see DESIGN.md):

* conditions read the chosen country and message type straight from storage (one cached country
  lookup per request), never through get_cleaned_data_for_step; the process they follow is
  countries' ``sender_id_process_for`` (India: Region and message type), the one the request stores;
* "Previous" keeps what was typed on the step being left (formtools #284);
* every POST is checked before formtools sees it: an expired or finished wizard, a tampered
  management form, a step posted out of order or a page from another tab (a run id and the
  country the page was drawn for travel as hidden fields) restart or redirect with a message,
  never a 500.

`WizardGuards` is a mixin for a NamedUrlSessionWizardView; the view itself is senderids/wizard/view.py.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from formtools.wizard.forms import ManagementForm

from countries.models import Country
from countries.selectors import ProcessChoice, sender_id_process_for
from teams.selectors import team_for_user

from ..choices import MessageType
from ..plans import team_brand_names
from ..selectors import Placement, routed_placement
from .reads import WizardReads, digest
from .steps import (
    ISO_CODE_RE,
    STEP_COUNTRY,
    STEP_LABELS,
    STEP_REVIEW,
    STEP_USE_CASE,
    WIZARD_MAX_COUNTRIES,
)

# Hidden fields every wizard page posts besides formtools' management form.
RUN_FIELD = "wizard_run"
COUNTRY_FIELD = "wizard_country"
PREVIEW_FIELD = "wizard_preview"
ADD_COUNTRY_FIELD = "wizard_add_country"
REMOVE_COUNTRY_FIELD = "wizard_remove_country"
TEAM_COUNTRIES_FIELD = "wizard_team_countries"
COUNTRY_STEP_BUTTONS = (PREVIEW_FIELD, ADD_COUNTRY_FIELD, REMOVE_COUNTRY_FIELD, TEAM_COUNTRIES_FIELD)
RESET_FIELD = "wizard_reset"
EDIT_PARAM = "edit"
# Keys in the wizard storage's extra_data.
RUN_KEY = "wizard_run_id"
TOUCHED_KEY = "wizard_touched_at"
RETURN_KEY = "wizard_return_to_review"
CHIPS_KEY = "wizard_country_chips"
# The wizard keeps raw answers in the session: forget them after this long without activity.
WIZARD_IDLE_SECONDS = settings.SENDERIDS_WIZARD_IDLE_SECONDS
# The last activity is recorded to within this (a minute of the default hour), so that showing a
# step does not rewrite the session each time (the wizard's storage writes only what changed).
TOUCH_RESOLUTION_SECONDS = WIZARD_IDLE_SECONDS / 60
# What "Previous" may keep of a step that did not validate (formtools #284) — bounded.
KEPT_VALUE_MAX_CHARS = 2000
KEPT_VALUES_PER_FIELD = 4


def _now() -> float:
    return time.time()


class WizardGuards:
    """State reading, the run (one wizard per session) and the GET/POST guards of the request wizard."""

    @property
    def reads(self) -> WizardReads:
        """This request's reads of the catalogue, the team and its requests (memo + read cache)."""
        if "_reads" not in self.__dict__:
            self.__dict__["_reads"] = WizardReads(self.request.user)
        return self.__dict__["_reads"]

    def lookup_country(self, iso: str) -> Country | None:
        """Country by ISO code, looked up at most once per request."""
        return self.lookup_countries([iso]).get(iso)

    def lookup_countries(self, isos: list[str]) -> dict[str, Country]:
        """Countries by ISO code (unknown codes absent): one query for those not looked up yet."""
        cache = self.__dict__.setdefault("_country_cache", {})
        missing = [iso for iso in isos if iso not in cache]
        if missing:
            found = self.reads.countries(missing)
            cache.update({iso: found.get(iso) for iso in missing})
        return {iso: cache[iso] for iso in isos if cache.get(iso) is not None}

    def stored_value(self, step: str, field: str) -> str:
        data = self.storage.get_step_data(step)
        value = data.get(f"{step}-{field}") if data is not None else None
        return value.strip() if isinstance(value, str) else ""

    def chosen_isos(self) -> list[str]:
        """The stored destination countries (well-formed ISO codes, each once, in the order chosen)."""
        data = self.storage.get_step_data(STEP_COUNTRY)
        values = data.getlist(f"{STEP_COUNTRY}-country") if data is not None else []
        isos = dict.fromkeys(v.strip().upper() for v in values if isinstance(v, str))
        return [iso for iso in isos if ISO_CODE_RE.fullmatch(iso)][: WIZARD_MAX_COUNTRIES + 1]

    def chosen_iso(self) -> str:
        """The country of a single-country run ("" when none, or several, are chosen)."""
        isos = self.chosen_isos()
        return isos[0] if len(isos) == 1 else ""

    def chosen_key(self) -> str:
        """What the pages carry to recognise a selection changed in another tab: "DE,FR,IN"."""
        return ",".join(self.chosen_isos())

    def is_batch(self) -> bool:
        return len(self.chosen_isos()) > 1

    def chosen_country(self) -> Country | None:
        iso = self.chosen_iso()
        return self.lookup_country(iso) if iso else None

    def chosen_countries(self) -> list[Country]:
        isos = self.chosen_isos()
        found = self.lookup_countries(isos)
        return [found[iso] for iso in isos if iso in found]

    def chosen_message_type(self) -> str:
        """The stored message type when it is one of ours ("" before the use-case step, or if altered)."""
        value = self.stored_value(STEP_USE_CASE, "message_type")
        return value if value in MessageType.values else ""

    def chosen_process_choice(self, country: Country | None = None) -> ProcessChoice | None:
        # Read straight from storage, never via get_cleaned_data_for_step (formtools #54/#134/#264):
        # conditions run while formtools resolves the form list, before any step is validated.
        country = country or self.chosen_country()
        if country is None:
            return None
        return sender_id_process_for(
            country, message_type=self.chosen_message_type(), region=self.chosen_region(country)
        )

    def chosen_processes(self) -> set[str]:
        """The processes the chosen countries' requests will take (one per country, deduplicated).

        Every step condition asks this, several times per request: it is kept per request for the
        stored answers it follows from (countries, message type, placement), so a change is seen."""
        key = (self.chosen_key(), self.chosen_message_type(), self.stored_value(STEP_COUNTRY, "placement"))
        cache = self.__dict__.setdefault("_processes", {})
        if key not in cache:
            cache[key] = {
                choice.process
                for country in self.chosen_countries()
                if (choice := self.chosen_process_choice(country)) is not None
            }
        return cache[key]

    # where the request goes ----------------------------------------------------------------------
    def placement_options(self) -> list[Placement]:
        """The (account, Region) pairs the user's team may use (read once per request)."""
        cache = self.__dict__.setdefault("_placement", {})
        if "options" not in cache:
            cache["options"], cache["routes"] = self.reads.placements()
        return cache["options"]

    def routed_placement_of(self, country: Country) -> Placement | None:
        options = self.placement_options()
        routes = self.__dict__["_placement"]["routes"]
        if country.iso_code in routes:
            return routed_placement(country.iso_code, options, routes)
        # No route: the team's first account's default Region, the same for every such country (the
        # country step asks this of a couple of hundred).
        cache = self.__dict__["_placement"]
        if "unrouted" not in cache:
            cache["unrouted"] = routed_placement(country.iso_code, options, routes)
        return cache["unrouted"]

    def chosen_placement(self, country: Country | None = None) -> Placement | None:
        """The Region the user picked on the country step, else the routing table's for the country."""
        country = country or self.chosen_country()
        key = self.stored_value(STEP_COUNTRY, "placement")
        chosen = next((p for p in self.placement_options() if p.key == key), None) if key else None
        if chosen is not None or country is None:
            return chosen
        return self.routed_placement_of(country)

    def team_country_isos(self) -> list[str]:
        """Countries where the user's team already has sender IDs (the country step's shortcut)."""
        cache = self.__dict__.setdefault("_placement", {})
        if "team_isos" not in cache:
            cache["team_isos"] = self.reads.team_country_isos()
        return cache["team_isos"]

    def brand_names(self) -> list[str]:
        """The team's company and brand names (company profile), for the brand-match check."""
        cache = self.__dict__.setdefault("_placement", {})
        if "brand_names" not in cache:
            team = team_for_user(self.request.user) if self.request.user.is_authenticated else None
            cache["brand_names"] = team_brand_names(team)
        return cache["brand_names"]

    def open_duplicates(self, owner: Any, countries: list[Country], wanted: dict[str, str]) -> dict[str, Any]:
        """The sender step's duplicate check, asked once per request for the same answers: one POST
        validates that step up to three times (the steps before the posted one, formtools'
        revalidation in render_done, the plans in done). The request's creation checks again, under
        the team's lock (senderids.services.requests)."""
        isos = tuple(c.iso_code for c in countries)
        key = (getattr(owner, "pk", None), isos, tuple(sorted(wanted.items())))
        cache = self.__dict__.setdefault("_duplicates", {})
        if key not in cache:
            cache[key] = self.reads.open_duplicates(owner, countries, wanted)
        return cache[key]

    def chosen_region(self, country: Country | None = None) -> str:
        placement = self.chosen_placement(country)
        return placement.region if placement else settings.AWS_REGION

    def stored_form(self, step: str):
        """The step's form bound to its stored data (None if nothing stored), built once per request."""
        cache = self.__dict__.setdefault("_stored_forms", {})
        if step not in cache:
            data = self.storage.get_step_data(step)
            cache[step] = None if data is None else self.get_form(step=step, data=data)
        return cache[step]

    def step_is_valid(self, step: str) -> bool:
        form = self.stored_form(step)
        return form is not None and form.is_valid()

    def first_invalid_step(self, *, before: str | None = None) -> str | None:
        """The first step (before `before`) without valid stored answers, or None."""
        for step in self.get_form_list():
            if step == before:
                return None
            if not self.step_is_valid(step):
                return step
        return None

    def _forget_cached_state(self, *, conditions: bool = False) -> None:
        self.__dict__.pop("_stored_forms", None)
        if conditions:
            self.__dict__.pop("_resolved_form_list", None)
            self.__dict__.pop("_cache_signature", None)

    # --- the run: one wizard per session, identified so stale pages can be recognised --------------
    def run_id(self) -> str:
        return self.storage.extra_data.get(RUN_KEY, "")

    def _start_run(self) -> None:
        self.storage.reset()
        self._forget_cached_state(conditions=True)
        self.storage.current_step = self.steps.first
        self.storage.extra_data = {RUN_KEY: secrets.token_urlsafe(12), TOUCHED_KEY: _now()}

    def _touch(self) -> None:
        now = _now()
        touched = self.storage.extra_data.get(TOUCHED_KEY)
        if touched is None or now - float(touched) >= TOUCH_RESOLUTION_SECONDS:
            self.storage.extra_data[TOUCHED_KEY] = now

    def _expired(self) -> bool:
        touched = self.storage.extra_data.get(TOUCHED_KEY)
        return touched is None or _now() - float(touched) > WIZARD_IDLE_SECONDS

    def _restart(self, message: str) -> HttpResponse:
        self._start_run()
        messages.warning(self.request, message)
        return redirect(self.get_step_url(self.steps.first))

    def _go_to(self, step: str, message: str = "", level: int = messages.WARNING) -> HttpResponse:
        if message:
            messages.add_message(self.request, level, message)
        self.storage.current_step = step
        return redirect(self.get_step_url(step))

    def _go_to_incomplete(self, step: str) -> HttpResponse:
        label = STEP_LABELS[step]
        if self.storage.get_step_data(step) is None:
            return self._go_to(step, _("Please complete the step “%(step)s” first.") % {"step": label})
        return self._go_to(
            step,
            _(
                "Your answers on the step “%(step)s” are no longer valid (for example the country or "
                "its rules changed). Please check them."
            )
            % {"step": label},
        )

    def _sanitise_current_step(self) -> None:
        """A stored current step the chosen country no longer has (changed in another tab)."""
        current = self.storage.current_step
        if current is not None and current not in self.get_form_list():
            self.storage.current_step = self.first_invalid_step() or STEP_REVIEW

    # --- GET --------------------------------------------------------------------------------------
    def _load_reads(self, step: str) -> None:
        """Everything the step's page reads of the catalogue, the team and its requests, in one cache
        lookup (senderids/wizard/reads.py), for what the page is drawn from: the stored answers, the
        search, the language and the day (the plans' checks are dated)."""
        key = digest(*self.page_inputs(with_run=False), self.request.GET.get("q", ""))
        self.reads.load(f"{step}:{translation.get_language()}:{key}", lambda: self.prefetch_reads(step))

    def page_inputs(self, *, with_run: bool = True) -> tuple[object, ...]:
        """What a step's page is drawn from besides the tables: the stored answers and step, the
        run (written in the page's form; not in the reads' key), the language and time zone, the day
        (the plans' checks are dated)."""
        data = self.storage.data
        skip = (TOUCHED_KEY,) if with_run else (RUN_KEY, TOUCHED_KEY)
        extra = {k: v for k, v in data.get(self.storage.extra_data_key, {}).items() if k not in skip}
        return (
            data.get(self.storage.step_data_key),
            data.get(self.storage.step_key),
            extra,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        step = kwargs.get("step")
        resuming = step is None or step == self.done_step_name
        if not resuming and step in self.form_list:
            self._load_reads(step)
        if not self.run_id():
            # Nothing to resume: the step's own page starts the run (one session write, there).
            if not resuming:
                self._start_run()
        elif self._expired():
            return self._restart(_("Your sender ID request had expired, so it was started again."))
        else:
            self._touch()
        self._sanitise_current_step()
        form_list = self.get_form_list()
        if resuming:
            # /sender-ids/request/ resumes where the user was; "done" is only ever reached by POST.
            query = f"?{request.GET.urlencode()}" if step is None and request.GET else ""
            return redirect(self.get_step_url(self.steps.current) + query)
        if step not in form_list:
            target = self.first_invalid_step() or self.steps.current
            return self._go_to(target, _("That step does not apply to the chosen country."))
        missing = self.first_invalid_step(before=step)
        if missing is not None:
            return self._go_to_incomplete(missing)
        if request.GET.get(EDIT_PARAM) and STEP_REVIEW in form_list and self._comes_before_review(step):
            self.storage.extra_data[RETURN_KEY] = True
        return super().get(request, *args, **kwargs)

    def _comes_before_review(self, step: str) -> bool:
        steps = list(self.get_form_list())
        return step in steps and steps.index(step) < steps.index(STEP_REVIEW)

    # --- POST -------------------------------------------------------------------------------------
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        request = self.request
        if not self.run_id() or self._expired():
            return self._restart(
                _(
                    "Your sender ID request had expired or was already submitted, so it was started "
                    "again. Nothing was saved."
                )
            )
        self._sanitise_current_step()
        form_list = self.get_form_list()
        management = ManagementForm(request.POST, prefix=self.prefix)
        if not management.is_valid() or management.cleaned_data["current_step"] not in form_list:
            return self._restart(
                _(
                    "The form could not be read (it was incomplete or altered), so the request was "
                    "started again."
                )
            )
        posted_step = management.cleaned_data["current_step"]
        if not constant_time_compare(request.POST.get(RUN_FIELD, ""), self.run_id()):
            return self._go_to(
                self.steps.current,
                _(
                    "This sender ID request was restarted in another tab or window. Continue here "
                    "with its current answers."
                ),
            )
        if RESET_FIELD in request.POST:
            return self._restart(_("Started a new sender ID request."))
        if posted_step != STEP_COUNTRY and request.POST.get(COUNTRY_FIELD, "") != self.chosen_key():
            return self._go_to(
                posted_step,
                _(
                    "The destination country was changed in another tab or window. Please check this "
                    "step again."
                ),
            )
        missing = self.first_invalid_step(before=posted_step)
        if missing is not None:
            # A step posted out of order, or earlier answers no longer valid.
            return self._go_to_incomplete(missing)
        self._touch()
        goto = request.POST.get("wizard_goto_step")
        if goto is not None:
            if goto not in form_list:
                return self._go_to(posted_step)
            self._keep_typed_answers(posted_step)
            return self.render_goto_step(goto)
        if posted_step == STEP_COUNTRY and any(name in request.POST for name in COUNTRY_STEP_BUTTONS):
            return self._preview_country()
        return super().post(*args, **kwargs)

    def _keep_typed_answers(self, step: str) -> None:
        """Going back keeps what was typed on the step being left (formtools #284), bounded in size."""
        form = self.get_form(step=step, data=self.request.POST)
        if not (form.has_changed() or self.storage.get_step_data(step) is not None):
            return
        names = {form.add_prefix(name) for name in form.fields}
        kept = {
            key: [value.strip()[:KEPT_VALUE_MAX_CHARS] for value in values[:KEPT_VALUES_PER_FIELD]]
            for key, values in self.request.POST.lists()
            if key in names
        }
        self.storage.set_step_data(step, kept)
        self._forget_cached_state(conditions=True)

    def _preview_country(self) -> HttpResponse:
        """The country step's own buttons, which work without JavaScript: "Show sender ID support",
        "Add" (the country picked in the list joins the chosen ones), "Remove <country>" and "Add the
        countries where my team has sender IDs". The choice is kept and the country step shown again;
        with JavaScript, static/js/wizard.js does the same without a round trip."""
        post = self.request.POST.copy()
        key = f"{STEP_COUNTRY}-country"
        isos = list(dict.fromkeys(v.strip().upper() for v in post.getlist(key) if v.strip()))
        if TEAM_COUNTRIES_FIELD in post:
            isos = list(dict.fromkeys([*isos, *self.team_country_isos()]))
        removed = post.get(REMOVE_COUNTRY_FIELD, "").strip().upper()
        if removed:
            isos = [iso for iso in isos if iso != removed]
        post.setlist(key, isos)
        if ADD_COUNTRY_FIELD in post or TEAM_COUNTRIES_FIELD in post:
            # From now on the page shows the choice as chips, even one: the list picks the next one.
            self.storage.extra_data[CHIPS_KEY] = True
        form = self.get_form(step=STEP_COUNTRY, data=post)
        self.storage.current_step = STEP_COUNTRY
        if not form.is_valid():
            return self.render(form)
        self.storage.set_step_data(STEP_COUNTRY, self.process_step(form))
        self._forget_cached_state(conditions=True)
        return redirect(self.get_step_url(STEP_COUNTRY))
