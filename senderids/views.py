"""The business user's pages: home (my requests), the request wizard, and a request's detail.

The wizard is a django-formtools NamedUrlSessionWizardView (one URL per step, PRG). On top of
formtools it guards against the known pitfalls (see DESIGN.md):

* conditions read the chosen country straight from storage (one cached lookup per request),
  never through get_cleaned_data_for_step;
* "Previous" keeps what was typed on the step being left (formtools #284);
* every POST is checked before formtools sees it: an expired or finished wizard, a tampered
  management form, a step posted out of order or a page from another tab (a run id and the
  country the page was drawn for travel as hidden fields) restart or redirect with a message,
  never a 500;
* the request is created only by the POST of the last step (never by a GET of a "done" URL),
  after formtools revalidated every step, in one transaction that also refuses duplicates.
"""

from __future__ import annotations

import secrets
import time
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlSessionWizardView, WizardView

from countries.models import Country, SenderIdProcess
from countries.selectors import country_get, country_list

from . import selectors, services
from .forms import (
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
    Capability,
    ReleaseConfirmForm,
    SupportMessageType,
    support_case_rows,
)
from .models import WORKING_STATUSES, MessageType, RegistrationChoice, Status

# Hidden fields every wizard page posts besides formtools' management form.
RUN_FIELD = "wizard_run"
COUNTRY_FIELD = "wizard_country"
PREVIEW_FIELD = "wizard_preview"
RESET_FIELD = "wizard_reset"
EDIT_PARAM = "edit"
# Keys in the wizard storage's extra_data.
RUN_KEY = "wizard_run_id"
TOUCHED_KEY = "wizard_touched_at"
RETURN_KEY = "wizard_return_to_review"
# The wizard keeps raw answers in the session: forget them after this long without activity.
WIZARD_IDLE_SECONDS = settings.SENDERIDS_WIZARD_IDLE_SECONDS
# What "Previous" may keep of a step that did not validate (formtools #284) — bounded.
KEPT_VALUE_MAX_CHARS = 2000
KEPT_VALUES_PER_FIELD = 4
COUNTRY_SEARCH_MAX_CHARS = 100


def _now() -> float:
    return time.time()


def registration_url(request_id: int) -> str:
    return reverse("registrations:detail", args=[request_id])


def _process_is(process: str):
    def condition(wizard: SenderIdRequestWizard) -> bool:
        return wizard.chosen_process() == process

    condition.__name__ = f"process_is_{process}"
    return condition


