"""The registration page (`/registrations/<request id>/`): the API-defined form, its status and AWS's
reasons. A support-case request's old address here redirects to its support-case page.

Owner or staff may look; only the owner edits; anyone else gets 404, anonymous users the login page.
A GET reads only: the Registration row was made with the request, the form definition comes from the
cache (when it is not there yet the page says so and refreshes itself while a worker fetches it).

The team's company profile (profiles app) serves the form: fields with no stored value are pre-filled
from it (profiles.mapping), an ATTACHMENT field may take one of its current documents instead of an
upload (stored as the registration's own copy, like an upload), and a team admin may save the answers
back to it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from countries.checks import sample_checks
from countries.models import SenderIdProcess
from countries.selectors import rules_by_country
from profiles import mapping as profile_mapping
from profiles import selectors as profile_selectors
from profiles import services as profile_services
from profiles.models import Document
from senderids import registry
from senderids.choices import Status
from senderids.live import live_context
from senderids.models import SenderIdRequest
from senderids.permissions import is_team_member
from senderids.selectors import sender_id_request_for_viewer
from senderids.status_texts import headline, what_next
from teams.selectors import is_team_admin

from . import field_texts, selectors
from .definitions import ATTACHMENT, FormDefinition, cached_definition
from .forms import SUBMIT, RegistrationForm
from .inputs import FieldInput
from .lifecycle import SYNCABLE_STATUSES, UNDER_REVIEW_STATUSES, Aws
from .models import Registration
from .selectors import Progress
from .services import draft, withdrawal

# The Submit button's companion checkbox: ask AWS to pre-review the version (AwsReview).
AWS_REVIEW_FIELD = "aws_review"
# How often the "form is being fetched" page reloads itself (seconds); also its Retry-After.
DEFINITION_PENDING_REFRESH_SECONDS = 5
# How often the page asks the JSON status while it waits on AWS (registration_waiting.js).
WAITING_POLL_SECONDS = 10
# Posted beside an ATTACHMENT field ("vault:<FieldPath>"): the company-profile document to use instead of
# an upload. Not a field of AWS's form: taken out of the data before the form sees it.
VAULT_PREFIX = "vault:"
# The team admin's "Save these answers to the company profile" checkbox (also taken out of the data).
SAVE_TO_PROFILE_FIELD = "save_to_profile"


def _request_or_404(request: HttpRequest, pk: int) -> SenderIdRequest:
    req = sender_id_request_for_viewer(user=request.user, pk=pk)
    if req is None:
        raise Http404
    return req


@login_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    if req.process == SenderIdProcess.SUPPORT_CASE:
        # The support case's page moved to /support-cases/<id>/: old links still work.
        url = registry.detail_url(req)
        if url is None:
            raise Http404
        return redirect(url)
    registration = selectors.registration_for_request(request=req)
    if registration is None:
        raise Http404  # not a registration, or its country has no API registration type
    definition = cached_definition(registration.registration_type)
    if definition is None:
        return _definition_pending(request, req, registration)
    is_owner = is_team_member(request.user, req)
    # The owner pressed Submit after AWS's denial and the new version is on its way (the request keeps
    # its status until the worker has submitted it): not a form to edit any more.
    submit_pending = _submit_pending(req, registration)
    editable = is_owner and draft.registration_is_editable(registration) and not submit_pending
    values = selectors.field_values(registration=registration)
    stored_names = selectors.attachment_names(values)
    form_kwargs: dict[str, Any] = {
        "locked": draft.locked_values(request=req, definition=definition),
        "definition": definition,
        "attachments": stored_names,
        "readonly": not editable,
    }
    prefilled: set[str] = set()
    selected: dict[str, str] = {}
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        data = request.POST.copy()
        save_to_profile = bool(data.pop(SAVE_TO_PROFILE_FIELD, None))
        chosen, refused, selected = _vault_picks(data, request, req, definition)
        # A chosen document counts as the field's file for the form's checks (a required field is answered).
        form_kwargs["attachments"] = {**stored_names, **{p: d.file_name for p, d in chosen.items()}}
        form = RegistrationForm(data, request.FILES, **form_kwargs)
        valid = form.is_valid()
        for path, message in refused.items():
            form.add_error(path, message)
        if editable and valid and not refused:
            submit = form.action == SUBMIT
            try:
                draft.registration_save(
                    registration=registration,
                    definition=definition,
                    inputs=_with_documents(form.field_inputs(), chosen),
                    submit=submit,
                    actor=request.user,
                    aws_review=request.POST.get(AWS_REVIEW_FIELD) == "on",
                )
            except draft.RegistrationLocked:
                messages.error(request, _("The registration can no longer be changed in its current status."))
                return redirect("registrations:detail", pk=req.pk)
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    form.add_error(None, errors)
            else:
                messages.success(request, _submit_message(req) if submit else _("Draft saved."))
                if save_to_profile and is_team_admin(request.user, req.team_id):
                    _save_to_profile(request, req, form.cleaned_data)
                return redirect("registrations:detail", pk=req.pk)
        elif not editable:
            if not (submit_pending and form.action == SUBMIT):  # a second Submit: it is on its way
                messages.error(request, _("The registration can no longer be changed in its current status."))
            return redirect("registrations:detail", pk=req.pk)
        for path in chosen:
            # Not stored yet: the page must not call the chosen document the field's current file.
            form.fields[path].current_attachment = stored_names.get(path, "")
    else:
        prefill: dict[str, str] = {}
        if editable:
            prefill = selectors.profile_prefill(
                values=values,
                definition=definition,
                profile_values=profile_mapping.prefill_values(
                    profile_selectors.profile_for_team(req.team), definition.field_paths
                ),
                locked=form_kwargs["locked"],
            )
            prefilled = set(prefill)
        form = RegistrationForm(initial=selectors.form_initial(values, definition, prefill), **form_kwargs)
    registration.refresh_from_db()
    submit_pending = _submit_pending(req, registration)
    progress = selectors.registration_progress(registration=registration, request=req)
    staff_viewer = request.user.is_staff and not is_owner
    if submit_pending:
        progress = _progress_submitted(progress)
    vault_options = _vault_options(req, definition) if editable else {}
    sections = form.sections(values)
    field_checks = _sample_checks(req, values, form)
    for _section, rows in sections:
        for row in rows:
            path = row["definition"].field_path
            row["checks"] = field_checks.get(path, [])
            row["prefilled"] = path in prefilled
            row["vault"] = vault_options.get(path, [])
            row["vault_selected"] = selected.get(path, "")
    return render(
        request,
        "registrations/detail.html",
        {
            "req": req,
            "registration": registration,
            "definition": definition,
            "form": form,
            "sections": sections,
            "values": values,
            "editable": editable,
            "is_owner": is_owner,
            # The status area updates itself (AWS's review moves); the form below is never swapped.
            **live_context(req, req.events.count()),
            "progress": progress,
            "waiting_poll_seconds": WAITING_POLL_SECONDS,
            "submit_pending": submit_pending,
            # What the page says while the new version is on its way: what it says once AWS has it.
            "submitted_texts": {
                "headline": headline(Status.REGISTRATION_SUBMITTED),
                "next": what_next(Status.REGISTRATION_SUBMITTED, staff=staff_viewer),
            }
            if submit_pending
            else None,
            # AWS's reasons (a denial, or its pre-review's feedback on a draft) concern the version the owner
            # is answering: shown while they have to, not once the next version is on its way.
            "show_denials": req.status in ANSWERING_AWS and not submit_pending,
            "denied_version": selectors.latest_denied_version(registration=registration),
            "conditional_rules": definition.conditional_rules() if editable else {},
            "missing": _missing_fields(form, registration, definition) if editable else [],
            "definition_title": field_texts.registration_title(definition),
            "definition_help": field_texts.registration_help(definition),
            "aws_review_field": AWS_REVIEW_FIELD,
            "can_discard": is_owner
            and req.status in UNDER_REVIEW_STATUSES
            and registration.discard_requested_at is None,
            "action_required": selectors.latest_event(request=req, kind="registration_action_required")
            if req.status == Status.ACTION_REQUIRED
            else None,
            "prefilled": prefilled,
            "vault_prefix": VAULT_PREFIX,
            "save_to_profile_field": SAVE_TO_PROFILE_FIELD,
            "can_save_to_profile": editable and is_team_admin(request.user, req.team_id),
        },
    )


ANSWERING_AWS = frozenset({Status.REQUIRES_UPDATES, Status.REGISTRATION_DRAFT})


def _submit_pending(req: SenderIdRequest, registration: Registration) -> bool:
    """The owner pressed Submit on a registration that exists at AWS (a new version after a denial, or
    the draft AWS holds) and the request does not show it yet: the `sync_registration` worker has not
    submitted it, or has and not yet moved the request (two steps). An AWS refusal while pushing or
    submitting clears the intent: the form opens again with AWS's reason."""
    if req.status not in SYNCABLE_STATUSES or not registration.aws_registration_id:
        return False
    submitted = (
        registration.submitted_version_number is not None
        and registration.submitted_version_number == registration.current_version_number
        and registration.aws_status in Aws.IN_FLIGHT
    )
    return registration.submit_requested or submitted


