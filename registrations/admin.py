"""Admin for registrations, plus the read-only inline approvers see on a request.

`AwsEventAdmin` lists the AWS events the consumer handled (read-only: the consumer writes them).

`RegistrationInline` is the registration process's admin inline (registered with senderids' process
registry in apps.py): the SenderIdRequest admin shows it, so the approver reads the registration
content (every field by section) before approving.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from senderids.admin import VisibleRequestsAdmin
from senderids.permissions import visible_related
from teams.selectors import scoped_team_ids

from . import selectors
from .definitions import cached_definition
from .models import (
    AwsEvent,
    Registration,
    RegistrationDefinition,
    RegistrationFieldValue,
    RegistrationVersion,
)


def registration_content_html(registration: Registration) -> str:
    """The registration's values grouped by section, with titles from the cached definition."""
    definition = cached_definition(registration.registration_type)
    values = selectors.field_values(registration=registration)
    if not values:
        return format_html("<em>{}</em>", _("No values entered yet."))
    rows: list[tuple[str, str, str]] = []
    if definition is not None:
        for section, fields in definition.sections_with_fields():
            for f in fields:
                fv = values.pop(f.field_path, None)
                rows.append((section.title, f.title, fv.display_value if fv else "—"))
    rows += [("", path, fv.display_value) for path, fv in sorted(values.items())]
    body = format_html_join("", "<tr><td>{}</td><th>{}</th><td>{}</td></tr>", rows)
    return format_html("<table><tbody>{}</tbody></table>", body)


class ReadOnlyInline:
    """Mixin for an inline that shows rows and never adds or deletes them (list `readonly_fields`)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RegistrationVersionInline(ReadOnlyInline, admin.TabularInline):
    model = RegistrationVersion
    fields = ("version_number", "status", "denied_reasons", "feedback", "status_history")
    readonly_fields = fields


class RegistrationFieldValueInline(ReadOnlyInline, admin.TabularInline):
    model = RegistrationFieldValue
    fields = (
        "field_path",
        "text_value",
        "select_choices",
        "attachment",
        "is_pushed",
        "push_error",
        "denied_reason",
        "feedback",
    )
    readonly_fields = fields

    @admin.display(boolean=True, description=_("pushed"))
    def is_pushed(self, obj: RegistrationFieldValue) -> bool:
        return obj.is_pushed


@admin.register(Registration)
class RegistrationAdmin(VisibleRequestsAdmin):
    list_display = (
        "request",
        "registration_type",
        "aws_registration_id",
        "aws_status",
        "current_version_number",
        "submit_requested",
        "last_polled_at",
    )
    list_filter = ("aws_status", "registration_type", "submit_requested")
    search_fields = ("aws_registration_id", "request__sender_id", "form_name", "request__owner__username")
    list_select_related = ("request",)
    readonly_fields = [f.name for f in Registration._meta.fields] + ["content"]
    inlines = [RegistrationVersionInline, RegistrationFieldValueInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("content"))
    def content(self, obj: Registration) -> str:
        return registration_content_html(obj)


class RegistrationInline(ReadOnlyInline, admin.StackedInline):
    """Read-only registration content for the SenderIdRequest admin (approval queue)."""

    model = Registration
    max_num = 0
    verbose_name = _("registration")
    fields = (
        "registration_type",
        "form_name",
        "aws_registration_id",
        "aws_status",
        "submit_requested",
        "content",
    )
    readonly_fields = fields

    @admin.display(description=_("registration content"))
    def content(self, obj: Registration) -> str:
        return registration_content_html(obj)


@admin.register(RegistrationDefinition)
class RegistrationDefinitionAdmin(admin.ModelAdmin):
    list_display = ("registration_type", "fetched_at", "field_count")
    readonly_fields = ("registration_type", "fetched_at", "definition")

    @admin.display(description=_("fields"))
    def field_count(self, obj: RegistrationDefinition) -> int:
        return len(obj.definition.get("fields") or [])


@admin.register(AwsEvent)
class AwsEventAdmin(admin.ModelAdmin):
    """What AWS's Registration Status Change events did (registrations.services.events). Read-only."""

    list_display = (
        "received_at",
        "registration_id",
        "status",
        "event_time",
        "outcome",
        "aws_account",
        "region",
    )
    list_filter = ("outcome", "status", "aws_account", "region")
    search_fields = ("registration_id", "event_id")
    date_hierarchy = "received_at"
    list_select_related = ("aws_account",)
    readonly_fields = [f.name for f in AwsEvent._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser or scoped_team_ids(request.user) is None:
            return queryset
        # An approver limited to some teams sees the events of those teams' registrations only.
        visible = visible_related(Registration.objects.all(), user=request.user)
        return queryset.filter(registration_id__in=visible.values("aws_registration_id"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AwsEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AwsEvent | None = None) -> bool:
        return False  # a record of what happened; beat prunes it after AWS_EVENTS_RETENTION_DAYS
