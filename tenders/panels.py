"""What tenders, arrangements and rates add to the council page and market pages."""

from councils import panels

from .filters import SoonestResults
from .models import Arrangement, Rate, Tender, TenderPipeline

# Tenders a panel lists, soonest first; the rest are a link to the finder away, so
# a council with thousands of tenders has a page the size of one with thirty.
PANEL_TENDERS = 25
# What the council page's table shows of each tender (its address is the council's
# slug and the reference): reading every column of 26 tenders and their council
# was a twentieth of the page. Their council is the page's own, not read again.
COUNCIL_PANEL_FIELDS = (
    "council",
    "title",
    "reference",
    "is_demo",
    "notes",
    "service_area",
    "procurement_activity",
    "status",
    "procurement_end",
    "commencement",
)


def first_tenders(tenders, only=(), council=None) -> dict:
    """The ``PANEL_TENDERS`` soonest, and whether there are more; read as two index
    ranges (windows to come, then those over), not by sorting every row. ``only``:
    the fields read, when not all (``SoonestResults.related``); ``council``: the
    council every one of them belongs to, given to each row rather than read
    with it (the rows are read by key from the base manager, so a council's own
    relation, which gives its rows the council, does not reach them)."""
    results = SoonestResults(tenders, "procurement")
    if council is None:
        results.related("council", only=only)
    else:
        results.related(only=only)
    rows = results[: PANEL_TENDERS + 1]
    if council is not None:
        for row in rows:
            row.council = council
    return {"tenders": rows[:PANEL_TENDERS], "more_tenders": len(rows) > PANEL_TENDERS}


@panels.register(
    "council", order=10, template_name="tenders/includes/council_pipeline.html"
)
def council_pipeline(council):
    """The council's planned and open procurements, as in its MPS appendix."""
    return {
        "council": council,
        "pipeline": TenderPipeline.objects.filter(council=council).first(),
        **first_tenders(
            Tender.live.for_council(council).published().in_pipeline(),
            only=COUNCIL_PANEL_FIELDS,
            council=council,
        ),
    }


@panels.register(
    "council", order=20, template_name="tenders/includes/council_arrangements.html"
)
def council_arrangements(council):
    """The council's frameworks, spot contracts and panels open to join now."""
    return {
        "council": council,
        # Only what the table shows (a council may have dozens open to join).
        # Read through the council's own relation, so each row is given the
        # page's council rather than reading it again.
        "arrangements": council.arrangements(manager="live")
        .open_to_join()
        .only("name", "kind", "live_of_id", "council"),
    }


@panels.register("market", order=30, template_name="tenders/includes/market_rates.html")
def market_rates(*, type_of_care, councils):
    """What the councils pay for this type of care: rates, fees and uplifts."""
    return {
        "type_of_care": type_of_care,
        "rates": Rate.objects.filter(type_of_care=type_of_care, council__in=councils)
        .current()
        .select_related("council", "arrangement__council"),
    }


@panels.register(
    "market", order=40, template_name="tenders/includes/market_arrangements.html"
)
def market_arrangements(*, type_of_care, councils):
    """Frameworks, spot contracts and panels for this type of care, open first."""
    return {
        "type_of_care": type_of_care,
        "councils": councils,
        "arrangements": Arrangement.live.filter(
            types_of_care=type_of_care, council__in=councils
        )
        .open_first()
        .select_related("council"),
    }


@panels.register(
    "market", order=50, template_name="tenders/includes/market_tenders.html"
)
def market_tenders(*, type_of_care, councils):
    """Planned, open and evaluated procurements for this type of care, soonest
    first, with those whose dates have passed last."""
    return {
        "type_of_care": type_of_care,
        "councils": councils,
        **first_tenders(
            Tender.live.filter(types_of_care=type_of_care, council__in=councils)
            .published()
            .in_pipeline()
        ),
    }
