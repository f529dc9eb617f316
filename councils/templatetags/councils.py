from django import template
from django.apps import apps
from django.template.loader import render_to_string
from django.utils.dates import MONTHS
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe

from .. import finders, paging
from ..markdown import render_markdown
from ..models import Council, EditorialState, Publication, Publishable, Section
from ..panels import panels_for

register = template.Library()


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
    name = escape(item.source_name)
    if item.source_url:
        name = f'<a class="govuk-link" href="{escape(item.source_url)}">{name}</a>'
    as_at = item.as_at
    iso, month = (
        (as_at.isoformat(), escape(f"{MONTHS[as_at.month]} {as_at.year:04d}"))
        if as_at
        else ("", "")
    )
    age = ""
    if not hide_age and getattr(item, "out_of_date", False):
        age = ' <strong class="govuk-tag govuk-tag--yellow">May be out of date</strong>'
    html = f'{name}, as at <time datetime="{iso}">{month}</time>{age}\n'
    return mark_safe(html)  # noqa: S308 - the source's name and address are escaped


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


@register.inclusion_tag("councils/includes/council_cards.html")
def council_cards():
    return {"councils": Council.objects.with_url()}


@register.inclusion_tag("councils/includes/latest_updates.html")
def latest_updates(limit=5):
    return {
        "sections": Section.live.recently_updated().select_related(
            "council", "heading"
        )[:limit]
    }


@register.simple_tag(takes_context=True)
def page_panels(context, page, **kwargs):
    """Every panel feature apps registered for ``page`` (see councils.panels)."""
    html = []
    for panel in panels_for(page):
        panel_context = panel.context(**kwargs)
        if panel_context is not None:
            html.append(
                render_to_string(
                    panel.template_name,
                    panel_context,
                    request=context.get("request"),
                )
            )
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
