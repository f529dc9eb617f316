"""Quality figures: CQC benchmarks per council, and councils' own quality frameworks."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from councils import clock
from councils.models import Council, CouncilOwnedQuerySet
from providers.models import CareService

percentage_validators = [MinValueValidator(0), MaxValueValidator(100)]


def is_out_of_date(as_at) -> bool:
    """True when a figure is older than QUALITY_FIGURE_MAX_AGE_DAYS."""
    if as_at is None:
        return False
    limit = timedelta(days=settings.QUALITY_FIGURE_MAX_AGE_DAYS)
    return clock.today() - as_at > limit


class Setting(models.TextChoices):
    CARE_HOMES = "care_homes", "Care homes"
    COMMUNITY = "community", "Community-based services"


class RagStatus(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    INCOMPLETE = "incomplete", "Not all themes scored"


class CqcBenchmarkQuerySet(CouncilOwnedQuerySet):
    def latest(self):
        """Each council's newest figure per setting."""
        newest = (
            CqcBenchmark.objects.filter(
                council=OuterRef("council"), setting=OuterRef("setting")
            )
            .order_by("-as_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=Subquery(newest))

    def newest_by_setting(self) -> list["CqcBenchmark"]:
        """The newest figure of each setting, by setting, for one council's
        figures (a handful a year): all of them read and the newest kept here.
        ``latest()``'s subquery, which many councils' figures need, took longer
        to compile than one council's figures take to read."""
        newest = {}
        for benchmark in self.order_by("setting", "-as_at", "-pk"):
            newest.setdefault(benchmark.setting, benchmark)
        return list(newest.values())


class CqcBenchmark(models.Model):
    """A published "rated good or outstanding" figure, as a council quotes it."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="cqc_benchmarks"
    )
    setting = models.CharField(max_length=20, choices=Setting)
    council_percent = models.DecimalField(
        "council area %",
        max_digits=4,
        decimal_places=1,
        validators=percentage_validators,
        help_text="Percentage of the council area's services rated good or "
        "outstanding, for example 81.6.",
    )
    region_percent = models.DecimalField(
        "region %",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=percentage_validators,
        help_text="The same figure for the region (North East), if published.",
    )
    england_percent = models.DecimalField(
        "England %",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=percentage_validators,
        help_text="The same figure for England, if published.",
    )
    as_at = models.DateField(
        "as at",
        help_text="The month the figures describe; enter the first of the month, "
        "for example 1 December 2023. Shown as month and year.",
    )
    source = models.CharField(
        max_length=300,
        help_text="Where the figures come from, for example: CQC ratings, as "
        "published in Gateshead Council's Market Position Statement.",
    )
    source_url = models.URLField("source web address", blank=True, max_length=300)

    objects = CqcBenchmarkQuerySet.as_manager()

    council_path = "council"

    class Meta:
        ordering = ["council__name", "setting", "-as_at"]
        verbose_name = "CQC benchmark figure"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "setting", "as_at"],
                name="one_benchmark_per_council_setting_month",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0, f"{name}__lte": 100})
                    | Q(**{f"{name}__isnull": True}),
                    name=f"benchmark_{name}_is_a_percentage",
                )
                for name in ("council_percent", "region_percent", "england_percent")
            ],
        ]
        indexes = [
            models.Index(fields=["council", "setting", "-as_at"], name="benchmark_idx")
        ]

    def __str__(self):
        return f"{self.council}: {self.get_setting_display()}, {self.as_at:%B %Y}"

    @property
    def out_of_date(self) -> bool:
        return is_out_of_date(self.as_at)


class QualityFramework(models.Model):
    """A council's quality assessment framework: themes, scale and RAG thresholds."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, related_name="quality_framework"
    )
    name = models.CharField(max_length=200, default="Quality assessment framework")
    introduction = models.TextField(
        blank=True,
        help_text="How the council gathers evidence and uses the scores. Markdown: "
        "paragraphs, lists, links.",
    )
    green_from = models.PositiveSmallIntegerField(
        "Green from total",
        help_text="A total score at or above this is Green.",
    )
    amber_from = models.PositiveSmallIntegerField(
        "Amber from total",
        help_text="A total score at or above this (and below Green) is Amber; "
        "anything lower is Red.",
    )
    thresholds_note = models.CharField(
        "where the thresholds come from",
        max_length=300,
        blank=True,
        help_text="Shown beside the thresholds on public pages. Say so if they are "
        "demo values rather than the council's published ones.",
    )

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "council"

    class Meta:
        ordering = ["council__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amber_from__lte=F("green_from")),
                name="amber_threshold_not_above_green",
            )
        ]

    def __str__(self):
        return f"{self.council}: {self.name}"


