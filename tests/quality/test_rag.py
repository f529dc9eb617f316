"""Total and RAG status are worked out from the scores, per the council's thresholds."""

import pytest

from quality.models import Assessment
from tests.factories import QualityFrameworkFactory, make_assessment

pytestmark = pytest.mark.django_db


def scored(assessment):
    return Assessment.objects.with_scores().get(pk=assessment.pk)


def assessment_with_total(framework, total):
    """Five themes plus observation and consultation, adding up to ``total``."""
    scores = [1] * 7
    for i in range(total - 7):
        scores[i % 7] += 1
    return make_assessment(
        framework,
        theme_scores=scores[:5],
        observation_score=scores[5],
        consultation_score=scores[6],
    )


@pytest.mark.parametrize(
    ("total", "rag"),
    [
        (21, "green"),
        (18, "green"),  # exactly the Green threshold
        (17, "amber"),  # one below Green
        (13, "amber"),  # exactly the Amber threshold
        (12, "red"),  # one below Amber
        (7, "red"),
    ],
)
def test_rag_follows_the_councils_thresholds_at_the_boundaries(gateshead, total, rag):
    framework = QualityFrameworkFactory(council=gateshead, amber_from=13, green_from=18)
    result = scored(assessment_with_total(framework, total))
    assert result.total == total
    assert result.rag == rag


def test_changing_the_thresholds_changes_the_rag_of_existing_assessments(gateshead):
    framework = QualityFrameworkFactory(council=gateshead, amber_from=13, green_from=18)
    assessment = assessment_with_total(framework, 17)
    assert scored(assessment).rag == "amber"
    framework.green_from = 17
    framework.save()
    assert scored(assessment).rag == "green"


def test_total_adds_themes_observation_and_consultation(gateshead):
    framework = QualityFrameworkFactory(council=gateshead)
    assessment = make_assessment(
        framework,
        theme_scores=(1, 2, 3, 2, 1),
        observation_score=3,
        consultation_score=2,
    )
    assert scored(assessment).total == 14


def test_an_assessment_missing_a_theme_score_has_no_colour(gateshead):
    framework = QualityFrameworkFactory(council=gateshead)
    assessment = make_assessment(framework, theme_scores=(3, 3, 3, 3))
    assert scored(assessment).rag == "incomplete"


def test_each_council_uses_its_own_thresholds(gateshead, darlington):
    strict = QualityFrameworkFactory(council=gateshead, amber_from=15, green_from=20)
    lenient = QualityFrameworkFactory(council=darlington, amber_from=10, green_from=15)
    assert scored(assessment_with_total(strict, 16)).rag == "amber"
    assert scored(assessment_with_total(lenient, 16)).rag == "green"


def test_amber_threshold_above_green_is_refused_by_the_database(gateshead):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        QualityFrameworkFactory(council=gateshead, amber_from=19, green_from=18)
