"""Gateshead's December 2023 CQC figures and framework, as in its MPS."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from providers.models import CareService
from quality.models import CqcBenchmark, Theme

pytestmark = pytest.mark.django_db
SEED_THEMES = [
    "People Benefit from Person Centred Care & Support",
    "People are Safeguarded from Abuse",
    "People are Supported by Excellent Staff",
    "Organisational & Management Systems ensure Excellent Quality Services",
    "People Benefit from Excellent Security, Health & Safety",
]


@pytest.fixture
def demo(db):
    call_command("load_demo_data", verbosity=0)


def test_gateshead_december_2023_figures_render_as_in_the_seed(client, demo):
    text = client.get(reverse("quality:council-quality", args=["gateshead"])).text
    for figures in (
        "81.6% Gateshead Council",
        "87.4% North East",
        "77.8% England",
        "78.3% Gateshead Council",
        "79.1% North East",
        "62.8% England",
    ):
        assert figures in text
    assert "Care homes, December 2023" in text
    assert "Community-based services, December 2023" in text
    assert CqcBenchmark.objects.filter(council__slug="gateshead").count() == 2


def test_gateshead_themes_and_scale_are_verbatim(client, demo):
    titles = list(
        Theme.objects.filter(framework__council__slug="gateshead").values_list(
            "title", flat=True
        )
    )
    assert titles == SEED_THEMES
    text = client.get(reverse("quality:council-quality", args=["gateshead"])).text
    for number, title in enumerate(SEED_THEMES, start=1):
        assert f"Theme {number} {title}".replace("&", "&amp;") in text
    assert "No evidence or poor evidence of the outcome being met" in text


def test_demo_thresholds_and_assessments_are_labelled_as_demo(client, demo):
    text = client.get(reverse("quality:council-quality", args=["gateshead"])).text
    assert "Demo thresholds" in text
    assert "Demo data: these assessments are of made-up services" in text


def test_durhams_nine_extra_care_sites_are_in_the_directory(client, demo):
    sites = CareService.objects.filter(
        council__slug="county-durham", extra_care_type__in=["general", "dementia"]
    )
    assert sites.count() == 9
    assert sites.get(name="Appleton Lodge").extra_care_type == "dementia"
    assert not sites.exclude(cqc_location_id="").exists()
    assert not CareService.objects.filter(is_demo=True).exclude(cqc_location_id="")


def test_every_demo_service_is_flagged_and_has_no_cqc_id(demo):
    demo_services = CareService.objects.filter(name__startswith="Demo ")
    assert demo_services.exists()
    assert all(s.is_demo and not s.cqc_location_id for s in demo_services)
