"""Atom feeds of the "What changed" log, site-wide or for one council."""

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Council
from .views import change_filter

FEED_LENGTH = 50


class ChangeFeed(Feed):
    """Major changes, newest first: each entry links to what changed."""

    feed_type = Atom1Feed
    author_name = "North East MPS Portal"

    def __call__(self, request, *args, **kwargs):
        filterset = change_filter(request)
        if not filterset.is_valid():
            return HttpResponseBadRequest(
                "\n".join(
                    f"{field}: {' '.join(messages)}"
                    for field, messages in filterset.form.errors.items()
                ),
                content_type="text/plain; charset=utf-8",
            )
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, slug=None):
        council = get_object_or_404(Council, slug=slug) if slug else None
        if council is None and request.GET.get("council"):
            council = Council.objects.get(slug=request.GET["council"])
        return council

    def title(self, council):
        where = council.name if council else "North East councils"
        return f"What changed: {where}"

    def subtitle(self, council):
        return "Major changes to Market Position Statements and what councils publish."

    def link(self, council):
        if council:
            return reverse("councils:council-changes", kwargs={"slug": council.slug})
        return reverse("councils:change-list")

    def feed_url(self, council):
        if council:
            return reverse(
                "councils:council-change-feed", kwargs={"slug": council.slug}
            )
        return reverse("councils:change-feed")

    def items(self, council):
        from .models import Publication

        changes = Publication.objects.public().select_related("council")
        if council:
            changes = changes.for_council(council)
        return changes[:FEED_LENGTH]

    def item_title(self, change):
        return change.title

    def item_description(self, change):
        return change.note

    def item_link(self, change):
        return change.get_absolute_url()

    def item_pubdate(self, change):
        return change.publish_at

    def item_updateddate(self, change):
        return change.publish_at

    def item_author_name(self, change):
        return change.council.name
