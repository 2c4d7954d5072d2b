"""Admin: the AWS call log, read-only (it is an audit record)."""

from django.contrib import admin

from smsvoice.models import AwsCall


@admin.register(AwsCall)
class AwsCallAdmin(admin.ModelAdmin):
    list_display = ("created_at", "operation", "resource_id", "ok", "error_code", "http_status", "latency_ms")
    list_filter = ("ok", "service", "operation", "error_code")
    search_fields = ("resource_id", "error_code", "error_message", "request_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AwsCall._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an audit record: not even a superuser deletes it (beat prunes by retention)
