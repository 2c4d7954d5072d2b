"""The CSV import pages: upload (with the expected format and an example file), the dry-run preview,
and the confirm step that creates one batch (senderids.imports does the reading and judging).

The preview saves nothing. Its ready rows travel to the confirm step in a signed hidden field
(django.core.signing, one hour) and the file is never uploaded twice; the session remembers which
previews it showed (a token works once, in the session that saw it) and which batch each one made, so a
second click on "Create" lands on the batch made by the first. Two clicks racing each other are
serialised by `batch_create`, which locks the team and refuses duplicates of open requests.

Rate limits: nothing to pace here. Each child is an ordinary request: once approved, the existing
submission task submits it, paced by the shared AWS rate budget (smsvoice), one child at a time.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from teams.selectors import accounts_for_team, team_for_user

from .imports import (
    COLUMNS,
    EXAMPLE_CSV,
    HEADER,
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    CsvRefused,
    TokenRefused,
    children_from_token,
    preview_import,
    read_token,
    sign_preview,
)
from .models import RequestBatch
from .services.batches import BatchDuplicates, batch_create

PENDING_KEY = "senderids_import_pending"  # nonces of the previews this session showed
DONE_KEY = "senderids_import_done"  # nonce -> the batch it made
SESSION_KEEP = 10  # previews remembered per session
FILE_FIELD = "file"


def _upload_context(**extra: object) -> dict[str, object]:
    return {
        "header": HEADER,
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "max_cell_chars": MAX_CELL_CHARS,
        "max_size": "1 MB",
        "file_field": FILE_FIELD,
        **extra,
    }


def _no_team(request: HttpRequest) -> HttpResponse:
    context = _upload_context(
        no_team=_(
            "You are not a member of a team: sender IDs are requested for a team. Ask an administrator."
        )
    )
    return render(request, "senderids/import.html", context)


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """GET: the upload form (``?example=1``: the example file). POST: the dry-run preview."""
    if request.method == "GET" and request.GET.get("example"):
        response = HttpResponse(EXAMPLE_CSV, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="sender-ids-example.csv"'
        return response
    if team_for_user(request.user) is None:
        return _no_team(request)
    if request.method != "POST":
        return render(request, "senderids/import.html", _upload_context())
    upload = request.FILES.get(FILE_FIELD)
    try:
        if upload is None:
            raise CsvRefused(_("Choose a CSV file to upload."))
        # At most one byte more than allowed is read: read_csv refuses what is larger.
        preview = preview_import(user=request.user, data=upload.read(MAX_FILE_BYTES + 1))
    except CsvRefused as refused:
        return render(request, "senderids/import.html", _upload_context(error=refused.message))
    token, nonce = sign_preview(preview, user=request.user)
    pending = [n for n in request.session.get(PENDING_KEY, []) if n != nonce][-(SESSION_KEEP - 1) :]
    request.session[PENDING_KEY] = [*pending, nonce]
    context = {
        "preview": preview,
        "token": token,
        "file_name": upload.name,
        "ready_count": len(preview.ready),
        "skipped_lines": ", ".join(str(r.line) for r in preview.skipped),
    }
    return render(request, "senderids/import_preview.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Create the previewed requests (the ready rows) as one batch, or nothing; then the batch page."""
    team = team_for_user(request.user)
    if team is None:
        return _no_team(request)
    try:
        payload = read_token(request.POST.get("token", ""), user=request.user)
        if payload.get("team") != team.pk:
            raise TokenRefused(_("This preview was made for another team. Upload the file again."))
    except TokenRefused as refused:
        messages.error(request, refused.message)
        return redirect("senderids:import")
    nonce = payload.get("nonce")
    done = request.session.get(DONE_KEY, {})
    if nonce in done:  # a second click, after the first one's batch was made
        messages.info(request, _("These requests were already created: here they are."))
        return redirect("senderids:batch", pk=done[nonce])
    if nonce not in request.session.get(PENDING_KEY, []):
        messages.error(request, _("This preview was not shown in this session. Upload the file again."))
        return redirect("senderids:import")
    try:
        children = children_from_token(payload, accounts=accounts_for_team(team))
        batch = batch_create(
            owner=request.user,
            children=children,
            message_type=children[0].message_type,
            source=RequestBatch.Source.IMPORT,
            team=team,
        )
    except TokenRefused as refused:
        messages.error(request, refused.message)
        return redirect("senderids:import")
    except BatchDuplicates as duplicates:
        # Two clicks racing: the first made the batch, the second finds its requests open.
        made = {r.batch_id for r in duplicates.duplicates.values() if r.batch_id}
        messages.error(
            request,
            _("Your team already has open requests for some of these sender IDs: nothing was created twice."),
        )
        if len(made) == 1:
            return redirect("senderids:batch", pk=made.pop())
        return redirect("senderids:import")
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else ""
        messages.error(request, _("Nothing was created: %(error)s") % {"error": text or _("not allowed.")})
        return redirect("senderids:import")
    request.session[PENDING_KEY] = [n for n in request.session.get(PENDING_KEY, []) if n != nonce]
    kept = list(done.items())[-(SESSION_KEEP - 1) :]
    request.session[DONE_KEY] = {**dict(kept), nonce: batch.pk}
    text = ngettext(
        "%(n)d request created from the file.", "%(n)d requests created from the file.", len(children)
    ) % {"n": len(children)}
    skipped = payload.get("skipped") or []
    if skipped:
        text += " " + ngettext(
            "Line %(lines)s was skipped.", "Lines %(lines)s were skipped.", len(skipped)
        ) % {"lines": ", ".join(str(line) for line in skipped)}
    messages.success(request, text)
    return redirect("senderids:batch", pk=batch.pk)
