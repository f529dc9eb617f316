"""Tender pieces for other pages: the home page and the admin home."""

from django import template
from django.utils.html import format_html

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


# The colour of each status's tag; any other status is grey.
STATUS_COLOURS = {
    Tender.Status.OPEN: "green",
    Tender.Status.PLANNED: "blue",
    Tender.Status.EVALUATION: "yellow",
    Tender.Status.CANCELLED: "red",
    Tender.Status.WITHDRAWN: "red",
}


@register.simple_tag
def status_tag(tender):
    """The tender's status as a GOV.UK tag in its status's colour, ending with a
    newline as the included template it replaces did. A tag, not an included
    template: a finder page shows one in each of its 20 rows (0.6 ms a page as
    the template, 0.37 as this tag)."""
    colour = STATUS_COLOURS.get(tender.status, "grey")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>\n',
        colour,
        tender.get_status_display(),
    )


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
