from django import template
from django.template.loader import render_to_string
from django.utils.html import urlize
from django.utils.safestring import mark_safe

from ..markdown import render_markdown
from ..models import Council, Section
from ..panels import panels_for

register = template.Library()


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
    return {"councils": Council.objects.all()}


@register.inclusion_tag("councils/includes/latest_updates.html")
def latest_updates(limit=5):
    return {
        "sections": Section.objects.recently_updated().select_related(
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
