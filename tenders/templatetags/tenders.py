"""Tender pieces for other pages: the home page and the admin home."""

from django import template
from django.utils.html import format_html

from councils.finders import with_names

from ..dates import UNKNOWN
from ..filters import SoonestResults
from ..models import Arrangement, ImportRecord, Tender

register = template.Library()


@register.inclusion_tag("tenders/includes/upcoming_tenders.html")
def upcoming_tenders(limit=5):
    """What is coming up next across the region, soonest first."""
    tenders = SoonestResults(Tender.live.upcoming(), "procurement", include_over=False)
    rows = tenders.related("council")[:limit]
    return {"tenders": with_names(rows, "types_of_care", "care_names")}


@register.inclusion_tag("admin/includes/recent_imports.html")
def recent_imports(user, limit=5):
    """The latest tender table imports for the user's councils (admin home)."""
    return {
        "imports": ImportRecord.objects.editable_by(user).select_related(
            "council", "user"
        )[:limit]
    }


# The colour of each status's tag, and of each way of joining an arrangement;
# any other is grey.
STATUS_COLOURS = {
    Tender.Status.OPEN: "green",
    Tender.Status.PLANNED: "blue",
    Tender.Status.EVALUATION: "yellow",
    Tender.Status.CANCELLED: "red",
    Tender.Status.WITHDRAWN: "red",
}
JOINING_COLOURS = {
    Arrangement.Joining.OPEN: "green",
    Arrangement.Joining.PERIODIC: "blue",
}


def _tag(colour: str, label: str) -> str:
    """A GOV.UK tag, ending with a newline as the included templates these tags
    replace did. Tags, not included templates: a finder page shows one in each
    of its 20 rows (0.6 ms a page as a template, 0.37 as a tag)."""
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>\n', colour, label
    )


@register.simple_tag
def status_tag(tender):
    """The tender's status as a tag in its status's colour."""
    return _tag(STATUS_COLOURS.get(tender.status, "grey"), tender.get_status_display())


@register.simple_tag
def joining_tag(arrangement):
    """How a provider joins the arrangement, as a tag in its colour."""
    return _tag(
        JOINING_COLOURS.get(arrangement.joining, "grey"),
        arrangement.get_joining_display(),
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
