"""The public care services directory, its downloads and a page per service."""

from django.core.paginator import InvalidPage
from django.http import StreamingHttpResponse
from django.views.generic import DetailView, ListView

from councils import finders
from councils.downloads import buffered, csv_lines, json_document
from councils.paging import BeyondDepth, BoundedPaginator, CountedResults

from .exports import EXPORT_COLUMNS, export_records
from .filters import CareServiceFilter
from .models import CareService, KeyQuestion

# What ``providers/careservice_list.html`` shows of each service, with its
# rating (``providers/includes/rating.html``, ``regulated_by_cqc``).
SERVICE_RESULT_FIELDS = [
    "council__name",
    "name",
    "is_demo",
    "extra_care_type",
    "rating",
    "rating_published_on",
    "deregistered_on",
    "cqc_location_id",
    "care_home",
    "postcode",
]


class ServiceListView(ListView):
    """The care services directory with filters, 25 to a page."""

    template_name = "providers/careservice_list.html"
    context_object_name = "services"
    paginate_by = 25
    paginator_class = BoundedPaginator

    def get(self, request, *args, **kwargs):
        self.filterset = CareServiceFilter(
            request.GET, queryset=CareService.objects.public()
        )
        self.page_error = None
        if not self.filterset.is_valid():
            self.object_list = CareService.objects.none()
            return self.render_bad_request()
        facets = self.filterset.facet_counts()
        self.filterset.label_facets(facets)
        # The facets counted the results: the paginator does not count again.
        # The rows are read with what the list shows: their councils and service
        # types (``regulated_by_cqc`` reads the types too), not their providers
        # or specialisms.
        rows = self.filterset.qs.select_related(None).prefetch_related(None)
        self.object_list = CountedResults(rows, facets["total"]).related(
            "council", prefetch=["service_types"], only=SERVICE_RESULT_FIELDS
        )
        try:
            context = self.get_context_data()
        except BeyondDepth as error:
            self.page_error = str(error)
        except InvalidPage:
            self.page_error = "Enter a page number that exists in this list"
        else:
            return self.render_to_response(context)
        self.object_list = CareService.objects.none()
        return self.render_bad_request()

    def render_bad_request(self):
        self.paginate_by = None
        response = self.render_to_response(self.get_context_data())
        response.status_code = 400
        return response

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.page(self.request.GET.get("page") or 1)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["page_error"] = self.page_error
        context["filter_query"] = self.request.GET.copy()
        context["filter_query"].pop("page", None)
        paginator = context.get("paginator")
        count = paginator.count if paginator else 0
        context.update(
            applied=finders.applied_filters(self.filterset.form, self.request.GET),
            clear_url=self.request.path,
            count_text=finders.count_text(count, "service", "services"),
            showing=finders.showing(context.get("page_obj")),
            sort_key=self.filterset.sort_key,
        )
        return context


class ServiceDownloadView(ServiceListView):
    """The filtered directory as CSV or JSON: every matching row, no paging."""

    paginate_by = None
    format = "csv"

    def get(self, request, *args, **kwargs):
        self.filterset = CareServiceFilter(
            request.GET, queryset=CareService.objects.public()
        )
        self.page_error = None
        if not self.filterset.is_valid():
            self.object_list = CareService.objects.none()
            self.template_name = ServiceListView.template_name
            return self.render_bad_request()
        rows = export_records(self.filterset.qs, request.build_absolute_uri)
        if self.format == "json":
            content = json_document({}, "services", rows)
            content_type = "application/json"
        else:
            content = csv_lines(
                [label for _, label in EXPORT_COLUMNS],
                ([row[key] for key, _ in EXPORT_COLUMNS] for row in rows),
                list_separator="|",
                byte_order_mark=False,
            )
            content_type = "text/csv; charset=utf-8"
        filename = f"care-services.{self.format}"
        return StreamingHttpResponse(
            buffered(content),
            content_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


class ServiceDetailView(DetailView):
    """One care service: what it is, where, who runs it and its CQC rating."""

    template_name = "providers/careservice_detail.html"
    context_object_name = "service"
    queryset = CareService.objects.public().prefetch_related(
        "past_ratings", "group_ratings"
    )
    extra_context = {"key_questions": KeyQuestion.labels}
