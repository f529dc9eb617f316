"""Writes the small ratings files in this folder, in the shape CQC publishes them.

Run from the project folder: .venv/bin/python tests/providers/data/make_cqc_ratings_files.py

Column headings are CQC's own (its September 2026 files); rows are made up. The
care directory with filters starts with a notice row above the header, as CQC's
2026 files do; the latest ratings file has the header in row 1 of the "Locations"
sheet and a "Providers" sheet after it.
"""

import csv
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from providers.cqc.sample import ACTIVE_LOCATIONS_HEADER as ACTIVE_HEADER
from providers.cqc.sample import LATEST_RATINGS_HEADER, write_ods

HERE = Path(__file__).parent


def active_row(
    location_id,
    name,
    *,
    care_home,
    beds,
    directorate,
    category,
    rating,
    published,
    inherited,
    region,
    authority,
    postcode,
    provider,
    types,
):
    values = dict.fromkeys(ACTIVE_HEADER, "")
    values.update(
        {
            "Location ID": location_id,
            "Location HSCA start date": date(2015, 4, 1),
            "Dormant (Y/N)": "N",
            "Care home?": care_home,
            "Location Name": name,
            "Care homes beds": beds,
            "Location Type/Sector": "Social Care Org",
            "Location Inspection Directorate": directorate,
            "Location Primary Inspection Category": category,
            "Location Latest Overall Rating": rating,
            "Publication Date": published,
            "Inherited Rating (Y/N)": inherited,
            "Location Region": region,
            "Location Local Authority": authority,
            "Location Street Address": f"{name} Street",
            "Location City": authority,
            "Location Postal Code": postcode,
            "Brand ID": "-",
            "Brand Name": "-",
            "Provider ID": provider[0],
            "Provider Name": provider[1],
        }
    )
    for service_type in types:
        values[f"Service type - {service_type}"] = "Y"
    return [values[h] for h in ACTIVE_HEADER]


ALPHA = ("1-000000101", "Test Provider Alpha Ltd")
BETA = ("1-000000102", "Test Provider Beta CIC")
ACTIVE_ROWS = [
    active_row(
        "1-000000001",
        "Test Care Home One",
        care_home="Y",
        beds=40,
        directorate="Adult social care",
        category="Residential social care",
        rating="Good",
        published=date(2025, 3, 14),
        inherited="N",
        region="North East",
        authority="Gateshead",
        postcode="NE8 1AA",
        provider=ALPHA,
        types=["Care home service with nursing", "Care home service without nursing"],
    ),
    active_row(
        "1-000000002",
        "Test Home Care Two",
        care_home="N",
        beds="",
        directorate="Adult social care",
        category="Community based adult social care services",
        rating="Requires improvement",
        published=date(2024, 6, 2),
        inherited="N",
        region="North East",
        authority="County Durham",
        postcode="DH1 1AA",
        provider=ALPHA,
        types=["Domiciliary care service"],
    ),
    active_row(
        "1-000000006",
        "Test New Supported Living",
        care_home="N",
        beds="",
        directorate="Adult social care",
        category="Community based adult social care services",
        rating="",
        published="",
        inherited="",
        region="North East",
        authority="Sunderland",
        postcode="SR1 1AA",
        provider=BETA,
        types=["Supported living service"],
    ),
    active_row(
        "1-000000005",
        "Test Dental Surgery",
        care_home="N",
        beds="",
        directorate="Primary dental care",
        category="Dentists",
        rating="",
        published="",
        inherited="",
        region="North East",
        authority="Gateshead",
        postcode="NE8 2AA",
        provider=("1-000000105", "Test Dental Ltd"),
        types=[],
    ),
    active_row(
        "1-000000004",
        "Test Home Far Away",
        care_home="Y",
        beds=30,
        directorate="Adult social care",
        category="Residential social care",
        rating="Outstanding",
        published=date(2023, 1, 9),
        inherited="Y",
        region="Yorkshire and The Humber",
        authority="Leeds",
        postcode="LS1 1AA",
        provider=("1-000000103", "Test Provider Gamma Ltd"),
        types=["Care home service without nursing"],
    ),
]
NOTICE = (
    "Issues with our care directory files We are currently moving to a new digital "
    "system to manage and publish our care directory."
)


