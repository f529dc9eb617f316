"""Public quality pages: CQC figures with charts, and councils' frameworks."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from councils.charts import Bar, BarGroup, bar_chart
from councils.models import Council, Region

from .models import CqcBenchmark, QualityFramework, Setting
from .services import METHOD, computed_cqc_figures, rag_summary


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
        context["method"] = METHOD
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
        benchmarks = list(
            CqcBenchmark.objects.for_council(council).latest().order_by("setting")
        )
        framework = (
            QualityFramework.objects.filter(council=council)
            .prefetch_related("themes", "score_levels")
            .first()
        )
        context |= {
            "council": council,
            "benchmarks": benchmarks,
            "chart": council_chart(council, benchmarks) if benchmarks else None,
            "computed": computed_cqc_figures(council=council, region=council.region),
            "method": METHOD,
            "framework": framework,
            "summary": rag_summary(council=council) if framework else None,
        }
        return context
