"""The audit log in admin: read by whoever may view it, filtered, searched and exported as CSV.
Nobody adds, changes or deletes an entry here (the model and the database refuse it too)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from senderids.exports import csv_lines

from .labels import action_label
from .models import AuditEntry

CSV_COLUMNS = (
    "time", "user", "user_id", "where", "action", "object_type", "object_id", "object", "detail",
)  # fmt: skip


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_username", "source", "action_display", "object_type", "object_repr")
    list_filter = ("source", "action", "created_at")
    search_fields = ("actor_username", "object_repr", "object_id", "detail")
    date_hierarchy = "created_at"
    show_full_result_count = False
    change_list_template = "admin/audit/auditentry/change_list.html"

    @admin.display(description=_("action"), ordering="action")
    def action_display(self, obj: AuditEntry) -> str:
        return action_label(obj.action)

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # append-only: not even a superuser deletes history

    def get_urls(self) -> list:
        export = path("export/", self.admin_site.admin_view(self.export_csv), name="audit_auditentry_export")
        return [export, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):  # type: ignore[override]
        query = request.GET.urlencode()
        export_url = reverse("admin:audit_auditentry_export") + (f"?{query}" if query else "")
        return super().changelist_view(request, {**(extra_context or {}), "export_url": export_url})

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The changelist's filtered and searched set, every row (streamed), oldest first."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            entries = self.get_changelist_instance(request).get_queryset(request).order_by("created_at", "pk")
        except IncorrectLookupParameters:  # a filter that is no filter: admin's own answer, "?e=1"
            return HttpResponseRedirect(reverse("admin:audit_auditentry_changelist") + "?e=1")
        rows = (
            (
                e.created_at.isoformat(),
                e.actor_username,
                e.actor_id,
                e.source,
                e.action,
                e.object_type,
                e.object_id,
                e.object_repr,
                e.detail,
            )
            for e in entries.iterator(chunk_size=2000)
        )
        response = StreamingHttpResponse(csv_lines(CSV_COLUMNS, rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
        return response
