"""Public pages for councils and their Market Position Statements."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from . import market
from .downloads import FilteredDownloadView
from .filters import CouncilChoiceFilter, IndicatorValueFilter, IntentionFilter
from .models import (
    CommissioningIntention,
    Council,
    Heading,
    Indicator,
    IndicatorValue,
    Section,
    TypeOfCare,
)


class CouncilListView(ListView):
    """Every council in the region, with how much of its MPS is published."""

    template_name = "councils/council_list.html"
    context_object_name = "councils"

    def get_queryset(self):
        return Council.objects.select_related("region").annotate(
            published_sections=Count(
                "sections", filter=Q(sections__status=Section.Status.PUBLISHED)
            )
        )


class CouncilDetailView(DetailView):
    """A council's MPS as a contents list, with its contacts and provider forums."""

    template_name = "councils/council_detail.html"
    context_object_name = "council"

    def get_queryset(self):
        return Council.objects.select_related("region").prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.public().select_related("heading"),
                to_attr="public_sections",
            ),
            "contacts",
            "provider_forums",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["glance"] = market.glance_rows(
            IndicatorValue.objects.filter(indicator__at_a_glance=True)
            .for_areas([self.object])
            .latest()
            .in_comparison_order()
        )
        context["intentions"] = (
            CommissioningIntention.objects.published()
            .for_council(self.object)
            .select_related("council", "type_of_care")
            .prefetch_related("sections__heading", "sections__council")
            .order_by("type_of_care__position", "position")
        )
        return context


class CouncilPrintView(CouncilDetailView):
    """A council's whole MPS on one page, laid out for printing or saving as PDF."""

    template_name = "councils/council_print.html"


class SectionDetailView(DetailView):
    """One heading of one council's MPS."""

    template_name = "councils/section_detail.html"
    context_object_name = "section"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Section.objects.public().select_related("council", "heading"),
            council__slug=self.kwargs["slug"],
            heading__slug=self.kwargs["heading_slug"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sibling_sections"] = (
            Section.objects.public()
            .for_council(self.object.council)
            .select_related("heading")
        )
        return context


class CompareIndexView(TemplateView):
    """Choose a heading to compare across councils."""

    template_name = "councils/compare_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["headings"] = Heading.objects.annotate(
            published_count=Count(
                "sections", filter=Q(sections__status=Section.Status.PUBLISHED)
            )
        )
        return context


class CompareView(DetailView):
    """One heading across every council, side by side."""

    template_name = "councils/compare.html"
    context_object_name = "heading"
    slug_url_kwarg = "heading_slug"
    queryset = Heading.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["councils"] = Council.objects.prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.public().filter(heading=self.object),
                to_attr="compared_sections",
            )
        )
        context["headings"] = Heading.objects.all()
        return context


class MarketListView(TemplateView):
    """Every type of care, with how many councils say what they want of it."""

    template_name = "councils/market_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Q(intentions__status=CommissioningIntention.Status.PUBLISHED)
        context["types_of_care"] = TypeOfCare.objects.annotate(
            councils_with_intentions=Count(
                "intentions__council", filter=published, distinct=True
            )
        )
        return context


class CouncilChoiceMixin:
    """Reads ``?council=`` into the councils a page shows (all when none chosen).

    Unknown councils are explained in an error summary with status 400.
    """

    def get(self, request, *args, **kwargs):
        self.council_filter = CouncilChoiceFilter(
            data=request.GET, queryset=Council.objects.all()
        )
        self.filter_valid = self.council_filter.is_valid()
        self.councils = (
            self.council_filter.chosen_councils() if self.filter_valid else []
        )
        response = super().get(request, *args, **kwargs)
        if not self.filter_valid:
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chosen = (
            self.council_filter.form.cleaned_data.get("council")
            if (self.filter_valid)
            else None
        )
        context.update(
            filter=self.council_filter,
            councils=self.councils,
            councils_chosen=bool(chosen),
            council_query="".join(f"&council={c.slug}" for c in chosen or []),
        )
        return context


class MarketDetailView(CouncilChoiceMixin, DetailView):
    """One type of care across councils: intentions, figures, rates, frameworks,
    tenders and services, with the parts from other apps added as panels."""

    template_name = "councils/market_detail.html"
    context_object_name = "type_of_care"
    queryset = TypeOfCare.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.filter_valid:
            return context
        councils = self.councils
        context["intentions"] = (
            CommissioningIntention.objects.published()
            .filter(type_of_care=self.object, council__in=councils)
            .select_related("council")
            .prefetch_related("sections__heading", "sections__council")
            .order_by("council__name", "position")
        )
        context["figures"] = (
            IndicatorValue.objects.about_market(self.object)
            .for_areas(councils)
            .latest()
            .in_comparison_order()
        )
        return context


