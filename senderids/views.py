"""The pages of a request after the wizard: home, detail + timeline, My sender IDs, release, tracking.

The wizard itself is senderids/wizard/. Views are thin: they read through selectors, write through
services, and answer 404 for a request the user may not see (senderids.permissions).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

import caching
from caching.pages import page_key
from countries.models import SenderIdProcess
from smsvoice.errors import PermanentAwsError, RetryableAwsError
from teams.selectors import team_for_user

from . import permissions, registry, selectors, tracking_page
from .choices import Capability, MessageType, Status
from .clocks import clock_for
from .exports import requests_csv_rows
from .forms import ReleaseConfirmForm, StaffNoteForm, TrackingFilterForm
from .lifecycle import EDITABLE_STATUSES, TERMINAL_STATUSES, WORKING_STATUSES, IllegalTransition
from .live import live_context, live_version
from .page_rows import home_rows_html
from .services.batches import batch_approve as batch_approve_service
from .services.notes import can_write_staff_note
from .services.notes import staff_note_add as staff_note_add_service
from .services.release import (
    RELEASE_CONFIRMATION_WORD,
    DeletionProtectionOn,
    sender_id_deletion_protection_disable,
    sender_id_request_release,
)
from .status_texts import status_label, what_next
from .wizard.support_case import support_case_rows


def _label(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, value))


# What home's lists read: requests, teams, the catalogue, accounts, and each process's own record (its
# detail URL, whether its form is done).
HOME_DEPENDS = ("senderids", "teams", "countries", "smsvoice", "registrations", "supportcases")


def _home_lists_html(user: Any, page_number: str | None) -> str:
    """Home's "needs your action", "registrations to complete" and the page of requests, rendered."""
    page = selectors.sender_id_request_page_for_member(user=user, page=page_number)
    reminders = [
        {"request": r, "url": registry.detail_url(r)}
        for r in selectors.sender_id_requests_registering_later(user=user)
    ]
    needs_action = [
        {"request": r, "url": registry.detail_url(r) or reverse("senderids:detail", args=[r.pk]),
         "what_next": what_next(r.status, staff=False)}
        for r in selectors.sender_id_requests_needing_action(user=user)
    ]  # fmt: skip
    context = {
        "page": page,
        "requests": page.object_list,
        # The table's rows, written in Python (senderids.page_rows): the template loop cost the most.
        "request_rows": home_rows_html(page.object_list),
        "reminders": reminders,
        "needs_action": needs_action,
    }
    return render_to_string("senderids/_home_lists.html", context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff and not team_for_user(request.user):
        # Staff have no team of their own: approvers start at the approval queue (the admin's list of
        # requests waiting for review), support staff and admins at tracking.
        if permissions.can_approve(request.user) and not request.user.is_superuser:
            return redirect(reverse("admin:senderids_senderidrequest_changelist"))
        return redirect("senderids:tracking")
    page_number = request.GET.get("page")
    # The lists are the same for every view until a row they show changes: from the read cache (exact;
    # keyed by the user, whose memberships say the teams, the path with the page asked for, language
    # and time zone).
    key = f"home:{page_key(request)}"
    lists = caching.cached(key, lambda: _home_lists_html(request.user, page_number), depends=HOME_DEPENDS)
    context = {"lists": mark_safe(lists)}  # noqa: S308 (a template render, autoescaped)
    return render(request, "senderids/home.html", context)


# What the detail page's request and timeline read: the request, its events and notes, teams and roles,
# owners and actors (auth), its country and account.
DETAIL_DEPENDS = ("senderids", "teams", "auth", "countries", "smsvoice")


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request and its whole status timeline: its owner and staff only (404 for anyone else)."""
    # The request and its timeline from the read cache while none of what they show has changed (exact;
    # keyed by the viewer: what they may see follows their teams and role).
    req = caching.cached(
        f"detail:{request.user.pk}:{pk}",
        lambda: selectors.sender_id_request_for_viewer(user=request.user, pk=pk, with_timeline=True),
        depends=DETAIL_DEPENDS,
    )
    if req is None:
        raise Http404
    is_owner = permissions.is_team_member(request.user, req)
    events = list(req.events.all())
    for event in events:
        event.from_label = status_label(event.from_status)
    capabilities = [label for value, label in Capability.choices if getattr(req, value.lower())]
    context = {
        "req": req,
        "events": events,
        "is_owner": is_owner,
        "registration_url": registry.detail_url(req) if req.process == SenderIdProcess.REGISTRATION else None,
        "release_url": reverse("senderids:release", args=[pk])
        # The release page is the team's (staff release from admin, "Release on behalf").
        if req.status == Status.ACTIVE and req.team_id in permissions.releasable_team_ids(request.user)
        else None,
        "support_case_rows": support_case_rows(req.support_case_details or {}),
        "capabilities": ", ".join(str(label) for label in capabilities),
        "process_label": _label(SenderIdProcess.choices, req.process),
        "working": req.status in WORKING_STATUSES,
        # The form still takes answers: "Complete registration" is the next step; afterwards a link.
        "registration_action": req.status in EDITABLE_STATUSES,
        "clock": clock_for(req, now=timezone.now(), events=events),
        "what_next": what_next(req.status, staff=request.user.is_staff and not is_owner),
        # Internal notes: staff only (the template shows the section to staff alone).
        "staff_notes": selectors.staff_notes_for(request=req) if request.user.is_staff else [],
        **live_context(req, len(events)),
    }
    return render(request, "senderids/detail.html", context)


@login_required
@require_GET
def request_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The request's status as JSON (same visibility as its page; 404 for anyone else). A GET: reads
    only, no AWS call."""
    req = selectors.sender_id_request_for_viewer(user=request.user, pk=pk)
    if req is None:
        raise Http404
    events_count = req.events.count()
    staff_view = request.user.is_staff and not permissions.is_team_member(request.user, req)
    return JsonResponse(
        {
            "id": req.pk,
            "status": req.status,
            "status_label": req.get_status_display(),
            "status_changed_at": req.status_changed_at.isoformat(),
            "what_next": what_next(req.status, staff=staff_view),
            "version": live_version(req, events_count),
            "live": req.status not in TERMINAL_STATUSES,
        }
    )


# --- "My sender IDs" and release -----------------------------------------------------------------
# The release flow: GET shows what releasing means (billing) and the confirmation box; the word is
# checked on the server whatever the browser does. Without JavaScript, "Check" posts the word and the
# page comes back with "Release" enabled when it matches; static/js/release.js enables it live.
RELEASE_CHECK_ACTION = "check"


def next_month_start(today: date) -> date:
    """The first day of the calendar month after `today`: when lease charges of a release stop."""
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


@login_required
def my_sender_ids(request: HttpRequest) -> HttpResponse:
    """The team's active sender IDs per AWS account, Region and country: message types, registration,
    protection, fee; "Release…" for those the user may release."""
    rows = selectors.sender_ids_held_by_member(user=request.user)
    releasable = permissions.releasable_team_ids(request.user)
    for row in rows:
        row.registration_label = row.process_label
        row.message_type_labels = [_label(MessageType.choices, value) for value in row.message_types]
        row.can_release = row.team_id in releasable
    groups = [
        {
            "country": items[0].country,
            "account": items[0].aws_account,
            "region": items[0].aws_region,
            "sender_ids": items,
        }
        for items in (
            list(group)
            for _key, group in groupby(rows, key=lambda r: (r.aws_account_id, r.aws_region, r.country_id))
        )
    ]
    context = {"groups": groups, "count": len(rows), "charges_stop": next_month_start(timezone.localdate())}
    return render(request, "senderids/my_sender_ids.html", context)


def _owned_or_404(request: HttpRequest, pk: int) -> Any:
    """The team's request (another team's: 404); releasing it takes the team admin role (else 403)."""
    req = selectors.sender_id_request_get_for_member(user=request.user, pk=pk)
    if req is None:
        raise Http404
    if not permissions.can_release(request.user, req):
        raise PermissionDenied(
            _("Only a team admin can release %(sender_id)s.") % {"sender_id": req.sender_id}
        )
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
        sender_id_request_release(request=req, actor=request.user)
    except DeletionProtectionOn:
        messages.warning(request, _("Turn off deletion protection first."))
        return redirect("senderids:release", pk=req.pk)
    except IllegalTransition:
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
        "confirmation_word": RELEASE_CONFIRMATION_WORD,
        "today": today,
        "charges_stop": next_month_start(today),
    }
    return render(request, "senderids/release.html", context)


