"""Unfiltered downloads are sent from a complete file made from the content as it is
now, byte for byte what the view streams; any change makes the file stale at once
(the download streams from the database again) and queues a new one; a build that
fails part way leaves nothing to be served; filtered downloads always stream."""

import csv
import datetime
import io
import json
import resource
import signal
import time

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from councils.publishing import publish
from tenders.models import Tender
from tests.councils.alerts.conftest import run_worker
from tests.factories import (
    ArrangementFactory,
    CareServiceFactory,
    CommissioningIntentionFactory,
    IndicatorValueFactory,
    RateFactory,
    TenderFactory,
    TypeOfCareFactory,
    future_year,
    make_commissioner,
)
from tests.tenders.test_publishing import edit, publish_in_admin

pytestmark = pytest.mark.django_db

CSV_URL = "/opportunities/download.csv"
NOON = datetime.datetime(2031, 3, 4, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    """Files name the portal by SITE_URL: the test client's own address here. Each
    test has a folder of its own."""
    settings.SITE_URL = "http://testserver"
    settings.STORAGES = {
        **settings.STORAGES,
        "downloads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "downloads")},
        },
    }
    return tmp_path / "downloads"


@pytest.fixture(autouse=True)
def no_queued_tasks():
    """Each test starts with an empty task queue: tests that commit (the browser
    suite's live server) leave their own queued builds in the test database."""
    DBTaskResult.objects.all().delete()


@pytest.fixture
def visitor():
    return Client()


@pytest.fixture
def frozen():
    """The JSON downloads say when they were generated: a clock that stands still
    makes a streamed copy and a file comparable byte for byte."""
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def build(*names) -> str:
    out = io.StringIO()
    call_command("build_downloads", *names, stdout=out)
    return out.getvalue()


def source(response) -> str:
    return response.get("X-Download-Source", "")


def everything(gateshead):
    tender = TenderFactory(council=gateshead, title="Extra care in Felling")
    tender.refresh_from_db()
    ArrangementFactory(council=gateshead)
    CareServiceFactory(council=gateshead)
    RateFactory(council=gateshead)
    CommissioningIntentionFactory(council=gateshead)
    IndicatorValueFactory(council=gateshead)
    return tender


@pytest.mark.parametrize("name", settings.COMPLETE_DOWNLOADS)
def test_the_complete_file_is_byte_for_byte_the_streamed_download(
    visitor, gateshead, frozen, name
):
    everything(gateshead)
    url = reverse(name)
    streamed = visitor.get(url)
    assert streamed.status_code == 200
    assert source(streamed) == "database"

    assert build(name).startswith(f"{name}: built, ")

    served = visitor.get(url)
    assert source(served) == "complete-file"
    body = served.getvalue()
    assert body == streamed.getvalue()
    assert int(served["Content-Length"]) == len(body)
    assert served["Content-Type"] == streamed["Content-Type"]
    assert served.get("Content-Disposition") == streamed.get("Content-Disposition")
    assert served["X-Download-Produced"] == "Tue, 04 Mar 2031 12:00:00 GMT"


TENDER_DOWNLOADS = [
    "tenders:tender-list-csv",
    "tenders:tender-list-json",
    "tenders:tender-list-ocds",
]


def test_the_tender_files_are_made_in_one_pass_each_byte_for_byte_its_stream(
    visitor, gateshead, frozen
):
    care = TypeOfCareFactory(name="Reablement")
    TenderFactory(council=gateshead, types_of_care=[care], reference="GAT/1")
    TenderFactory(council=gateshead, is_demo=True)  # in CSV and JSON, not in OCDS
    streamed = {
        name: visitor.get(reverse(name)).getvalue() for name in TENDER_DOWNLOADS
    }

    with CaptureQueriesContext(connection) as queries:
        said = build(*TENDER_DOWNLOADS)
    # The rows' query is the one that gathers each tender's types of care.
    rows_queries = [q for q in queries if "tenders_tender_types_of_care" in q["sql"]]
    assert len(rows_queries) == 1, said

    for name in TENDER_DOWNLOADS:
        assert f"{name}: built, " in said
        served = visitor.get(reverse(name))
        assert source(served) == "complete-file", name
        assert served.getvalue() == streamed[name], name


