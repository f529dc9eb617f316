"""Rates and fees as open data: CSV and JSON downloads filtered by council and
type of care, with their source and as-at date."""

from councils.downloads import FilteredDownloadView

from .filters import RateFilter
from .models import Rate

COLUMNS = [
    "council",
    "council_gss_code",
    "type_of_care",
    "kind",
    "description",
    "amount",
    "unit",
    "effective_from",
    "effective_to",
    "arrangement",
    "source",
    "source_url",
    "as_at",
    "notes",
]


class RateDownloadView(FilteredDownloadView):
    filterset_class = RateFilter
    columns = COLUMNS
    filename = "rates"

    def queryset(self):
        return Rate.objects.select_related("council", "type_of_care", "arrangement")

    def record(self, rate: Rate) -> dict:
        return {
            "council": rate.council.name,
            "council_gss_code": rate.council.gss_code,
            "type_of_care": rate.type_of_care.name,
            "kind": rate.get_kind_display(),
            "description": rate.description,
            "amount": float(rate.amount),
            "unit": rate.get_unit_display(),
            "effective_from": rate.effective_from,
            "effective_to": rate.effective_to,
            "arrangement": rate.arrangement.name if rate.arrangement else "",
            "source": rate.source_name,
            "source_url": rate.source_url,
            "as_at": rate.as_at,
            "notes": rate.notes,
        }
