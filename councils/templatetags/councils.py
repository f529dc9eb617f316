import html
from itertools import groupby
from operator import attrgetter

from django import template
from django.apps import apps
from django.conf import settings
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.html import conditional_escape, escape, urlize
from django.utils.safestring import mark_safe

from .. import clock, finders, paging
from ..addresses import address
from ..markdown import render_markdown
from ..models import (
    CommissioningIntention,
    Council,
    EditorialState,
    Publication,
    Publishable,
    Section,
)
from ..panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def fixed_url(context, name):
    """``{% url name %}`` for an address with no arguments (the header's and
    footer's on every page), reversed once for each URL resolver, script prefix
    and current application (``councils.addresses``), not on every request."""
    request = getattr(context, "request", None)
    current_app = getattr(request, "current_app", None)
    if current_app is None and not hasattr(request, "current_app"):
        current_app = getattr(
            getattr(request, "resolver_match", None), "namespace", None
        )
    return address(name, current_app=current_app)


@register.filter
def page_links(page):
    """Each page number and how the pagination shows it (``councils.paging``)."""
    return paging.page_links(page)


@register.simple_tag
def checkbox_items(field):
    """A multiple-choice field's checkboxes (``councils.finders.checkbox_items``)."""
    return finders.checkbox_items(field)


@register.simple_tag
def figure_source(item, hide_age=False):
    """Where a figure or rate comes from: its source (linked when it has an
    address), its as-at date, and "May be out of date" when it is past its
    source's next update (``out_of_date``, where the item has it); ``hide_age``
    leaves that tag off (for a history of old figures).

    Written here rather than as an included template: a market or indicator page
    has a source in each of up to 150 rows. The markup and its ending newline are
    what that template gave, and the dates read as the ``date`` filter writes them
    ("Y-m-d" and "F Y").
    """
    return source_markup(
        item, out_of_date=not hide_age and getattr(item, "out_of_date", False)
    )


OUT_OF_DATE_TAG = (
    ' <strong class="govuk-tag govuk-tag--yellow">May be out of date</strong>'
)


def source_markup(item, *, out_of_date: bool, months: dict | None = None) -> str:
    """``figure_source``'s markup, told whether the item is out of date; the
    figure tables tell it for every row from one ``today``, and pass the month
    names (``month_names``) they read once."""
    escape = html.escape
    name = escape(item.source_name)
    if item.source_url:
        name = f'<a class="govuk-link" href="{escape(item.source_url)}">{name}</a>'
    as_at = item.as_at
    if as_at:
        months = months or month_names()
        iso, month = (
            as_at.isoformat(),
            escape(f"{months[as_at.month]} {as_at.year:04d}"),
        )
    else:
        iso, month = "", ""
    age = OUT_OF_DATE_TAG if out_of_date else ""
    markup = f'{name}, as at <time datetime="{iso}">{month}</time>{age}\n'
    return mark_safe(markup)  # noqa: S308 - the source's name and address are escaped


_month_names: dict[str, dict[int, str]] = {}


def month_names() -> dict[int, str]:
    """Django's month names (``django.utils.dates.MONTHS``) in the active
    language, as plain strings: each of those is translated again whenever it is
    read, and a figure table reads one per row."""
    language = translation.get_language()
    names = _month_names.get(language)
    if names is None:
        names = _month_names[language] = {
            number: str(name) for number, name in MONTHS.items()
        }
    return names


