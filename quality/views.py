"""Public quality pages: CQC figures with charts, and councils' frameworks."""

import csv

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import TemplateView

from councils.charts import Bar, BarGroup, bar_chart
from councils.downloads import spreadsheet_safe
from councils.models import Council, Region

from .figures import METHOD, computed_cqc_figures
from .models import CqcBenchmark, QualityFramework, Setting
from .services import rag_summary


def regional_comparison_chart(benchmarks, setting):
    rows = [b for b in benchmarks if b.setting == setting]
    return bar_chart(
        chart_id=f"regional-{setting}",
        title=f"{Setting(setting).label}: rated good or outstanding, by council",
        summary="; ".join(
            f"{b.council.name} {b.council_percent}% ({b.as_at:%B %Y})" for b in rows
        )
        or "No council has published a figure yet.",
        groups=[
            BarGroup(
                label=Setting(setting).label,
                bars=[Bar(b.council.name, "council", b.council_percent) for b in rows],
            )
        ],
    )


def council_chart(council, benchmarks):
    groups = [
        BarGroup(
            label=f"{b.get_setting_display()}, {b.as_at:%B %Y}",
            bars=[
                Bar(council.name, "council", b.council_percent),
                Bar(council.region.name, "region", b.region_percent),
                Bar("England", "england", b.england_percent),
            ],
        )
        for b in benchmarks
    ]
    summary = "; ".join(
        f"{b.get_setting_display()}: {council.name} {b.council_percent}%, "
        f"{council.region.name} {b.region_percent or 'no figure'}%, "
        f"England {b.england_percent or 'no figure'}%"
        for b in benchmarks
    )
    return bar_chart(
        chart_id="council-cqc",
        title=f"Rated good or outstanding by CQC: {council.name}, "
        f"{council.region.name} and England",
        summary=summary,
        groups=groups,
    )


class OverviewView(TemplateView):
    """Every council's latest CQC figures side by side, and the frameworks."""

    template_name = "quality/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        benchmarks = list(
            CqcBenchmark.objects.latest()
            .select_related("council")
            .order_by("setting", "council__name")
        )
        context["benchmarks"] = benchmarks
        context["charts"] = [
            regional_comparison_chart(benchmarks, setting) for setting in Setting
        ]
        region = Region.objects.order_by("pk").first()
        context["region"] = region
        if region is not None:
            context["computed"] = computed_cqc_figures(region=region)
        context["max_age_days"] = settings.QUALITY_FIGURE_MAX_AGE_DAYS
        context["frameworks"] = QualityFramework.objects.select_related("council")
        return context


class CouncilQualityView(TemplateView):
    """One council's CQC figures, computed figures, framework and RAG summary."""

    template_name = "quality/council_quality.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        council = get_object_or_404(
            Council.objects.select_related("region"), slug=kwargs["slug"]
        )
        benchmarks = CqcBenchmark.objects.for_council(council).newest_by_setting()
        framework = (
            QualityFramework.objects.filter(council=council)
            .prefetch_related("themes", "score_levels")
            .first()
        )
        context |= {
            "council": council,
            "benchmarks": benchmarks,
            "chart": council_chart(council, benchmarks) if benchmarks else None,
            "computed": computed_cqc_figures(
                council=council, region=council.region, by_type_of_care=True
            ),
            "framework": framework,
            "summary": rag_summary(council=council) if framework else None,
        }
        return context


class FiguresDownloadView(View):
    """Every computed figure (and every council's own published figure) as CSV or
    JSON, with the method and sources."""

    format = "csv"

    def get(self, request, *args, **kwargs):
        rows = []
        for region in Region.objects.order_by("name"):
            computed = computed_cqc_figures(region=region, by_type_of_care=True)
            rows += [figure_row(f, computed.method) for f in computed.all()]
        rows += [
            benchmark_row(b)
            for b in CqcBenchmark.objects.latest()
            .select_related("council")
            .order_by("council__name", "setting")
        ]
        filename = f"quality-figures.{self.format}"
        if self.format == "json":
            response = JsonResponse(
                {"method": METHOD, "figures": rows}, json_dumps_params={"indent": 1}
            )
        else:
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            writer = csv.writer(response)
            writer.writerow(FIGURE_COLUMNS)
            for row in rows:
                writer.writerow(
                    [
                        spreadsheet_safe("" if row[k] is None else str(row[k]))
                        for k in FIGURE_COLUMNS
                    ]
                )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


FIGURE_COLUMNS = [
    "area",
    "area_type",
    "gss_code",
    "setting_or_type_of_care",
    "good_or_outstanding",
    "rated",
    "percent",
    "figure",
    "as_at",
    "source",
    "method",
]


def figure_row(figure, method: str) -> dict:
    return {
        "area": figure.area,
        "area_type": figure.area_type,
        "gss_code": figure.gss_code,
        "setting_or_type_of_care": figure.setting,
        "good_or_outstanding": figure.good,
        "rated": figure.judged,
        "percent": str(figure.percent) if figure.percent is not None else None,
        "figure": "computed",
        "as_at": figure.as_at.isoformat() if figure.as_at else None,
        "source": figure.source.description,
        "method": method,
    }


def benchmark_row(benchmark) -> dict:
    return {
        "area": benchmark.council.name,
        "area_type": "council",
        "gss_code": benchmark.council.gss_code,
        "setting_or_type_of_care": benchmark.get_setting_display(),
        "good_or_outstanding": None,
        "rated": None,
        "percent": str(benchmark.council_percent),
        "figure": "the council's own published figure",
        "as_at": benchmark.as_at.isoformat(),
        "source": benchmark.source,
        "method": "As published by the council; not worked out by this portal.",
    }
