"""Admin for support cases: the case list (read-only, with the "confirm" action for staff holding the
confirm permission), the read-only inline approvers see on a request with a link to the case page
(registered with senderids' process registry in apps.py), and what `check_aws` confirmed about the
Support API (read-only: only check_aws writes it)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from senderids.admin import VisibleRequestsAdmin
from senderids.lifecycle import IllegalTransition

from . import services
from .models import SupportApiCheck, SupportCase, SupportCaseCommunication, SupportCaseDocument
from .permissions import can_confirm


def _case_page_link(request_id: int | None) -> str:
    if not request_id:
        return "—"
    url = reverse("supportcases:detail", kwargs={"pk": request_id})
    return format_html('<a href="{}" class="support-case-link">{}</a>', url, _("Open the support case page"))


class SupportCaseInline(admin.StackedInline):
    """Read-only support case (state, AWS status, subject, body) for the SenderIdRequest admin, with a
    link to the case page."""

    model = SupportCase
    extra = 0
    max_num = 0
    can_delete = False
    fields = (
        "case_page",
        "state",
        "mode",
        "case_id",
        "display_id",
        "status",
        "subject",
        "body",
        "resolved_at",
        "confirmed_at",
        "confirmed_by",
    )
    readonly_fields = fields

    @admin.display(description=_("case page"))
    def case_page(self, obj: SupportCase) -> str:
        return _case_page_link(obj.request_id)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CommunicationInline(admin.TabularInline):
    model = SupportCaseCommunication
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("time_created", "direction", "submitted_by", "author", "delivery", "body", "error")
    readonly_fields = fields


@admin.action(
    description=_("Confirm the sender ID is provisioned (resolved case → active)"), permissions=["confirm"]
)
def confirm_support_cases(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    done = 0
    for case in queryset.select_related("request"):
        try:
            services.support_case_confirm(request=case.request, actor=request.user)
            done += 1
        except PermissionDenied:
            modeladmin.message_user(request, _("You may not confirm support cases."), messages.ERROR)
            return
        except IllegalTransition:
            modeladmin.message_user(
                request,
                _("Case %(case)s is not resolved (request is %(status)s).")
                % {"case": case, "status": case.request.get_status_display()},
                messages.WARNING,
            )
    if done:
        modeladmin.message_user(request, _("%(n)d sender ID(s) confirmed.") % {"n": done}, messages.SUCCESS)


@admin.register(SupportCase)
class SupportCaseAdmin(VisibleRequestsAdmin):
    list_display = (
        "request",
        "state",
        "case_id",
        "status",
        "mode",
        "resolved_at",
        "confirmed_at",
        "last_polled_at",
    )
    list_filter = ("state", "mode", "status")
    search_fields = ("case_id", "display_id", "request__sender_id", "subject")
    list_select_related = ("request",)
    readonly_fields = ["case_page", *[f.name for f in SupportCase._meta.fields]]
    inlines = [CommunicationInline]
    actions = [confirm_support_cases]

    @admin.display(description=_("case page"))
    def case_page(self, obj: SupportCase) -> str:
        return _case_page_link(obj.request_id)

    def has_confirm_permission(self, request: HttpRequest) -> bool:
        return can_confirm(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SupportCaseDocument)
class SupportCaseDocumentAdmin(VisibleRequestsAdmin):
    list_display = ("file_name", "request", "content_type", "size", "uploaded_by", "created_at")
    search_fields = ("file_name", "request__sender_id")
    list_select_related = ("request", "uploaded_by")
    fields = ("request", "file_name", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SupportApiCheck)
class SupportApiCheckAdmin(admin.ModelAdmin):
    """What `manage.py check_aws` found: read-only (run check_aws to change it)."""

    list_display = (
        "account_id",
        "checked_at",
        "available",
        "service_code",
        "category_code",
        "severity_code",
        "confirmed",
    )
    list_filter = ("confirmed", "available")
    readonly_fields = [f.name for f in SupportApiCheck._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
