"""Each figure an indicator import adds or changes is in the audit trail of its
council (region and England figures: administrators only), with who loaded it."""

import getpass

import pytest
from django.core.management import call_command
from django.urls import reverse

from councils.models import AuditEntry, IndicatorValue
from tests.factories import IndicatorValueFactory

from .conftest import figure, import_file, table

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def row_entries():
    return AuditEntry.objects.filter(action__in=[Action.ADDED, Action.CHANGED])


def test_each_new_and_changed_figure_is_recorded_under_its_council(
    durham_client, durham, durham_commissioner, admissions
):
    stored = IndicatorValueFactory(
        indicator=admissions, council=durham, period="2021/22", value="600"
    )
    import_file(
        durham_client,
        "figures.csv",
        table([figure(value="626.4"), figure(period="2022/23", value="612")]),
    )
    changed = row_entries().get(action=Action.CHANGED)
    assert (changed.council, changed.user) == (durham, durham_commissioner)
    assert changed.object_id == str(stored.pk)
    assert changed.changes["value"] == {"from": "600.0000", "to": "626.4000"}
    assert "2021/22" in changed.object_repr
    assert changed.message == "Indicator figures import: figures.csv"
    added = row_entries().get(action=Action.ADDED)
    new = IndicatorValue.objects.get(period="2022/23")
    assert (added.council, added.object_id) == (durham, str(new.pk))
    assert added.changes["value"] == {"from": None, "to": "612.0000"}
    summary = AuditEntry.objects.get(action=Action.IMPORTED)
    assert (summary.council, summary.changes["new"]) == (durham, 1)


def test_council_staff_see_their_figures_entries_but_not_englands(
    durham_client, durham, admissions, tmp_path, portal_admin
):
    path = tmp_path / "national.csv"
    path.write_bytes(table([figure(), figure(area="E92000001", value="538.5")]))
    call_command("import_indicators", str(path), verbosity=0)

    listed = durham_client.get(reverse("admin:councils_auditentry_changelist"))
    shown = list(listed.context["cl"].queryset)
    assert [entry.council for entry in shown] == [durham, durham]
    assert {entry.action for entry in shown} == {Action.ADDED, Action.IMPORTED}
    england = row_entries().get(council=None)
    assert "E92000001" in england.object_repr
    assert england.username == f"{getpass.getuser()} (command line)"


def test_a_refused_file_records_no_row_entries(durham_client, admissions):
    response = durham_client.post(
        reverse("admin:councils_indicatorvalue_import"),
        {"import_file": _file(table([figure(), figure(value="n/a")]))},
    )
    assert response.context["report"].has_errors
    assert not AuditEntry.objects.exists()


def _file(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("figures.csv", data)
