"""Every admin change, import and publication is in the council's audit trail."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from councils import clock
from councils.models import AuditEntry
from tests.conftest import login_with_second_factor
from tests.councils.test_publishing import edit, publish_in_admin
from tests.factories import AuditEntryFactory, SectionFactory, make_commissioner
from tests.tenders.conftest import import_file, table

pytestmark = pytest.mark.django_db


def test_an_admin_change_records_who_which_council_when_and_the_values(
    gateshead_client, gateshead, gateshead_commissioner
):
    section = SectionFactory(council=gateshead, body="Old text")
    before = clock.now()
    response = edit(gateshead_client, section, "New text")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHANGED)
    assert entry.user == gateshead_commissioner
    assert entry.username == "gateshead-staff"
    assert entry.council == gateshead
    assert entry.action == AuditEntry.Action.CHANGED
    assert entry.created_at >= before
    assert entry.changes["body"] == {"from": "Old text", "to": "New text"}
    assert entry.log_entry == LogEntry.objects.get(object_id=str(section.pk))


def test_publishing_a_section_is_recorded_as_a_publication(
    gateshead_client, gateshead, gateshead_commissioner
):
    section = SectionFactory(council=gateshead, body="Live words.")
    edit(gateshead_client, section, "Home care plans for 2026/27.")
    publish_in_admin(gateshead_client, section, note="Updated home care intentions")
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.PUBLISHED).latest("pk")
    assert entry.user == gateshead_commissioner
    assert entry.council == gateshead
    assert entry.changes["change"] == "major"
    assert entry.changes["note"] == "Updated home care intentions"


def test_a_deletion_is_recorded_with_its_council(client, gateshead, portal_admin):
    # Only administrators delete, and only what was never published.
    section = SectionFactory(council=gateshead, published=False)
    login_with_second_factor(client, portal_admin)
    client.post(
        reverse("admin:councils_section_delete", args=[section.pk]), {"post": "yes"}
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETED)
    assert entry.action == AuditEntry.Action.DELETED
    assert entry.council == gateshead
    assert entry.object_repr == str(section)


def test_a_confirmed_import_is_recorded_with_its_user_and_counts(
    gateshead_client, gateshead, gateshead_commissioner
):
    import_file(
        gateshead_client,
        gateshead,
        "pipeline.csv",
        table([["Reference", "Title"], ["GH-1", "Home care"], ["GH-2", "Day care"]]),
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORTED)
    assert entry.user == gateshead_commissioner
    assert entry.council == gateshead
    assert entry.changes["new"] == 2
    assert "pipeline.csv" in entry.object_repr


def test_council_staff_read_only_their_councils_trail(
    client, gateshead, darlington, gateshead_client
):
    own = AuditEntryFactory(council=gateshead, object_repr="Gateshead vision")
    AuditEntryFactory(council=darlington, object_repr="Darlington vision")
    response = gateshead_client.get(reverse("admin:councils_auditentry_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [own]
    detail = gateshead_client.get(
        reverse("admin:councils_auditentry_change", args=[own.pk])
    )
    assert detail.status_code == 200
    assert "Gateshead vision" in detail.text


def test_the_public_and_staff_without_a_council_cannot_read_the_trail(
    client, gateshead
):
    AuditEntryFactory(council=gateshead)
    url = reverse("admin:councils_auditentry_changelist")
    assert client.get(url).status_code == 302
    client.force_login(make_commissioner(username="no-council"))
    assert client.get(url).context["cl"].result_count == 0


def test_nobody_can_edit_or_delete_the_trail_in_the_admin(gateshead_client, gateshead):
    entry = AuditEntryFactory(council=gateshead)
    url = reverse("admin:councils_auditentry_change", args=[entry.pk])
    gateshead_client.post(url, {"object_repr": "forged"})
    gateshead_client.post(
        reverse("admin:councils_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    entry.refresh_from_db()
    assert entry.object_repr != "forged"


def test_administrators_read_every_councils_trail(
    admin_client_verified, gateshead, darlington
):
    AuditEntryFactory(council=gateshead)
    AuditEntryFactory(council=darlington)
    response = admin_client_verified.get(
        reverse("admin:councils_auditentry_changelist")
    )
    assert response.context["cl"].result_count == 2


def test_entries_older_than_the_retention_period_are_pruned(gateshead, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = AuditEntryFactory(council=gateshead)
    AuditEntry.objects.filter(pk=old.pk).update(
        created_at=clock.now() - timedelta(days=31)
    )
    recent = AuditEntryFactory(council=gateshead)
    call_command("prune_audit_log", verbosity=0)
    assert list(AuditEntry.objects.all()) == [recent]