def _progress_submitted(progress: Progress) -> Progress:
    """The progress of a registration whose Submit is on its way to AWS: past the draft, waiting on AWS."""
    steps = [{**step, "done": i < 1, "current": i == 1} for i, step in enumerate(progress.steps)]
    return replace(progress, steps=steps, waiting_on_aws=True, percent=round(100 / (len(steps) - 1)))


def _missing_fields(
    form: RegistrationForm, registration: Registration, definition: FormDefinition
) -> list[str]:
    """Required fields still empty: after a failed save or submit, those of what was just submitted (the
    page shows those answers, not the stored ones); else those of the stored values."""
    if form.is_bound:
        return form.missing_required()
    return draft.registration_missing_fields(registration=registration, definition=definition)


# The message samples' FieldPaths (messageSamples.messageSample1, 2, ...): what sample_checks reads.
SAMPLE_PREFIX = "messageSamples."


def _sample_checks(req: SenderIdRequest, values: dict[str, Any], form: RegistrationForm) -> dict[str, list]:
    """{FieldPath: the checks on that message sample} (Turkey: URLs masked...), from what was just
    posted or else what is stored: the same engine as the wizard's review."""
    samples: dict[str, str] = {}
    for path, fv in values.items():
        if path.startswith(SAMPLE_PREFIX) and fv.text_value:
            samples[path] = fv.text_value
    if form.is_bound:
        samples.update(
            {k: v for k, v in form.data.items() if k.startswith(SAMPLE_PREFIX) and isinstance(v, str) and v}
        )
    if not samples:
        return {}
    rules = rules_by_country([req.country_id]).get(req.country_id, [])
    found: dict[str, list] = {}
    for check in sample_checks(req.country, samples, rules=rules, message_type=req.message_type):
        if check.field and check.level != "ok":
            found.setdefault(check.field, []).append(check)
    return found


