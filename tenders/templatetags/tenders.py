"""Tender pieces for other pages: the home page and the admin home."""

import html

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from councils.finders import with_names

from ..dates import UNKNOWN
from ..filters import SoonestResults
from ..models import Arrangement, ImportRecord, Tender

register = template.Library()


@register.inclusion_tag("tenders/includes/upcoming_tenders.html")
def upcoming_tenders(limit=5):
    """What is coming up next across the region, soonest first."""
    tenders = SoonestResults(Tender.live.upcoming(), "procurement", include_over=False)
    rows = tenders.related("council", only=TENDER_RESULT_FIELDS)[:limit]
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


TENDER_RESULT = """
      

<li class="app-tender-result govuk-!-margin-bottom-6">
  <h3 class="govuk-heading-s govuk-!-margin-bottom-1"><a class="govuk-link" href="{url}">{title}</a></h3>
  <p class="govuk-body-s govuk-!-margin-bottom-1">{council}{service_area}</p>
  <dl class="govuk-summary-list govuk-summary-list--no-border govuk-!-font-size-16 govuk-!-margin-bottom-1">
    <div class="govuk-summary-list__row">
      <dt class="govuk-summary-list__key">Procurement</dt>
      <dd class="govuk-summary-list__value">{procurement}{passed}</dd>
    </div>
    <div class="govuk-summary-list__row">
      <dt class="govuk-summary-list__key">Contract starts</dt>
      <dd class="govuk-summary-list__value">{commencement}</dd>
    </div>
    {services}
    <div class="govuk-summary-list__row">
      <dt class="govuk-summary-list__key">Status</dt>
      <dd class="govuk-summary-list__value">{status}{demo}</dd>
    </div>
  </dl>
  {notes}
</li>

      """  # noqa: E501, W293 - the markup as tender_result.html gives it
TENDER_SERVICES = """
    <div class="govuk-summary-list__row">
      <dt class="govuk-summary-list__key">Services</dt>
      <dd class="govuk-summary-list__value">{names}</dd>
    </div>
    """
DATE_PASSED = ' <strong class="govuk-tag govuk-tag--yellow">Date has passed</strong>'
DEMO = ' <strong class="govuk-tag govuk-tag--grey">Demo</strong>'
TENDER_NOTES = (
    '<p class="govuk-body-s govuk-!-margin-bottom-1"><strong>Note:</strong> {}</p>'
)


# The fields ``tender_results`` reads from each tender (``only()`` them when
# reading the rows): the other columns of a tender and its council are most of
# what a row would cost to read.
TENDER_RESULT_FIELDS = [
    "council__name",
    "council__slug",
    "reference",
    "title",
    "service_area",
    "procurement_activity",
    "procurement_end",
    "commencement",
    "status",
    "is_demo",
    "notes",
]


