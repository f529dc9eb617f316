"""An Atom feed of new and changed opportunities, filtered as the finder is."""

from datetime import datetime
from typing import NamedTuple

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse

from councils.downloads import Vocabulary
from councils.feeds import BufferedAtom1Feed

from .exports import TenderUrls
from .filters import TenderFilter, filter_query
from .models import Tender

FEED_LENGTH = 50
# What an entry shows of a tender and its council.
ENTRY_FIELDS = [
    "reference",
    "title",
    "description",
    "procurement_activity",
    "commencement",
    "status",
    "notes",
    "is_demo",
    "published_at",
    "updated_at",
    "council__name",
    "council__slug",
]


class Entry(NamedTuple):
    """A tender as its feed entry reads it, with no model instance behind it."""

    reference: str
    title: str
    description: str
    procurement_activity: str
    commencement: str
    status: str
    notes: str
    is_demo: bool
    published_at: datetime
    updated_at: datetime
    council_name: str
    council_slug: str
    types_of_care: list[str]
    url: str

    def get_status_display(self) -> str:
        return Tender.Status(self.status).label


def feed_entries(tenders) -> list[Entry]:
    """The first ``FEED_LENGTH`` of ``tenders`` as entries: plain values, each
    with the keys of its types of care gathered in the same query and the terms
    read once, and each address joined to its council's (``TenderUrls``). Model
    instances with their types of care prefetched, and ``reverse()`` for each,
    were most of the feed's time."""
    types_of_care = Vocabulary(Tender, "types_of_care", lambda term: term.name)
    urls = TenderUrls(lambda path: path)
    rows = tenders.annotate(
        types_of_care_keys=Vocabulary.keys(Tender, "types_of_care")
    ).values_list(*ENTRY_FIELDS, "types_of_care_keys")[:FEED_LENGTH]
    return [
        Entry(
            *row[:-1],
            types_of_care=types_of_care(row[-1]),
            url=urls(row[-2], row[0]),
        )
        for row in rows
    ]


class InvalidFilters(Exception):
    def __init__(self, filterset):
        super().__init__("invalid filters")
        self.filterset = filterset


class TenderFeed(Feed):
    """The finder's results, most recently changed first, as Atom."""

    feed_type = BufferedAtom1Feed
    title = "Tender opportunities from North East councils"
    subtitle = "New and changed social care tender opportunities."
    author_name = "North East MPS Portal"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidFilters as error:
            lines = [
                f"{field}: {' '.join(messages)}"
                for field, messages in error.filterset.form.errors.items()
            ]
            return HttpResponseBadRequest(
                "\n".join(lines), content_type="text/plain; charset=utf-8"
            )

    def get_object(self, request, *args, **kwargs):
        filterset = TenderFilter(
            data=request.GET,
            queryset=Tender.live.visible(),
            request=request,
        )
        if not filterset.is_valid():
            raise InvalidFilters(filterset)
        return filterset

    def link(self, filterset):
        url = reverse("tenders:tender-list")
        query = filter_query(filterset.data)
        return f"{url}?{query}" if query else url

    def feed_url(self, filterset):
        url = reverse("tenders:tender-feed")
        query = filter_query(filterset.data)
        return f"{url}?{query}" if query else url

    def items(self, filterset):
        return feed_entries(filterset.qs.order_by("-updated_at", "-pk"))

    def item_link(self, tender):
        return tender.url

    def item_title(self, tender):
        demo = "Demo data: " if tender.is_demo else ""
        return f"{demo}{tender.title} ({tender.council_name})"

    def item_description(self, tender):
        unknown = "to be confirmed"
        parts = [
            f"Status: {tender.get_status_display()}.",
            f"Procurement activity: {tender.procurement_activity or unknown}.",
            f"New contract commencement: {tender.commencement or unknown}.",
        ]
        if tender.notes:
            parts.append(f"Note: {tender.notes}.")
        if tender.description:
            parts.append(tender.description)
        return " ".join(parts)

    def item_pubdate(self, tender):
        return tender.published_at

    def item_updateddate(self, tender):
        # A scheduled tender edited before its time was last updated when it
        # appeared, never before it was published.
        return max(tender.updated_at, tender.published_at)

    def item_author_name(self, tender):
        return tender.council_name

    def item_categories(self, tender):
        return tender.types_of_care
