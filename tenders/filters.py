"""The opportunity finder's filters, shared by the list page, downloads and the feed."""

from collections import Counter
from datetime import date

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections
from django.db.models import Count, QuerySet, Value
from django.db.models.sql import Query
from django.utils.functional import cached_property

from councils import clock, finders
from councils.filters import KeywordFilter, council_filter, type_of_care_filter
from councils.models import Council, TypeOfCare
from councils.paging import CountedResults

from .dates import ACCEPTED_FORMS, parse_date_window
from .models import Arrangement, ClientGroup, Rate, Tender, soonest_conditions

PUBLIC_STATUSES = [
    (value, label)
    for value, label in Tender.Status.choices
    if value != Tender.Status.WITHDRAWN
]


class SoonestResults:
    """The finder's results in "soonest" order, as index ranges.

    Windows still to come come first, then those that are over, each by start
    date and title. Ordering by "is it over?" first would make the database sort
    every matching row for each page; reading the parts of the order
    (``tenders.models.soonest_conditions``) one after the other, each in the order
    of an index, reads only the rows of the page asked for. The keys of a page come
    from the parts (from the index alone), then its rows are read in one query.
    The Paginator needs only ``count()`` and slicing. ``include_over=False``
    leaves out the windows that are over (the home page's next tenders).
    """

    def __init__(
        self,
        tenders,
        window: str,
        today=None,
        total: int | None = None,
        include_over: bool = True,
    ):
        today = today or clock.today()
        self.tenders = tenders.order_by()
        # The rows of a page are read by the keys the parts gave, so the filters
        # are not compiled and applied a second time; what they are read with is
        # ``related()``'s.
        self.rows = tenders.model._base_manager.all()
        self.conditions = soonest_conditions(window, today)
        if not include_over:
            self.conditions = self.conditions[:-1]
        # ``total`` counts every result, so it is only given with include_over.
        self.total = total
        self.window = window
        self.sizes: list[int] | None = None

    @cached_property
    def parts(self) -> list:
        """Each part of the order: the results with its condition, by start."""
        return [
            self.tenders.filter(condition).by_start(self.window)
            for condition in self.conditions
        ]

    @cached_property
    def compiled_filters(self) -> tuple[str, list] | None:
        """The filters' SQL and parameters, when they read the tender table
        alone, as the finder's do (a keyword or a term is a subquery); else None.
        ``keys_in_sql`` writes every part over them, compiled once."""
        query = self.tenders.query
        joined = [alias for alias, uses in query.alias_refcount.items() if uses]
        if (
            joined != [query.get_meta().db_table]
            or query.distinct
            or query.annotations
            or query.extra
            or not query.where
        ):
            return None
        compiler = query.get_compiler(self.tenders.db)
        try:
            sql, params = compiler.compile(query.where)
        except (EmptyResultSet, FullResultSet):
            return None
        return sql, list(params)

    def count(self) -> int:
        """All the results, unless already known (the facets count them)."""
        if self.total is None:
            self.total = sum(self.part_sizes())
        return self.total

    def part_sizes(self) -> list[int]:
        """How many rows each part has (``count_parts``, once)."""
        if self.sizes is None:
            self.sizes = self.count_parts()
        return self.sizes

    def count_parts(self) -> list[int]:
        """How many rows each part has, in one pass: the last part from the
        total when it is known. A caller may replace this with a cached count."""
        counted = self.conditions if self.total is None else self.conditions[:-1]
        found = self.tenders.aggregate(
            **{
                f"part{n}": Count("pk", filter=condition)
                for n, condition in enumerate(counted)
            }
        )
        sizes = [found[f"part{n}"] for n in range(len(counted))]
        if self.total is not None:
            sizes.append(self.total - sum(sizes))
        return sizes

    def related(self, *select, prefetch=(), only=()):
        """The rows read with ``select_related`` and ``prefetch_related``, and
        only the fields in ``only`` when given. Only these: rows are read by key
        from the model's base manager, so any ``select_related`` or
        ``prefetch_related`` of the queryset given is not carried over (a caller
        showing each row's council asks for it here)."""
        if select:
            self.rows = self.rows.select_related(*select)
        if only:
            self.rows = self.rows.only(*only)
        self.rows = self.rows.prefetch_related(*prefetch)
        return self

    def read(self, keys: list) -> list:
        """The rows of ``keys``, in that order."""
        # In no order: they are put in the keys' order here.
        found = {row.pk: row for row in self.rows.filter(pk__in=keys).order_by()}
        return [found[key] for key in keys if key in found]

    def __getitem__(self, page: slice) -> list:
        start, stop = page.start or 0, page.stop
        if start == 0 and self.sizes is None:
            if (
                self.total is not None
                and self.total > stop
                and len(self.conditions) > 1
            ):
                return self.read(self.first_keys(stop))
            # The first rows need no count: up to ``stop`` of each part, in turn.
            ranges = [(0, stop)] * len(self.conditions)
        else:
            ranges, offset = [], 0
            for size in self.part_sizes():
                ranges.append((max(start - offset, 0), min(stop - offset, size)))
                offset += size
        keys = self.keys(ranges)[: stop - start]
        return self.read(keys) if keys else []

    def first_keys(self, stop: int) -> list:
        """The keys of the first ``stop`` results, when there are more than that:
        from the first part alone (windows still to come), where a page of
        results nearly always is, and from the others only when it falls short.
        Asking every part for a page, as when the number of results is not
        known, made the database plan and walk three index ranges for one
        (for "dementia" at national scale, 3.8 ms where the first part alone
        takes 1.3)."""
        others = len(self.conditions) - 1
        keys = self.keys([(0, stop)] + [(0, 0)] * others)
        if len(keys) < stop:
            rest = stop - len(keys)
            keys += self.keys([(0, 0)] + [(0, rest)] * others)[:rest]
        return keys

    def keys(self, ranges: list[tuple[int, int]]) -> list:
        """The keys of rows ``low`` to ``high`` of each part, in order: one query
        (each part's range an index range, joined by UNION ALL) where the
        database can limit each part of a union; else one query per part."""
        if not any(low < high for low, high in ranges):
            return []
        if connection.vendor == "postgresql" and self.compiled_filters is not None:
            return self.keys_in_sql(ranges)
        compound = connection.features.supports_slicing_ordering_in_compound
        wanted = [
            (number, part[low:high])
            for number, (part, (low, high)) in enumerate(
                zip(self.parts, ranges, strict=True)
            )
            if low < high
        ]
        if not compound:
            return [
                key for _, part in wanted for key in part.values_list("pk", flat=True)
            ]
        start, title = f"{self.window}_start", "title"
        numbered = [
            part.annotate(part=Value(number)).values_list("part", start, title, "pk")
            for number, part in wanted
        ]
        union = (
            numbered[0].union(*numbered[1:], all=True)
            if len(numbered) > 1
            else numbered[0]
        )
        if len(numbered) > 1:
            union = union.order_by("part", start, title, "pk")
        return [row[-1] for row in union]

    def keys_in_sql(self, ranges: list[tuple[int, int]]) -> list:
        """``keys`` on PostgreSQL, as the SQL Django writes for that union (each
        part its index range, the parts joined by UNION ALL), written here from
        the filters compiled once (``compiled_filters``) and each part's
        condition: building the three parts and their union as querysets and
        compiling them was about half the time the keys took, the database's
        work included (5 of 10.5 ms for the finder's "dementia")."""
        connection = connections[self.tenders.db]
        quote = connection.ops.quote_name
        meta = self.tenders.model._meta
        table = quote(meta.db_table)
        columns = ", ".join(
            f"{table}.{quote(field.column)}"
            for field in (
                meta.get_field(f"{self.window}_start"),
                meta.get_field("title"),
                meta.pk,
            )
        )
        filters, params = self.compiled_filters
        parts, values = [], []
        for number, (low, high) in enumerate(ranges):
            if low >= high:
                continue
            condition, condition_params = self.compiled_condition(number)
            # Names quoted by the backend; every value a parameter.
            select = f"SELECT {number:d} AS {quote('part')}, {columns} FROM {table}"  # noqa: S608
            parts.append(
                f"({select} WHERE ({filters}) AND {condition} "
                f"ORDER BY 2 ASC NULLS LAST, 3 ASC, 4 ASC "
                f"{connection.ops.limit_offset_sql(low, high)})"
            )
            values += [*params, *condition_params]
        sql = " UNION ALL ".join(parts)
        if len(parts) > 1:
            sql += " ORDER BY 1 ASC, 2 ASC, 3 ASC, 4 ASC"
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return [row[-1] for row in cursor.fetchall()]

    def compiled_condition(self, number: int) -> tuple[str, list]:
        """The SQL and parameters of part ``number``'s condition."""
        query = Query(self.tenders.model)
        where = query.build_where(self.conditions[number])
        sql, params = query.get_compiler(self.tenders.db).compile(where)
        return sql, list(params)