@login_required
def release_deletion_protection(request: HttpRequest, pk: int) -> HttpResponse:
    """The separate, confirmed step before releasing a protected sender ID: UpdateSenderId(off)."""
    req = _owned_or_404(request, pk)
    if req.status != Status.ACTIVE or not req.deletion_protection:
        return redirect("senderids:release", pk=req.pk)
    if request.method == "POST" and request.POST.get("confirm") == "off":
        try:
            sender_id_deletion_protection_disable(request=req, actor=request.user)
        except RetryableAwsError:
            messages.error(
                request, _("AWS is busy right now and nothing was changed. Please try again shortly.")
            )
        except PermanentAwsError as exc:
            messages.error(
                request, _("AWS did not turn off deletion protection: %(message)s") % {"message": exc.message}
            )
        except IllegalTransition:
            messages.info(request, _not_active_message(req))
        else:
            messages.success(
                request,
                _("Deletion protection is off for %(sender_id)s. You can release it now.")
                % {"sender_id": req.sender_id},
            )
        return redirect("senderids:release", pk=req.pk)
    return render(request, "senderids/release_protection.html", {"req": req})


# --- Tracking (support staff, admins) -------------------------------------------------------------
@login_required
@permission_required("senderids.view_senderidrequest", raise_exception=True)
def tracking(request: HttpRequest) -> HttpResponse:
    """Every request for support staff and admins: counts per status, filters, search, sort, pages,
    `?format=csv` (the same rows, streamed). The page's content is senderids.tracking_page's."""
    if request.GET.get("format") == "csv":
        form = TrackingFilterForm(request.GET)
        filters = form.filters()
        if filters.get("q"):
            filters["q"] = selectors.tracking_search_q(filters["q"])
        qs = selectors.sender_id_requests_tracked(viewer=request.user, **filters)
        response = StreamingHttpResponse(
            requests_csv_rows(qs.iterator(chunk_size=500)), content_type="text/csv"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="sender-id-requests-{timezone.localdate()}.csv"'
        )
        return response
    data = tracking_page.page_data(request.GET, request.user)
    # The flags and each row's age are the clock's: written now, from the (possibly cached) rows.
    rows = tracking_page.rows_html(data["rows"], now=timezone.now())
    return render(request, "senderids/tracking.html", {**data, "rows_html": rows})


