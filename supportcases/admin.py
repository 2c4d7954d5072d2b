"""Admin for support cases: the case list with the staff "confirm" action, and the read-only inline
approvers see on a request (registered with senderids' process registry in apps.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from senderids.lifecycle import IllegalTransition

from . import services
from .models import SupportCase


class SupportCaseInline(admin.StackedInline):
    """Read-only support case (subject, body, AWS status) for the SenderIdRequest admin."""

    model = SupportCase
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("case_id", "status", "subject", "body", "resolved_at", "confirmed_at", "confirmed_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.action(description=_("Confirm the sender ID is provisioned (resolved case → active)"))
def confirm_support_cases(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    done = 0
    for case in queryset.select_related("request"):
        try:
            services.support_case_confirm(request=case.request, actor=request.user)
            done += 1
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
class SupportCaseAdmin(admin.ModelAdmin):
    list_display = ("request", "case_id", "status", "resolved_at", "confirmed_at", "last_polled_at")
    list_filter = ("status",)
    search_fields = ("case_id", "request__sender_id", "subject")
    list_select_related = ("request",)
    readonly_fields = [f.name for f in SupportCase._meta.fields]
    actions = [confirm_support_cases]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
