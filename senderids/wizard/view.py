"""The request wizard view (django-formtools NamedUrlSessionWizardView, one URL per step, PRG).

Its guards against formtools' pitfalls are in senderids/wizard/guards.py, its steps in steps.py.
The requests are created only by the POST of the last step (never by a GET of a "done" URL), after
formtools revalidated every step, in one transaction that also refuses duplicates.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from formtools.wizard.views import NamedUrlSessionWizardView, WizardView

from countries.models import Country, SenderIdProcess
from countries.rules import describe_rules
from countries.selectors import ProcessChoice, country_list, sender_id_process_for, with_process_choices

from .. import registry
from ..choices import Capability, RegistrationChoice, SupportMessageType
from ..plans import CountryPlan, country_plans
from ..services.batches import BatchChild, BatchDuplicates, batch_create
from ..services.requests import DuplicateSenderIdRequest, sender_id_request_create_unique
from . import page_cache, reads
from .guards import (
    ADD_COUNTRY_FIELD,
    CHIPS_KEY,
    COUNTRY_FIELD,
    EDIT_PARAM,
    PREVIEW_FIELD,
    REMOVE_COUNTRY_FIELD,
    RETURN_KEY,
    RUN_FIELD,
    TEAM_COUNTRIES_FIELD,
    WizardGuards,
)
from .rendering import QuickBoundField, QuickErrorList
from .steps import (
    FORM_LIST,
    ISO_CODE_RE,
    NOT_OFFERED_ORIGINATORS,
    PROCESS_EXPLANATIONS,
    STEP_COUNTRY,
    STEP_LABELS,
    STEP_REGISTRATION,
    STEP_REVIEW,
    STEP_SENDER,
    STEP_SUPPORT_CASE,
    STEP_USE_CASE,
    WIZARD_MAX_COUNTRIES,
)
from .support_case import support_case_for

COUNTRY_SEARCH_MAX_CHARS = 100


def _process_is(process: str):
    # The chosen country's process for the chosen message type, both read from storage (guards.py).
    def condition(wizard: SenderIdRequestWizard) -> bool:
        return process in wizard.chosen_processes()

    condition.__name__ = f"process_is_{process}"
    return condition


class SenderIdRequestWizard(LoginRequiredMixin, WizardGuards, NamedUrlSessionWizardView):
    form_list = list(FORM_LIST)
    storage_name = "senderids.wizard.storage.ChangedOnlySessionStorage"
    condition_dict = {
        STEP_REGISTRATION: _process_is(SenderIdProcess.REGISTRATION),
        STEP_SUPPORT_CASE: _process_is(SenderIdProcess.SUPPORT_CASE),
    }

    # --- formtools hooks --------------------------------------------------------------------------
    def get_template_names(self) -> list[str]:
        return [f"senderids/wizard/{self.steps.current.replace('-', '_')}.html"]

    def get_form_kwargs(self, step: str | None = None) -> dict[str, Any]:
        # Field groups and error lists written in Python (rendering.py: Django's markup).
        return {
            "error_class": QuickErrorList,
            "bound_field_class": QuickBoundField,
            **self._step_kwargs(step),
        }

    def _step_kwargs(self, step: str | None) -> dict[str, Any]:
        if step == STEP_COUNTRY:
            return {
                "country_lookup": self.lookup_country,
                "countries_lookup": self.lookup_countries,
                "process_of": self.process_choice_of,
                "placements": self.placement_options(),
                "placement_of": self.chosen_placement,
            }
        if step == STEP_SENDER:
            return {
                "countries": self.chosen_countries(),
                "owner": self.request.user,
                "duplicates_of": self.open_duplicates,
            }
        if step == STEP_REGISTRATION:
            return {"batch": self.is_batch()}
        return {}

    def get_form_initial(self, step: str) -> dict[str, Any]:
        if step == STEP_REGISTRATION and (country := self.chosen_country()) is not None:
            sender_id = self.stored_value(STEP_SENDER, "sender_id").upper()
            return {"registration_form_name": f"{sender_id} – {country.name}"[:100]}
        if step == STEP_SUPPORT_CASE:
            # Several countries: one case each, made from these answers (destination and Region per
            # country); the form shows the first one's Region and every destination.
            countries = [
                c
                for c in self.chosen_countries()
                if self.process_choice_of(c).process == SenderIdProcess.SUPPORT_CASE
            ]
            if not countries:
                return {}
            message_type = self.stored_value(STEP_USE_CASE, "message_type").lower()
            region = self.chosen_region(countries[0])
            return {
                "source_region": region,
                "region": region,
                "destination_countries": ", ".join(c.name for c in countries),
                "message_type": message_type if message_type in SupportMessageType.values else "",
            }
        return {}

    def get_form_step_data(self, form) -> dict[str, list[str]]:
        # Keep only this step's fields (no CSRF token or buttons in the session), trimmed: every
        # field strips surrounding whitespace anyway, and a valid value is then bounded in size.
        # Repeated values of a multiple choice mean nothing: each is kept once.
        prefix = f"{form.prefix}-"
        return {
            key: list(dict.fromkeys(value.strip() for value in values))
            for key, values in form.data.lists()
            if key.startswith(prefix)
        }

    def process_choice_of(self, country: Country) -> ProcessChoice:
        """The process `country` takes with the stored message type (what the request will store)."""
        return sender_id_process_for(
            country, message_type=self.chosen_message_type(), region=self.chosen_region(country)
        )

    def process_step(self, form) -> dict[str, list[str]]:
        self._forget_cached_state()
        return super().process_step(form)

    def render_next_step(self, form, **kwargs: Any) -> HttpResponse:
        """After an "Edit" from the review page, go back to the review (or what now needs fixing)."""
        if self.storage.extra_data.get(RETURN_KEY) and STEP_REVIEW in self.get_form_list():
            target = self.first_invalid_step(before=STEP_REVIEW)
            if target is None:
                return self._go_to(STEP_REVIEW)
            return self._go_to(
                target,
                _("After your change, the step “%(step)s” needs another look.")
                % {"step": STEP_LABELS[target]},
            )
        return super().render_next_step(form, **kwargs)

    def render(self, form=None, **kwargs: Any) -> HttpResponse:  # type: ignore[no-untyped-def]
        form = form or self.get_form()
        draw = super().render
        if not page_cache.cacheable(self.request):
            return draw(form, **kwargs)
        # A step's page as first shown comes from the read cache (wizard/page_cache.py).
        inputs = (self.steps.current, *self.page_inputs())
        return page_cache.page(self.request, inputs, lambda: draw(form, **kwargs))

    def render_done(self, form, **kwargs: Any) -> HttpResponse:
        # Straight from the POST of the last step: formtools' named-URL variant would redirect to a
        # "done" URL and create the request on a GET.
        return WizardView.render_done(self, form, **kwargs)

    def render_revalidation_failure(self, failed_step: str, form, **kwargs: Any) -> HttpResponse:
        messages.warning(
            self.request,
            _(
                "Something changed since you answered this step (for example the country's rules). "
                "Please check it again."
            ),
        )
        return super().render_revalidation_failure(failed_step, form, **kwargs)

    def done(self, form_list, form_dict=None, **kwargs: Any) -> HttpResponse:
        forms = form_dict or {}
        blocked = [plan for plan in self._plans() if plan.light == "block"]
        if blocked:
            # A check AWS or the country would refuse (a generic sender ID in Spain, a promotional
            # one where only transactional is allowed...): nothing is saved, the sender step says why.
            messages.error(
                self.request,
                _("Fix what is marked “Must be fixed” first: %(list)s")
                % {"list": "; ".join(f"{p.country.label}: {p.problems[0].message}" for p in blocked)},
            )
            return self._go_to(STEP_SENDER)
        if forms[STEP_COUNTRY].country is None:
            return self._done_batch(forms)
        country = forms[STEP_COUNTRY].country
        use_case = forms[STEP_USE_CASE].cleaned_data
        sender_id = forms[STEP_SENDER].cleaned_data["sender_id"]
        registration = forms[STEP_REGISTRATION].cleaned_data if STEP_REGISTRATION in forms else {}
        support_case = forms[STEP_SUPPORT_CASE].cleaned_data if STEP_SUPPORT_CASE in forms else {}
        placement = self.chosen_placement(country)
        try:
            created = sender_id_request_create_unique(
                owner=self.request.user,
                country=country,
                sender_id=sender_id,
                message_type=use_case["message_type"],
                sms=Capability.SMS in use_case["capabilities"],
                voice=Capability.VOICE in use_case["capabilities"],
                monthly_volume=use_case["monthly_volume"],
                company_hq=use_case["company_hq"],
                registration_form_name=registration.get("registration_form_name", ""),
                registration_choice=registration.get("registration_choice", ""),
                support_case_details=support_case,
                aws_account=placement.account if placement else None,
                aws_region=placement.region if placement else "",
            )
        except DuplicateSenderIdRequest as exc:
            messages.error(
                self.request,
                _("You already requested %(sender_id)s in %(country)s: here is that request.")
                % {"sender_id": sender_id, "country": country.label},
            )
            return redirect("senderids:detail", pk=exc.existing.pk)
        except (ValidationError, PermissionDenied) as exc:
            return self._placement_refused(exc)
        messages.success(
            self.request,
            _("Your request for the sender ID %(sender_id)s in %(country)s was received.")
            % {"sender_id": created.sender_id, "country": country.label},
        )
        process_url = registry.detail_url(created)
        if created.registration_choice == RegistrationChoice.COMPLETE_NOW and process_url:
            return redirect(process_url)
        return redirect("senderids:detail", pk=created.pk)

    def _placement_refused(self, exc: ValidationError | PermissionDenied) -> HttpResponse:
        """The account or Region changed under the wizard (disabled, taken from the team): the answers
        are kept; the country step says what to choose now."""
        detail = exc.messages[0] if isinstance(exc, ValidationError) else ""
        messages.error(
            self.request,
            detail
            or _("The AWS account or Region you chose is no longer available to your team: choose again."),
        )
        return self._go_to(STEP_COUNTRY)

    def _done_batch(self, forms: dict[str, Any]) -> HttpResponse:
        """Several countries: one batch, one request per country, all in one transaction or none."""
        use_case = forms[STEP_USE_CASE].cleaned_data
        per_country = forms[STEP_SENDER].per_country
        registration = forms[STEP_REGISTRATION].cleaned_data if STEP_REGISTRATION in forms else {}
        support_case = forms[STEP_SUPPORT_CASE].cleaned_data if STEP_SUPPORT_CASE in forms else {}
        children = []
        for country in forms[STEP_COUNTRY].countries:
            placement = self.chosen_placement(country)
            process = self.process_choice_of(country).process
            sender_id = per_country[country.iso_code]
            region = placement.region if placement else ""
            children.append(
                BatchChild(
                    country=country,
                    sender_id=sender_id,
                    aws_account=placement.account if placement else None,
                    aws_region=region,
                    registration_form_name=f"{sender_id} – {country.name}"[:100]
                    if process == SenderIdProcess.REGISTRATION
                    else "",
                    registration_choice=registration.get("registration_choice", "")
                    if process == SenderIdProcess.REGISTRATION
                    else "",
                    support_case_details=support_case_for(support_case, country=country, region=region)
                    if process == SenderIdProcess.SUPPORT_CASE
                    else {},
                )
            )
        try:
            batch = batch_create(
                owner=self.request.user,
                children=children,
                message_type=use_case["message_type"],
                sms=Capability.SMS in use_case["capabilities"],
                voice=Capability.VOICE in use_case["capabilities"],
                monthly_volume=use_case["monthly_volume"],
                company_hq=use_case["company_hq"],
            )
        except BatchDuplicates as exc:
            messages.error(
                self.request,
                _("Your team already has open requests for %(countries)s: change those sender IDs.")
                % {"countries": ", ".join(r.country.label for r in exc.duplicates.values())},
            )
            return self._go_to(STEP_SENDER)
        except (ValidationError, PermissionDenied) as exc:
            return self._placement_refused(exc)
        messages.success(
            self.request,
            _("Your requests for %(count)d countries were received.") % {"count": len(children)},
        )
        return redirect("senderids:batch", pk=batch.pk)

    # --- rendering --------------------------------------------------------------------------------
    def prefetch_reads(self, step: str) -> None:
        """What showing `step` reads (guards.py loads it all in one cache lookup): the conditions and
        the stepper validate every step; the country list, the plans."""
        form_list = self.get_form_list()
        for name in form_list:
            self.step_is_valid(name)
        if step not in form_list:
            return
        form = self.stored_form(step) or self.get_form(step=step)
        if step == STEP_COUNTRY:
            self._country_context(form)
        elif step == STEP_REVIEW:
            self._plans()
        elif step == STEP_SENDER and self.is_batch():
            self._sender_rows(form)

    def get_context_data(self, form, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        current = self.steps.current
        country = self.chosen_country()
        choice = self.chosen_process_choice()
        context.update(
            step_label=STEP_LABELS[current],
            stepper=self._stepper(),
            run_field=RUN_FIELD,
            run_id=self.run_id(),
            country_field=COUNTRY_FIELD,
            chosen_iso=self.chosen_key(),
            country=country,
            is_batch=self.is_batch(),
            chosen_countries=self.chosen_countries() if self.is_batch() else [],
            process_choice=choice,
            process_explanation=PROCESS_EXPLANATIONS.get(choice.process) if choice else "",
            is_last_step=self.steps.next is None,
            # Editing a step from the review: its button goes straight back there.
            returns_to_review=bool(self.storage.extra_data.get(RETURN_KEY))
            and self._comes_before_review(current),
        )
        if current == STEP_COUNTRY:
            context.update(self._country_context(form))
        elif current == STEP_SENDER:
            context.update(
                not_offered=NOT_OFFERED_ORIGINATORS,
                country_rules=_rules_text(country),
                sender_id_possible=form.sender_id_possible,
            )
            if self.is_batch():
                context["sender_rows"] = self._sender_rows(form)
        elif current in (STEP_REGISTRATION, STEP_SUPPORT_CASE):
            sender = self.stored_form(STEP_SENDER)
            context["sender_id"] = sender.cleaned_data["sender_id"] if sender and sender.is_valid() else ""
            if self.is_batch():
                process = (
                    SenderIdProcess.REGISTRATION
                    if current == STEP_REGISTRATION
                    else SenderIdProcess.SUPPORT_CASE
                )
                context["step_countries"] = [
                    c for c in self.chosen_countries() if self.process_choice_of(c).process == process
                ]
        elif current == STEP_REVIEW:
            self.storage.extra_data.pop(RETURN_KEY, None)
            context["sections"] = self._review_sections()
            context["plans"] = self._plans()
            context["blocked"] = any(plan.light == "block" for plan in context["plans"])
            if self.is_batch():
                context["batch_next_steps"] = [
                    STEP_LABELS[step] for step in self.get_form_list() if self._comes_after_review(step)
                ]
        return context

    def _plans(self, sender_ids: dict[str, str] | None = None) -> list[CountryPlan]:
        """Each chosen country's plan (the checks of the stored sender step unless `sender_ids`)."""
        if sender_ids is None:
            sender = self.stored_form(STEP_SENDER)
            sender_ids = sender.per_country if sender is not None and sender.is_valid() else {}
        countries = self.chosen_countries()
        message_type = self.chosen_message_type()
        today = timezone.localdate()
        # The checks' sentences are translated and dated; the placements and brand names are the
        # user's team's (its accounts and Region routes, its company profile).
        answers = reads.digest(
            [c.iso_code for c in countries],
            sorted(sender_ids.items()),
            message_type,
            self.stored_value(STEP_COUNTRY, "placement"),
        )
        return self.reads.get(
            f"plans:{self.reads.uid}:{translation.get_language()}:{today.isoformat()}:{answers}",
            lambda: country_plans(
                countries,
                sender_ids=sender_ids,
                message_type=message_type,
                placement_of=self.chosen_placement,
                process_of=self.process_choice_of,
                brand_names=self.brand_names(),
                today=today,
            ),
            reads.PLANS,
        )

    def _sender_rows(self, form) -> list[dict[str, Any]]:
        """The sender step's table: per country its rules, the variant field, and (once a sender ID
        was checked) the checks of what will be asked there."""
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        plans = {p.country.iso_code: p for p in self._plans(form.per_country if data else {})}
        return [
            {
                "country": c,
                "rules": _rules_text(c),
                "field": form.variant_field(c),
                "plan": plans.get(c.iso_code),
            }
            for c in form.countries
        ]

    def _countries_taking(self, process: str) -> list[Country]:
        return [c for c in self.chosen_countries() if self.process_choice_of(c).process == process]

    def _comes_after_review(self, step: str) -> bool:
        steps = list(self.get_form_list())
        return step in steps and steps.index(step) > steps.index(STEP_REVIEW)

    def _stepper(self) -> list[dict[str, Any]]:
        items, reachable = [], True
        for step in self.get_form_list():
            done = self.step_is_valid(step)
            current = step == self.steps.current
            items.append(
                {
                    "name": step,
                    "label": STEP_LABELS[step],
                    "current": current,
                    "done": done,
                    "url": self.get_step_url(step) if done and reachable and not current else "",
                }
            )
            reachable = reachable and done
        return items

    def _country_context(self, form) -> dict[str, Any]:
        # The country step comes before the message type: each country shows the process of a request
        # whose message type is not chosen yet, and the reason says what would change it.
        query = self.request.GET.get("q", "")[:COUNTRY_SEARCH_MAX_CHARS].strip()
        value = form["country"].value() or []
        picked = [str(v).strip().upper() for v in (value if isinstance(value, list) else [value])]
        picked = [iso for iso in dict.fromkeys(picked) if ISO_CODE_RE.fullmatch(iso)]
        found = self.lookup_countries(picked)
        chosen = [found[iso] for iso in picked if iso in found]
        # Each country in the Region the routing table sends it to (India: ap-south-1 when enabled).
        chosen = with_process_choices(
            chosen, regions={c.iso_code: p.region for c in chosen if (p := self.routed_placement_of(c))}
        )
        # One country: the select shows it and the details panel explains it (the console's run).
        # Several: each is a chip with its own remove button, and the select adds another one.
        as_chips = len(chosen) > 1 or bool(self.storage.extra_data.get(CHIPS_KEY))
        selected = chosen[0] if len(chosen) == 1 and not as_chips else None
        has_countries, country_options = self._country_options_cached(
            query, [c.iso_code for c in chosen], selected_iso=selected.iso_code if selected else ""
        )
        selected_placement = self.chosen_placement(selected) if selected is not None else None
        selected_choice = (
            sender_id_process_for(selected, region=selected_placement.region if selected_placement else None)
            if selected is not None
            else None
        )
        selected_explanation = PROCESS_EXPLANATIONS.get(selected_choice.process) if selected_choice else ""
        team_isos = [iso for iso in self.team_country_isos() if iso not in found]
        return {
            "has_countries": has_countries,
            "country_options": country_options,
            "q": query,
            "selected_iso": selected.iso_code if selected else "",
            "selected_country": selected,
            "chips": chosen if as_chips else [],
            "selected_choice": selected_choice,
            "selected_placement": selected_placement,
            "placements": self.placement_options(),
            "selected_explanation": selected_explanation,
            "selected_rules": _rules_text(selected),
            "process_texts": {
                process: {"label": str(label), "text": str(PROCESS_EXPLANATIONS[process])}
                for process, label in SenderIdProcess.choices
            },
            "preview_field": PREVIEW_FIELD,
            "add_field": ADD_COUNTRY_FIELD,
            "remove_field": REMOVE_COUNTRY_FIELD,
            "team_field": TEAM_COUNTRIES_FIELD,
            "team_isos": team_isos,
            "max_countries": WIZARD_MAX_COUNTRIES,
        }

    def _country_options_cached(
        self, query: str, chosen_isos: list[str], *, selected_iso: str
    ) -> tuple[bool, str]:
        """(whether any country is listed, the list's <option>s): the whole catalogue, each country
        with its process in the Region it is routed to, costs more than the rest of the page. Cached
        for what it follows from: the search, the chosen countries (listed first when the search
        leaves them out), the selected one, the language and the team's first account (its Regions
        and the routing table are the smsvoice app's rows)."""
        options = self.placement_options()
        account = options[0].account.pk if options else ""

        def compute() -> tuple[bool, str]:
            # The list needs neither the research notes nor the rules: a couple of hundred JSON
            # documents not read.
            countries = list(country_list(query=query).defer("notes", "sender_id_rules"))
            listed = {c.iso_code for c in countries}
            missing = [iso for iso in chosen_isos if iso not in listed]
            found = self.lookup_countries(missing)
            countries[:0] = [found[iso] for iso in missing if iso in found]
            regions = {c.iso_code: p.region for c in countries if (p := self.routed_placement_of(c))}
            countries = with_process_choices(countries, regions=regions)
            return bool(countries), str(_country_options(countries, selected_iso=selected_iso))

        key = reads.digest(query, chosen_isos, selected_iso)
        has_countries, html = self.reads.get(
            f"country-options:{translation.get_language()}:{account}:{key}", compute, reads.COUNTRY_OPTIONS
        )
        return has_countries, mark_safe(html)  # noqa: S308 (built by _country_options, every value escaped)

    def _review_sections(self) -> list[dict[str, Any]]:
        sections = []
        for step in self.get_form_list():
            form = self.stored_form(step)
            if step == STEP_REVIEW or form is None or not form.is_valid():
                continue
            edit_url = self.get_step_url(step)
            if self._comes_before_review(step):
                edit_url += f"?{EDIT_PARAM}=1"
            notes = form.summary_notes() if hasattr(form, "summary_notes") else []
            sections.append(
                {
                    "step": step,
                    "label": STEP_LABELS[step],
                    "rows": form.summary(),
                    "notes": notes,
                    "edit_url": edit_url,
                }
            )
        return sections


