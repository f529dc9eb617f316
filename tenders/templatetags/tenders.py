"""Tender pieces for other pages: the home page and the admin home."""

from django import template

from ..dates import UNKNOWN
from ..filters import SoonestResults, with_care_names
from ..models import ImportRecord, Tender

register = template.Library()


@register.inclusion_tag("tenders/includes/upcoming_tenders.html")
def upcoming_tenders(limit=5):
    """What is coming up next across the region, soonest first."""
    tenders = SoonestResults(Tender.live.upcoming(), "procurement", include_over=False)
    return {"tenders": with_care_names(tenders.related("council")[:limit])}


@register.inclusion_tag("admin/includes/recent_imports.html")
def recent_imports(user, limit=5):
    """The latest tender table imports for the user's councils (admin home)."""
    return {
        "imports": ImportRecord.objects.editable_by(user).select_related(
            "council", "user"
        )[:limit]
    }


@register.filter
def as_published(text: str) -> str:
    """A date as the council published it; blank and "TBC" alike read "To be
    confirmed", so the same state never shows two ways."""
    text = (text or "").strip()
    return "To be confirmed" if text.casefold().strip(".") in UNKNOWN else text


def _pounds(amount) -> str:
    return f"£{amount:,.0f}"


@register.filter
def tender_value(tender: Tender) -> str:
    """The estimated value: as the council wrote it, else one amount or a range."""
    if tender.value_text:
        return tender.value_text
    low, high = tender.value_min, tender.value_max
    if low is not None and high is not None:
        return _pounds(low) if low == high else f"{_pounds(low)} to {_pounds(high)}"
    if high is not None:
        return f"Up to {_pounds(high)}"
    if low is not None:
        return f"From {_pounds(low)}"
    return ""