FIGURES_TABLE = """
<h3 class="govuk-heading-s govuk-!-margin-bottom-1" id="indicator-{slug}">{name}</h3>
<p class="govuk-body-s govuk-!-margin-bottom-2">{definition}</p>
<div class="app-table-container" tabindex="0" role="region" aria-label="{name}">
<table class="govuk-table govuk-!-font-size-16 app-table--stacked" role="table">
  <caption class="govuk-table__caption govuk-table__caption--s govuk-visually-hidden">{name}{caption}</caption>
  <thead class="govuk-table__head" role="rowgroup">
    <tr class="govuk-table__row" role="row">
      <th scope="col" class="govuk-table__header" role="columnheader">Area</th>
      <th scope="col" class="govuk-table__header govuk-table__header--numeric" role="columnheader">Figure</th>
      <th scope="col" class="govuk-table__header" role="columnheader">Period</th>
      <th scope="col" class="govuk-table__header" role="columnheader">Source</th>
    </tr>
  </thead>
  <tbody class="govuk-table__body" role="rowgroup">
    {rows}
  </tbody>
</table>
</div>
<p class="govuk-body-s"><a class="govuk-link" href="{url}">{name}: every council compared, and over time</a></p>

"""  # noqa: E501 - the markup as the page gives it
FIGURE_ROW = """
    <tr class="govuk-table__row" role="row">
      <th scope="row" class="govuk-table__header" role="rowheader">{area}</th>
      <td class="govuk-table__cell govuk-table__cell--numeric" role="cell" data-label="Figure">{figure}</td>
      <td class="govuk-table__cell" role="cell" data-label="Period">{period}</td>
      <td class="govuk-table__cell" role="cell" data-label="Source">{source}{notes}</td>
    </tr>
    """  # noqa: E501 - the markup as the page gives it
FIGURE_NOTES = (
    '<span class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">{}</span>'
)


@register.simple_tag
def figure_tables(figures, caption=""):
    """A table per indicator of its latest figures (``IndicatorValue`` rows in
    comparison order, with their indicator, council and region), each row with
    its period, source and notes: the markup of
    ``councils/includes/figures_table.html``.

    Written here rather than through that template: a market page has some 60
    figures in 15 tables, and the template's loops and filters were a sixth of
    its time.
    """
    escape = html.escape
    caption = f": {escape(caption)}" if caption else ""
    today, months = clock.today(), month_names()
    tables = []
    for indicator, rows in groupby(figures, key=attrgetter("indicator")):
        name = escape(indicator.name)
        rows = "".join(
            FIGURE_ROW.format(
                area=escape(figure.area_name),
                figure=escape(figure.formatted),
                period=escape(figure.period_label),
                source=source_markup(
                    figure, out_of_date=figure.out_of_date_on(today), months=months
                ),
                notes=FIGURE_NOTES.format(escape(figure.notes)) if figure.notes else "",
            )
            for figure in rows
        )
        tables.append(
            "\n"
            + FIGURES_TABLE.format(
                slug=escape(indicator.slug),
                name=name,
                definition=escape(indicator.definition),
                caption=caption,
                rows=rows,
                url=escape(indicator.get_absolute_url()),
            )
        )
    return mark_safe(f"\n\n{''.join(tables)}\n")  # noqa: S308 - every value is escaped


COMPARISON_ROW = """
    <tr class="govuk-table__row{comparator_row}" role="row">
      <th scope="row" class="govuk-table__header" role="rowheader">{area}{comparator}</th>
      <td class="govuk-table__cell govuk-table__cell--numeric" role="cell" data-label="Figure">{figure}</td>
      <td class="govuk-table__cell" role="cell" data-label="Period">{period}</td>
      <td class="govuk-table__cell" role="cell" data-label="Source">{source}</td>
    </tr>
    """  # noqa: E501 - the markup as the page gives it
COMPARATOR = ' <span class="govuk-body-s">(comparator)</span>'
SERIES_ROW = """
    <tr class="govuk-table__row" role="row">
      <th scope="row" class="govuk-table__header" role="rowheader">{area}</th>
      <td class="govuk-table__cell" role="cell" data-label="Period">{period}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric" role="cell" data-label="Figure">{figure}</td>
      <td class="govuk-table__cell" role="cell" data-label="Source">{source}{notes}</td>
    </tr>
    """  # noqa: E501 - the markup as the page gives it


