from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models

from .admin_import import IndicatorFiguresImportMixin
from .models import (
    AuditEntry,
    CommissioningIntention,
    Contact,
    Council,
    Heading,
    Indicator,
    IndicatorImport,
    IndicatorValue,
    ProviderForum,
    Region,
    Section,
    TypeOfCare,
    TypeOfCareAlias,
)
from .publishing import figures_changed_record
from .publishing_admin import PublishingAdmin, RestorableHistoryAdmin
from .scoping import CouncilScopedAdmin


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "gss_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Heading)
class HeadingAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "summary"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(TypeOfCare)
class TypeOfCareAdmin(admin.ModelAdmin):
    list_display = ["name", "setting", "position"]
    list_editable = ["position"]
    list_filter = ["setting"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(TypeOfCareAlias)
class TypeOfCareAliasAdmin(CouncilScopedAdmin):
    """A council's own words for types of care, read by its tender table imports."""

    list_display = ["name", "type_of_care", "council"]
    list_filter = ["type_of_care", ("council", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["type_of_care", "council"]
    search_fields = ["name"]
    autocomplete_fields = ["council"]


@admin.register(Council)
class CouncilAdmin(CouncilScopedAdmin):
    list_display = ["name", "gss_code", "region", "commissioning_email"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "gss_code"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["commissioners", "approvers"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "region", "gss_code", "website", "logo"]}),
        (
            "Commissioning contact",
            {"fields": ["commissioning_email", "commissioning_phone"]},
        ),
        (
            "Market Position Statement",
            {"fields": [("mps_period_start", "mps_period_end")]},
        ),
        (
            "Council staff and review",
            {"fields": ["commissioners", "requires_review", "approvers"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Only portal administrators change who may edit or approve for a council,
        # or its identity.
        if request.user.is_superuser:
            return []
        return [
            "name",
            "slug",
            "region",
            "gss_code",
            "commissioners",
            "requires_review",
            "approvers",
        ]

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}


@admin.register(Section)
class SectionAdmin(PublishingAdmin, CouncilScopedAdmin):
    list_display = ["heading", "council", "state", "content_updated_at", "review_by"]
    list_filter = [
        "editorial_state",
        "status",
        "heading",
        ("council", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["council", "heading"]
    search_fields = ["body", "council__name", "heading__name"]
    readonly_fields = ["content_updated_at"]
    autocomplete_fields = ["council"]
    fieldsets = [
        (None, {"fields": ["council", "heading", "status"]}),
        ("Content", {"fields": ["body"]}),
        ("Review", {"fields": ["review_by", "content_updated_at"]}),
    ]


@admin.register(Contact)
class ContactAdmin(CouncilScopedAdmin):
    list_display = ["role", "name", "council", "email", "phone"]
    list_filter = [("council", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["council"]
    search_fields = ["role", "name", "email"]
    autocomplete_fields = ["council"]


@admin.register(ProviderForum)
class ProviderForumAdmin(CouncilScopedAdmin):
    list_display = ["name", "council", "audience"]
    list_filter = [("council", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["council"]
    search_fields = ["name", "audience"]
    autocomplete_fields = ["council"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "topic", "unit", "frequency", "at_a_glance"]
    list_filter = ["topic", "unit", "at_a_glance", "types_of_care"]
    search_fields = ["name", "definition"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }


class IndicatorValueForm(forms.ModelForm):
    """Checks the area code names a council the user may edit (or, for portal
    administrators, any council, region or England)."""

    user = None

    class Meta:
        model = IndicatorValue
        fields = [
            "indicator",
            "area_code",
            "period",
            "base_year",
            "value",
            "source_name",
            "source_url",
            "as_at",
            "notes",
        ]

    def clean_area_code(self):
        code = self.cleaned_data["area_code"].strip().upper()
        if self.user.is_superuser:
            return code
        if not Council.objects.editable_by(self.user).filter(gss_code=code).exists():
            raise ValidationError(
                "Enter the GSS code of one of your councils. Region and England "
                "figures are loaded by portal administrators."
            )
        return code


@admin.register(IndicatorValue)
class IndicatorValueAdmin(
    RestorableHistoryAdmin, IndicatorFiguresImportMixin, CouncilScopedAdmin
):
    """Each save is a version (History: compare, restore) and a What changed
    entry for the council's figures."""

    form = IndicatorValueForm
    change_list_template = "admin/councils/indicatorvalue/change_list.html"
    list_display = ["indicator", "area_code", "council", "period", "value", "as_at"]
    list_filter = ["indicator__topic", "indicator", "period_kind"]
    list_select_related = ["indicator", "council", "region"]
    search_fields = ["indicator__name", "area_code", "source_name"]
    autocomplete_fields = ["indicator"]
    fieldsets = [
        (None, {"fields": ["indicator", "area_code", "period", "base_year", "value"]}),
        ("Source", {"fields": ["source_name", "source_url", "as_at", "notes"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or form.changed_data:
            figures_changed_record(
                figures=IndicatorValue.objects.filter(pk=obj.pk),
                user=request.user,
                note=f"Figure for {obj.period} {'changed' if change else 'added'}: "
                f"{obj.formatted}.",
            )


@admin.register(IndicatorImport)
class IndicatorImportAdmin(CouncilScopedAdmin):
    """Each attempt to load a table of figures, as a read-only log."""

    list_display = [
        "created_at",
        "file_name",
        "user",
        "outcome",
        "rows",
        "new",
        "updated",
        "unchanged",
        "errors",
    ]
    list_filter = ["outcome", ("councils", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["file_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommissioningIntention)
class CommissioningIntentionAdmin(PublishingAdmin, CouncilScopedAdmin):
    """Edited as a working copy and published from its Publish page, like
    sections: review, schedules, history with restore, preview, archive."""

    list_display = [
        "summary",
        "council",
        "type_of_care",
        "direction",
        "status",
        "state",
    ]
    list_filter = [
        "editorial_state",
        "status",
        "direction",
        "type_of_care",
        ("council", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["council", "type_of_care"]
    search_fields = ["summary", "detail", "how", "where"]
    autocomplete_fields = ["council"]
    filter_horizontal = ["sections"]
    fieldsets = [
        (None, {"fields": ["council", "type_of_care", "direction", "status"]}),
        ("What and where", {"fields": ["summary", "where", "detail", "period"]}),
        ("How", {"fields": ["how", "sections", "position"]}),
        ("Publishing", {"fields": ["review_by"]}),
    ]


@admin.register(AuditEntry)
class AuditEntryAdmin(CouncilScopedAdmin):
    """The audit trail, read-only: the council's staff see their councils' entries."""

    list_display = ["created_at", "username", "council", "action", "object_repr"]
    list_filter = [
        "action",
        ("council", admin.RelatedOnlyFieldListFilter),
        ("content_type", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["council"]
    search_fields = ["object_repr", "username", "message"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "username",
        "council",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "changes_table",
        "message",
    ]
    readonly_fields = fields

    @admin.display(description="what changed")
    def changes_table(self, obj):
        """Each field's old → new value; an import's counts as they are."""
        from django.utils.html import format_html_join

        def shown(value):
            if value in (None, "", []):
                return "(blank)"
            return "; ".join(map(str, value)) if isinstance(value, list) else value

        return format_html_join(
            "\n",
            "<p><strong>{}</strong>: {}</p>",
            (
                (
                    field,
                    f"{shown(change.get('from'))} → {shown(change.get('to'))}"
                    if isinstance(change, dict)
                    else change,
                )
                for field, change in obj.changes.items()
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Email alerts' screens (superusers only).
from .alerts import admin as alerts_admin  # noqa: E402, F401