SORTS = {
    "procurement": ("Soonest procurement", lambda tenders: tenders.soonest()),
    "commencement": (
        "Soonest contract start",
        lambda tenders: tenders.soonest("commencement"),
    ),
    "newest": ("Newest first", lambda tenders: tenders.order_by("-published_at", "pk")),
    "title": ("Title A to Z", lambda tenders: tenders.order_by("title", "pk")),
}
DEFAULT_SORT = "procurement"
ARRANGEMENT_SORTS = {
    "name": ("Name A to Z", lambda rows: rows.order_by("name", "pk")),
    "open": ("Open to join first", lambda rows: rows.open_first()),
    "council": ("Council", lambda rows: rows.order_by("council__name", "name", "pk")),
}
ARRANGEMENT_DEFAULT_SORT = "name"
SOONEST_WINDOWS = {"procurement": "procurement", "commencement": "commencement"}
CHECKBOXES = {"class": "govuk-checkboxes__input"}


class WindowDateField(forms.Field):
    """A date typed as councils publish them: "2025-04-01", "April 2025", "Q1 2025/26".

    Cleans to the first day of the window for a "from" field and the last day for a
    "to" field, so "from April 2025 to June 2025" covers both whole months.
    """

    def __init__(self, *, edge: str, **kwargs):
        self.edge = edge
        super().__init__(**kwargs)

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        try:
            window = parse_date_window(text) if len(text) <= 60 else None
        except ValueError:
            window = None
        if window is None:
            raise forms.ValidationError(
                f"Enter a real date for “{self.label}”, such as 2025-04-01, "
                "April 2025 or Spring 2025",
                code="invalid",
            )
        return window.start if self.edge == "start" else window.end


