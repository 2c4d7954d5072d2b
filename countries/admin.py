"""Admin for the country catalogue and its rule calendar. Changing a country's process, or a built-in
rule's date, severity or state, by hand marks it overridden, so `load_countries` keeps it (until --force
or the "clear override" action). Permissions are Django's model permissions: support staff, who only
have the view permission, see the calendar read-only."""

from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import calendar, services
from .forms import CountryAdminForm
from .models import Country, CountryRule, sender_id_process_for
from .rules import describe_base_rule, describe_rules


class RegistrationTypeFilter(admin.SimpleListFilter):
    title = _("AWS registration type")
    parameter_name = "registration_type"
    NONE = "__none__"
    ANY = "__any__"

    def lookups(self, request, model_admin):
        types = (
            Country.objects.exclude(registration_type="")
            .order_by("registration_type")
            .values_list("registration_type", flat=True)
            .distinct()
        )
        return [(self.ANY, _("Any type")), (self.NONE, _("No type")), *((t, t) for t in types)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ANY:
            return queryset.exclude(registration_type="")
        if value == self.NONE:
            return queryset.filter(registration_type="")
        if value:
            return queryset.filter(registration_type=value)
        return queryset


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    form = CountryAdminForm
    list_display = (
        "name",
        "iso_code",
        "dialing_code",
        "process_badge",
        "registration_type",
        "est_registration_time",
        "two_way",
        "notes_short",
    )
    list_display_links = ("name", "iso_code")
    list_filter = (
        "sender_id_process",
        RegistrationTypeFilter,
        "two_way",
        "process_overridden",
        "registration_form_in_console",
    )
    search_fields = ("name", "name_folded", "=iso_code", "=dialing_code", "registration_type")
    ordering = ("name_folded", "name")
    list_per_page = 250
    readonly_fields = ("rules_summary", "updated_at")
    actions = ("clear_process_override",)
    fieldsets = (
        (None, {"fields": ("iso_code", "name", "dialing_code", "two_way")}),
        (
            _("Sender ID process"),
            {
                "fields": (
                    "sender_id_process",
                    "process_overridden",
                    "registration_type",
                    "registration_form_in_console",
                    "est_registration_time",
                ),
                "description": _(
                    "Changing the process here marks it as set by an admin: load_countries keeps it "
                    "(and --sync leaves it) until run with --force or the override is cleared."
                ),
            },
        ),
        (_("Sender ID rules"), {"fields": ("rules_summary", "sender_id_rules")}),
        (_("Notes"), {"fields": ("notes", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The ISO code is the primary key: other tables point at it.
        return (*self.readonly_fields, "iso_code") if obj else self.readonly_fields

    @admin.display(description=_("sender ID process"), ordering="sender_id_process")
    def process_badge(self, obj: Country) -> str:
        flag = ""
        if obj.process_overridden:
            flag = format_html(' <span title="{}">✎</span>', _("set by an admin"))
        label = obj.get_sender_id_process_display()
        badge = format_html('<span class="badge {}">{}</span>{}', obj.sender_id_process, label, flag)
        choice = sender_id_process_for(obj)
        if choice.process == obj.sender_id_process:
            return badge
        # What requests actually take in the portal's Region (India outside ap-south-1/2), and why.
        effective = '{} → <span class="badge {}" title="{}">{}</span>'
        return format_html(effective, badge, choice.process, choice.reason, choice.label)

    @admin.display(description=_("notes"))
    def notes_short(self, obj: Country) -> str:
        return Truncator(obj.notes).chars(60) or "—"

    @admin.display(description=_("rules in words"))
    def rules_summary(self, obj: Country | None) -> str:
        lines = describe_rules(obj.sender_id_rules) if obj else []
        if not lines:
            return describe_base_rule()
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))

    def save_model(self, request, obj, form, change):
        services.country_admin_save(country=obj, changed_fields=form.changed_data if change else ())

    # A write: it needs the change permission (support staff only view countries).
    @admin.action(
        description=_("Clear the admin override (data file and --sync decide the process)"),
        permissions=["change"],
    )
    def clear_process_override(self, request, queryset):
        n = services.countries_clear_override(iso_codes=queryset.values_list("iso_code", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(n)d country no longer overridden; run load_countries to apply the data file.",
                "%(n)d countries no longer overridden; run load_countries to apply the data file.",
                n,
            )
            % {"n": n},
            messages.SUCCESS,
        )

    class Media:
        css = {"all": ("countries/admin.css",)}


@admin.register(CountryRule)
class CountryRuleAdmin(admin.ModelAdmin):
    list_display = (
        "country",
        "code",
        "kind",
        "effective_from",
        "severity",
        "message_types",
        "enabled",
        "builtin",
        "overridden",
        "message_short",
    )
    list_display_links = ("code",)
    list_editable = ("effective_from", "enabled")
    list_filter = ("kind", "severity", "enabled", "builtin", "overridden", "message_types", "country")
    search_fields = ("country__name", "=country__iso_code", "code", "text", "what_to_do")
    list_select_related = ("country",)
    ordering = ("country__name_folded", "effective_from", "code")
    date_hierarchy = "effective_from"
    readonly_fields = ("builtin", "builtin_text", "updated_at")
    autocomplete_fields = ("country",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # AWS's pages are https
    fieldsets = (
        (
            None,
            {"fields": ("country", "code", "kind", "severity", "effective_from", "message_types", "enabled")},
        ),
        (
            _("What users read"),
            {
                "fields": ("builtin_text", "text", "what_to_do", "source_url"),
                "description": _(
                    "Built-in rules show the portal's translated sentence; a text entered here replaces it "
                    "in every language."
                ),
            },
        ),
        (_("Origin"), {"fields": ("builtin", "overridden", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # A built-in rule's code keys its translated sentence and the loader's seed: not renamed by hand.
        if obj is not None and obj.builtin:
            return (*self.readonly_fields, "country", "code")
        return self.readonly_fields

    @admin.display(description=_("text"))
    def message_short(self, obj: CountryRule) -> str:
        return Truncator(obj.message).chars(80) or "—"

    @admin.display(description=_("built-in sentence"))
    def builtin_text(self, obj: CountryRule | None) -> str:
        if obj is None:
            return "—"
        text, todo = calendar.builtin_text(obj.code)
        if not text:
            return "—"
        return format_html("{}<br><em>{}</em>", text, todo)

    def save_model(self, request, obj, form, change):
        services.country_rule_admin_save(rule=obj, changed_fields=form.changed_data if change else ())
