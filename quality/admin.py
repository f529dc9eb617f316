from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from councils.scoping import CouncilScopedAdmin, CouncilScopedInline

from .models import (
    Assessment,
    CqcBenchmark,
    QualityFramework,
    RagStatus,
    ScoreLevel,
    Theme,
    ThemeScore,
)

DEMO_THRESHOLDS_HELP = (
    "Gateshead's published framework does not give its RAG thresholds; the demo "
    "data uses made-up thresholds and says so in 'where the thresholds come from'."
)


class ScopedInline(CouncilScopedInline):
    extra = 0


class ScoreLevelInline(ScopedInline):
    model = ScoreLevel


class ThemeInline(ScopedInline):
    model = Theme


@admin.register(QualityFramework)
class QualityFrameworkAdmin(CouncilScopedAdmin):
    list_display = ["name", "council", "amber_from", "green_from"]
    list_select_related = ["council"]
    search_fields = ["name", "council__name"]
    autocomplete_fields = ["council"]
    inlines = [ScoreLevelInline, ThemeInline]
    fieldsets = [
        (None, {"fields": ["council", "name", "introduction"]}),
        (
            "RAG thresholds",
            {
                "fields": ["amber_from", "green_from", "thresholds_note"],
                "description": (
                    "The total is the theme scores plus the observation and "
                    "consultation scores; the RAG status is worked out from it. "
                    + DEMO_THRESHOLDS_HELP
                ),
            },
        ),
    ]


@admin.register(CqcBenchmark)
class CqcBenchmarkAdmin(CouncilScopedAdmin):
    list_display = [
        "council",
        "setting",
        "as_at",
        "council_percent",
        "region_percent",
        "england_percent",
    ]
    list_filter = ["setting", ("council", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["council"]
    search_fields = ["council__name", "source"]
    autocomplete_fields = ["council"]
    fieldsets = [
        (None, {"fields": ["council", "setting", "as_at"]}),
        (
            "Percentage rated good or outstanding",
            {"fields": ["council_percent", "region_percent", "england_percent"]},
        ),
        ("Source", {"fields": ["source", "source_url"]}),
    ]


class ThemeScoreFormSet(BaseInlineFormSet):
    """Theme scores for the assessment's own framework, on its scale.

    Scoring a theme twice is refused by the formset's unique check
    (``one_score_per_theme``).
    """

    def clean(self):
        super().clean()
        framework = getattr(self.instance, "framework", None)
        if framework is None:
            return
        scale = set(framework.score_levels.values_list("score", flat=True))
        themes = set(framework.themes.values_list("pk", flat=True))
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data or data.get("DELETE"):
                continue
            theme = data.get("theme")
            if theme is not None and theme.pk not in themes:
                form.add_error(
                    "theme", "Choose a theme of this assessment's framework."
                )
            if data.get("score") is not None and data["score"] not in scale:
                form.add_error("score", "Enter a score on the framework's scale.")


class ThemeScoreInline(ScopedInline):
    model = ThemeScore
    formset = ThemeScoreFormSet

    def get_extra(self, request, obj=None, **kwargs):
        return 5 if obj is None else 0


@admin.register(Assessment)
class AssessmentAdmin(CouncilScopedAdmin):
    list_display = ["service", "framework", "assessed_on", "total", "rag_status"]
    list_filter = ["assessed_on", ("framework", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["service", "framework__council"]
    search_fields = ["service__name"]
    date_hierarchy = "assessed_on"
    inlines = [ThemeScoreInline]
    readonly_fields = ["total", "rag_status"]
    fieldsets = [
        (None, {"fields": ["framework", "service", "assessed_on"]}),
        (
            "Other evidence",
            {"fields": ["observation_score", "consultation_score", "findings"]},
        ),
        (
            "Result (worked out from the scores)",
            {"fields": ["total", "rag_status"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_scores()

    @admin.display(description="total score")
    def total(self, obj):
        return getattr(obj, "total", None) if obj.pk else "Worked out when saved"

    @admin.display(description="RAG status")
    def rag_status(self, obj):
        rag = getattr(obj, "rag", None)
        return RagStatus(rag).label if rag else "Worked out when saved"
