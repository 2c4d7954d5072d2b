"""Admin for sender-ID requests: the approval queue, and read-only history.

The changelist opens on the queue (`pending_review`); "Approve" and "Reject with reason" call the
services (which check the approve permission again and go through the one status choke point).
Requests come from the wizard and change status only through the state machine, so nothing here
is editable by hand — least of all what AWS owns (ARN, price, AWS status and errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from caching import cached
from countries.models import SenderIdProcess
from smsvoice.errors import AwsError
from smsvoice.models import AwsAccount
from smsvoice.selectors import aws_calls_for_request

from . import registry
from .admin_changelist import CachedChoicesMixin, QuickChangeList, cached_changelist, nav_sidebar_html
from .choices import Status
from .lifecycle import IllegalTransition
from .models import RequestBatch, SenderIdDrift, SenderIdRequest, StatusEvent
from .paginators import EstimatedCountPaginator
from .permissions import APPROVE_PERMISSION, RELEASE_PERMISSION, visible_related, visible_requests
from .plans import request_plan
from .services.batches import batch_approve
from .services.release import (
    DeletionProtectionOn,
    sender_id_deletion_protection_disable,
    sender_id_request_release,
)
from .services.requests import (
    REJECTION_REASON_MAX_LENGTH,
    rejection_reason_clean,
    sender_id_request_approve,
    sender_id_request_reject,
    sender_id_request_retry,
)
from .widgets import QuickCheckbox


class QueueStatusFilter(admin.SimpleListFilter):
    """Status filter that defaults to the approval queue (pending_review), with an explicit "All"."""

    title = _("status")
    parameter_name = "status"
    cache_depends: tuple[str, ...] = ()  # its choices are the statuses: nothing read from the database
    ALL = "all"
    DEFAULT = Status.PENDING_REVIEW

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(self.ALL, _("All")), *Status.choices]

    def selected(self) -> str:
        value = self.value()
        return value if value == self.ALL or value in Status.values else self.DEFAULT

    def choices(self, changelist):  # type: ignore[no-untyped-def]
        selected = self.selected()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": selected == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        selected = self.selected()
        return queryset if selected == self.ALL else queryset.filter(status=selected)


class StatusEventInline(admin.TabularInline):
    """The request's timeline: every transition, who, why, what AWS said. Never edited."""

    model = StatusEvent
    fields = readonly_fields = (
        "created_at", "from_status", "to_status", "actor_label", "reason", "aws_code", "aws_message",
    )  # fmt: skip
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Whoever may see the request may see its history.
        return request.user.has_perm("senderids.view_senderidrequest") or request.user.has_perm(
            "senderids.change_senderidrequest"
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the requester)"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        # No max_length here: the service's own check gives the clearer message (length and limit).
        strip=True,
    )

    def clean_reason(self) -> str:
        return rejection_reason_clean(self.cleaned_data["reason"])


class ReleaseOnBehalfForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the owner (optional, shown on the timeline)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )
    turn_off_protection = forms.BooleanField(
        label=_("Turn off deletion protection first where it is on (UpdateSenderId)"), required=False
    )


REQUEST_FIELDS = (
    "owner", "team", "batch_link", "aws_account", "aws_region", "country", "sender_id", "checks", "process",
    "message_type", "sms", "voice", "monthly_volume", "company_hq",
)  # fmt: skip
PROCESS_FIELDS = ("registration_form_name", "registration_choice", "support_case_details")
# Owned by AWS (or by the pipeline talking to it): shown, never edited.
AWS_FIELDS = (
    "aws_status", "aws_sender_id_arn", "aws_message_types", "monthly_leasing_price", "deletion_protection",
    "aws_error_code",
    "aws_error_message", "client_token",
)  # fmt: skip