def test_the_file_has_the_validators_of_the_content_and_answers_304(visitor, gateshead):
    TenderFactory(council=gateshead)
    build("tenders:tender-list-csv")
    served = visitor.get(CSV_URL)
    assert source(served) == "complete-file"

    again = visitor.get(CSV_URL, headers={"If-None-Match": served["ETag"]})
    assert again.status_code == 304
    since = visitor.get(CSV_URL, headers={"If-Modified-Since": served["Last-Modified"]})
    assert since.status_code == 304


def test_an_admin_edit_is_in_the_next_download_and_the_file_is_made_again(
    visitor, gateshead, django_capture_on_commit_callbacks
):
    staff = Client()
    staff.force_login(make_commissioner(gateshead, username="gateshead-editor"))
    tender = TenderFactory(council=gateshead, title="Home care in the west")
    build()
    assert source(visitor.get(CSV_URL)) == "complete-file"

    with django_capture_on_commit_callbacks(execute=True):
        assert edit(staff, tender, title="Home care across the borough").status_code
        assert publish_in_admin(staff, tender, note="Renamed").status_code == 302

    fresh = visitor.get(CSV_URL)
    assert source(fresh) == "database"
    assert "Home care across the borough" in fresh.getvalue().decode()
    # The committed change queued a build; the worker makes the file again.
    assert DBTaskResult.objects.filter(status="READY").exists()
    run_worker()
    rebuilt = visitor.get(CSV_URL)
    assert source(rebuilt) == "complete-file"
    text = rebuilt.getvalue().decode()
    assert "Home care across the borough" in text
    assert "Home care in the west" not in text


def test_a_tender_table_import_is_in_the_next_download(visitor, gateshead, tmp_path):
    build("tenders:tender-list-csv")
    path = tmp_path / "pipeline.csv"
    with path.open("w", newline="") as file:
        csv.writer(file).writerows(
            [
                ["Title", "Procurement activity"],
                ["Extra care in Felling", f"April {future_year()}"],
            ]
        )
    call_command(
        "import_tenders", str(path), "--council", "gateshead", stdout=io.StringIO()
    )

    response = visitor.get(CSV_URL)
    assert source(response) == "database"
    assert "Extra care in Felling" in response.getvalue().decode()
    build("tenders:tender-list-csv")
    assert "Extra care in Felling" in visitor.get(CSV_URL).getvalue().decode()


def test_a_download_with_no_current_file_queues_one_build_and_the_worker_makes_it(
    visitor, gateshead
):
    TenderFactory(council=gateshead)
    assert source(visitor.get(CSV_URL)) == "database"
    assert source(visitor.get(CSV_URL)) == "database"
    assert DBTaskResult.objects.count() == 1  # queued once, however many ask

    run_worker()

    assert source(visitor.get(CSV_URL)) == "complete-file"
    # ...and the next boundary (midnight or a scheduled time) is queued too.
    assert DBTaskResult.objects.filter(status="READY", run_after__isnull=False).exists()


def test_a_file_is_stale_once_a_scheduled_tender_comes_due(visitor, gateshead):
    due = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2)
    tender = TenderFactory(
        council=gateshead, title="Supported living lot", published=False
    )
    publish(obj=tender, user=None, major=True, publish_at=due)
    build("tenders:tender-list-csv")
    assert source(visitor.get(CSV_URL)) == "complete-file"

    # The database's clock decides (time-machine cannot move it): wait for it.
    while datetime.datetime.now(datetime.UTC) < due + datetime.timedelta(
        milliseconds=200
    ):
        time.sleep(0.1)

    response = visitor.get(CSV_URL)
    assert source(response) == "database"
    assert "Supported living lot" in response.getvalue().decode()