class IndicatorListView(TemplateView):
    """Every market indicator, by topic."""

    template_name = "councils/indicator_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["indicators"] = Indicator.objects.annotate(
            areas=Count("values__area_code", distinct=True)
        ).prefetch_related("types_of_care")
        return context


INDICATOR_SORTS = {
    "area": ("Area", ["area_rank", "council__name"]),
    "highest": ("Highest first", ["area_rank", "-value", "council__name"]),
    "lowest": ("Lowest first", ["area_rank", "value", "council__name"]),
}


class IndicatorDetailView(CouncilChoiceMixin, DetailView):
    """One indicator across councils, with the region and England, and over time."""

    template_name = "councils/indicator_detail.html"
    context_object_name = "indicator"
    queryset = Indicator.objects.prefetch_related("types_of_care")

    def get(self, request, *args, **kwargs):
        self.sort = request.GET.get("sort") or "area"
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sorts"] = [(key, label) for key, (label, _) in INDICATOR_SORTS.items()]
        if self.sort not in INDICATOR_SORTS:
            context["sort_error"] = (
                f"“{self.sort}” is not a way to sort: choose area, highest or lowest"
            )
            return context
        context["sort"] = self.sort
        if not self.filter_valid:
            return context
        figures = IndicatorValue.objects.filter(indicator=self.object).for_areas(
            self.councils
        )
        latest = list(
            figures.latest()
            .actuals()
            .in_comparison_order()
            .order_by(*INDICATOR_SORTS[self.sort][1])
        )
        series = list(figures.in_comparison_order())
        context.update(
            latest=latest,
            series=series,
            summary=market.comparison_summary(self.object, latest),
            comparison_chart=market.comparison_chart(self.object, latest),
            time_chart=market.time_chart(self.object, series),
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        if "sort_error" in context:
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)


INDICATOR_COLUMNS = [
    "indicator",
    "indicator_slug",
    "unit",
    "area_code",
    "area",
    "period",
    "period_start",
    "period_end",
    "projection_base_year",
    "value",
    "source",
    "source_url",
    "as_at",
    "out_of_date",
    "notes",
]


class IndicatorValueDownloadView(FilteredDownloadView):
    """Indicator figures with their source and as-at date, filtered as asked."""

    filterset_class = IndicatorValueFilter
    columns = INDICATOR_COLUMNS
    filename = "indicator-figures"

    def queryset(self):
        return IndicatorValue.objects.select_related("indicator", "council", "region")

    def record(self, value: IndicatorValue) -> dict:
        return {
            "indicator": value.indicator.name,
            "indicator_slug": value.indicator.slug,
            "unit": value.indicator.get_unit_display(),
            "area_code": value.area_code,
            "area": value.area_name,
            "period": value.period,
            "period_start": value.period_start,
            "period_end": value.period_end,
            "projection_base_year": value.base_year,
            "value": float(value.value),
            "source": value.source_name,
            "source_url": value.source_url,
            "as_at": value.as_at,
            "out_of_date": value.out_of_date,
            "notes": value.notes,
        }


INTENTION_COLUMNS = [
    "council",
    "council_gss_code",
    "type_of_care",
    "direction",
    "summary",
    "where",
    "detail",
    "how",
    "period",
    "sections",
    "updated_at",
    "url",
]


class IntentionDownloadView(FilteredDownloadView):
    """Published commissioning intentions, filtered by council and type of care."""

    filterset_class = IntentionFilter
    columns = INTENTION_COLUMNS
    filename = "commissioning-intentions"

    def queryset(self):
        return (
            CommissioningIntention.objects.published()
            .select_related("council", "type_of_care")
            .prefetch_related("sections__heading")
        )

    def record(self, intention: CommissioningIntention) -> dict:
        return {
            "council": intention.council.name,
            "council_gss_code": intention.council.gss_code,
            "type_of_care": intention.type_of_care.name,
            "direction": intention.get_direction_display(),
            "summary": intention.summary,
            "where": intention.where,
            "detail": intention.detail,
            "how": intention.how,
            "period": intention.period,
            "sections": [s.heading.name for s in intention.sections.all()],
            "updated_at": intention.updated_at,
            "url": self.request.build_absolute_uri(intention.get_absolute_url()),
        }
