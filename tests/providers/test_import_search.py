"""CQC imports keep the site search current by making again only the documents
of the services they added or changed."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import SearchDocument
from providers.models import CareService

from .conftest import DATA

pytestmark = pytest.mark.django_db
SAMPLE = DATA / "cqc_care_directory_sample.csv"
RATINGS = DATA / "01_November_2025_Latest_ratings.csv"


def run(path, command="import_cqc_directory"):
    call_command(command, str(path), stdout=StringIO())


def edited(tmp_path, old, new):
    path = tmp_path / "edited.csv"
    data = SAMPLE.read_bytes().decode("utf-8-sig")
    assert old in data
    path.write_bytes(b"\xef\xbb\xbf" + data.replace(old, new).encode())
    return path


def found(client, words) -> set[str]:
    """The names of the care services the site search finds for ``words``."""
    response = client.get("/search/", {"q": words})
    assert response.status_code == 200
    return {
        service.name
        for service in CareService.objects.all()
        if f'href="{service.get_absolute_url()}"' in response.text
    }


def search_writes(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if "councils_searchdocument" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_an_imported_services_search_result_links_to_its_page(
    client, north_east_councils
):
    run(RATINGS, "import_cqc_ratings")
    service = CareService.objects.get(cqc_location_id="1-000000001")

    response = client.get("/search/", {"q": "Test Care Home One"})

    links = re.findall(r'href="([^"]+)">Test Care Home One</a>', response.text)
    assert links == [service.get_absolute_url()]
    assert "Test Care Home One" in client.get(links[0]).text


def test_each_service_has_one_search_document_after_imports(
    north_east_councils, tmp_path
):
    run(RATINGS, "import_cqc_ratings")
    run(SAMPLE)
    run(edited(tmp_path, "Test Care Home One", "Willow Lodge"))

    documents = list(
        SearchDocument.objects.filter(kind="service").values_list(
            "object_id", flat=True
        )
    )
    assert sorted(documents) == sorted(CareService.objects.values_list("pk", flat=True))


def test_a_renamed_service_is_found_by_its_new_name_only(
    client, north_east_councils, tmp_path
):
    run(SAMPLE)
    assert found(client, "care home one") == {"Test Care Home One"}
    assert found(client, "willow lodge") == set()

    run(edited(tmp_path, "Test Care Home One", "Willow Lodge"))

    assert found(client, "willow lodge") == {"Willow Lodge"}
    assert found(client, "care home one") == set()


def test_a_renamed_provider_is_found_in_its_services_documents(
    client, north_east_councils, tmp_path
):
    run(SAMPLE)

    run(edited(tmp_path, "Test Provider Alpha Ltd", "Heron Care Group"))

    assert found(client, "heron care group") == {
        "Test Care Home One",
        "Test Home Care Two",
    }


def test_an_import_reindexes_only_the_services_it_changed(
    north_east_councils, tmp_path
):
    run(SAMPLE)
    before = dict(SearchDocument.objects.values_list("object_id", "pk"))
    renamed = CareService.objects.get(cqc_location_id="1-000000001")

    run(edited(tmp_path, "Test Care Home One", "Willow Lodge"))

    after = dict(SearchDocument.objects.values_list("object_id", "pk"))
    assert after.keys() == before.keys()
    # The renamed service's document is new; the others are the same rows.
    assert after[renamed.pk] != before[renamed.pk]
    assert {k: v for k, v in after.items() if k != renamed.pk} == {
        k: v for k, v in before.items() if k != renamed.pk
    }


@pytest.mark.parametrize(
    ("path", "command"),
    [(SAMPLE, "import_cqc_directory"), (RATINGS, "import_cqc_ratings")],
)
def test_importing_the_same_file_again_writes_no_search_documents(
    north_east_councils, path, command
):
    run(path, command)
    documents = set(SearchDocument.objects.values_list("pk", flat=True))
    assert documents

    with CaptureQueriesContext(connection) as captured:
        run(path, command)

    assert search_writes(captured) == []
    assert set(SearchDocument.objects.values_list("pk", flat=True)) == documents


def documents() -> list[tuple]:
    return sorted(
        SearchDocument.objects.filter(kind="service").values_list(
            "object_id", "council_id", "title", "body", "url"
        )
    )


@pytest.mark.parametrize(
    ("path", "command"),
    [
        (SAMPLE, "import_cqc_directory"),
        (RATINGS, "import_cqc_ratings"),
        (DATA / "01_November_2025_HSCA_Active_Locations.ods", "import_cqc_ratings"),
    ],
)
def test_the_documents_of_services_added_are_those_a_rebuild_makes(
    north_east_councils, path, command
):
    # Built from what the import wrote, not read back: the same words, council and
    # link as the services' own documents, made again from the database.
    run(path, command)
    imported = documents()
    assert len(imported) == CareService.objects.count() > 0

    call_command("rebuild_search_index", stdout=StringIO())

    assert documents() == imported


def test_documents_of_services_added_carry_their_service_types_and_provider(
    north_east_councils,
):
    run(SAMPLE)
    service = CareService.objects.filter(provider__isnull=False).first()
    body = SearchDocument.objects.get(kind="service", object_id=service.pk).body

    assert service.provider.name in body
    assert service.service_types.exists()
    for service_type in service.service_types.all():
        assert service_type.name in body
