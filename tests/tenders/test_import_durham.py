"""County Durham's MPS Appendix 1 imports as published, and again as unchanged."""

from datetime import date

import pytest

from tenders.models import ImportRecord, Tender

from .conftest import DATA, import_file, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["durham_appendix.tsv", "durham_appendix.csv"])
def test_durham_appendix_creates_nine_tenders_with_their_dates(
    durham_client, durham, name
):
    report = import_file(durham_client, durham, name, (DATA / name).read_bytes())

    assert (report.new, report.updated, report.unchanged) == (9, 0, 0)
    assert [m.column.field for m in report.columns] == [
        "service_area",
        "title",
        "procurement_activity",
        "commencement",
    ]
    assert Tender.objects.filter(council=durham).count() == 9
    healthwatch = Tender.objects.get(title="Healthwatch County Durham")
    assert healthwatch.service_area == "Commissioning - Adult Social Care"
    assert healthwatch.procurement_activity == "Autumn 2024"
    assert (healthwatch.procurement_start, healthwatch.procurement_end) == (
        date(2024, 9, 1),
        date(2024, 11, 30),
    )
    assert healthwatch.commencement == "April 2025"
    assert (healthwatch.commencement_start, healthwatch.commencement_end) == (
        date(2025, 4, 1),
        date(2025, 4, 30),
    )
    regulation_44 = Tender.objects.get(title__startswith="Regulation 44")
    assert regulation_44.procurement_start == date(2025, 3, 1)
    assert regulation_44.commencement_start == date(2025, 9, 1)


def test_durham_footnote_marker_becomes_a_note(durham_client, durham):
    name = "durham_appendix.tsv"
    import_file(durham_client, durham, name, (DATA / name).read_bytes())

    reablement = Tender.objects.get(title__contains="Reablement")
    assert reablement.title == (
        "Contract for the provision of Reablement Services in County Durham"
    )
    assert reablement.notes == "subject to outcome of ongoing strategic review"
    assert not Tender.objects.filter(title__endswith="*").exists()


def test_durham_tenders_get_council_references(durham_client, durham):
    name = "durham_appendix.tsv"
    import_file(durham_client, durham, name, (DATA / name).read_bytes())

    references = sorted(Tender.objects.values_list("reference", flat=True))
    assert references == [f"DCC-{n:04d}" for n in range(1, 10)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("durham_appendix.tsv", "durham_appendix.tsv"),
        ("durham_appendix.tsv", "durham_appendix.csv"),
    ],
)
def test_reimporting_durham_appendix_reports_nine_unchanged(
    durham_client, durham, first, second
):
    import_file(durham_client, durham, first, (DATA / first).read_bytes())
    before = list(Tender.objects.order_by("pk").values())

    report = import_file(durham_client, durham, second, (DATA / second).read_bytes())

    assert (report.new, report.updated, report.unchanged) == (0, 0, 9)
    assert list(Tender.objects.order_by("pk").values()) == before
    imported = ImportRecord.objects.filter(outcome=ImportRecord.Outcome.IMPORTED)
    assert imported.count() == 2


def test_preview_of_a_reimport_says_nothing_would_change(durham_client, durham):
    name = "durham_appendix.csv"
    import_file(durham_client, durham, name, (DATA / name).read_bytes())

    response = upload(durham_client, durham, name, (DATA / name).read_bytes())

    assert response.status_code == 200
    assert "0 new, 0 updated and 9 unchanged" in response.content.decode()