@login_required
@require_POST
def staff_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an internal note to a request: staff who may see it (404 for a request they may not see,
    403 for its team's own members: notes are never theirs to read or write)."""
    req = selectors.sender_id_request_for_viewer(user=request.user, pk=pk)
    if req is None:
        raise Http404
    if not can_write_staff_note(request.user, req):
        raise PermissionDenied
    form = StaffNoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["body"])
        staff_note_add_service(request=req, author=request.user, body=form.cleaned_data["body"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Note added."))
    return redirect(reverse("senderids:detail", args=[pk]) + "#staff-notes")


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One multi-country run (or CSV import): every child's status and what needs action."""
    batch = selectors.batch_for_viewer(user=request.user, pk=pk)
    if batch is None:
        raise Http404
    rows = selectors.batch_children(batch=batch)
    staff = request.user.is_staff
    for row in rows:
        row.request.what_next = what_next(row.request.status, staff=staff)
        row.request.process_text = _label(SenderIdProcess.choices, row.request.process)
    approvable = [
        r
        for r in rows
        if r.request.status == Status.PENDING_REVIEW and permissions.can_approve(request.user, r.request)
    ]
    context = {
        "batch": batch,
        "rows": rows,
        "counts": selectors.batch_status_counts(rows),
        "needs_action": [r for r in rows if r.needs_action],
        "approvable": approvable,
    }
    return render(request, "senderids/batch.html", context)


@login_required
@require_POST
def batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve the batch's waiting children (all of them, or those ticked): approvers only."""
    batch = selectors.batch_for_viewer(user=request.user, pk=pk)
    if batch is None:
        raise Http404
    if not permissions.can_approve(request.user):
        raise PermissionDenied
    picked = request.POST.getlist("request")
    ids = [int(value) for value in picked if value.isascii() and value.isdigit() and len(value) < 12]
    if picked and not ids:
        messages.error(request, _("Choose the requests to approve from the list."))
        return redirect("senderids:batch", pk=batch.pk)
    approved, skipped = batch_approve_service(batch=batch, actor=request.user, request_ids=ids or None)
    if approved:
        messages.success(
            request,
            ngettext("%(n)d request approved.", "%(n)d requests approved.", len(approved))
            % {"n": len(approved)},
        )
    if skipped:
        messages.warning(
            request,
            _("Not approved (no longer waiting for review, or outside your teams): %(list)s")
            % {"list": ", ".join(f"{r.sender_id} ({r.country.label})" for r in skipped)},
        )
    if not approved and not skipped:
        messages.info(request, _("Nothing was waiting for approval."))
    return redirect("senderids:batch", pk=batch.pk)
