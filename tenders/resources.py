"""The tender table as django-import-export exports it: the columns the import reads.

Imports do not go through this resource row by row; ``tenders.imports`` reads the
same headings (see ``tenders.imports.columns``) and writes in batches. Every heading
here is one the import recognises, so an exported table imports again unchanged.
"""

from import_export import fields, resources, widgets

from councils.downloads import spreadsheet_safe
from councils.models import TypeOfCare

from .imports.columns import BY_FIELD, EXPORTED
from .models import ClientGroup, Tender


def _field(name: str, **kwargs) -> fields.Field:
    return fields.Field(
        attribute=kwargs.pop("attribute", name),
        column_name=BY_FIELD[name].heading,
        **kwargs,
    )


class TenderResource(resources.ModelResource):
    reference = _field("reference")
    title = _field("title")
    description = _field("description")
    service_area = _field("service_area")
    procurement_activity = _field("procurement_activity")
    commencement = _field("commencement")
    contract_end = _field("contract_end", widget=widgets.DateWidget("%Y-%m-%d"))
    value_min = _field("value_min")
    value_max = _field("value_max")
    value_text = _field("value_text")
    types_of_care = _field(
        "types_of_care",
        widget=widgets.ManyToManyWidget(TypeOfCare, separator="; ", field="name"),
    )
    client_groups = _field(
        "client_groups",
        widget=widgets.ManyToManyWidget(ClientGroup, separator="; ", field="name"),
    )
    status = _field("status", attribute="get_status_display")
    notes = _field("notes")
    contact_name = _field("contact_name")
    contact_email = _field("contact_email")
    notice_url = _field("notice_url")
    ocid = _field("ocid")
    council = _field("council", attribute="council__name")

    class Meta:
        model = Tender
        name = "Tender table"
        fields = EXPORTED
        export_order = EXPORTED

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.select_related("council")
            .prefetch_related("types_of_care", "client_groups")
            .order_by("council__name", "pk")
        )
