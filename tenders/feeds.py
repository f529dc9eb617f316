"""An Atom feed of new and changed opportunities, filtered as the finder is."""

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .filters import TenderFilter, filter_query
from .models import Tender

FEED_LENGTH = 50


class InvalidFilters(Exception):
    def __init__(self, filterset):
        super().__init__("invalid filters")
        self.filterset = filterset


class TenderFeed(Feed):
    """The finder's results, most recently changed first, as Atom."""

    feed_type = Atom1Feed
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
        return (
            filterset.qs.select_related("council")
            .prefetch_related("types_of_care")
            .order_by("-updated_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, tender):
        demo = "Demo data: " if tender.is_demo else ""
        return f"{demo}{tender.title} ({tender.council.name})"

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
        return tender.council.name

    def item_categories(self, tender):
        return [category.name for category in tender.types_of_care.all()]
