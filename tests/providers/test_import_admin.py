"""Importing CQC's files in the admin: portal administrators only, preview, confirm.

Both the preview (a dry run) and the import run in the background worker; the
upload and the confirm lead to a status page that shows the result once the
worker has run."""

import re

import pytest
from django.core.files.storage import default_storage

from providers.models import CareService, CqcImport
from tests.conftest import login_with_second_factor
from tests.councils.alerts.conftest import run_worker
from tests.factories import make_commissioner

from .conftest import DATA

pytestmark = pytest.mark.django_db
UPLOAD = "/admin/providers/cqcimport/upload/"
CONFIRM = "/admin/providers/cqcimport/upload/confirm/"
STATUS = "/admin/providers/cqcimport/upload/status/"
ACTIVE = DATA / "01_November_2025_HSCA_Active_Locations.ods"


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, path, which="ratings", **extra):
    """Upload a file; the status page once the worker has checked it."""
    with path.open("rb") as handle:
        queued = client.post(
            UPLOAD, {"which": which, "cqc_file": handle, **extra}, follow=False
        )
    assert queued.status_code == 302, queued.content
    assert queued["Location"].startswith(STATUS)
    run_worker()
    return client.get(queued["Location"])


def confirm(client, token_value):
    """Confirm a preview; the response once the worker has imported it."""
    queued = client.post(CONFIRM, {"token": token_value})
    if queued.status_code != 302 or not queued["Location"].startswith(STATUS):
        return queued
    run_worker()
    return client.get(queued["Location"])


def token(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.text).group(1)


def test_preview_counts_and_saves_nothing_then_confirm_imports(
    client, portal_admin, north_east_councils
):
    login_with_second_factor(client, portal_admin)
    response = upload(client, ACTIVE)
    assert response.status_code == 200
    text = response.text
    assert "produced on 1 November 2025" in text
    assert '<th scope="row">Services added</th><td>3</td>' in text
    assert "Skipped: outside the portal's regions</th><td>1</td>" in text
    assert CareService.objects.count() == 0
    assert CqcImport.objects.count() == 0

    issued = token(response)
    response = confirm(client, issued)
    assert (response.status_code, response["Location"]) == (
        302,
        "/admin/providers/cqcimport/",
    )
    assert CareService.objects.count() == 3
    run = CqcImport.objects.get()
    assert (run.imported_by, run.produced_on.isoformat()) == (
        portal_admin,
        "2025-11-01",
    )
    # The stored upload is used once; confirming again shows the same import.
    assert not default_storage.listdir("cqc-uploads")[1]
    queued = client.post(CONFIRM, {"token": issued})
    assert queued["Location"].startswith(STATUS)
    run_worker()
    assert CqcImport.objects.count() == 1


def test_a_bad_file_lists_every_problem_and_offers_no_confirm(
    client, portal_admin, north_east_councils
):
    login_with_second_factor(client, portal_admin)
    response = upload(client, DATA / "cqc_care_directory_sample.csv")
    assert response.status_code == 400
    assert "is CQC&#x27;s care directory (CSV), not" in response.text
    assert 'name="token"' not in response.text


def test_a_commissioner_cannot_import_or_see_the_imports(client, north_east_councils):
    gateshead_client = client
    client.force_login(make_commissioner(north_east_councils["gateshead"]))
    assert gateshead_client.get(UPLOAD).status_code == 403
    with ACTIVE.open("rb") as handle:
        response = gateshead_client.post(
            UPLOAD, {"which": "ratings", "cqc_file": handle}
        )
    assert response.status_code == 403
    assert gateshead_client.get("/admin/providers/cqcimport/").status_code == 403
    assert CareService.objects.count() == 0


def test_a_forged_or_someone_elses_token_imports_nothing(
    client, portal_admin, north_east_councils, django_user_model
):
    login_with_second_factor(client, portal_admin)
    issued = token(upload(client, ACTIVE))
    response = client.post(CONFIRM, {"token": issued[:-2] + "xx"})
    assert (response.status_code, response["Location"]) == (302, UPLOAD)
    other = django_user_model.objects.create_superuser("other-admin", password="x")
    login_with_second_factor(client, other)
    assert client.post(CONFIRM, {"token": issued}).status_code == 403
    run_worker()
    assert CareService.objects.count() == 0


def test_confirm_refuses_get(client, portal_admin):
    login_with_second_factor(client, portal_admin)
    assert client.get(CONFIRM).status_code == 405


def test_the_import_list_links_to_the_upload(client, portal_admin):
    login_with_second_factor(client, portal_admin)
    assert UPLOAD in client.get("/admin/providers/cqcimport/").text


def test_a_database_error_while_writing_is_a_refusal_and_the_upload_is_removed(
    client, portal_admin, north_east_councils, monkeypatch
):
    from django.core import signing
    from django.db import IntegrityError

    from councils.models import AuditEntry
    from providers.admin_import import TOKEN_SALT

    login_with_second_factor(client, portal_admin)
    preview = upload(client, ACTIVE)
    stored = signing.loads(token(preview), salt=TOKEN_SALT)

    def refuse(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("providers.cqc.writing.insert_rows", refuse)
    response = confirm(client, token(preview))

    assert response.status_code == 400
    assert "The database refused the import, so nothing was written" in response.text
    assert not CareService.objects.exists()
    refused = CqcImport.objects.get()
    assert (refused.outcome, refused.imported_by) == ("refused", portal_admin)
    assert "The database refused the import" in refused.problems[0]["reason"]
    assert AuditEntry.objects.get().action == AuditEntry.Action.IMPORT_REFUSED
    assert not default_storage.exists(stored["file"])


def test_the_status_page_says_the_check_is_waiting_for_the_worker(
    client, portal_admin, north_east_councils
):
    login_with_second_factor(client, portal_admin)
    with ACTIVE.open("rb") as handle:
        queued = client.post(UPLOAD, {"which": "ratings", "cqc_file": handle})
    waiting = client.get(queued["Location"])
    assert waiting.status_code == 200
    assert "Checking 01_November_2025_HSCA_Active_Locations.ods" in waiting.text
    assert "waiting for the background worker" in waiting.text
    assert 'name="token"' not in waiting.text
    assert (
        f'<a href="{queued["Location"]}">check again</a>'.replace("&", "&amp;")
        in waiting.text
    )
    assert not CareService.objects.exists() and not CqcImport.objects.exists()
    run_worker()
    assert 'name="token"' in client.get(queued["Location"]).text


def test_a_status_page_is_only_its_uploaders_and_cannot_be_forged(
    client, portal_admin, north_east_councils, django_user_model
):
    login_with_second_factor(client, portal_admin)
    with ACTIVE.open("rb") as handle:
        status = client.post(UPLOAD, {"which": "ratings", "cqc_file": handle})[
            "Location"
        ]
    run_worker()
    forged = client.get(status[:-3] + "xyz")
    assert (forged.status_code, forged["Location"]) == (302, UPLOAD)
    other = django_user_model.objects.create_superuser("other-admin", password="x")
    login_with_second_factor(client, other)
    assert client.get(status).status_code == 403


def test_a_changed_upload_is_not_imported(
    client, portal_admin, north_east_councils, uploads_in_a_temporary_folder
):
    login_with_second_factor(client, portal_admin)
    preview = upload(client, ACTIVE)
    (stored,) = (uploads_in_a_temporary_folder / "cqc-uploads").iterdir()
    stored.write_bytes(stored.read_bytes() + b"\0")
    response = confirm(client, token(preview))
    assert response.status_code == 400
    assert "The upload has changed or is gone" in response.text
    assert not CareService.objects.exists()