@register.simple_tag
def tender_results(tenders):
    """The finder's result rows: the markup of
    ``tenders/includes/tender_result.html`` in a ``{% for %}`` loop, each
    tender with its council and ``care_names`` (``councils.finders.with_names``).

    Written here rather than as an included template per row: 20 rows through
    the template were about a third of the finder page's time.
    """
    escape = html.escape
    rows = []
    for tender in tenders:
        service_area = tender.service_area
        names = tender.care_names
        notes = tender.notes
        rows.append(
            TENDER_RESULT.format(
                url=escape(tender.get_absolute_url()),
                title=escape(tender.title),
                council=escape(tender.council.name),
                service_area=f" · {escape(service_area)}" if service_area else "",
                procurement=escape(as_published(tender.procurement_activity)),
                passed=DATE_PASSED if tender.planned_date_passed else "",
                commencement=escape(as_published(tender.commencement)),
                services=TENDER_SERVICES.format(
                    names=", ".join(escape(name) for name in names)
                )
                if names
                else "",
                status=status_tag(tender),
                demo=DEMO if tender.is_demo else "",
                notes=TENDER_NOTES.format(escape(notes)) if notes else "",
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


COUNCIL_TENDER_ROW = """
    <tr class="govuk-table__row" role="row">
      <th scope="row" class="govuk-table__header" role="rowheader"><a class="govuk-link" href="{url}">{title}</a>{demo}{notes}</th>
      <td class="govuk-table__cell" role="cell" data-label="Service area">{service_area}</td>
      <td class="govuk-table__cell" role="cell" data-label="Procurement activity">{procurement}{passed}</td>
      <td class="govuk-table__cell" role="cell" data-label="New contract commencement">{commencement}</td>
    </tr>
    """  # noqa: E501 - the markup as council_pipeline.html's loop gave it
COUNCIL_TENDER_NOTES = (
    '<span class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">'
    "Note: {}</span>"
)
COUNCIL_ARRANGEMENT_ROW = """
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{url}">{name}</a></th>
      <td class="govuk-table__cell">{kind}</td>
    </tr>
    """  # noqa: E501 - the markup as council_arrangements.html's loop gave it


@register.simple_tag
def council_tender_rows(tenders):
    """The council page's table of upcoming tenders, a row per tender, as the
    template's loop wrote them. Written here rather than as a loop in the
    template (25 rows through it were a thirtieth of the council page)."""
    escape = conditional_escape
    rows = []
    for tender in tenders:
        notes = tender.notes
        rows.append(
            COUNCIL_TENDER_ROW.format(
                url=escape(tender.get_absolute_url()),
                title=escape(tender.title),
                demo=DEMO if tender.is_demo else "",
                notes=COUNCIL_TENDER_NOTES.format(escape(notes)) if notes else "",
                service_area=escape(tender.service_area),
                procurement=escape(as_published(tender.procurement_activity)),
                passed=DATE_PASSED if tender.planned_date_passed else "",
                commencement=escape(as_published(tender.commencement)),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def council_arrangement_rows(arrangements):
    """The council page's table of arrangements open to join, a row each, as the
    template's loop wrote them (34 rows through it were a fortieth of the page)."""
    escape = conditional_escape
    kinds = {value: str(label) for value, label in Arrangement.Kind.choices}
    rows = []
    for arrangement in arrangements:
        kind = arrangement.kind
        rows.append(
            COUNCIL_ARRANGEMENT_ROW.format(
                url=escape(arrangement.get_absolute_url()),
                name=escape(arrangement.name),
                # As get_kind_display() gives it: the value itself when unknown.
                kind=escape(kinds.get(kind, kind)),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


# The fields ``arrangement_results`` reads from each arrangement (its address
# takes the council's slug and the working copy's key).
ARRANGEMENT_RESULT_FIELDS = [
    "council__name",
    "council__slug",
    "live_of",
    "name",
    "kind",
    "lots",
    "joining",
    "next_opening",
]
ARRANGEMENT_RESULT = """
      <li class="govuk-!-margin-bottom-6">
        <h3 class="govuk-heading-s govuk-!-margin-bottom-1"><a class="govuk-link" href="{url}">{name}</a></h3>
        <p class="govuk-body-s govuk-!-margin-bottom-1">{council}: {kind}{lots}</p>
        <p class="govuk-body-s govuk-!-margin-bottom-1">{joining}{opening}</p>
        {care}
      </li>
      """  # noqa: E501 - the markup as arrangement_result.html gives it
ARRANGEMENT_CARE = '<p class="govuk-body-s govuk-!-margin-bottom-0">{}</p>'


@register.simple_tag
def arrangement_results(arrangements):
    """The arrangements page's result rows: the markup of
    ``tenders/includes/arrangement_result.html`` in a ``{% for %}`` loop, each
    arrangement with its council and ``care_names``
    (``councils.finders.with_names``). Written here rather than through the
    template, as ``tender_results`` is."""
    escape = html.escape
    rows = []
    for arrangement in arrangements:
        lots, opening = arrangement.lots, arrangement.next_opening
        names = arrangement.care_names
        rows.append(
            ARRANGEMENT_RESULT.format(
                url=escape(arrangement.get_absolute_url()),
                name=escape(arrangement.name),
                council=escape(arrangement.council.name),
                kind=escape(arrangement.get_kind_display()),
                lots=f", {escape(lots)}" if lots else "",
                joining=joining_tag(arrangement),
                opening=f" Next opening: {escape(opening)}" if opening else "",
                care=ARRANGEMENT_CARE.format(", ".join(escape(name) for name in names))
                if names
                else "",
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
