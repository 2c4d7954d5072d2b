"""Admin for company profiles and vault documents: support staff look a team's profile up; the file
content is never shown in a form (it is downloaded from the team's profile page)."""

from __future__ import annotations

from django.contrib import admin

from .models import CompanyProfile, Document


@admin.register(CompanyProfile)
class CompanyProfileAdmin(admin.ModelAdmin):
    list_display = ("team", "legal_name", "iso_country_code", "updated_at")
    search_fields = ("team__name", "legal_name", "trading_name", "company_id")
    readonly_fields = ("updated_at", "updated_by")
    raw_id_fields = ("team",)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "kind", "country", "issued_on", "expires_on", "size")
    list_filter = ("kind",)
    search_fields = ("title", "file_name", "team__name")
    exclude = ("content",)
    readonly_fields = (
        "file_name", "content_type", "size", "sha256",
        "uploaded_by", "created_at", "expiry_reminder_sent_for",
    )  # fmt: skip
    raw_id_fields = ("team",)

    def lookup_allowed(self, lookup: str, value: str, request=None) -> bool:  # type: ignore[no-untyped-def]
        # A filter on the file's bytes is meaningless and a text value for it is a database error (500).
        if lookup.split("__", 1)[0] == "content":
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # files come in through the profile page's checks (size, type, dates)
