from django import forms
from django.contrib import admin
from django.db import models

from councils.publishing_admin import PublishingAdmin
from councils.scoping import CouncilScopedAdmin

from .imports.admin import TenderImportExportMixin
from .models import (
    Arrangement,
    ClientGroup,
    ClientGroupAlias,
    CpvCode,
    ImportRecord,
    Rate,
    Tender,
    TenderPipeline,
)


@admin.register(ClientGroup)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(ClientGroupAlias)
class ClientGroupAliasAdmin(CouncilScopedAdmin):
    """A council's own words for client groups, read by its tender table imports."""

    list_display = ["name", "client_group", "council"]
    list_filter = ["client_group", ("council", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["client_group", "council"]
    search_fields = ["name"]
    autocomplete_fields = ["council"]


@admin.register(CpvCode)
class CpvCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(Tender)
class TenderAdmin(PublishingAdmin, TenderImportExportMixin, CouncilScopedAdmin):
    """Tenders are edited as a working copy and published (or scheduled, or sent
    for review) from their Publish page, like MPS sections."""

    list_display = [
        "title",
        "council",
        "reference",
        "status",
        "state",
        "procurement_activity",
        "commencement",
        "is_demo",
        "updated_at",
    ]
    list_filter = [
        "editorial_state",
        "status",
        "is_demo",
        ("council", admin.RelatedOnlyFieldListFilter),
        "types_of_care",
        "client_groups",
    ]
    list_select_related = ["council"]
    search_fields = ["title", "reference", "description", "service_area"]
    autocomplete_fields = ["council"]
    date_hierarchy = "published_at"
    # The vocabularies are short lists, and checkboxes need no permission on them.
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    readonly_fields = [
        "procurement_start",
        "procurement_end",
        "commencement_start",
        "commencement_end",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["council", "reference", "title", "description", "status"]}),
        (
            "What is being bought",
            {
                "fields": [
                    "service_area",
                    "types_of_care",
                    "client_groups",
                    "cpv_codes",
                    "value_min",
                    "value_max",
                    "value_text",
                ]
            },
        ),
        (
            "Dates",
            {
                "description": (
                    "Write dates as the council publishes them. The portal works "
                    "out the date window each stands for, used by the finder's "
                    "date filters."
                ),
                "fields": [
                    "procurement_activity",
                    ("procurement_start", "procurement_end"),
                    "commencement",
                    ("commencement_start", "commencement_end"),
                    "contract_end",
                ],
            },
        ),
        (
            "Notes and contact",
            {"fields": ["notes", "contact_name", "contact_email"]},
        ),
        ("Official notice", {"fields": ["notice_url", "ocid"]}),
        (
            "Publishing",
            {
                "description": (
                    "Saving changes the working copy only: readers see the published "
                    "version until you publish (or schedule) it from Publish."
                ),
                "fields": ["is_demo", "review_by", "updated_at"],
            },
        ),
    ]


@admin.register(TenderPipeline)
class TenderPipelineAdmin(CouncilScopedAdmin):
    list_display = ["council", "last_updated", "enquiries"]
    list_select_related = ["council"]
    search_fields = ["council__name"]
    autocomplete_fields = ["council"]


@admin.register(ImportRecord)
class ImportRecordAdmin(CouncilScopedAdmin):
    """Each tender table import, as a read-only log."""

    list_display = [
        "created_at",
        "council",
        "file_name",
        "user",
        "outcome",
        "rows",
        "new",
        "updated",
        "unchanged",
        "withdrawn",
        "errors",
    ]
    list_filter = ["outcome", ("council", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["council", "user"]
    search_fields = ["file_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Arrangement)
class ArrangementAdmin(PublishingAdmin, CouncilScopedAdmin):
    list_display = ["name", "council", "kind", "joining", "state", "is_demo"]
    list_filter = [
        "editorial_state",
        "kind",
        "joining",
        "is_demo",
        ("council", admin.RelatedOnlyFieldListFilter),
        "types_of_care",
        "client_groups",
    ]
    list_select_related = ["council"]
    search_fields = ["name", "description", "lots"]
    autocomplete_fields = ["council"]
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    readonly_fields = ["next_opening_start", "next_opening_end", "updated_at"]
    fieldsets = [
        (None, {"fields": ["council", "name", "kind", "description"]}),
        (
            "What it covers",
            {"fields": ["types_of_care", "client_groups", "lots"]},
        ),
        (
            "Joining",
            {
                "description": (
                    "Write the next opening as the council publishes it. The portal "
                    "works out the date window it stands for."
                ),
                "fields": [
                    "joining",
                    "next_opening",
                    ("next_opening_start", "next_opening_end"),
                    "how_to_join",
                ],
            },
        ),
        (
            "Dates and contact",
            {"fields": ["starts", "ends", "more_information_url", "contact_email"]},
        ),
        ("Publishing", {"fields": ["is_demo", "review_by", "updated_at"]}),
    ]


@admin.register(Rate)
class RateAdmin(CouncilScopedAdmin):
    list_display = ["description", "council", "type_of_care", "kind", "amount", "unit"]
    list_filter = [
        "kind",
        "type_of_care",
        ("council", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["council", "type_of_care"]
    search_fields = ["description", "notes"]
    autocomplete_fields = ["council", "arrangement"]
    fieldsets = [
        (None, {"fields": ["council", "type_of_care", "kind", "description"]}),
        ("Amount", {"fields": ["amount", "unit", "effective_from", "effective_to"]}),
        ("Source", {"fields": ["arrangement", "source_name", "source_url", "as_at"]}),
        ("Notes", {"fields": ["notes"]}),
    ]
