"""Paging that costs the same on page 1 and page 50: a bounded depth, as GOV.UK does.

Reading a page far down a long list makes the database walk past every row before
it; GOV.UK's own finders stop at a fixed depth and ask the reader to narrow the
search instead. ``BoundedPaginator`` pages through the first ``max_pages`` pages
only, and says so (``truncated``), so templates can explain it.
"""

from math import ceil

from django.core.paginator import EmptyPage, Page, Paginator
from django.utils.functional import cached_property

MAX_PAGES = 50


class BeyondDepth(EmptyPage):
    """A page that exists, but deeper than the pages offered."""


class BoundedPage(Page):
    def end_index(self) -> int:
        # Django's Page counts the last page offered as running to the end of the
        # list: "Showing 981 to 46,000", when it ends at 1,000.
        if self.number == self.paginator.all_pages:
            return self.paginator.count
        return self.number * self.paginator.per_page


class BoundedPaginator(Paginator):
    """A Paginator that offers at most ``max_pages`` pages."""

    max_pages = MAX_PAGES

    def _get_page(self, *args, **kwargs):
        return BoundedPage(*args, **kwargs)

    @cached_property
    def all_pages(self) -> int:
        """How many pages the whole list would fill (as Paginator.num_pages)."""
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return ceil(max(1, self.count - self.orphans) / self.per_page)

    @cached_property
    def num_pages(self) -> int:
        return min(self.all_pages, self.max_pages)

    @property
    def truncated(self) -> bool:
        """Whether there are results beyond the last page offered."""
        return self.all_pages > self.max_pages

    @property
    def shown(self) -> int:
        """How many results the pages offered hold."""
        return min(self.count, self.max_pages * self.per_page)

    def validate_number(self, number):
        number = self._validate_number(number, self.all_pages)
        if number > self.num_pages:
            raise BeyondDepth(
                f"Only the first {self.num_pages} pages ({self.shown:,} results) "
                "can be paged through: narrow the results with the filters or "
                "keywords, or download them all"
            )
        return number


class CountedResults:
    """A queryset whose length is already known (the facets counted it), for the
    Paginator: it never counts again."""

    def __init__(self, queryset, total: int):
        self.queryset, self.total = queryset, total

    def count(self) -> int:
        return self.total

    def related(self, *select, prefetch=(), only=()):
        """The queryset with ``select_related`` and ``prefetch_related`` applied,
        reading only the fields in ``only`` when given."""
        self.queryset = self.queryset.select_related(*select).prefetch_related(
            *prefetch
        )
        if only:
            self.queryset = self.queryset.only(*only)
        return self

    def __getitem__(self, page: slice) -> list:
        return list(self.queryset[page])


def page_links(page) -> list[tuple[int, str]]:
    """Each page number with how the pagination shows it (includes/pagination.html):
    "current", "link", "ellipsis" or "" (not shown). Links go to the first and
    last pages and the current one's neighbours, and to the page an ellipsis
    would stand for alone (2 when the current page is 4, the last but one when it
    is three before the last); an ellipsis marks each other gap. Worked out here
    rather than in the template, where it was a dozen comparisons and filters for
    each of up to 50 pages."""
    current, last = page.number, page.paginator.num_pages
    links = []
    for number in page.paginator.page_range:
        if number == current:
            shown = "current"
        elif (
            number in (1, last, current - 1, current + 1)
            or (number == 2 and current == 4)
            or (number == last - 1 and current == last - 3)
        ):
            shown = "link"
        elif number in (current - 2, current + 2):
            shown = "ellipsis"
        else:
            shown = ""
        links.append((number, shown))
    return links