def latest_rows():
    def row(
        location_id,
        name,
        care_home,
        category,
        authority,
        region,
        postcode,
        group,
        domain,
        rating,
        published,
        inherited,
        provider,
    ):
        values = dict.fromkeys(LATEST_RATINGS_HEADER, "")
        values.update(
            {
                "Location ID": location_id,
                "Location Name": name,
                "Care Home?": care_home,
                "Location Type": "Social Care Org",
                "Location Primary Inspection Category": category,
                "Location Street Address": f"{name} Street",
                "Location City": authority,
                "Location Post Code": postcode,
                "Location Local Authority": authority,
                "Location Region": region,
                "Service / Population Group": group,
                "Domain": domain,
                "Latest Rating": rating,
                "Publication Date": published,
                "Report Type": "Location",
                "Inherited Rating (Y/N)": inherited,
                "URL": f"https://www.cqc.org.uk/location/{location_id}",
                "Provider ID": provider[0],
                "Provider Name": provider[1],
                "Brand ID": "-",
                "Brand Name": "-",
            }
        )
        return [values[h] for h in LATEST_RATINGS_HEADER]

    home = (
        "1-000000001",
        "Test Care Home One",
        "Y",
        "Residential social care",
        "Gateshead",
        "North East",
        "NE8 1AA",
    )
    for domain, rating in [
        ("Overall", "Good"),
        ("Safe", "Requires improvement"),
        ("Effective", "Good"),
        ("Caring", "Outstanding"),
        ("Responsive", "Good"),
        ("Well-led", "Good"),
    ]:
        yield row(*home, "Overall", domain, rating, date(2025, 3, 14), "N", ALPHA)
    care = (
        "1-000000002",
        "Test Home Care Two",
        "N",
        "Community based adult social care services",
        "County Durham",
        "North East",
        "DH1 1AA",
    )
    for domain, rating in [
        ("Overall", "Requires improvement"),
        ("Safe", "Requires improvement"),
        ("Well-led", "Inadequate"),
    ]:
        yield row(*care, "Overall", domain, rating, date(2024, 6, 2), "N", ALPHA)
    # CQC rates a service at the location on its own, key question by key question.
    for domain, rating in [("Overall", "Good"), ("Safe", "Requires improvement")]:
        yield row(
            *care, "Homecare services", domain, rating, date(2024, 6, 2), "N", ALPHA
        )
    yield row(
        "1-000000007",
        "Test Surgery",
        "N",
        "GP Practices",
        "Gateshead",
        "North East",
        "NE8 3AA",
        "Overall",
        "Overall",
        "Good",
        date(2024, 1, 5),
        "N",
        ("1-000000107", "Test Practice"),
    )
    yield row(
        "1-000000004",
        "Test Home Far Away",
        "Y",
        "Residential social care",
        "Leeds",
        "Yorkshire and The Humber",
        "LS1 1AA",
        "Overall",
        "Overall",
        "Outstanding",
        date(2023, 1, 9),
        "Y",
        ("1-000000103", "Test Provider Gamma Ltd"),
    )


def main():
    write_ods(
        HERE / "01_November_2025_HSCA_Active_Locations.ods",
        {
            "HSCA_Active_Locations": iter([[NOTICE], [], ACTIVE_HEADER, *ACTIVE_ROWS]),
            "README": iter([["This data was produced on 1 November 2025"]]),
        },
    )
    write_ods(
        HERE / "01_November_2025_Latest_ratings.ods",
        {
            "Locations": iter([LATEST_RATINGS_HEADER, *latest_rows()]),
            "Providers": iter(
                [["Provider ID", "Provider Name", "Domain", "Latest Rating"]]
            ),
        },
    )
    # CQC's CSV copy of the latest ratings: dates as dd/mm/yyyy, BOM, CRLF.
    with (HERE / "01_November_2025_Latest_ratings.csv").open(
        "w", encoding="utf-8-sig", newline=""
    ) as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(LATEST_RATINGS_HEADER)
        for values in latest_rows():
            writer.writerow(
                [f"{v:%d/%m/%Y}" if isinstance(v, date) else v for v in values]
            )


if __name__ == "__main__":
    main()
