"""The latest ratings file's service and population group rows: kept per key
question beside the location's own ratings, and shown on the service's page."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from providers.models import CareService, GroupRating

from .conftest import DATA

pytestmark = pytest.mark.django_db
LATEST_ODS = DATA / "01_November_2025_Latest_ratings.ods"
LATEST_CSV = DATA / "01_November_2025_Latest_ratings.csv"
GROUP_SAFE_ROW = (
    "Homecare services,Safe,Requires improvement,02/06/2024,Location,N,"
    "https://www.cqc.org.uk/location/1-000000002,"
)


def run(path, *options):
    out = StringIO()
    call_command("import_cqc_ratings", str(path), *options, stdout=out)
    return out.getvalue()


def edited_csv(tmp_path, old, new, name="01_November_2025_Latest_ratings.csv"):
    path = tmp_path / name
    data = LATEST_CSV.read_bytes().decode("utf-8-sig")
    assert old in data
    path.write_bytes(b"\xef\xbb\xbf" + data.replace(old, new, 1).encode())
    return path


def cells(page: str, caption: str) -> list[list[str]]:
    table = page.split(caption, 1)[1].split("</table>", 1)[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


@pytest.mark.parametrize("path", [LATEST_ODS, LATEST_CSV], ids=["ods", "csv"])
def test_a_services_own_ratings_are_kept_per_key_question(north_east_councils, path):
    run(path)
    agency = CareService.objects.get(cqc_location_id="1-000000002")
    assert sorted(
        agency.group_ratings.values_list("group", "key_question", "rating")
    ) == [
        ("Homecare services", "overall", "good"),
        ("Homecare services", "safe", "requires_improvement"),
    ]
    # The location's own ratings come from its Overall rows only.
    assert (agency.rating, agency.safe_rating) == (
        "requires_improvement",
        "requires_improvement",
    )
    assert not GroupRating.objects.exclude(service=agency).exists()


def test_the_service_page_shows_group_ratings_as_cqc_publishes_them(
    north_east_councils, client
):
    run(LATEST_ODS)
    agency = CareService.objects.get(cqc_location_id="1-000000002")
    page = client.get(agency.get_absolute_url()).content.decode()
    assert cells(
        page, "CQC ratings by service or population group and key question"
    ) == [
        [
            "Service or population group",
            "Overall",
            "Safe",
            "Effective",
            "Caring",
            "Responsive",
            "Well-led",
        ],
        [
            "Homecare services",
            "Good",
            "Requires improvement",
            "Not rated separately",
            "Not rated separately",
            "Not rated separately",
            "Not rated separately",
        ],
    ]
    home = CareService.objects.get(cqc_location_id="1-000000001")
    page = client.get(home.get_absolute_url()).content.decode()
    assert "CQC ratings by service or population group" not in page
    assert "<dt>Caring</dt><dd>Outstanding</dd>" in page


def test_group_ratings_follow_the_newest_file(north_east_councils, tmp_path):
    run(LATEST_CSV)
    without = edited_csv(
        tmp_path,
        GROUP_SAFE_ROW,
        GROUP_SAFE_ROW.replace("Safe,Requires improvement", "Safe,Good"),
    )
    assert "0 services added, 1 updated, 1 unchanged" in run(without)
    agency = CareService.objects.get(cqc_location_id="1-000000002")
    assert agency.group_ratings.get(key_question="safe").rating == "good"
    assert "0 updated, 2 unchanged" in run(without)


def test_a_group_no_longer_rated_is_removed(north_east_councils, tmp_path):
    run(LATEST_CSV)
    data = LATEST_CSV.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    path = tmp_path / "01_November_2025_Latest_ratings.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + "".join(line for line in data if "Homecare services" not in line).encode()
    )
    assert "1 updated" in run(path)
    assert not GroupRating.objects.exists()


def test_a_key_question_cqc_does_not_rate_for_a_group_is_not_applicable(
    north_east_councils, tmp_path
):
    path = edited_csv(
        tmp_path,
        GROUP_SAFE_ROW,
        GROUP_SAFE_ROW.replace("Safe,Requires improvement", "Safe,Not applicable"),
    )
    run(path)
    assert list(GroupRating.objects.values_list("key_question", flat=True)) == [
        "overall"
    ]


def test_an_unknown_rating_word_in_a_group_row_refuses_the_file(
    north_east_councils, tmp_path
):
    path = edited_csv(
        tmp_path,
        GROUP_SAFE_ROW,
        GROUP_SAFE_ROW.replace("Safe,Requires improvement", "Safe,Fine"),
    )
    with pytest.raises(
        CommandError, match="Row 12, column 'Latest Rating': 'Fine' is not one of"
    ):
        run(path)
    assert not CareService.objects.exists()


def test_an_older_file_heading_domain_key_question_imports(
    north_east_councils, tmp_path
):
    path = edited_csv(tmp_path, ",Domain,", ",Key Question,")
    assert "2 services added" in run(path)
    home = CareService.objects.get(cqc_location_id="1-000000001")
    assert home.caring_rating == "outstanding"