class SenderIdRequestWizard(LoginRequiredMixin, NamedUrlSessionWizardView):
    form_list = list(FORM_LIST)
    condition_dict = {
        STEP_REGISTRATION: _process_is(SenderIdProcess.REGISTRATION),
        STEP_SUPPORT_CASE: _process_is(SenderIdProcess.SUPPORT_CASE),
    }

    # --- reading the wizard's state -------------------------------------------------------------
    def lookup_country(self, iso: str) -> Country | None:
        """Country by ISO code, looked up at most once per request."""
        cache = self.__dict__.setdefault("_country_cache", {})
        if iso not in cache:
            cache[iso] = country_get(iso_code=iso)
        return cache[iso]

    def stored_value(self, step: str, field: str) -> str:
        data = self.storage.get_step_data(step)
        value = data.get(f"{step}-{field}") if data is not None else None
        return value.strip() if isinstance(value, str) else ""

    def chosen_iso(self) -> str:
        iso = self.stored_value(STEP_COUNTRY, "country").upper()
        return iso if ISO_CODE_RE.fullmatch(iso) else ""

    def chosen_country(self) -> Country | None:
        iso = self.chosen_iso()
        return self.lookup_country(iso) if iso else None

    def chosen_process(self) -> str | None:
        # Read straight from storage, never via get_cleaned_data_for_step (formtools #54/#134/#264).
        country = self.chosen_country()
        return country.sender_id_process if country else None

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
        self.storage.extra_data[TOUCHED_KEY] = _now()

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
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.run_id():
            self._start_run()
        elif self._expired():
            return self._restart(_("Your sender ID request had expired, so it was started again."))
        self._sanitise_current_step()
        self._touch()
        step = kwargs.get("step")
        form_list = self.get_form_list()
        if step is None or step == self.done_step_name:
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
        if posted_step != STEP_COUNTRY and request.POST.get(COUNTRY_FIELD, "") != self.chosen_iso():
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
        if posted_step == STEP_COUNTRY and PREVIEW_FIELD in request.POST:
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
        """'Show sender ID support' without JavaScript: keep the choice, show the country step again."""
        form = self.get_form(step=STEP_COUNTRY, data=self.request.POST)
        self.storage.current_step = STEP_COUNTRY
        if not form.is_valid():
            return self.render(form)
        self.storage.set_step_data(STEP_COUNTRY, self.process_step(form))
        self._forget_cached_state(conditions=True)
        return redirect(self.get_step_url(STEP_COUNTRY))

    # --- formtools hooks --------------------------------------------------------------------------
    def get_template_names(self) -> list[str]:
        return [f"senderids/wizard/{self.steps.current.replace('-', '_')}.html"]

    def get_form_kwargs(self, step: str | None = None) -> dict[str, Any]:
        if step == STEP_COUNTRY:
            return {"country_lookup": self.lookup_country}
        if step == STEP_SENDER:
            return {"country": self.chosen_country(), "owner": self.request.user}
        return {}

    def get_form_initial(self, step: str) -> dict[str, Any]:
        country = self.chosen_country()
        if country is None:
            return {}
        if step == STEP_REGISTRATION:
            sender_id = self.stored_value(STEP_SENDER, "sender_id").upper()
            return {"registration_form_name": f"{sender_id} – {country.name}"[:100]}
        if step == STEP_SUPPORT_CASE:
            message_type = self.stored_value(STEP_USE_CASE, "message_type").lower()
            return {
                "destination_countries": country.name,
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
        country = forms[STEP_COUNTRY].country
        use_case = forms[STEP_USE_CASE].cleaned_data
        sender_id = forms[STEP_SENDER].cleaned_data["sender_id"]
        registration = forms[STEP_REGISTRATION].cleaned_data if STEP_REGISTRATION in forms else {}
        support_case = forms[STEP_SUPPORT_CASE].cleaned_data if STEP_SUPPORT_CASE in forms else {}
        try:
            created = services.sender_id_request_create_unique(
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
            )
        except services.DuplicateSenderIdRequest as exc:
            messages.error(
                self.request,
                _("You already requested %(sender_id)s in %(country)s: here is that request.")
                % {"sender_id": sender_id, "country": country.name},
            )
            return redirect("senderids:detail", pk=exc.existing.pk)
        messages.success(
            self.request,
            _("Your request for the sender ID %(sender_id)s in %(country)s was received.")
            % {"sender_id": created.sender_id, "country": country.name},
        )
        if created.registration_choice == RegistrationChoice.COMPLETE_NOW:
            return redirect(registration_url(created.pk))
        return redirect("senderids:detail", pk=created.pk)

    # --- rendering --------------------------------------------------------------------------------
    def get_context_data(self, form, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        current = self.steps.current
        country = self.chosen_country()
        context.update(
            step_label=STEP_LABELS[current],
            stepper=self._stepper(),
            run_field=RUN_FIELD,
            run_id=self.run_id(),
            country_field=COUNTRY_FIELD,
            chosen_iso=self.chosen_iso(),
            country=country,
            process_explanation=PROCESS_EXPLANATIONS.get(country.sender_id_process) if country else "",
            is_last_step=self.steps.next is None,
        )
        if current == STEP_COUNTRY:
            context.update(self._country_context(form))
        elif current == STEP_SENDER:
            context.update(
                not_offered=NOT_OFFERED_ORIGINATORS,
                country_rules=_describe_rules(country),
                sender_id_possible=form.sender_id_possible,
            )
        elif current in (STEP_REGISTRATION, STEP_SUPPORT_CASE):
            sender = self.stored_form(STEP_SENDER)
            context["sender_id"] = sender.cleaned_data["sender_id"] if sender and sender.is_valid() else ""
        elif current == STEP_REVIEW:
            self.storage.extra_data.pop(RETURN_KEY, None)
            context["sections"] = self._review_sections()
        return context

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
        query = self.request.GET.get("q", "")[:COUNTRY_SEARCH_MAX_CHARS].strip()
        countries = list(country_list(query=query))
        selected_iso = str(form["country"].value() or "").strip().upper()
        selected = self.lookup_country(selected_iso) if ISO_CODE_RE.fullmatch(selected_iso) else None
        if selected is not None and all(c.iso_code != selected.iso_code for c in countries):
            countries.insert(0, selected)
        return {
            "countries": countries,
            "q": query,
            "selected_iso": selected_iso,
            "selected_country": selected,
            "selected_explanation": PROCESS_EXPLANATIONS.get(selected.sender_id_process) if selected else "",
            "selected_rules": _describe_rules(selected),
            "process_texts": {
                process: {"label": str(label), "text": str(PROCESS_EXPLANATIONS[process])}
                for process, label in SenderIdProcess.choices
            },
            "preview_field": PREVIEW_FIELD,
        }

    def _review_sections(self) -> list[dict[str, Any]]:
        sections = []
        for step in self.get_form_list():
            form = self.stored_form(step)
            if step == STEP_REVIEW or form is None or not form.is_valid():
                continue
            edit_url = self.get_step_url(step)
            if self._comes_before_review(step):
                edit_url += f"?{EDIT_PARAM}=1"
            sections.append(
                {"step": step, "label": STEP_LABELS[step], "rows": form.summary(), "edit_url": edit_url}
            )
        return sections


def _describe_rules(country: Country | None) -> list[str]:
    if country is None:
        return []
    from countries import rules

    describe = getattr(rules, "describe_rules", None)
    if describe is not None:
        return describe(country.sender_id_rules)
    note = (country.sender_id_rules or {}).get("note")
    return [str(note)] if note else []


request_wizard = SenderIdRequestWizard.as_view(url_name="senderids:request_step", done_step_name="done")


def _label(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, value))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    page = selectors.sender_id_request_page_for_owner(owner=request.user, page=request.GET.get("page"))
    reminders = [
        {"request": r, "url": registration_url(r.pk)}
        for r in selectors.sender_id_requests_registering_later(owner=request.user)
    ]
    context = {"page": page, "requests": page.object_list, "reminders": reminders}
    return render(request, "senderids/home.html", context)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request and its whole status timeline: its owner and staff only (404 for anyone else)."""
    req = selectors.sender_id_request_get_for_viewer(user=request.user, pk=pk)
    if req is None:
        raise Http404
    is_owner = req.owner_id == request.user.pk
    events = list(req.events.all())
    for event in events:
        event.from_label = _label(Status.choices, event.from_status)
    capabilities = [label for value, label in Capability.choices if getattr(req, value.lower())]
    context = {
        "req": req,
        "events": events,
        "is_owner": is_owner,
        "registration_url": registration_url(pk) if req.process == SenderIdProcess.REGISTRATION else None,
        "release_url": reverse("senderids:release", args=[pk])
        if is_owner and req.status == Status.ACTIVE
        else None,
        "support_case_rows": support_case_rows(req.support_case_details or {}),
        "capabilities": ", ".join(str(label) for label in capabilities),
        "process_label": _label(SenderIdProcess.choices, req.process),
        "working": req.status in WORKING_STATUSES,
    }
    return render(request, "senderids/detail.html", context)


# --- "My sender IDs" and release -----------------------------------------------------------------
# The release flow: GET shows what releasing means (billing) and the confirmation box; the word is
# checked on the server whatever the browser does. Without JavaScript, "Check" posts the word and the
# page comes back with "Release" enabled when it matches; static/js/release.js enables it live.
RELEASE_CHECK_ACTION = "check"


def next_month_start(today: date) -> date:
    """The first day of the calendar month after `today`: when lease charges of a release stop."""
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def _registration_label(req: Any) -> str:
    if req.process == SenderIdProcess.REGISTRATION:
        return req.registration_aws_status or _("Not started")
    if req.process == SenderIdProcess.SUPPORT_CASE:
        return _("Through an AWS support case")
    return _("Not required")


@login_required
def my_sender_ids(request: HttpRequest) -> HttpResponse:
    """The owner's active sender IDs per country: message types, registration, protection, fee."""
    rows = selectors.sender_ids_held_by_owner(owner=request.user)
    for row in rows:
        row.registration_label = _registration_label(row)
        row.message_type_labels = [_label(MessageType.choices, value) for value in row.message_types]
    groups = [
        {"country": items[0].country, "sender_ids": items}
        for items in (list(group) for _iso, group in groupby(rows, key=lambda r: r.country_id))
    ]
    context = {"groups": groups, "count": len(rows), "charges_stop": next_month_start(timezone.localdate())}
    return render(request, "senderids/my_sender_ids.html", context)


def _owned_or_404(request: HttpRequest, pk: int) -> Any:
    req = selectors.sender_id_request_get_for_owner(owner=request.user, pk=pk)
    if req is None:
        raise Http404
    return req


def _not_active_message(req: Any) -> str:
    if req.status == Status.RELEASING:
        return _("%(sender_id)s is already being released.") % {"sender_id": req.sender_id}
    if req.status == Status.RELEASED:
        return _("%(sender_id)s was already released.") % {"sender_id": req.sender_id}
    return _("Only an active sender ID can be released; %(sender_id)s is “%(status)s”.") % {
        "sender_id": req.sender_id,
        "status": req.get_status_display(),
    }


@login_required
def release_sender_id(request: HttpRequest, pk: int) -> HttpResponse:
    """Release an active sender ID: its owner only (anyone else: 404), after typing "release"."""
    req = _owned_or_404(request, pk)
    if req.status != Status.ACTIVE:
        if request.method == "POST":
            # A double submit lands here: the first POST already started the release.
            messages.info(request, _not_active_message(req))
            return redirect("senderids:detail", pk=req.pk)
        return _render_release(request, req, form=None, not_active=_not_active_message(req))
    if req.deletion_protection:
        if request.method == "POST":
            messages.warning(request, _("Turn off deletion protection first."))
            return redirect("senderids:release", pk=req.pk)
        return _render_release(request, req, form=None)
    form = ReleaseConfirmForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return _render_release(request, req, form=form)
    if request.POST.get("action") == RELEASE_CHECK_ACTION:
        return _render_release(request, req, form=form, confirmed=True)
    try:
        services.sender_id_request_release(request=req, actor=request.user)
    except services.DeletionProtectionOn:
        messages.warning(request, _("Turn off deletion protection first."))
        return redirect("senderids:release", pk=req.pk)
    except services.IllegalTransition:
        req.refresh_from_db()
        messages.info(request, _not_active_message(req))
        return redirect("senderids:detail", pk=req.pk)
    messages.success(
        request,
        _(
            "%(sender_id)s is being released. Lease charges stop from %(date)s. This page shows when "
            "AWS has released it."
        )
        % {"sender_id": req.sender_id, "date": date_format(next_month_start(timezone.localdate()))},
    )
    return redirect("senderids:detail", pk=req.pk)


def _render_release(
    request: HttpRequest, req: Any, *, form: Any, confirmed: bool = False, not_active: str = ""
) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "req": req,
        "form": form,
        "confirmed": confirmed,
        "not_active": not_active,
        "check_action": RELEASE_CHECK_ACTION,
        "confirmation_word": services.RELEASE_CONFIRMATION_WORD,
        "today": today,
        "charges_stop": next_month_start(today),
    }
    return render(request, "senderids/release.html", context)


@login_required
def release_deletion_protection(request: HttpRequest, pk: int) -> HttpResponse:
    """The separate, confirmed step before releasing a protected sender ID: UpdateSenderId(off)."""
    from smsvoice.gateway import PermanentAwsError, RetryableAwsError

    req = _owned_or_404(request, pk)
    if req.status != Status.ACTIVE or not req.deletion_protection:
        return redirect("senderids:release", pk=req.pk)
    if request.method == "POST" and request.POST.get("confirm") == "off":
        try:
            services.sender_id_deletion_protection_disable(request=req, actor=request.user)
        except RetryableAwsError:
            messages.error(
                request, _("AWS is busy right now and nothing was changed. Please try again shortly.")
            )
        except PermanentAwsError as exc:
            messages.error(
                request, _("AWS did not turn off deletion protection: %(message)s") % {"message": exc.message}
            )
        except services.IllegalTransition:
            messages.info(request, _not_active_message(req))
        else:
            messages.success(
                request,
                _("Deletion protection is off for %(sender_id)s. You can release it now.")
                % {"sender_id": req.sender_id},
            )
        return redirect("senderids:release", pk=req.pk)
    return render(request, "senderids/release_protection.html", {"req": req})