# --- the company profile's part of the form ------------------------------------------------------
def _vault_kinds(definition: FormDefinition) -> dict[str, str]:
    """{ATTACHMENT FieldPath: document kind} of the fields a company-profile document can answer."""
    kinds = {}
    for field_def in definition.fields:
        kind = profile_mapping.document_kind_for(field_def.field_path)
        if field_def.field_type == ATTACHMENT and kind:
            kinds[field_def.field_path] = kind
    return kinds


def _vault_options(req: SenderIdRequest, definition: FormDefinition) -> dict[str, list[dict[str, Any]]]:
    """{FieldPath: [{"pk", "label"}]}: the team's current documents of each field's kind for the country."""
    kinds = _vault_kinds(definition)
    if not kinds:
        return {}
    documents = list(profile_selectors.usable_documents(team=req.team, country_iso=req.country_id))
    return {
        path: [
            {
                "pk": str(d.pk),
                "label": f"{d.title} ({d.file_name}) — {profile_selectors.document_expiry(d).text}",
            }
            for d in documents
            if d.kind == kind
        ]
        for path, kind in kinds.items()
    }


def _vault_picks(
    data: QueryDict, request: HttpRequest, req: SenderIdRequest, definition: FormDefinition
) -> tuple[dict[str, Document], dict[str, str], dict[str, str]]:
    """Take the vault selects out of `data`: the documents chosen ({path: Document}), the choices refused
    with their reason ({path: message}: expired since the page was drawn, tampered), and what was
    selected ({path: pk}, to draw the page again). A file uploaded for the same field wins over a choice."""
    chosen: dict[str, Document] = {}
    refused: dict[str, str] = {}
    selected: dict[str, str] = {}
    for path, kind in _vault_kinds(definition).items():
        raw = (data.pop(VAULT_PREFIX + path, None) or [""])[-1].strip()
        if not raw or path in request.FILES:
            continue
        selected[path] = raw
        if not raw.isdigit():
            refused[path] = _("Choose one of the documents listed, or upload a file.")
            continue
        try:
            chosen[path] = profile_selectors.document_for_use(
                team=req.team, pk=int(raw), country_iso=req.country_id, kind=kind
            )
        except profile_services.DocumentUnusable as exc:
            refused[path] = str(exc)
    return chosen, refused, selected