def test_a_file_is_stale_at_midnight_when_today_changes(visitor, gateshead):
    TenderFactory(council=gateshead)
    evening = datetime.datetime(2031, 3, 3, 23, 59, 50, tzinfo=datetime.UTC)
    with time_machine.travel(evening, tick=False) as clock:
        build("tenders:tender-list-csv")
        assert source(visitor.get(CSV_URL)) == "complete-file"
        clock.shift(datetime.timedelta(seconds=20))
        assert source(visitor.get(CSV_URL)) == "database"


def test_filtered_downloads_always_stream(visitor, gateshead):
    TenderFactory(council=gateshead)
    build("tenders:tender-list-csv")
    filtered = visitor.get(CSV_URL, {"council": "gateshead"})
    assert filtered.status_code == 200
    assert "X-Download-Source" not in filtered
    assert DBTaskResult.objects.count() == 0


def test_signed_in_staff_get_the_same_file(gateshead):
    TenderFactory(council=gateshead)
    staff = Client()
    staff.force_login(make_commissioner(gateshead, username="gateshead-editor"))
    build("tenders:tender-list-csv")
    response = staff.get(CSV_URL)
    assert source(response) == "complete-file"
    assert "ETag" not in response  # shared validators are for visitors only


def test_a_build_that_fails_part_way_leaves_nothing_to_serve(visitor, gateshead, site):
    """A real write failure (the file size limit, as a full disk would) while the
    file is being written: the old file stays unserved, no partial file is
    published, the download streams the content as it is now."""
    for n in range(40):
        TenderFactory(council=gateshead, title=f"Day opportunities lot {n}")
    build("tenders:tender-list-csv")
    Tender._base_manager.filter(council=gateshead).update(title="Renamed lot")
    before = sorted(path.name for path in site.rglob("*"))

    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, limit[1]))
    try:
        with pytest.raises(OSError):
            build("tenders:tender-list-csv")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        signal.signal(signal.SIGXFSZ, previous)

    assert sorted(path.name for path in site.rglob("*")) == before
    response = visitor.get(CSV_URL)
    assert source(response) == "database"
    text = response.getvalue().decode()
    assert "Renamed lot" in text
    assert "Day opportunities lot" not in text


def test_a_file_is_written_whole_then_named_by_its_manifest(gateshead, site):
    TenderFactory(council=gateshead)
    build("tenders:tender-list-json")
    folder = site / "tenders" / "tender-list-json"
    manifests = list(folder.glob("*.manifest"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    data = site / manifest["file"]
    assert data.stat().st_size == manifest["bytes"]
    assert json.loads(data.read_text())["results"]
    assert not list(folder.glob(".building-*"))  # the temporary file was moved


def test_the_command_builds_what_is_stale_and_says_what_it_did(gateshead):
    TenderFactory(council=gateshead)
    first = build("tenders:tender-list-csv", "tenders:tender-list-ocds")
    assert "tenders:tender-list-csv: built, " in first
    assert "tenders:tender-list-ocds: built, " in first

    assert build("tenders:tender-list-csv") == "tenders:tender-list-csv: current\n"
    assert build("tenders:tender-list-csv", "--force").startswith(
        "tenders:tender-list-csv: built, "
    )
    with pytest.raises(CommandError, match="Not a complete download"):
        build("tenders:tender-list")


def test_an_ocds_package_with_no_releases_has_no_file(db):
    assert build("tenders:tender-list-ocds") == (
        "tenders:tender-list-ocds: not published\n"
    )
    assert Client().get(reverse("tenders:tender-list-ocds")).status_code == 404


def test_old_files_are_deleted_once_no_one_can_still_be_reading_them(gateshead, site):
    TenderFactory(council=gateshead)
    build("tenders:tender-list-csv")
    folder = site / "tenders" / "tender-list-csv"
    old = sorted(folder.iterdir())
    Tender._base_manager.filter(council=gateshead).update(title="Renamed")
    build("tenders:tender-list-csv")
    assert set(old) < set(folder.iterdir())  # kept a while for readers

    with time_machine.travel(datetime.timedelta(hours=2)):
        Tender._base_manager.filter(council=gateshead).update(title="Again")
        build("tenders:tender-list-csv")
    left = set(folder.iterdir())
    assert not set(old) & left
    assert len(left) == 2  # the current file and its manifest
