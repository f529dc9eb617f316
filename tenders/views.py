"""The opportunity finder: list, detail and open-data downloads of the same results."""

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView

from councils import clock, finders
from councils.downloads import (
    CHUNK_ROWS,
    CsvDocument,
    Download,
    JsonDocument,
    csv_download,
    json_download,
)
from councils.models import Section
from councils.paging import BeyondDepth, BoundedPaginator, CountedResults
from councils.views import PreviewMixin

from . import exports, ocds
from .filters import ArrangementFilter, TenderFilter, filter_query
from .models import Arrangement, Tender
from .templatetags.tenders import ARRANGEMENT_RESULT_FIELDS, TENDER_RESULT_FIELDS

# MPS headings a provider reading about a tender is most likely to want next.
RELATED_HEADINGS = [
    "market-opportunities",
    "working-with-the-council",
    "adults-services",
    "childrens-services",
    "market-overview",
]


def tender_filter(request) -> TenderFilter:
    """The finder's filters, always bound so that the default sort applies."""
    return TenderFilter(
        data=request.GET, queryset=Tender.live.visible(), request=request
    )


class FinderListView(FilterView):
    """Base for the finder's lists: filtered, sorted and paged.

    Invalid filters or a page that does not exist are explained in a GOV.UK error
    summary with status 400, rather than shown as an empty list.
    """

    paginate_by = 20
    result_nouns = ("result", "results")
    paginator_class = BoundedPaginator

    def make_filter(self, request):
        raise NotImplementedError

    def results(self):
        """What the page lists, with each row's council and types of care."""
        return self.filterset.qs.select_related("council").prefetch_related(
            "types_of_care"
        )

    def get(self, request, *args, **kwargs):
        self.filterset = self.make_filter(request)
        self.page_error = None
        if self.filterset.is_valid():
            self.filtered()
            self.object_list = self.results()
        else:
            self.object_list = self.filterset.queryset.none()
        context = self.get_context_data(
            filter=self.filterset, object_list=self.object_list
        )
        status = 400 if self.filterset.errors or self.page_error else 200
        return self.render_to_response(context, status=status)

    def filtered(self) -> None:
        """Called once the filters are valid, before the page is built."""

    def get_paginate_by(self, queryset):
        return self.paginate_by if self.filterset.is_valid() else None

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        number = self.request.GET.get("page") or 1
        try:
            page = paginator.page(number)
        except PageNotAnInteger:
            self.page_error = f"“{number}” is not a page number"
        except BeyondDepth as error:
            self.page_error = str(error)
        except EmptyPage:
            self.page_error = (
                f"There is no page {number}: the results fill "
                f"{paginator.num_pages} page{'s' if paginator.num_pages != 1 else ''}"
            )
        else:
            return paginator, page, page.object_list, page.has_other_pages()
        return paginator, None, [], False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = filter_query(self.request.GET)
        paginator = context.get("paginator")
        count = paginator.count if paginator else len(self.object_list)
        context.update(
            page_error=self.page_error,
            download_suffix=f"?{query}" if query else "",
            applied=finders.applied_filters(self.filterset.form, self.request.GET),
            clear_url=self.request.path,
            count_text=finders.count_text(count, *self.result_nouns),
            showing=finders.showing(context.get("page_obj")),
            sort_key=self.filterset.sort_key,
        )
        return context


class TenderListView(FinderListView):
    """Tender opportunities across the region, with facet counts and sorting."""

    template_name = "tenders/tender_list.html"
    context_object_name = "tenders"
    result_nouns = ("opportunity", "opportunities")

    def make_filter(self, request):
        return tender_filter(request)

    def results(self):
        results = self.filterset.results(total=self.facets["total"])
        return finders.WithNames(
            results.related("council", only=TENDER_RESULT_FIELDS),
            "types_of_care",
            "care_names",
        )

    def filtered(self) -> None:
        self.facets = self.filterset.facet_counts()
        self.filterset.label_facets(self.facets)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(date_hint=TenderFilter.DATE_HINT)
        return context