class WindowDateFilter(django_filters.Filter):
    field_class = WindowDateField


class CheckboxFilter(django_filters.Filter):
    """A single tick box: ticked filters, unticked leaves the results alone."""

    field_class = forms.BooleanField


class TenderFilterForm(forms.Form):
    """Checks that each date range runs forwards."""

    RANGES = [
        ("procurement_from", "procurement_to", "procurement"),
        ("commencement_from", "commencement_to", "contract start"),
    ]

    def clean(self):
        cleaned = super().clean()
        for start, end, name in self.RANGES:
            first, last = cleaned.get(start), cleaned.get(end)
            if isinstance(first, date) and isinstance(last, date) and first > last:
                self.add_error(
                    end,
                    f"The end of the {name} range must be the same as or after "
                    "its start",
                )
        return cleaned


def _overlapping(prefix: str, edge: str):
    """Filter method: the tender's date window overlaps the dates asked for."""

    def method(queryset, name, value):
        if edge == "start":
            # The window has not ended before the range starts.
            return queryset.filter(**{f"{prefix}_end__gte": value})
        return queryset.filter(**{f"{prefix}_start__lte": value})

    return method


class ProcurementFilterSet(finders.FinderFilterSet):
    """What the tender and arrangement filters share: council and vocabularies."""

    council = finders.FacetChoiceFilter(
        label="Council",
        queryset=Council.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        method="filter_council",
        error_messages={
            "invalid_choice": "There is no council “%(value)s”: choose councils "
            "from the list"
        },
    )
    type_of_care = finders.FacetChoiceFilter(
        label="Type of care",
        queryset=TypeOfCare.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        method="filter_type_of_care",
        error_messages={
            "invalid_choice": "There is no type of care “%(value)s”: choose "
            "from the list"
        },
    )
    client_group = finders.FacetChoiceFilter(
        label="Who the service is for",
        queryset=ClientGroup.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        method="filter_client_group",
        error_messages={
            "invalid_choice": "There is no group “%(value)s”: choose from the list"
        },
    )

    def queryset_without(self, *excluded: str) -> QuerySet:
        """The results with every filter applied except ``excluded``, unordered."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in (*excluded, "sort"):
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()

    def filter_council(self, queryset, name, value):
        return queryset.filter(council__in=value) if finders.chosen(value) else queryset

    def filter_type_of_care(self, queryset, name, value):
        return self._filter_through(queryset, "types_of_care", value)

    def filter_client_group(self, queryset, name, value):
        return self._filter_through(queryset, "client_groups", value)

    def _filter_through(self, queryset, field: str, value):
        # Through the join table, so a row in two chosen terms appears once.
        if not finders.chosen(value):
            return queryset
        model = queryset.model
        relation = model._meta.get_field(field)
        through = relation.remote_field.through
        return queryset.filter(
            pk__in=through.objects.filter(
                **{f"{relation.m2m_reverse_field_name()}__in": value}
            ).values(relation.m2m_field_name())
        )

    # The facet of fixed choices beside council and the vocabularies: its field
    # name and choices (status for tenders, kind for arrangements).
    choice_facet: tuple[str, list] = ("", [])
    # The facets of the vocabularies: the filter's name and the many-to-many field.
    TERM_FACETS = {"type_of_care": "types_of_care", "client_group": "client_groups"}

    def count_vocabularies(self) -> dict[str, dict]:
        """How many results each type of care and client group has, one query
        each through the join table, over the results without that facet's own
        filter."""
        counts = {}
        for name, field in (
            ("type_of_care", "types_of_care"),
            ("client_group", "client_groups"),
        ):
            relation = self.queryset.model._meta.get_field(field)
            source = f"{relation.m2m_field_name()}_id"
            rows = (
                relation.remote_field.through.objects.filter(
                    **{f"{source}__in": self.queryset_without(name).values("pk")}
                )
                .values_list(f"{relation.m2m_reverse_field_name()}_id")
                .annotate(n=Count(source))
                .order_by()
            )
            counts[name] = dict(rows)
        return counts

    def label_facets(self, counts: dict[str, dict]) -> None:
        """Show each choice's count in its label, e.g. "Reablement (3)"."""
        fields = self.form.fields
        names = ("council", "type_of_care", "client_group")
        rows = finders.facet_rows([fields[name] for name in names])
        for name, found in zip(names, rows, strict=True):
            finders.label_model_facet(fields[name], counts[name], rows=found)
        name, choices = self.choice_facet
        fields[name].choices = [
            (value, f"{label} ({counts[name].get(value, 0)})")
            for value, label in choices
        ]


