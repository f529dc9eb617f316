from django.contrib import admin

from councils.scoping import CouncilScopedAdmin

from .models import CareService, Provider, ServiceType, Specialism


@admin.register(ServiceType, Specialism)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "cqc_provider_id"]
    search_fields = ["name", "cqc_provider_id"]


@admin.register(CareService)
class CareServiceAdmin(CouncilScopedAdmin):
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
                    "latest_check_on",
                    "imported_at",
                ]
            },
        ),
        (
            "The council's relationship",
            {"fields": ["council_contracted", "council_run"]},
        ),
    ]