class AwsRegionFilter(admin.SimpleListFilter):
    """The Region filter, its choices the Regions of the AWS accounts (a few rows), not a DISTINCT over
    every request."""

    title = _("AWS Region")
    parameter_name = "aws_region"
    cache_depends = ("smsvoice",)  # the accounts' Regions

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        regions = set(cached("admin-filter-aws-regions", _account_regions, depends=self.cache_depends))
        if self.value():
            regions.add(self.value())  # a Region no account lists any more still shows as chosen
        return [(region, region) for region in sorted(regions)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(aws_region=self.value()) if self.value() else queryset


def _account_regions() -> list[str]:
    return sorted(
        {
            region
            for listed in AwsAccount.objects.values_list("regions", flat=True)
            for region in (listed if isinstance(listed, list) else [])
            if isinstance(region, str)
        }
    )


# One item of admin/filter.html's list, whitespace included.
_FILTER_ITEM = '\n    <li>\n    <a href="{}">{}</a></li>\n  '
_FILTER_ITEM_SELECTED = '\n    <li class="selected">\n    <a href="{}">{}</a></li>\n  '


class CachedRelatedFieldListFilter(CachedChoicesMixin, admin.RelatedFieldListFilter):
    """admin.RelatedFieldListFilter, its choices (the related table's rows) from the read cache."""


class LongRelatedFieldListFilter(CachedRelatedFieldListFilter):
    """admin.RelatedFieldListFilter for a long list (some 200 countries): the same choices and links,
    each item's markup (admin/filter.html's) written here, not by a template loop per item."""

    template = "admin/senderids/long_filter.html"

    def choices(self, changelist):  # type: ignore[no-untyped-def]
        for choice in super().choices(changelist):
            item = _FILTER_ITEM_SELECTED if choice["selected"] else _FILTER_ITEM
            choice["html"] = format_html(item, iri_to_uri(choice["query_string"]), choice["display"])
            yield choice


class ProcessFilter(admin.SimpleListFilter):
    """The process filter, its choices the processes the portal knows (not a DISTINCT over requests)."""

    title = _("process")
    parameter_name = "process"
    cache_depends: tuple[str, ...] = ()  # the processes the portal knows: nothing read from the database

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(SenderIdProcess.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(process=self.value()) if self.value() else queryset


@admin.register(SenderIdRequest)
class SenderIdRequestAdmin(admin.ModelAdmin):
    # Fits a 1280 px screen beside both sidebars, in English and French (tests/e2e/test_admin_width.py):
    # country and team are names that wrap (the admin keeps a ForeignKey column on one line); the
    # process, AWS account, Region and dates are in the filters and on the change page.
    list_display = ("id", "sender_id", "country_name", "team_name", "status")
    list_per_page = 50
    # Large tables: no second COUNT(*) for "N total", and the paginator reads PostgreSQL's estimate.
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def action_checkbox(self, obj: SenderIdRequest) -> str:
        # Django's own checkbox, written without a widget template render for each of the 50 rows.
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        checkbox = QuickCheckbox({"class": "action-select", "aria-label": label}, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    @admin.display(description=_("country"), ordering="country__name")
    def country_name(self, obj: SenderIdRequest) -> str:
        return obj.country.label

    @admin.display(description=_("team"), ordering="team__name")
    def team_name(self, obj: SenderIdRequest) -> str:
        return obj.team.name

    list_display_links = ("id", "sender_id")
    list_filter = (
        QueueStatusFilter,
        # Choices from the countries', teams' and accounts' own (small) tables: "only those with
        # requests" would be a DISTINCT over every request on each page of the queue (issue 17).
        ("country", LongRelatedFieldListFilter),
        ("team", LongRelatedFieldListFilter),
        ("aws_account", CachedRelatedFieldListFilter),
        AwsRegionFilter,
        ProcessFilter,
        "deletion_protection",
        "created_at",
        "status_changed_at",
    )
    # "Company": the owner's name/email and the support-case answers (company name, address, ...).
    search_fields = (
        "sender_id", "owner__username", "owner__email", "owner__first_name", "owner__last_name",
        "team__name", "support_case_details",
    )  # fmt: skip
    list_select_related = ("owner", "country", "team", "aws_account")
    ordering = ("created_at",)  # the queue: oldest first
    actions = ("approve", "reject_with_reason", "release_on_behalf", "retry_failed")
    fieldsets = (
        (_("Request"), {"fields": REQUEST_FIELDS}),
        (_("Registration / support case"), {"fields": PROCESS_FIELDS}),
        (_("Status"), {"fields": ("status", "status_changed_at", "created_at", "updated_at")}),
        (_("AWS"), {"fields": (*AWS_FIELDS, "aws_calls")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # An approver limited to some teams sees (and so acts on) only their requests.
        return visible_requests(super().get_queryset(request), user=request.user)

    def get_changelist(self, request: HttpRequest, **kwargs: object) -> type[QuickChangeList]:
        # Rows written in Python (admin/senderids/senderidrequest/change_list.html asks for them).
        return QuickChangeList

    @admin.display(description=_("AWS account / Region"), ordering="aws_region")
    def placement(self, obj: SenderIdRequest) -> str:
        return f"{obj.aws_account.name} · {obj.aws_region}"

    def get_inlines(self, request: HttpRequest, obj: object = None) -> list[type]:
        # Approvers see what will be sent (each process contributes its inline: the registration
        # content, the support case), then the history.
        return [*registry.admin_inlines(), StatusEventInline]

    @admin.display(description=_("made with"))
    def batch_link(self, obj: SenderIdRequest) -> str:
        if obj.batch_id is None:
            return "—"
        url = reverse("admin:senderids_requestbatch_change", args=[obj.batch_id])
        return format_html('<a href="{}">{}</a>', url, _("Batch #%(pk)s") % {"pk": obj.batch_id})

    @admin.display(description=_("checks before AWS sees it"))
    def checks(self, obj: SenderIdRequest) -> str:
        # The approver sees what the requester saw on the review: the traffic light and each reason.
        return render_to_string("senderids/wizard/_checks.html", {"plan": request_plan(obj)})

    @admin.display(description=_("AWS calls for this request"))
    def aws_calls(self, obj: SenderIdRequest) -> str:
        calls = list(aws_calls_for_request(request_id=obj.pk))
        if not calls:
            return format_html("<em>{}</em>", _("No AWS call yet."))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(c.created_at), "SHORT_DATETIME_FORMAT"),
                    c.operation,
                    _("ok") if c.ok else c.error_code,
                    c.error_message[:300],
                    f"{c.latency_ms} ms",
                )
                for c in calls
            ),
        )
        return format_html("<table><tbody>{}</tbody></table>", rows)

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requests come from the wizard

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the audit trail stays; a live sender ID is released, not deleted

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RELEASE_PERMISSION)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):  # type: ignore[no-untyped-def]
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request: HttpRequest, extra_context=None):  # type: ignore[no-untyped-def]
        # The list as first shown from the read cache (admin_changelist.cached_changelist).
        return cached_changelist(request, extra_context, self._changelist_view)

    def _changelist_view(self, request: HttpRequest, extra_context: dict | None) -> Any:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        # The navigation sidebar from the read cache (admin/senderids/senderidrequest/change_list.html).
        if context and context.get("is_nav_sidebar_enabled") and not context.get("is_popup"):
            context["quick_nav_sidebar"] = nav_sidebar_html(request, context.get("available_apps") or [])
        return response

    @admin.action(description=_("Approve selected requests"), permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply_to_each(
            request,
            queryset,
            lambda row: sender_id_request_approve(request=row, actor=request.user),
            done_msg=_("Approved %(count)d request(s); submitting to AWS."),
        )

    @admin.action(description=_("Reject with reason…"), permissions=["approve"])
    def reject_with_reason(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply_to_each(
                request,
                queryset,
                lambda row: sender_id_request_reject(request=row, actor=request.user, reason=reason),
                done_msg=_("Rejected %(count)d request(s)."),
            )
            return None
        return self._confirm_page(
            request,
            "admin/senderids/reject_reason.html",
            title=_("Reject sender ID requests"),
            queryset=queryset,
            form=form,
            action_name="reject_with_reason",
            max_length=REJECTION_REASON_MAX_LENGTH,
        )

    @admin.action(description=_("Release on behalf of the owner…"), permissions=["release"])
    def release_on_behalf(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Staff release for the owner (confirm page); recorded with the staff member's name."""
        form = ReleaseOnBehalfForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            note, turn_off_protection = form.cleaned_data["note"], form.cleaned_data["turn_off_protection"]

            def release(row: SenderIdRequest) -> bool:
                try:
                    if row.deletion_protection and turn_off_protection:
                        sender_id_deletion_protection_disable(request=row, actor=request.user)
                    sender_id_request_release(request=row, actor=request.user, note=note)
                except DeletionProtectionOn:
                    self.message_user(
                        request,
                        _("%(name)s has deletion protection on: not released.") % {"name": row},
                        messages.WARNING,
                    )
                    return False
                except AwsError as exc:
                    self.message_user(
                        request,
                        _("%(name)s: AWS did not turn off deletion protection: %(message)s")
                        % {"name": row, "message": exc.message},
                        messages.ERROR,
                    )
                    return False
                return True

            self._apply_to_each(
                request,
                queryset.select_related("owner", "country"),
                release,
                done_msg=_("Releasing %(count)d sender ID(s) for their owners."),
            )
            return None
        return self._confirm_page(
            request,
            "admin/senderids/release_confirm.html",
            title=_("Release sender IDs on behalf of their owners"),
            queryset=queryset.select_related("owner", "country"),
            form=form,
            action_name="release_on_behalf",
        )

    @admin.action(description=_("Retry failed requests (new AWS request)"), permissions=["approve"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply_to_each(
            request,
            queryset,
            lambda row: sender_id_request_retry(request=row, actor=request.user),
            done_msg=_("Retrying %(count)d request(s); submitting to AWS."),
        )

    def _confirm_page(self, request: HttpRequest, template: str, **context: object) -> TemplateResponse:
        """The intermediate page of an action (a child of admin/senderids/action_confirm.html)."""
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
                **context,
            },
        )

    def _apply_to_each(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        apply: Callable[[SenderIdRequest], object],
        *,
        done_msg: str,
    ) -> None:
        """Apply one service call to each selected row, then report what was done and what was skipped.

        A row whose status does not allow the action (`IllegalTransition`) is skipped and named in
        one warning. `apply` returns False for a row it refused and already told the user about.
        """
        done, skipped = 0, []
        for sender_id_request in queryset:
            try:
                if apply(sender_id_request) is not False:
                    done += 1
            except (IllegalTransition, PermissionDenied):
                skipped.append(sender_id_request)
        self._report(request, done, skipped, done_msg=done_msg)

    def _report(self, request: HttpRequest, done: int, skipped: list[SenderIdRequest], done_msg: str) -> None:
        if done:
            self.message_user(request, done_msg % {"count": done}, messages.SUCCESS)
        if skipped:
            names = ", ".join(f"{r.sender_id} ({r.get_status_display()})" for r in skipped)
            self.message_user(
                request,
                ngettext(
                    "%(count)d request was skipped: its status does not allow this: %(names)s",
                    "%(count)d requests were skipped: their status does not allow this: %(names)s",
                    len(skipped),
                )
                % {"count": len(skipped), "names": names},
                messages.WARNING,
            )


class VisibleRequestsAdmin(admin.ModelAdmin):
    """For rows that belong to a request: an approver limited to some teams sees only theirs."""

    request_path = "request"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return visible_related(super().get_queryset(request), user=request.user, path=self.request_path)


class ReadOnlyAdmin(VisibleRequestsAdmin):
    """Rows only the code writes: every field shown, nothing added or changed by hand."""

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # records of what happened: not even a superuser deletes them


@admin.register(StatusEvent)
class StatusEventAdmin(ReadOnlyAdmin):
    """The audit trail, across requests. Read-only: events are written by the state machine alone."""

    list_display = ("created_at", "request", "from_status", "to_status", "actor_label", "aws_code")
    list_filter = ("to_status", "created_at")
    search_fields = ("request__sender_id", "actor_label", "reason", "aws_code")
    list_select_related = ("request",)
    date_hierarchy = "created_at"


class DriftOpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", _("Open")), ("resolved", _("Resolved"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(SenderIdDrift)
class SenderIdDriftAdmin(ReadOnlyAdmin):
    """Differences between AWS and us, written by `manage.py sync_sender_ids` (and beat). Read-only."""

    list_display = (
        "kind", "sender_id", "iso_country_code", "request", "first_seen_at", "last_seen_at", "resolved_at",
    )  # fmt: skip
    list_filter = (DriftOpenFilter, "kind", "iso_country_code", "last_seen_at")
    search_fields = ("sender_id", "request__owner__username")
    list_select_related = ("request",)


class BatchChildInline(admin.TabularInline):
    """A batch's requests, each linking to its own page in the queue (approve or reject there)."""

    model = SenderIdRequest
    fields = ("request_link", "country", "sender_id", "aws_account", "aws_region", "process", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ("country__name_folded",)

    @admin.display(description=_("request"))
    def request_link(self, obj: SenderIdRequest) -> str:
        url = reverse("admin:senderids_senderidrequest_change", args=[obj.pk])
        return format_html('<a href="{}">#{}</a>', url, obj.pk)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RequestBatch)
class RequestBatchAdmin(admin.ModelAdmin):
    """Requests made together (a multi-country run, a CSV import): approve all waiting ones at once,
    or open a child to approve or reject it alone."""

    list_display = ("id", "team", "owner", "source", "created_at", "size", "waiting")
    list_filter = ("source", "created_at")
    search_fields = ("id", "team__name", "owner__username", "requests__sender_id")
    list_select_related = ("team", "owner")
    readonly_fields = ("team", "owner", "source", "created_at")
    inlines = (BatchChildInline,)
    actions = ("approve_waiting",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = visible_requests(super().get_queryset(request), user=request.user)
        return qs.annotate(
            children=Count("requests", distinct=True),
            waiting_children=Count(
                "requests", filter=Q(requests__status=Status.PENDING_REVIEW), distinct=True
            ),
        )

    @admin.display(description=_("requests"), ordering="children")
    def size(self, obj: RequestBatch) -> int:
        return obj.children

    @admin.display(description=_("waiting for review"), ordering="waiting_children")
    def waiting(self, obj: RequestBatch) -> int:
        return obj.waiting_children

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # A batch only groups requests: whoever may see the requests (approvers, support staff) sees it.
        return request.user.has_perm("senderids.view_senderidrequest")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # batches come from the wizard and the CSV import

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    @admin.action(description=_("Approve every request waiting for review"), permissions=["approve"])
    def approve_waiting(self, request: HttpRequest, queryset: QuerySet) -> None:
        approved: list[SenderIdRequest] = []
        skipped: list[SenderIdRequest] = []
        for batch in queryset:
            done, left = batch_approve(batch=batch, actor=request.user)
            approved += done
            skipped += [r for r in left if r.status == Status.PENDING_REVIEW]  # not just decided ones
        if approved:
            self.message_user(
                request,
                ngettext(
                    "Approved %(count)d request; submitting to AWS.",
                    "Approved %(count)d requests; submitting to AWS.",
                    len(approved),
                )
                % {"count": len(approved)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                _("Not approved (outside your teams, or decided meanwhile): %(names)s")
                % {"names": ", ".join(f"{r.sender_id} ({r.country_id})" for r in skipped)},
                messages.WARNING,
            )
        if not approved and not skipped:
            self.message_user(request, _("Nothing in these batches was waiting for review."), messages.INFO)