@register.simple_tag
def comparison_rows(figures):
    """An indicator page's rows of each area's latest figure (``IndicatorValue``
    rows with their indicator, council and region), the region and England marked
    as comparators; the markup its template gave in a ``{% for %}`` loop."""
    escape = html.escape
    today, months = clock.today(), month_names()
    rows = []
    for figure in figures:
        comparator = not figure.council_id
        rows.append(
            COMPARISON_ROW.format(
                comparator_row=" app-comparator-row" if comparator else "",
                area=escape(figure.area_name),
                comparator=COMPARATOR if comparator else "",
                figure=escape(figure.formatted),
                period=escape(figure.period_label),
                source=source_markup(
                    figure, out_of_date=figure.out_of_date_on(today), months=months
                ),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped


@register.simple_tag
def series_rows(figures):
    """An indicator page's rows of every figure, actual and projected, with its
    source (without "May be out of date") and notes; the markup its template
    gave in a ``{% for %}`` loop."""
    escape = html.escape
    months = month_names()
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            SERIES_ROW.format(
                area=escape(figure.area_name),
                period=escape(figure.period_label),
                figure=escape(figure.formatted),
                source=source_markup(figure, out_of_date=False, months=months),
                notes=FIGURE_NOTES.format(escape(figure.notes)) if figure.notes else "",
            )
            for figure in figures
        )
    )


@register.filter(expects_localtime=True)
def long_date(value):
    """A date or time as ``value|date:"j F Y"`` writes it ("2 December 2026",
    in local time), written out directly: a compare page has one per council."""
    if not value:
        return ""
    return f"{value.day} {MONTHS[value.month]} {value.year:04d}"


@register.filter
def markdown(text):
    """Render commissioner-written Markdown as sanitised HTML."""
    return render_markdown(text)


@register.filter(needs_autoescape=True)
def govuk_urlize(text, autoescape=True):
    """Like Django's urlize, with GOV.UK link styling on the links it makes.

    urlize escapes the text around the links, so the only anchors in its output
    are its own.
    """
    html = urlize(text, autoescape=autoescape)
    return mark_safe(html.replace("<a href=", '<a class="govuk-link" href='))  # noqa: S308 - urlize escaped the text


COUNCIL_CARD = (
    '\n  <li><a class="govuk-link govuk-link--no-visited-state" href="{url}">{name}</a>'
    "</li>\n  "
)


@register.simple_tag
def council_cards():
    """Every council's name, linked to its page, as a GOV.UK list (the home page).

    Written here rather than as a loop in a template, from each council's name and
    address alone rather than model instances: 153 councils through a template
    loop were a fifth of the home page's time.
    """
    items = "".join(
        COUNCIL_CARD.format(url=html.escape(url), name=html.escape(name))
        for url, name in Council.objects.with_url().values_list("url", "name")
    )
    return mark_safe(  # noqa: S308 - each address and name is escaped
        f'<ul class="govuk-list app-council-list">\n  {items}\n</ul>\n'
    )


COUNCIL_ROW = """
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{url}">{name}</a></th>
      <td class="govuk-table__cell">{gss_code}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{published_sections}</td>
    </tr>
    """  # noqa: E501 - the markup as the page gives it


@register.simple_tag
def council_rows(councils):
    """The councils page's table rows, one per council (``url``, ``name``,
    ``gss_code`` and a ``published_sections`` count, as values).

    Written here rather than as a loop in the template: 153 rows of four
    variables each were most of the page's time.
    """
    rows = "".join(
        COUNCIL_ROW.format(
            url=html.escape(council["url"]),
            name=html.escape(council["name"]),
            gss_code=html.escape(council["gss_code"]),
            published_sections=int(council["published_sections"]),
        )
        for council in councils
    )
    return mark_safe(rows)  # noqa: S308 - every value above is escaped or a number


CHANGE_ITEM = """
      <li class="govuk-!-margin-bottom-4">
        <h2 class="govuk-heading-s govuk-!-margin-bottom-1"><a class="govuk-link" href="{url}">{title}</a></h2>
        <p class="govuk-body govuk-!-margin-bottom-1"><time datetime="{iso}">{day}</time>: {note}</p>
        {compare}
      </li>
      """  # noqa: E501 - the markup as the page gives it
CHANGE_COMPARE = (
    '<p class="govuk-body-s"><a class="govuk-link" href="{url}">See what changed'
    '<span class="govuk-visually-hidden"> in {title} on {day}</span></a></p>'
)