def _with_documents(inputs: dict[str, FieldInput], chosen: dict[str, Document]) -> dict[str, FieldInput]:
    """The form's inputs with each chosen document handed in as that field's upload. A field the form
    dropped (no longer part of it for these answers) stays dropped."""
    out = dict(inputs)
    for path, document in chosen.items():
        if out[path].keep_attachment:
            out[path] = FieldInput.from_stored_file(
                name=document.file_name, content=bytes(document.content), content_type=document.content_type
            )
    return out


def _save_to_profile(request: HttpRequest, req: SenderIdRequest, cleaned: dict[str, Any]) -> None:
    answers = {path: value for path, value in cleaned.items() if isinstance(value, (str, list))}
    changed = profile_services.profile_update_from_answers(team=req.team, answers=answers, actor=request.user)
    if changed:
        messages.success(
            request,
            ngettext(
                "%(n)d answer saved to the company profile.",
                "%(n)d answers saved to the company profile.",
                len(changed),
            )
            % {"n": len(changed)},
        )
    else:
        messages.info(request, _("The company profile already had these answers."))


@login_required
@require_POST
def registration_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner withdraws the version AWS is reviewing (a worker asks AWS; the page shows the outcome)."""
    req = _request_or_404(request, pk)
    registration = selectors.registration_for_request(request=req)
    if registration is None:
        raise Http404
    if not is_team_member(request.user, req):
        raise PermissionDenied
    try:
        withdrawal.registration_discard_request(registration=registration, actor=request.user)
    except draft.RegistrationLocked:
        messages.error(request, _("No version of this registration is under review any more."))
    else:
        messages.success(
            request,
            _("The version is being withdrawn from AWS's review. You can change the form once it is done."),
        )
    return redirect("registrations:detail", pk=req.pk)


def _definition_pending(
    request: HttpRequest, req: SenderIdRequest, registration: Registration
) -> HttpResponse:
    """503 + Retry-After: AWS's form is not cached yet; a worker fetches it (enqueued with the request, and
    beat asks again every few minutes for any type in use that is still missing). A GET writes nothing."""
    response = render(
        request,
        "registrations/unavailable.html",
        {"req": req, "registration": registration, "refresh_seconds": DEFINITION_PENDING_REFRESH_SECONDS},
        status=503,
    )
    response["Retry-After"] = str(DEFINITION_PENDING_REFRESH_SECONDS)
    return response


def _submit_message(req: SenderIdRequest) -> str:
    if req.status in (Status.PENDING_REVIEW, Status.APPROVED):
        return _("Registration ready: it is submitted to AWS as soon as your request is approved.")
    return _("Registration submitted: it is sent to AWS for review now.")


@login_required
def registration_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Status for the progress indicator's refresh: cheap, no AWS call."""
    req = _request_or_404(request, pk)
    registration = selectors.registration_for_request(request=req)
    return JsonResponse(
        {
            "status": req.status,
            "status_label": req.get_status_display(),
            "aws_status": registration.aws_status if registration else req.aws_status,
            # Submit pressed, the version not with AWS yet (the page shows it as submitted).
            "submit_pending": bool(registration and _submit_pending(req, registration)),
            "url": reverse("registrations:detail", kwargs={"pk": req.pk}),
        }
    )
