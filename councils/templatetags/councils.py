from django import template

from ..markdown import render_markdown
from ..models import Council, Section

register = template.Library()


@register.filter
def markdown(text):
    """Render commissioner-written Markdown as sanitised HTML."""
    return render_markdown(text)


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