class ScoreLevel(models.Model):
    """One point on a framework's scale, such as 3 Fully met."""

    framework = models.ForeignKey(
        QualityFramework, on_delete=models.CASCADE, related_name="score_levels"
    )
    score = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=100, help_text="For example: Fully met.")
    description = models.CharField(max_length=300, blank=True)

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "framework__council"

    class Meta:
        ordering = ["framework", "score"]
        verbose_name = "score on the scale"
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "score"], name="one_label_per_score"
            )
        ]

    def __str__(self):
        return f"{self.score} {self.label}"


class Theme(models.Model):
    """An outcome theme every assessment scores."""

    framework = models.ForeignKey(
        QualityFramework, on_delete=models.CASCADE, related_name="themes"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "framework__council"

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="one_theme_per_number"
            )
        ]

    def __str__(self):
        return f"Theme {self.number} {self.title}"


class AssessmentQuerySet(CouncilOwnedQuerySet):
    def latest_per_service(self):
        """Each service's most recent assessment under its framework."""
        newest = (
            Assessment.objects.filter(
                service=OuterRef("service"), framework=OuterRef("framework")
            )
            .order_by("-assessed_on", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=Subquery(newest))

    def with_scores(self):
        """Annotate the total score and RAG status, computed from the scores.

        The total is the theme scores plus the observation and consultation
        scores. The RAG status follows the framework's thresholds; an assessment
        missing a theme's score is "incomplete" rather than given a colour.
        """
        theme_scores = ThemeScore.objects.filter(assessment=OuterRef("pk"))
        theme_total = theme_scores.values("assessment").annotate(t=Sum("score"))
        scored = theme_scores.values("assessment").annotate(n=Count("pk"))
        themes = (
            Theme.objects.filter(framework=OuterRef("framework"))
            .values("framework")
            .annotate(n=Count("pk"))
        )
        return self.annotate(
            theme_total=Coalesce(Subquery(theme_total.values("t")), 0),
            themes_scored=Coalesce(Subquery(scored.values("n")), 0),
            themes_expected=Coalesce(Subquery(themes.values("n")), 0),
        ).annotate(
            total=F("theme_total") + F("observation_score") + F("consultation_score"),
            rag=Case(
                When(
                    themes_scored__lt=F("themes_expected"),
                    then=Value(RagStatus.INCOMPLETE),
                ),
                When(
                    total__gte=F("framework__green_from"), then=Value(RagStatus.GREEN)
                ),
                When(
                    total__gte=F("framework__amber_from"), then=Value(RagStatus.AMBER)
                ),
                default=Value(RagStatus.RED),
                output_field=models.CharField(),
            ),
        )


class Assessment(models.Model):
    """A quality assessment of one care service on one date.

    The total and RAG status are never stored: ``with_scores()`` computes them.
    """

    framework = models.ForeignKey(
        QualityFramework, on_delete=models.PROTECT, related_name="assessments"
    )
    service = models.ForeignKey(
        CareService,
        on_delete=models.CASCADE,
        related_name="quality_assessments",
        help_text="A service in the council's area.",
    )
    assessed_on = models.DateField("assessed on")
    observation_score = models.PositiveSmallIntegerField(
        help_text="Score for the observations evidence, on the framework's scale."
    )
    consultation_score = models.PositiveSmallIntegerField(
        help_text="Score for the consultations evidence, on the framework's scale."
    )
    findings = models.TextField(
        blank=True, help_text="Seen only by this council's commissioners."
    )

    objects = AssessmentQuerySet.as_manager()

    council_path = "framework__council"

    class Meta:
        ordering = ["-assessed_on", "service__name"]
        indexes = [
            models.Index(
                fields=["framework", "service", "-assessed_on"],
                name="assessment_latest_idx",
            )
        ]

    def __str__(self):
        return f"{self.service} on {self.assessed_on:%d %B %Y}"

    def clean(self):
        if not (self.framework_id and self.service_id):
            return
        if self.service.council_id != self.framework.council_id:
            raise ValidationError(
                {"service": "Choose a service in the framework's council area."}
            )
        scale = set(self.framework.score_levels.values_list("score", flat=True))
        errors = {
            name: f"Enter a score on the scale: {', '.join(map(str, sorted(scale)))}."
            for name in ("observation_score", "consultation_score")
            if getattr(self, name) not in scale
        }
        if errors:
            raise ValidationError(errors)


class ThemeScore(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="theme_scores"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(help_text="On the framework's scale.")

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "assessment__framework__council"

    class Meta:
        ordering = ["theme__number"]
        verbose_name = "theme score"
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "theme"], name="one_score_per_theme"
            )
        ]

    def __str__(self):
        return f"{self.theme}: {self.score}"

    def clean(self):
        if not (self.theme_id and self.assessment_id):
            return
        framework = self.assessment.framework
        if self.theme.framework_id != framework.pk:
            raise ValidationError({"theme": "Choose a theme of this framework."})
        if not framework.score_levels.filter(score=self.score).exists():
            raise ValidationError({"score": "Enter a score on the framework's scale."})