class TenderDetailView(DetailView):
    """One opportunity, with its council's contacts, caveat and related MPS sections."""

    template_name = "tenders/tender_detail.html"
    context_object_name = "tender"

    def get_object(self, queryset=None):
        # Withdrawn tenders keep their page, with a notice, so links still work.
        return get_object_or_404(
            Tender.live.published()
            .select_related("council__tender_pipeline")
            .prefetch_related(
                "types_of_care", "client_groups", "cpv_codes", "council__contacts"
            ),
            council__slug=self.kwargs["council_slug"],
            reference=self.kwargs["reference"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related_sections"] = (
            Section.live.published()
            .for_council(self.object.council)
            .filter(heading__slug__in=RELATED_HEADINGS)
            .select_related("council", "heading")
            .order_by("heading__position")
        )
        return context


class TenderPreviewView(PreviewMixin, TenderDetailView):
    """A tender before its publish time (or any of the council's tenders), as it
    will look on the portal."""

    model = Tender
    preview_related = ("council__tender_pipeline",)
    preview_prefetch = (
        "types_of_care",
        "client_groups",
        "cpv_codes",
        "council__contacts",
    )


def _errors_text(filterset) -> str:
    return "\n".join(
        f"{field}: {' '.join(messages)}"
        for field, messages in filterset.form.errors.items()
    )


class FinderDownloadView(View):
    """Base for downloads: the list's results, filtered exactly as on the page,
    streamed as they are read so memory stays flat however many there are."""

    def make_filter(self, request):
        raise NotImplementedError

    def records(self, queryset):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        filterset = self.make_filter(request)
        if not filterset.is_valid():
            return self.invalid(filterset)
        return self.render(filterset.qs)

    def invalid(self, filterset):
        return JsonResponse(
            {"errors": filterset.form.errors.get_json_data()}, status=400
        )

    def render(self, queryset):
        raise NotImplementedError


class CsvErrorsMixin:
    """A CSV download explains bad filters in plain text, not JSON."""

    def invalid(self, filterset):
        return HttpResponse(
            _errors_text(filterset),
            status=400,
            content_type="text/plain; charset=utf-8",
        )


class TenderDownloadView(FinderDownloadView):
    """Base for the tender downloads: each says what its form of the rows is
    (``download``), so that the complete files of all three can be made in one
    pass over the rows (``build_together``)."""

    def make_filter(self, request):
        return tender_filter(request)

    def rows(self, queryset):
        return exports.export_rows(queryset, self.request.build_absolute_uri)

    def selected(self, queryset):
        """The tenders this download may include (``download`` leaves out any
        others it is given)."""
        return queryset

    def download(self, queryset) -> Download | HttpResponse:
        """This download's form of the rows, or the response when there is
        nothing to publish."""
        raise NotImplementedError

    def render(self, queryset):
        found = self.download(queryset)
        if isinstance(found, HttpResponse):
            return found
        return found.response(self.rows(self.selected(queryset)))

    @classmethod
    def build_together(cls, views: dict[str, "TenderDownloadView"]):
        """For the complete files (``councils.download_files``): the rows, read
        once, and each view's ``download`` of them (or its response when there is
        nothing to publish). The views are set up for requests with no filters."""
        first = next(iter(views.values()))
        filterset = first.make_filter(first.request)
        if not filterset.is_valid():
            return [], {name: view.invalid(filterset) for name, view in views.items()}
        queryset = filterset.qs
        downloads = {name: view.download(queryset) for name, view in views.items()}
        return first.rows(queryset), downloads


class TenderCsvView(CsvErrorsMixin, TenderDownloadView):
    """The results as CSV, safe to open in a spreadsheet."""

    def download(self, queryset):
        return Download(
            CsvDocument(exports.COLUMNS),
            exports.tender_csv_row,
            content_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="tender-opportunities.csv"'
            },
        )


