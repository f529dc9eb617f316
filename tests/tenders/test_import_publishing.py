"""What an import's tenders go through: published at once with a recorded
publication, or, where the council reviews changes, waiting for an approver."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from councils.models import EditorialState, Publication
from councils.publishing import versions_of
from tenders.models import Tender
from tests.factories import TenderFactory, make_commissioner

from .conftest import DATA, import_file, table

pytestmark = pytest.mark.django_db

HEADINGS = ["Reference", "Title", "Procurement activity"]


def test_an_import_publishes_its_tenders_with_a_change_log_entry_each(
    gateshead_client, gateshead
):
    TenderFactory(council=gateshead, reference="GH-1", title="Home care")
    rows = [
        HEADINGS,
        ["GH-1", "Home care and reablement", "TBC"],
        ["GH-2", "Day care", "TBC"],
    ]

    report = import_file(gateshead_client, gateshead, "pipeline.csv", table(rows))

    assert "Readers will see them now." in report.summary()
    public = Client()
    listed = public.get(reverse("tenders:tender-list")).text
    assert "Home care and reablement" in listed
    assert "Day care" in listed
    assert listed.count("Home care and reablement") == 1
    changed = Tender.objects.get(reference="GH-1")
    assert changed.editorial_state == EditorialState.PUBLISHED
    log = public.get(reverse("councils:change-list")).text
    assert "Updated from the council&#x27;s tender table (pipeline.csv)." in log
    # Every publication links to its difference.
    change = Publication.objects.for_object(changed).first()
    assert public.get(change.get_absolute_url()).status_code == 200
    assert (
        "[added: </span> and reablement" in public.get(change.get_absolute_url()).text
    )
    assert versions_of(changed).first().revision.user.username == "gateshead-staff"


def test_where_review_is_required_imported_changes_wait_for_an_approver(
    gateshead_client, gateshead
):
    gateshead.requires_review = True
    gateshead.save()
    TenderFactory(council=gateshead, reference="GH-1", title="Home care")
    rows = [
        HEADINGS,
        ["GH-1", "Home care and reablement", "TBC"],
        ["GH-2", "Day care", "TBC"],
    ]

    report = import_file(gateshead_client, gateshead, "pipeline.csv", table(rows))

    assert "reviews changes" in report.summary()
    public = Client()
    listed = public.get(reverse("tenders:tender-list")).text
    assert "Home care" in listed
    assert "Home care and reablement" not in listed
    assert "Day care" not in listed
    waiting = Tender.objects.get(reference="GH-2")
    assert waiting.editorial_state == EditorialState.SUBMITTED
    assert waiting.submitted_by.username == "gateshead-staff"

    approver = make_commissioner(gateshead, username="approver")
    gateshead.approvers.add(approver)
    reviewer = Client()
    reviewer.force_login(approver)
    reviewer.post(
        reverse("admin:tenders_tender_publish", args=[waiting.pk]),
        {"action": "publish", "change_type": "major"},
    )
    assert "Day care" in public.get(reverse("tenders:tender-list")).text


def test_a_refused_import_publishes_nothing(gateshead_client, gateshead):
    TenderFactory(council=gateshead, reference="GH-1", title="Home care")
    rows = [HEADINGS, ["GH-1", "Home care and reablement", "TBC"], ["GH-2", "", "x"]]

    from .conftest import upload

    response = upload(gateshead_client, gateshead, "bad.csv", table(rows))

    assert response.context["report"].has_errors
    assert Publication.objects.filter(title__contains="reablement").count() == 0
    assert Tender.live.get(live_of__reference="GH-1").title == "Home care"


def test_a_command_line_import_publishes_directly_even_where_review_is_required(
    durham,
):
    durham.requires_review = True
    durham.save()

    call_command(
        "import_tenders", str(DATA / "durham_appendix.csv"), "--council", "durham"
    )

    assert (
        Tender.live.filter(council=durham).count()
        == Tender.objects.filter(council=durham).count()
    )
    assert Tender.live.filter(council=durham).exists()