def _country_options(countries: list[Country], *, selected_iso: str) -> str:
    """The country list's <option>s (a couple of hundred, each with the data the page's script shows),
    built in one pass: through the template engine, or format_html per option, they cost more than
    the rest of the page. Every value is escaped as the template's autoescape does (html.escape, as
    django.utils.html.escape)."""
    process_labels = {value: escape(str(label)) for value, label in SenderIdProcess.choices}
    options = []
    for c in countries:
        choice = c.process_choice
        label, iso = escape(str(c.label)), escape(c.iso_code)
        registration_type = c.registration_type if choice.process == SenderIdProcess.REGISTRATION else ""
        notes = f"{choice.reason} {c.user_note}" if choice.reason else str(c.user_note)
        options.append(
            f'<option value="{iso}" data-name="{label}" data-process="{escape(str(choice.process))}"'
            f' data-registration-type="{escape(registration_type)}"'
            f' data-est="{escape(str(c.registration_time))}" data-region="{escape(str(c.region))}"'
            f' data-notes="{escape(notes)}"{" selected" if c.iso_code == selected_iso else ""}>'
            f"{label} ({iso}) — {process_labels.get(choice.process) or escape(str(choice.process))}</option>"
        )
    return mark_safe("\n".join(options))  # noqa: S308 (every value above is escaped)


def _rules_text(country: Country | None) -> list[str]:
    return describe_rules(country.sender_id_rules) if country is not None else []


request_wizard = SenderIdRequestWizard.as_view(url_name="senderids:request_step", done_step_name="done")
