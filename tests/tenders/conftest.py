import pytest

from tests.factories import ClientGroupFactory, CpvCodeFactory, ServiceCategoryFactory


@pytest.fixture
def reablement(db):
    return ServiceCategoryFactory(name="Reablement", slug="reablement")


@pytest.fixture
def home_care(db):
    return ServiceCategoryFactory(name="Domiciliary care", slug="domiciliary-care")


@pytest.fixture
def older_people(db):
    return ClientGroupFactory(name="Older people", slug="older-people")


@pytest.fixture
def elderly_cpv(db):
    return CpvCodeFactory(
        code="85311100", description="Welfare services for the elderly"
    )
