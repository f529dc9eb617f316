"""How the base app's pages become search documents (see ``councils.search``)."""

from html import unescape

from django.utils.html import strip_tags

from . import search
from .markdown import render_markdown
from .models import CommissioningIntention, Indicator, Section, TypeOfCare


def markdown_text(text: str) -> str:
    """Markdown as the words a reader sees, without its marks."""
    return unescape(strip_tags(render_markdown(text or ""))).strip()


def words(*parts) -> str:
    return "\n".join(str(part) for part in parts if part)


@search.register(
    "section",
    label="Market position statements",
    order=10,
    indexed=lambda: (
        Section.objects.every_copy()
        .filter(
            live_of__isnull=False,
            publish_at__isnull=False,
            status=Section.Status.PUBLISHED,
        )
        .with_next_copy_at()
        .select_related("council", "heading")
    ),
    visible=lambda: Section.live.published(),
    model=Section,
    family="live_of",
)
def section_document(section: Section) -> search.Document:
    return search.Document(
        title=f"{section.heading.name}: {section.council.name}",
        body=markdown_text(section.body),
        url=section.get_absolute_url(),
        council=section.council,
        published_at=section.content_updated_at or section.publish_at,
        visible_from=section.publish_at,
        visible_until=section.next_copy_at,
    )


@search.register(
    "intention",
    label="Commissioning intentions",
    order=15,
    indexed=lambda: (
        CommissioningIntention.objects.every_copy()
        .filter(
            live_of__isnull=False,
            publish_at__isnull=False,
            status=CommissioningIntention.Status.PUBLISHED,
        )
        .with_next_copy_at()
        .select_related("council", "type_of_care")
    ),
    visible=lambda: CommissioningIntention.live.published(),
    model=CommissioningIntention,
    family="live_of",
)
def intention_document(intention: CommissioningIntention) -> search.Document:
    return search.Document(
        title=f"{intention.summary} ({intention.council.name})",
        body=words(
            f"{intention.get_direction_display()}: {intention.type_of_care.name}",
            intention.where,
            markdown_text(intention.detail),
            markdown_text(intention.how),
            intention.period,
        ),
        url=intention.get_absolute_url(),
        council=intention.council,
        published_at=intention.content_updated_at or intention.publish_at,
        visible_from=intention.publish_at,
        visible_until=intention.next_copy_at,
    )


@search.register(
    "market",
    label="Types of care",
    order=50,
    indexed=lambda: TypeOfCare.objects.all(),
    visible=lambda: TypeOfCare.objects.all(),
)
def market_document(type_of_care: TypeOfCare) -> search.Document:
    return search.Document(
        title=type_of_care.name,
        body=words(type_of_care.summary, type_of_care.get_setting_display()),
        url=type_of_care.get_absolute_url(),
    )


@search.register(
    "indicator",
    label="Market indicators",
    order=60,
    indexed=lambda: Indicator.objects.all(),
    visible=lambda: Indicator.objects.all(),
)
def indicator_document(indicator: Indicator) -> search.Document:
    return search.Document(
        title=indicator.name,
        body=words(indicator.definition, indicator.get_topic_display()),
        url=indicator.get_absolute_url(),
    )
