"""Admin: teams (members and roles inline, the AWS accounts each may use) and approver scopes."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApproverScope, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "member_count", "created_at")
    search_fields = ("name", "memberships__user__username", "memberships__user__email")
    filter_horizontal = ("aws_accounts",)
    inlines = (MembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(members=Count("memberships"))

    @admin.display(description=_("members"), ordering="members")
    def member_count(self, obj: Team) -> int:
        return obj.members


@admin.register(ApproverScope)
class ApproverScopeAdmin(admin.ModelAdmin):
    list_display = ("user",)
    autocomplete_fields = ("user",)
    filter_horizontal = ("teams",)
