from django.contrib import admin
from django.utils.html import format_html, format_html_join

from councils.scoping import CouncilScopedAdmin, CouncilScopedInline

from .admin_import import CqcImportAdminMixin
from .cqc.report import Problem
from .models import (
    CareService,
    CqcImport,
    GroupRating,
    PastRating,
    Provider,
    ServiceType,
    Specialism,
)


@admin.register(ServiceType, Specialism)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "cqc_provider_id"]
    search_fields = ["name", "cqc_provider_id"]


class PastRatingInline(CouncilScopedInline):
    model = PastRating
    extra = 0
    fields = ["rating", "published_on", "replaced_on"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "past CQC ratings (kept by the CQC import)"

    def has_add_permission(self, request, obj=None):
        return False


class GroupRatingInline(CouncilScopedInline):
    model = GroupRating
    extra = 0
    fields = ["group", "key_question", "rating", "published_on"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = (
        "CQC ratings of services and population groups (kept by the CQC import)"
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CareService)
class CareServiceAdmin(CouncilScopedAdmin):
    inlines = [PastRatingInline, GroupRatingInline]
    list_display = [
        "name",
        "council",
        "provider",
        "care_home",
        "rating",
        "rating_published_on",
        "council_contracted",
        "is_demo",
    ]
    list_filter = [
        ("council", admin.RelatedOnlyFieldListFilter),
        "care_home",
        "rating",
        "council_contracted",
        "council_run",
        "is_demo",
        ("deregistered_on", admin.EmptyFieldListFilter),
        "service_types",
    ]
    list_select_related = ["council", "provider"]
    search_fields = ["name", "postcode", "cqc_location_id", "provider__name"]
    autocomplete_fields = ["council"]
    filter_horizontal = ["service_types", "specialisms"]
    readonly_fields = ["imported_at"]
    fieldsets = [
        (
            None,
            {"fields": ["council", "name", "also_known_as", "provider", "is_demo"]},
        ),
        (
            "Where and how to contact",
            {"fields": ["address", "postcode", "phone", "website"]},
        ),
        (
            "What it provides",
            {
                "fields": [
                    "service_types",
                    "specialisms",
                    "care_home",
                    "beds",
                    "extra_care_type",
                ]
            },
        ),
        (
            "CQC registration and rating",
            {
                "fields": [
                    "cqc_location_id",
                    "cqc_url",
                    "rating",
                    "rating_published_on",
                    "rating_inherited",
                    "safe_rating",
                    "effective_rating",
                    "caring_rating",
                    "responsive_rating",
                    "well_led_rating",
                    "latest_check_on",
                    "deregistered_on",
                    "imported_at",
                ]
            },
        ),
        (
            "The council's relationship",
            {"fields": ["council_contracted", "council_run"]},
        ),
    ]


@admin.register(CqcImport)
class CqcImportAdmin(CqcImportAdminMixin, admin.ModelAdmin):
    """Every import of a CQC file, with what it did; portal administrators only."""

    list_display = [
        "kind",
        "file_name",
        "outcome",
        "produced_on",
        "imported_at",
        "imported_by",
        "added",
        "updated",
        "unchanged",
        "deregistered",
        "outside_regions",
        "not_social_care",
        "first_problem",
    ]
    list_filter = ["outcome", "preview", "kind"]
    date_hierarchy = "imported_at"
    search_fields = ["file_name"]
    list_select_related = ["imported_by"]
    fields = [
        "file_name",
        "kind",
        "outcome",
        "preview",
        "produced_on",
        "imported_at",
        "imported_by",
        "problem_list",
        "added",
        "updated",
        "unchanged",
        "deregistered",
        "outside_regions",
        "not_social_care",
    ]
    readonly_fields = fields

    @admin.display(description="first problem")
    def first_problem(self, run):
        if not run.problems:
            return ""
        first = run.problems[0]
        more = len(run.problems) - 1
        reason = Problem(first["reason"], first.get("row"), first.get("column", ""))
        return f"{reason} (and {more} more)" if more else str(reason)

    @admin.display(description="why it was refused")
    def problem_list(self, run):
        if not run.problems:
            return "-"
        return format_html(
            '<table><thead><tr><th scope="col">Row</th><th scope="col">Column</th>'
            '<th scope="col">Reason</th></tr></thead><tbody>{}</tbody></table>',
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (p.get("row") or "", p.get("column") or "", p.get("reason"))
                    for p in run.problems
                ),
            ),
        )

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
