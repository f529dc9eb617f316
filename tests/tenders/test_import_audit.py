"""Each tender an import adds, changes or withdraws is in its council's audit trail,
with who imported it, written in bulk and kept or rolled back with the rows."""

import getpass

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.models import AuditEntry
from tenders.models import Tender
from tests.factories import TenderFactory, TypeOfCareFactory, make_commissioner

from .conftest import DATA, confirm, import_file, table, upload

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action
HEADINGS = ["Reference", "Title", "Procurement activity", "Service Area"]


def row_entries(**filters):
    return AuditEntry.objects.exclude(
        action__in=[Action.IMPORTED, Action.IMPORT_REFUSED]
    ).filter(**filters)


def test_each_added_and_changed_tender_is_recorded_with_old_and_new_values(
    gateshead_client, gateshead, gateshead_commissioner
):
    old = TenderFactory(
        council=gateshead, reference="GH-1", title="Home care", service_area="Adults"
    )
    import_file(
        gateshead_client,
        gateshead,
        "pipeline.csv",
        table(
            [
                HEADINGS,
                ["GH-1", "Home care", "Spring 2026", "Older people"],
                ["GH-2", "Day care", "TBC", "Adults"],
            ]
        ),
    )
    changed = row_entries().get(action=Action.CHANGED)
    assert (changed.user, changed.username) == (
        gateshead_commissioner,
        "gateshead-staff",
    )
    assert changed.council == gateshead
    assert changed.object_id == str(old.pk)
    assert changed.object_repr == "GH-1 Home care"
    assert changed.changes["service_area"] == {"from": "Adults", "to": "Older people"}
    assert changed.message == "Tender table import: pipeline.csv"

    added = row_entries().get(action=Action.ADDED)
    new = Tender.objects.get(reference="GH-2")
    assert (added.council, added.object_id) == (gateshead, str(new.pk))
    assert added.changes["title"] == {"from": None, "to": "Day care"}
    assert added.changes["service_area"] == {"from": None, "to": "Adults"}


def test_an_unchanged_row_and_a_preview_record_no_row_entries(
    gateshead_client, gateshead
):
    TenderFactory(council=gateshead, reference="GH-1", title="Home care")
    data = table([["Reference", "Title"], ["GH-1", "Home care"]])
    upload(gateshead_client, gateshead, "same.csv", data)
    assert not AuditEntry.objects.exists()
    import_file(gateshead_client, gateshead, "same.csv", data)
    assert not row_entries().exists()
    assert AuditEntry.objects.get().action == Action.IMPORTED


def test_a_changed_type_of_care_is_recorded_by_name(gateshead_client, gateshead):
    TypeOfCareFactory(name="Home care", slug="home-care")
    TypeOfCareFactory(name="Extra care", slug="extra-care")
    data = [["Reference", "Title", "Type of care"], ["GH-1", "Care", "Home care"]]
    import_file(gateshead_client, gateshead, "a.csv", table(data))
    data[1][2] = "Extra care"
    import_file(gateshead_client, gateshead, "b.csv", table(data))
    change = row_entries().get(action=Action.CHANGED).changes["types_of_care"]
    assert change == {"from": ["Home care"], "to": ["Extra care"]}


def test_a_tender_withdrawn_by_a_whole_pipeline_table_is_recorded(
    gateshead_client, gateshead
):
    for n in range(3):
        TenderFactory(council=gateshead, reference=f"GH-{n}", title=f"Lot {n}")
    rows = [["Reference", "Title"], ["GH-0", "Lot 0"], ["GH-1", "Lot 1"]]
    response = gateshead_client.post(
        reverse("admin:tenders_tender_import"),
        {
            "council": gateshead.pk,
            "whole_pipeline": "on",
            "import_file": _file("whole.csv", table(rows)),
        },
    )
    confirm(gateshead_client, response)
    withdrawn = row_entries().get(action=Action.CHANGED, object_repr="GH-2 Lot 2")
    assert withdrawn.changes["status"] == {"from": "planned", "to": "withdrawn"}
    assert row_entries(object_repr__contains="tender pipeline").exists()


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_row_entries_take_the_same_queries_for_1_and_40_rows(
    client, gateshead, darlington
):
    client.force_login(make_commissioner(gateshead, darlington, username="both"))

    def queries(council, count):
        rows = [["Reference", "Title"]]
        rows += [[f"R-{n}", f"Lot {n}"] for n in range(count)]
        preview = upload(client, council, "t.csv", table(rows))
        with CaptureQueriesContext(connection) as captured:
            confirm(client, preview)
        assert row_entries(council=council).count() == count
        return len(captured)

    assert queries(gateshead, 1) == queries(darlington, 40)


def test_a_database_error_rolls_the_row_entries_back_with_the_rows(
    gateshead_client, gateshead, monkeypatch
):
    from django.db import IntegrityError

    from tenders.imports import writing

    def refuse(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    TenderFactory(council=gateshead, reference="GH-9", title="Kept")
    monkeypatch.setattr(writing, "update_rows", refuse)
    # A second batch that updates: the first row's insert has been written and
    # recorded by the time the update is refused.
    monkeypatch.setattr("tenders.imports.service.BATCH_SIZE", 1)
    preview = upload(
        gateshead_client,
        gateshead,
        "t.csv",
        table([["Reference", "Title"], ["GH-1", "Home care"], ["GH-9", "Renamed"]]),
    )
    confirm(gateshead_client, preview)
    assert not Tender.objects.filter(reference="GH-1").exists()
    assert not row_entries().exists()
    refused = AuditEntry.objects.get()
    assert refused.action == Action.IMPORT_REFUSED
    assert "database refused" in refused.message


def test_a_command_line_import_without_user_names_the_operating_system_user(db):
    from tests.factories import CouncilFactory

    CouncilFactory(name="Durham County Council", slug="durham", gss_code="E06000047")
    call_command(
        "import_tenders", str(DATA / "durham_appendix.tsv"), "--council", "durham"
    )
    entries = AuditEntry.objects.all()
    assert entries.filter(action=Action.ADDED).count() == 9
    assert {entry.username for entry in entries} == {
        f"{getpass.getuser()} (command line)"
    }
    assert {entry.user for entry in entries} == {None}
