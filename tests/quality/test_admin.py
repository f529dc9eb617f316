"""Commissioners record assessments in the admin; totals and RAG are worked out."""

import pytest
from django.urls import reverse

from quality.models import Assessment, ThemeScore
from tests.factories import (
    CareServiceFactory,
    QualityFrameworkFactory,
    make_assessment,
)

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:quality_assessment_add")


def assessment_form(framework, service, scores, **extra):
    themes = list(framework.themes.all())
    data = {
        "framework": framework.pk,
        "service": service.pk,
        "assessed_on": "2024-03-01",
        "observation_score": 3,
        "consultation_score": 3,
        "findings": "Good medication records.",
        "theme_scores-TOTAL_FORMS": len(scores),
        "theme_scores-INITIAL_FORMS": 0,
        "theme_scores-MIN_NUM_FORMS": 0,
        "theme_scores-MAX_NUM_FORMS": 1000,
    }
    for i, (theme, score) in enumerate(zip(themes, scores, strict=False)):
        data[f"theme_scores-{i}-theme"] = theme.pk
        data[f"theme_scores-{i}-score"] = score
    return data | extra


def test_commissioner_records_an_assessment_and_sees_total_and_rag(
    gateshead_client, gateshead
):
    framework = QualityFrameworkFactory(council=gateshead)
    service = CareServiceFactory(council=gateshead)
    response = gateshead_client.post(
        ADD_URL, assessment_form(framework, service, [3, 3, 2, 2, 3])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assessment = Assessment.objects.get()
    assert ThemeScore.objects.filter(assessment=assessment).count() == 5
    changelist = gateshead_client.get(reverse("admin:quality_assessment_changelist"))
    assert "19" in changelist.text
    assert "Green" in changelist.text
    change = gateshead_client.get(
        reverse("admin:quality_assessment_change", args=[assessment.pk])
    )
    assert "Green" in change.text


def test_the_admin_form_has_no_field_for_total_or_rag(gateshead_client, gateshead):
    response = gateshead_client.get(ADD_URL)
    fields = response.context["adminform"].form.fields
    assert "total" not in fields
    assert "rag" not in fields


def test_a_theme_score_off_the_scale_is_refused(gateshead_client, gateshead):
    framework = QualityFrameworkFactory(council=gateshead)
    service = CareServiceFactory(council=gateshead)
    response = gateshead_client.post(
        ADD_URL, assessment_form(framework, service, [3, 3, 3, 3, 4])
    )
    assert response.status_code == 200
    assert "Enter a score on the framework" in response.text
    assert not Assessment.objects.exists()


def test_an_observation_score_off_the_scale_is_refused(gateshead_client, gateshead):
    framework = QualityFrameworkFactory(council=gateshead)
    service = CareServiceFactory(council=gateshead)
    response = gateshead_client.post(
        ADD_URL,
        assessment_form(framework, service, [3] * 5, observation_score=9),
    )
    assert response.status_code == 200
    assert "Enter a score on the scale: 1, 2, 3." in response.text
    assert not Assessment.objects.exists()


def test_a_theme_scored_twice_is_refused(gateshead_client, gateshead):
    framework = QualityFrameworkFactory(council=gateshead)
    service = CareServiceFactory(council=gateshead)
    data = assessment_form(framework, service, [3] * 5)
    data["theme_scores-1-theme"] = data["theme_scores-0-theme"]
    response = gateshead_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for theme" in response.text
    assert not Assessment.objects.exists()


def test_another_councils_service_cannot_be_chosen(
    gateshead_client, gateshead, darlington
):
    framework = QualityFrameworkFactory(council=gateshead)
    elsewhere = CareServiceFactory(council=darlington)
    response = gateshead_client.post(
        ADD_URL, assessment_form(framework, elsewhere, [3] * 5)
    )
    assert response.status_code == 200
    assert "service" in response.context["adminform"].form.errors
    assert not Assessment.objects.exists()


def test_another_councils_assessment_details_are_not_visible(
    gateshead_client, darlington
):
    other = make_assessment(
        QualityFrameworkFactory(council=darlington), findings="Darlington secret"
    )
    listing = gateshead_client.get(reverse("admin:quality_assessment_changelist"))
    assert "Darlington secret" not in listing.text
    assert other.service.name not in listing.text


def test_public_pages_never_show_assessment_findings_or_services(client, gateshead):
    assessment = make_assessment(
        QualityFrameworkFactory(council=gateshead),
        service=CareServiceFactory(council=gateshead, name="Hidden House"),
        findings="Confidential findings",
    )
    for url in (
        reverse("quality:overview"),
        reverse("quality:council-quality", args=[gateshead.slug]),
        gateshead.get_absolute_url(),
    ):
        text = client.get(url).text
        assert "Confidential findings" not in text
        assert "Hidden House" not in text
    assert assessment.pk


def test_framework_admin_explains_that_demo_thresholds_must_be_labelled(
    gateshead_client,
):
    response = gateshead_client.get(reverse("admin:quality_qualityframework_add"))
    assert "made-up thresholds" in response.text


def test_a_theme_from_another_of_the_councils_frameworks_is_refused(
    gateshead_client, gateshead, darlington, gateshead_commissioner
):
    gateshead_commissioner.councils.add(darlington)
    framework = QualityFrameworkFactory(council=gateshead)
    foreign_theme = QualityFrameworkFactory(council=darlington).themes.first()
    service = CareServiceFactory(council=gateshead)
    data = assessment_form(framework, service, [3] * 5)
    data["theme_scores-0-theme"] = foreign_theme.pk
    response = gateshead_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Choose a theme of this assessment" in response.text
    assert not Assessment.objects.exists()


def test_theme_choices_offer_only_the_users_councils_themes(
    gateshead_client, gateshead, darlington
):
    own = QualityFrameworkFactory(council=gateshead)
    QualityFrameworkFactory(council=darlington)
    response = gateshead_client.get(ADD_URL)
    formset = response.context["inline_admin_formsets"][0].formset
    choices = formset.forms[0].fields["theme"].queryset
    assert set(choices) == set(own.themes.all())