class TenderFilter(ProcurementFilterSet):
    """One set of filters for the finder page, its downloads and its feed.

    Facet counts (``facet_counts``) apply every filter except the facet's own, so a
    provider sees how many results each extra choice would add.
    """

    q = KeywordFilter(
        kind="tender",
        help_text='Put words in quotes to find them together ("day opportunities"), '
        "and - before a word to leave it out.",
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=PUBLIC_STATUSES,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        method="filter_status",
        error_messages={
            "invalid_choice": "There is no status “%(value)s”: choose from the list"
        },
    )
    open_now = CheckboxFilter(label="Open for bids now", method="filter_open_now")
    procurement_from = WindowDateFilter(
        label="Procurement from",
        edge="start",
        method=_overlapping("procurement", "start"),
    )
    procurement_to = WindowDateFilter(
        label="Procurement to", edge="end", method=_overlapping("procurement", "end")
    )
    commencement_from = WindowDateFilter(
        label="Contract starts from",
        edge="start",
        method=_overlapping("commencement", "start"),
    )
    commencement_to = WindowDateFilter(
        label="Contract starts to",
        edge="end",
        method=_overlapping("commencement", "end"),
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        empty_label=None,
        method="sort_results",
        error_messages={
            "invalid_choice": "Choose how to sort from the list: “%(value)s” is "
            "not one of the orders"
        },
    )

    choice_facet = ("status", PUBLIC_STATUSES)

    DATE_HINT = f"For example 2025-04-01, April 2025 or Spring 2025 ({ACCEPTED_FORMS})."

    class Meta:
        model = Tender
        fields = []
        form = TenderFilterForm

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = SORTS[DEFAULT_SORT][1](queryset)
        return queryset

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value) if value else queryset

    def filter_open_now(self, queryset, name, value):
        return queryset.open_to_bid() if value else queryset

    def sort_results(self, queryset, name, value):
        return SORTS[value or DEFAULT_SORT][1](queryset)

    def results(self, total: int | None = None):
        """The results to page through: for the "soonest" sorts, read in parts
        (``SoonestResults``, with the parts' sizes counted once per content
        version and day); otherwise the filtered queryset. ``total``, when the
        facets have counted it, saves counting again."""
        if self.sort_key in SOONEST_WINDOWS:
            window, today = SOONEST_WINDOWS[self.sort_key], clock.today()
            results = SoonestResults(self.qs, window, today=today, total=total)
            results.count_parts = self.counted_once(
                f"soonest {window} {today.isoformat()}", results.count_parts, lazy=True
            )
            return results
        return self.qs if total is None else CountedResults(self.qs, total)

    @property
    def sort_key(self) -> str:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("sort") or DEFAULT_SORT
        return DEFAULT_SORT

    def facet_counts(self) -> dict[str, dict]:
        """The facet counts (``count_facets``) for these filters, counted once per
        content version (``counted_once``): any sort and page of the same
        filters share them."""
        return self.counted_once("facets", self.count_facets)

    def counted_once(self, kind: str, count, lazy: bool = False):
        """``count()`` for these filters, once per content version
        (``councils.finders.counted_once``)."""
        return finders.counted_once(f"tenders {kind}", self.data, count, lazy=lazy)

    def count_facets(self) -> dict[str, dict]:
        """How many results each facet choice has, and how many results in all.

        Council, status and the total come from one pass: the results without the
        council and status filters, counted by council and status, then summed
        over the councils and statuses chosen (``total`` is what the list pages
        through). Types of care and client groups take one query each; for a
        keyword, all of them are counted in one query (``count_in_one_pass``).
        """
        data = self.form.cleaned_data
        councils = {council.pk for council in data.get("council") or []}
        statuses = set(data.get("status") or [])
        if finders.searched_without_terms(data, self.TERM_FACETS):
            return self.count_in_one_pass(councils, statuses)
        grid = (
            self.queryset_without("council", "status")
            .values_list("council_id", "status")
            .annotate(n=Count("pk"))
        )
        by_council, by_status, total = Counter(), Counter(), 0
        for council_id, status, n in grid:
            status_chosen = not statuses or status in statuses
            council_chosen = not councils or council_id in councils
            if status_chosen:
                by_council[council_id] += n
            if council_chosen:
                by_status[status] += n
            if status_chosen and council_chosen:
                total += n
        return {
            "council": by_council,
            "status": by_status,
            "total": total,
            **self.count_vocabularies(),
        }

    def count_in_one_pass(self, councils: set, statuses: set) -> dict[str, dict]:
        """``count_facets`` for a keyword, when no type of care or client group
        is chosen: the results without the council and status filters, read once
        for every facet (``councils.finders.count_in_one_pass``), so the keyword
        is searched once. At national scale "dementia" (27,607 matches) took
        600 ms counted a facet at a time on the first request after a change,
        and 250 ms in one pass. Without a keyword each facet's own query, which
        reads an index and joins as it likes, is faster: unfiltered, reading
        all 141,000 live tenders once into the shared table took 530 ms against
        230 ms."""
        counts = finders.count_in_one_pass(
            self.queryset_without("council", "status"),
            {"council": ("council", councils), "status": ("status", statuses)},
            self.TERM_FACETS,
        )
        counts["total"] = sum(
            n
            for council, n in counts["council"].items()
            if not councils or council in councils
        )
        return counts