class TenderJsonView(TenderDownloadView):
    """The results as JSON: one record per tender, with the filters applied."""

    def download(self, queryset):
        meta = {
            "source": self.request.build_absolute_uri(),
            "generated": clock.now(),
            "count": queryset.count(),
            "licence": ocds.LICENCE,
        }
        return Download(
            JsonDocument({"meta": meta}, "results"),
            exports.tender_json_record,
            content_type="application/json",
        )


class TenderOcdsView(TenderDownloadView):
    """The results as an OCDS 1.1 release package."""

    def selected(self, queryset):
        # OCDS has no way to say "made up": demo tenders are never published as
        # releases, which aggregators would take for real procurements.
        return queryset.filter(is_demo=False)

    def download(self, queryset):
        latest = (
            self.selected(queryset)
            .order_by()
            .aggregate(latest=Max("updated_at"))["latest"]
        )
        if latest is None:
            # The schema requires at least one release in a package.
            return JsonResponse(
                {
                    "detail": "No opportunities match these filters, so there are "
                    "no OCDS releases to publish."
                },
                status=404,
            )
        head = ocds.package_head(uri=self.request.build_absolute_uri(), latest=latest)
        return Download(
            JsonDocument(head, "releases"),
            lambda tender: None if tender.is_demo else ocds.tender_release(tender),
            content_type="application/json",
            headers={"Content-Disposition": 'inline; filename="tenders-ocds.json"'},
        )


def arrangement_filter(request) -> ArrangementFilter:
    return ArrangementFilter(
        data=request.GET, queryset=Arrangement.live.all(), request=request
    )


class ArrangementListView(FinderListView):
    """Frameworks, spot contracts and panels, filtered and paged."""

    template_name = "tenders/arrangement_list.html"
    context_object_name = "arrangements"
    result_nouns = ("arrangement", "arrangements")

    def make_filter(self, request):
        return arrangement_filter(request)

    def results(self):
        # The facets counted the results: the paginator does not count again.
        results = CountedResults(self.filterset.qs, self.facets["total"])
        return finders.WithNames(
            results.related("council", only=ARRANGEMENT_RESULT_FIELDS),
            "types_of_care",
            "care_names",
        )

    def filtered(self) -> None:
        self.facets = self.filterset.facet_counts()
        self.filterset.label_facets(self.facets)


class ArrangementDetailView(DetailView):
    """One arrangement: what it covers, how to join, and the council's contacts."""

    template_name = "tenders/arrangement_detail.html"
    context_object_name = "arrangement"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Arrangement.live.select_related("council").prefetch_related(
                "types_of_care", "client_groups", "council__contacts"
            ),
            council__slug=self.kwargs["council_slug"],
            live_of_id=self.kwargs["pk"],
        )


class ArrangementPreviewView(PreviewMixin, ArrangementDetailView):
    """An arrangement's working copy, as it will look when published."""

    model = Arrangement
    preview_related = ("council",)


class ArrangementDownloadView(FinderDownloadView):
    """Base for downloads of the arrangements."""

    def make_filter(self, request):
        return arrangement_filter(request)

    def records(self, queryset):
        rows = (
            queryset.select_related("council")
            .prefetch_related("types_of_care", "client_groups")
            .iterator(chunk_size=CHUNK_ROWS)
        )
        absolute = self.request.build_absolute_uri
        return (exports.arrangement_record(a, absolute) for a in rows)


class ArrangementCsvView(CsvErrorsMixin, ArrangementDownloadView):
    """The arrangements as CSV, safe to open in a spreadsheet."""

    def render(self, queryset):
        return csv_download(
            self.records(queryset),
            columns=exports.ARRANGEMENT_COLUMNS,
            filename="arrangements.csv",
        )


class ArrangementJsonView(ArrangementDownloadView):
    """The arrangements as JSON: one record each, with the filters applied."""

    def render(self, queryset):
        records = (
            {key: exports.json_value(v) for key, v in r.items()}
            for r in self.records(queryset)
        )
        response = json_download(
            records,
            source=self.request.build_absolute_uri(),
            filename="arrangements.json",
            count=queryset.count(),
            extra_meta={"licence": ocds.LICENCE},
        )
        del response["Content-Disposition"]
        return response
