from django.contrib import admin

from councils.scoping import CouncilScopedAdmin

from .admin_import import TenderImportExportMixin
from .models import ImportRecord, Tender


@admin.register(Tender)
class TenderAdmin(TenderImportExportMixin, CouncilScopedAdmin):
    list_display = ["title", "reference", "council", "procurement_activity", "status"]
    list_filter = ["status", ("council", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["council"]
    search_fields = ["title", "reference"]


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