def filter_query(data) -> str:
    """The filters in a query string, without the page number."""
    query = data.copy()
    query.pop("page", None)
    return query.urlencode()


class ArrangementFilter(ProcurementFilterSet):
    """Filters for the contracting arrangements page and its downloads."""

    q = KeywordFilter(
        kind="arrangement",
        help_text="Searches names, descriptions and lots.",
    )
    kind = django_filters.MultipleChoiceFilter(
        label="Type of arrangement",
        choices=Arrangement.Kind.choices,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        method="filter_kind",
        error_messages={
            "invalid_choice": "There is no type of arrangement “%(value)s”: choose "
            "from the list"
        },
    )
    open_now = CheckboxFilter(label="Open to join now", method="filter_open_now")
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(key, label) for key, (label, _) in ARRANGEMENT_SORTS.items()],
        empty_label=None,
        method="sort_results",
        error_messages={
            "invalid_choice": "Choose how to sort from the list: “%(value)s” is "
            "not one of the orders"
        },
    )

    choice_facet = ("kind", Arrangement.Kind.choices)

    class Meta:
        model = Arrangement
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = ARRANGEMENT_SORTS[ARRANGEMENT_DEFAULT_SORT][1](queryset)
        return queryset

    def sort_results(self, queryset, name, value):
        return ARRANGEMENT_SORTS[value or ARRANGEMENT_DEFAULT_SORT][1](queryset)

    @property
    def sort_key(self) -> str:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("sort") or ARRANGEMENT_DEFAULT_SORT
        return ARRANGEMENT_DEFAULT_SORT

    def facet_counts(self) -> dict[str, dict]:
        """The facet counts (``count_facets``) for these filters, counted once per
        content version (``councils.finders.counted_once``), as the tender
        finder's are: any sort and page of the same filters share them."""
        return finders.counted_once("arrangements facets", self.data, self.count_facets)

    def count_facets(self) -> dict[str, dict]:
        """How many arrangements each choice has, one query per facet, and how
        many results in all (``total``, what the list pages through): the
        council facet's counts summed over the councils chosen."""
        counts = {}
        for name, column in (("council", "council_id"), ("kind", "kind")):
            rows = self.queryset_without(name).values(column).annotate(n=Count("pk"))
            counts[name] = {row[column]: row["n"] for row in rows}
        chosen = {council.pk for council in self.form.cleaned_data.get("council") or []}
        total = sum(
            n
            for council, n in counts["council"].items()
            if not chosen or council in chosen
        )
        return {**counts, **self.count_vocabularies(), "total": total}

    def filter_kind(self, queryset, name, value):
        return queryset.filter(kind__in=value) if value else queryset

    def filter_open_now(self, queryset, name, value):
        return queryset.open_to_join() if value else queryset


class RateFilter(django_filters.FilterSet):
    """Rates and fees by council and type of care, for downloads."""

    council = council_filter(field_name="council__slug")
    type_of_care = type_of_care_filter()

    class Meta:
        model = Rate
        fields = []