@register.simple_tag
def change_items(changes):
    """The "What changed" log's entries (``Publication`` rows), each linked to
    what it changed and, when its version is kept, to the comparison.

    Written here rather than as a loop in the template: 50 entries with three
    dates each through the ``date`` filter, and a ``reverse()`` each, were a third
    of the page's time. Each publish time reads as the ``date`` filter writes it
    in the current time zone ("c" and "j F Y"); each comparison's address is the
    ``get_absolute_url()``'s, reversed once (``councils.addresses``).
    """
    items = []
    for change in changes:
        title = html.escape(change.title)
        local = timezone.localtime(change.publish_at)
        day = escape(long_date(local))
        compare = ""
        if change.version_id:
            compare = CHANGE_COMPARE.format(
                url=change.get_absolute_url(), title=title, day=day
            )
        items.append(
            CHANGE_ITEM.format(
                url=html.escape(change.url),
                title=title,
                iso=local.isoformat(),
                day=day,
                note=html.escape(change.note),
                compare=compare,
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


INDICATOR_ITEM = """
      <li>
        <a class="govuk-link" href="{url}">{name}</a>
        <span class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">{definition} Figures for {areas} area{plural}.{about}</span>
      </li>
      """  # noqa: E501 - the markup as the page gives it


@register.simple_tag
def indicator_items(indicators):
    """The market indicators page's entries for one topic: each indicator linked
    to its page, its definition, how many areas have figures (``areas``) and the
    types of care it is about (prefetched), in lower case.

    Written here rather than as nested loops in the template, with each address
    reversed once (``councils.addresses``): most of the page's time went on them.
    """
    items = []
    for indicator in indicators:
        types = indicator.types_of_care.all()
        about = (
            f" About {', '.join(html.escape(t.name.lower()) for t in types)}."
            if types
            else ""
        )
        items.append(
            INDICATOR_ITEM.format(
                url=html.escape(indicator.get_absolute_url()),
                name=html.escape(indicator.name),
                definition=html.escape(indicator.definition),
                areas=int(indicator.areas),
                plural="" if indicator.areas == 1 else "s",
                about=about,
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


LATEST_UPDATE = """
  <li>
    <a class="govuk-link" href="{url}">{council}: {heading}</a>
    <span class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">Updated <time datetime="{iso}">{day}</time></span>
  </li>
  """  # noqa: E501 - the markup as the page gives it


@register.simple_tag
def latest_updates(limit=5):
    """The most recently updated live sections (the home page), each linked to
    its page with its council and heading and when it was last updated.

    Read as values (the address, the council's and heading's names, the date),
    not sections with their text and their councils, and written here rather than
    through a template; the date reads as the ``date`` filter writes it ("Y-m-d"
    and "j F Y") in the current time zone, blank when there is none.
    """
    rows = (
        Section.live.recently_updated()
        .with_url()
        .values_list("url", "council__name", "heading__name", "content_updated_at")
    )[:limit]
    items = []
    for url, council, heading, updated in rows:
        iso = day = ""
        if updated is not None:
            local = timezone.localtime(updated)
            iso = local.date().isoformat()
            day = escape(long_date(local))
        items.append(
            LATEST_UPDATE.format(
                url=html.escape(url),
                council=html.escape(council),
                heading=html.escape(heading),
                iso=iso,
                day=day,
            )
        )
    if not items:
        return mark_safe(
            '\n<p class="govuk-body">No council has published a section yet.</p>\n\n'
        )
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'\n<ul class="govuk-list govuk-list--spaced">\n  {"".join(items)}\n</ul>\n\n'
    )


COMPARE_SUMMARY_ITEM = """
  <li><a class="govuk-link" href="{url}">{council}</a> <span class="govuk-body-s govuk-hint">last updated {day}</span></li>
  """  # noqa: E501 - the markup as the page gives it


@register.simple_tag
def compare_summary_items(published):
    """A compare page's list of the councils that have published its heading
    (``url``, ``council_name`` and ``content_updated_at`` of each), as the
    template's loop wrote them: each date as ``long_date`` writes it in the
    current time zone, with the month names and the zone looked up once, not per
    row. Written here rather than as a loop in the template: a row per council,
    150 of them, was most of the page's time."""
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    months = {number: str(name) for number, name in MONTHS.items()}
    escape = html.escape
    items = []
    for section in published:
        updated = section["content_updated_at"]
        day = ""
        if updated:
            if zone is not None and not timezone.is_naive(updated):
                updated = updated.astimezone(zone)
            day = f"{updated.day} {months[updated.month]} {updated.year:04d}"
        items.append(
            COMPARE_SUMMARY_ITEM.format(
                url=escape(section["url"]),
                council=escape(section["council_name"]),
                day=escape(day),
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


INTENTION_ROW = """
    <tr class="govuk-table__row" role="row" id="intention-{pk}">
      <th scope="row" class="govuk-table__header" role="rowheader"><a class="govuk-link" href="{url}">{care}</a></th>
      <td class="govuk-table__cell" role="cell" data-label="Direction">
<strong class="govuk-tag app-direction {colour}">{direction}</strong>
</td>
      <td class="govuk-table__cell" role="cell" data-label="What the council wants">{summary}{where}</td>
    </tr>
    """  # noqa: E501 - the markup as market_at_a_glance.html's loop gave it
INTENTION_WHERE = (
    '<span class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">'
    "Where: {}</span>"
)
# As councils/includes/direction_tag.html colours a direction; grey for the rest.
DIRECTION_COLOURS = {
    "grow": "govuk-tag--green",
    "reduce": "govuk-tag--orange",
    "remodel": "govuk-tag--purple",
}


@register.simple_tag
def intention_rows(intentions):
    """The council page's table of commissioning intentions, a row each with its
    direction tag (``direction_tag.html``'s markup), as the template's loop and
    include wrote them, the directions' labels looked up once per table."""
    escape = conditional_escape
    labels = {
        value: str(label) for value, label in CommissioningIntention.Direction.choices
    }
    rows = []
    for intention in intentions:
        direction, where = intention.direction, intention.where
        rows.append(
            INTENTION_ROW.format(
                pk=intention.pk,
                url=escape(intention.get_absolute_url()),
                care=escape(intention.type_of_care.name),
                colour=DIRECTION_COLOURS.get(direction, "govuk-tag--grey"),
                # As get_direction_display() gives it: the value when unknown.
                direction=escape(labels.get(direction, direction)),
                summary=escape(intention.summary),
                where=INTENTION_WHERE.format(escape(where)) if where else "",
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def page_panels(context, page, **kwargs):
    """Every panel feature apps registered for ``page`` (see councils.panels).

    Each panel is rendered as an inclusion tag renders its template: in a new
    context made from the page's (``context.new``), holding only the panel's own
    values. The page's context processors ran once for the page; a panel uses none
    of their values, and running them again for each panel (as
    ``render_to_string(..., request=...)`` would) was a tenth of the council page.
    """
    engine = context.template.engine
    html = []
    for panel in panels_for(page):
        panel_context = panel.context(**kwargs)
        if panel_context is not None:
            template = engine.get_template(panel.template_name)
            html.append(template.render(context.new(panel_context)))
    return mark_safe("".join(html))  # noqa: S308 - each panel is a rendered template


def _publishable_models():
    return [model for model in apps.get_models() if issubclass(model, Publishable)]


@register.inclusion_tag("admin/includes/editorial_dashboard.html")
def editorial_dashboard(user, limit=10):
    """The user's councils' content by state, and their recent publications."""
    groups = []
    for model in _publishable_models():
        working = model._default_manager.editable_by(user).select_related(
            *[model.council_path.split("__")[0]]
        )
        scheduled = model._default_manager.every_copy().scheduled().values("live_of")
        groups.append(
            {
                "name": model._meta.verbose_name_plural,
                "opts": model._meta,
                "states": [
                    ("Drafts", working.filter(editorial_state=EditorialState.DRAFT)),
                    (
                        "Waiting for review",
                        working.filter(editorial_state=EditorialState.SUBMITTED),
                    ),
                    ("Scheduled", working.filter(pk__in=scheduled)),
                    (
                        "Due for review",
                        working.filter(
                            pk__in=model.live.due_for_review().values("live_of")
                        ),
                    ),
                ],
            }
        )
    return {
        "groups": groups,
        "changes": Publication.objects.editable_by(user).select_related("council")[
            :limit
        ],
    }
