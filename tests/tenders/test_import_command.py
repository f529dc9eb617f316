"""``manage.py import_tenders``: the same import, for scheduled refreshes."""

import io

import pytest
from django.core.management import CommandError, call_command

from tenders.models import ImportRecord, Tender

from .conftest import DATA, table

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_tenders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_durham_appendix_then_finds_it_unchanged(durham):
    out, _ = run(str(DATA / "durham_appendix.tsv"), "--council", "durham")
    assert "9 new, 0 updated and 0 unchanged" in out
    assert Tender.objects.filter(council=durham).count() == 9

    out, _ = run(str(DATA / "durham_appendix.csv"), "--council", "E06000047")

    assert "0 new, 0 updated and 9 unchanged" in out
    assert ImportRecord.objects.filter(user=None).count() == 2


def test_dry_run_writes_nothing_and_is_recorded_as_a_preview(durham):
    out, _ = run(str(DATA / "durham_appendix.tsv"), "--council", "durham", "--dry-run")

    assert out.startswith("Dry run:")
    assert "would be imported" in out
    assert not Tender.objects.exists()
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.PREVIEWED


def test_progress_is_shown_while_reading(durham, tmp_path, monkeypatch):
    from tenders.imports import service as services

    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    path = tmp_path / "t.csv"
    path.write_bytes(table([["Title"]] + [[f"Lot {n}"] for n in range(7)]))

    _, err = run(str(path), "--council", "durham")

    assert "Checked 3 rows" in err
    assert "Checked 6 rows" in err
    assert "Checked 7 rows" in err


def test_bad_rows_fail_the_command_and_are_listed(durham, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(table([["Title", "Procurement activity"], ["Lot", "Someday"]]))

    with pytest.raises(CommandError, match="nothing was imported"):
        run(str(path), "--council", "durham")

    assert not Tender.objects.exists()
    assert ImportRecord.objects.get().outcome == ImportRecord.Outcome.REFUSED


def test_unknown_council_is_an_error(durham):
    with pytest.raises(CommandError, match="No council"):
        run(str(DATA / "durham_appendix.tsv"), "--council", "nowhere")
