"""One list of types of care that tenders, arrangements and the directory share."""

import pytest
from django.core.management import call_command

from councils.models import TypeOfCare
from providers.models import ServiceType
from tenders.models import Arrangement, Tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo_data", verbosity=0)


def test_every_cqc_service_type_in_the_demo_counts_under_a_type_of_care(demo):
    unmapped = ServiceType.objects.filter(type_of_care=None)
    assert not unmapped.exists(), list(unmapped)


def test_cqc_care_home_service_types_map_to_care_home_types_of_care(demo):
    for slug in ("care-home-service-with-nursing", "care-home-service-without-nursing"):
        service_type = ServiceType.objects.get(slug=slug)
        assert service_type.type_of_care.setting == TypeOfCare.Setting.CARE_HOME


def test_home_care_brings_tenders_arrangements_and_cqc_types_together(demo):
    home_care = TypeOfCare.objects.get(slug="domiciliary-care")
    assert Tender.objects.filter(types_of_care=home_care).exists()
    assert Arrangement.objects.filter(types_of_care=home_care).exists()
    assert home_care.cqc_service_types.filter(name="Domiciliary care service").exists()


def test_type_of_care_filter_in_the_finder_uses_the_shared_list(client, demo):
    response = client.get("/opportunities/", {"type_of_care": "domiciliary-care"})
    assert response.status_code == 200
    tenders = response.context["page_obj"].object_list
    assert tenders
    assert all(
        "domiciliary-care" in {t.slug for t in tender.types_of_care.all()}
        for tender in tenders
    )
