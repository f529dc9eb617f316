from django.contrib import admin

from .models import Contact, Council, Heading, ProviderForum, Region, Section
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


@admin.register(Council)
class CouncilAdmin(CouncilScopedAdmin):
    list_display = ["name", "gss_code", "region", "commissioning_email"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "gss_code"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["commissioners"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "region", "gss_code", "website", "logo"]}),
        (
            "Commissioning contact",
            {"fields": ["commissioning_email", "commissioning_phone"]},
        ),
        ("Council staff", {"fields": ["commissioners"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Only portal administrators change who may edit a council, or its identity.
        if request.user.is_superuser:
            return []
        return ["name", "slug", "region", "gss_code", "commissioners"]

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}


@admin.register(Section)
class SectionAdmin(CouncilScopedAdmin):
    list_display = ["heading", "council", "status", "content_updated_at"]
    list_filter = ["status", "heading", ("council", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["council", "heading"]
    search_fields = ["body", "council__name", "heading__name"]
    readonly_fields = ["content_updated_at"]
    autocomplete_fields = ["council"]
    fieldsets = [
        (None, {"fields": ["council", "heading", "status"]}),
        ("Content", {"fields": ["body", "content_updated_at"]}),
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
