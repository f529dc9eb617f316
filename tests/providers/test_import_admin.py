"""Importing CQC's files in the admin: portal administrators only, preview, confirm."""

import re

import pytest

from providers.models import CareService, CqcImport
from tests.conftest import login_with_second_factor
from tests.factories import make_commissioner

from .conftest import DATA

pytestmark = pytest.mark.django_db
UPLOAD = "/admin/providers/cqcimport/upload/"
CONFIRM = "/admin/providers/cqcimport/upload/confirm/"
ACTIVE = DATA / "01_November_2025_HSCA_Active_Locations.ods"


def upload(client, path, which="ratings", **extra):
    with path.open("rb") as handle:
        return client.post(
            UPLOAD, {"which": which, "cqc_file": handle, **extra}, follow=False
        )


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

    response = client.post(CONFIRM, {"token": token(response)})
    assert response.status_code == 302
    assert CareService.objects.count() == 3
    run = CqcImport.objects.get()
    assert (run.imported_by, run.produced_on.isoformat()) == (
        portal_admin,
        "2025-11-01",
    )
    # The stored upload is used once.
    again = client.post(CONFIRM, {"token": token(upload(client, ACTIVE))})
    assert again.status_code == 302


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
    assert response.status_code == 302
    other = django_user_model.objects.create_superuser("other-admin", password="x")
    login_with_second_factor(client, other)
    assert client.post(CONFIRM, {"token": issued}).status_code == 403
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
    from import_export.tmp_storages import TempFolderStorage

    from councils.models import AuditEntry
    from providers.admin_import import TOKEN_SALT

    login_with_second_factor(client, portal_admin)
    preview = upload(client, ACTIVE)
    stored = signing.loads(token(preview), salt=TOKEN_SALT)

    def refuse(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("providers.cqc.writing.insert_rows", refuse)
    response = client.post(CONFIRM, {"token": token(preview)})

    assert response.status_code == 400
    assert "The database refused the import, so nothing was written" in response.text
    assert not CareService.objects.exists()
    refused = CqcImport.objects.get()
    assert (refused.outcome, refused.imported_by) == ("refused", portal_admin)
    assert "The database refused the import" in refused.problems[0]["reason"]
    assert AuditEntry.objects.get().action == AuditEntry.Action.IMPORT_REFUSED
    with pytest.raises(FileNotFoundError):
        TempFolderStorage(name=stored["file"], read_mode="rb").read()
