"""Admin: AWS accounts (with "Test connection") and Region routes, and the AWS call log (read-only)."""

from celery import current_app
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smsvoice.models import AwsAccount, AwsCall, RegionRoute

TEST_TASK = "smsvoice.tasks.test_aws_account"
SAID_BY_AWS = (
    "account_id",
    "identity_arn",
    "last_checked_at",
    "last_error",
    "last_error_at",
    "last_check_report",
)


@admin.register(AwsAccount)
class AwsAccountAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "account_id",
        "credential_source",
        "default_region",
        "region_list",
        "enabled",
        "last_error_at",
    )
    list_filter = ("enabled", "credential_source")
    search_fields = ("name", "account_id", "role_arn")
    # What STS and the connection test found: shown, never typed.
    readonly_fields = SAID_BY_AWS
    fieldsets = (
        (None, {"fields": ("name", "enabled", "is_default")}),
        (_("Credentials"), {"fields": ("credential_source", "role_arn", "external_id")}),
        (_("Regions"), {"fields": ("regions", "default_region")}),
        (_("Events"), {"fields": ("events_queue_url",)}),
        (_("What AWS says"), {"fields": SAID_BY_AWS}),
    )
    actions = ("test_connection",)

    @admin.display(description=_("enabled Regions"))
    def region_list(self, obj: AwsAccount) -> str:
        return ", ".join(obj.enabled_regions)

    @admin.action(
        description=_("Test connection (identity, Regions, registration types, limits, Support)"),
        permissions=["change"],
    )
    def test_connection(self, request: HttpRequest, queryset: QuerySet[AwsAccount]) -> None:
        # A task, not this request: each Region's checks are several AWS calls under the rate budget.
        # Sent by name: admin and tasks are sibling entry points (import-linter keeps them apart).
        count = 0
        for account in queryset:
            current_app.send_task(TEST_TASK, args=[account.pk])
            count += 1
        self.message_user(
            request,
            ngettext(
                "Testing %(count)d account: its report appears on its page in a few seconds.",
                "Testing %(count)d accounts: each report appears on the account's page in a few seconds.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_delete_permission(self, request: HttpRequest, obj: AwsAccount | None = None) -> bool:
        # Requests point at their account (PROTECT): disable an account instead of deleting it.
        return False


@admin.register(RegionRoute)
class RegionRouteAdmin(admin.ModelAdmin):
    list_display = ("iso_country_code", "region_list", "note")
    search_fields = ("iso_country_code", "note")

    @admin.display(description=_("Regions, in order of preference"))
    def region_list(self, obj: RegionRoute) -> str:
        return " → ".join(obj.regions or [])


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
