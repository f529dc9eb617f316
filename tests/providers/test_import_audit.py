"""Each care service a CQC import adds, changes or marks as deregistered is in its
council's audit trail, with who ran the import."""

import getpass

import pytest
from django.core.management import CommandError, call_command

from councils.models import AuditEntry
from providers.models import CareService
from tests.factories import UserFactory

from .test_import_command import SAMPLE, edited_sample, run

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def row_entries(**filters):
    return AuditEntry.objects.filter(
        action__in=[Action.ADDED, Action.CHANGED], **filters
    )


def test_added_services_are_recorded_under_their_councils(north_east_councils):
    admin = UserFactory(username="cqc-admin", is_staff=True, is_superuser=True)
    run(SAMPLE, "--user", "cqc-admin")
    home = CareService.objects.get(cqc_location_id="1-000000001")
    entry = row_entries().get(object_id=str(home.pk))
    assert entry.action == Action.ADDED
    assert (entry.council.slug, entry.user) == ("gateshead", admin)
    assert entry.object_repr == "Test Care Home One (1-000000001)"
    assert entry.changes["name"] == {"from": None, "to": "Test Care Home One"}
    assert row_entries().count() == 3
    summary = AuditEntry.objects.get(action=Action.IMPORTED)
    assert (summary.council, summary.changes["added"]) == (None, 3)


def test_a_rename_and_a_deregistration_are_recorded_with_old_and_new_values(
    north_east_councils, tmp_path
):
    run(SAMPLE)
    AuditEntry.objects.all().delete()
    edited = edited_sample(tmp_path, "Test Care Home One", "Test Care Home Renamed")
    data = edited.read_bytes().decode("utf-8-sig").replace("1-000000002", "1-000000009")
    edited.write_bytes(data.encode())
    run(edited)

    renamed = row_entries().get(object_repr__startswith="Test Care Home Renamed")
    assert renamed.action == Action.CHANGED
    assert renamed.changes["name"] == {
        "from": "Test Care Home One",
        "to": "Test Care Home Renamed",
    }
    gone = row_entries().get(object_repr__endswith="(1-000000002)")
    assert gone.changes["deregistered_on"] == {"from": None, "to": "2025-11-01"}
    assert gone.council.slug == "county-durham"
    assert {entry.username for entry in AuditEntry.objects.all()} == {
        f"{getpass.getuser()} (command line)"
    }


def test_a_dry_run_records_nothing(north_east_councils):
    run(SAMPLE, "--dry-run")
    assert not AuditEntry.objects.exists()


def test_the_user_must_be_a_portal_administrator(north_east_councils):
    UserFactory(username="someone", is_staff=True)
    with pytest.raises(CommandError, match="portal administrator"):
        call_command("import_cqc_directory", str(SAMPLE), "--user", "someone")
    assert not CareService.objects.exists()
