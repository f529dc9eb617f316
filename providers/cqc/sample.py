"""Generated files in the shape of CQC's latest ratings file, for benchmarks and
trying the portal out. Every location is made up: names say "Generated location".

The ODS writer streams rows into the zip, so a national-size file (330,000 rows)
needs little memory to write.
"""

import csv
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

LATEST_RATINGS_HEADER = [
    "Location ID",
    "Location ODS Code",
    "Location Name",
    "Care Home?",
    "Location Type",
    "Location Primary Inspection Category",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location Post Code",
    "Location Local Authority",
    "Location Region",
    "Location NHS Region",
    "Location ONSPD CCG Code",
    "Location ONSPD CCG",
    "Location Commissioning CCG Code",
    "Location Commissioning CCG Name",
    "Service / Population Group",
    "Domain",
    "Latest Rating",
    "Publication Date",
    "Report Type",
    "Inherited Rating (Y/N)",
    "URL",
    "Provider ID",
    "Provider Name",
    "Brand ID",
    "Brand Name",
]
# The care directory with filters, as far as the portal reads it: CQC's headings
# (its September 2026 file) up to the provider, then the service type columns.
ACTIVE_LOCATIONS_HEADER = [
    "Location ID",
    "Location HSCA start date",
    "Dormant (Y/N)",
    "Care home?",
    "Location Name",
    "Location ODS Code",
    "Location Telephone Number",
    "Registered manager",
    "Location Web Address",
    "Care homes beds",
    "Location Type/Sector",
    "Location Inspection Directorate",
    "Location Primary Inspection Category",
    "Location Latest Overall Rating",
    "Publication Date",
    "Inherited Rating (Y/N)",
    "Location Region",
    "Location NHS Region",
    "Location Local Authority",
    "Location ONSPD CCG Code",
    "Location ONSPD CCG",
    "Location Commissioning CCG Code",
    "Location Commissioning CCG",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location County",
    "Location Postal Code",
    "Location PAF ID",
    "Location UPRN ID",
    "Location Latitude",
    "Location Longitude",
    "Location Parliamentary Constituency",
    "Brand ID",
    "Brand Name",
    "Provider Companies House Number",
    "Provider Charity Number",
    "Provider ID",
    "Provider Name",
    "Regulated activity - Accommodation for persons who require nursing or "
    "personal care",
    "Regulated activity - Personal care",
    "Service type - Care home service with nursing",
    "Service type - Care home service without nursing",
    "Service type - Domiciliary care service",
    "Service type - Supported living service",
    "Service type - Shared Lives",
    "Service type - Extra Care housing services",
    "Service user band - Dementia",
    "Service user band - Older People",
]
DOMAINS = ["Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led"]
RATINGS = ["Outstanding", "Good", "Good", "Good", "Requires improvement", "Inadequate"]
NORTH_EAST = [
    ("Darlington", "DL1"),
    ("County Durham", "DH1"),
    ("Gateshead", "NE8"),
    ("Hartlepool", "TS24"),
    ("Middlesbrough", "TS1"),
    ("Newcastle upon Tyne", "NE1"),
    ("North Tyneside", "NE29"),
    ("Northumberland", "NE61"),
    ("Redcar and Cleveland", "TS10"),
    ("South Tyneside", "NE33"),
    ("Stockton-on-Tees", "TS18"),
    ("Sunderland", "SR1"),
]
ELSEWHERE = [
    ("Leeds", "Yorkshire and The Humber", "LS1"),
    ("Manchester", "North West", "M1"),
    ("Birmingham", "West Midlands", "B1"),
    ("Nottingham", "East Midlands", "NG1"),
    ("Norfolk", "East of England", "NR1"),
    ("Westminster", "London", "SW1A"),
    ("Kent", "South East", "ME14"),
    ("Devon", "South West", "EX1"),
]
CATEGORIES = [
    ("Residential social care", "Y"),
    ("Community based adult social care services", "N"),
    ("GP Practices", "N"),
]

CONTENT_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
    'office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
    'manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type='
    '"application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" '
    'manifest:media-type="text/xml"/></manifest:manifest>'
)


def _cell(value) -> str:
    if isinstance(value, date):
        iso = value.isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    if isinstance(value, int):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if value in ("", None):
        return "<table:table-cell/>"
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


# Fixed timestamps, so the same rows always make the same file.
FIXED = (2026, 1, 1, 0, 0, 0)


def write_ods(path: Path, sheets: dict[str, Iterator[list]]) -> None:
    """An ODS spreadsheet with one table per sheet, rows written as they come."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr(zipfile.ZipInfo("META-INF/manifest.xml", FIXED), MANIFEST)
        content = zipfile.ZipInfo("content.xml", FIXED)
        content.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(content, "w", force_zip64=True) as handle:
            handle.write(CONTENT_START.encode())
            for name, rows in sheets.items():
                handle.write(f'<table:table table:name="{escape(name)}">'.encode())
                buffer = []
                for row in rows:
                    cells = "".join(_cell(value) for value in row)
                    buffer.append(f"<table:table-row>{cells}</table:table-row>")
                    if len(buffer) >= 1000:
                        handle.write("".join(buffer).encode())
                        buffer.clear()
                handle.write("".join(buffer).encode())
                handle.write(b"</table:table>")
            handle.write(
                b"</office:spreadsheet></office:body></office:document-content>"
            )


@dataclass(frozen=True)
class GeneratedLocation:
    """One made-up location, as both generated files describe it: the same ID,
    place, provider, kind of service and ratings in the latest ratings file and in
    the care directory with filters, as in CQC's own files."""

    number: int
    place: tuple[str, str, str]  # local authority, region, postcode district
    published: date
    ratings: dict[str, str]  # domain -> rating; empty for a location not yet rated

    @property
    def location_id(self) -> str:
        return f"1-{900000000 + self.number}"

    @property
    def category(self) -> str:
        return CATEGORIES[self.number % len(CATEGORIES)][0]

    @property
    def care_home(self) -> str:
        return CATEGORIES[self.number % len(CATEGORIES)][1]

    @property
    def service_types(self) -> list[str]:
        """The care directory's service types: none for a GP practice."""
        kind = self.number % len(CATEGORIES)
        if kind == 0:
            return CARE_HOME_SERVICE_TYPES[self.number // 3 % 2]
        if kind == 1:
            return COMMUNITY_SERVICE_TYPES[self.number // 3 % 4]
        return []

    @property
    def provider(self) -> tuple[str, str]:
        return (
            f"1-{100000000 + self.number // 3}",
            f"Generated provider {self.number // 3} Ltd",
        )


def generated_locations(
    *, locations: int, north_east_share: float = 0.1, seed: int = 1, ratings_seed=None
) -> Iterator[GeneratedLocation]:
    """The locations of both generated files, rated: an Overall rating and the five
    key questions for half of them, four (no Responsive) for the other half."""
    chance = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    # A second generator for the ratings, so a different ratings_seed gives the same
    # locations with other ratings (a later month's file).
    ratings = random.Random(seed if ratings_seed is None else ratings_seed)  # noqa: S311
    start = date(2019, 1, 1)
    for number in range(locations):
        if chance.random() < north_east_share:
            authority, district = chance.choice(NORTH_EAST)
            place = (authority, "North East", district)
        else:
            authority, region, district = chance.choice(ELSEWHERE)
            place = (authority, region, district)
        published = start + timedelta(days=chance.randrange(2400))
        yield GeneratedLocation(
            number,
            place,
            published,
            {
                domain: ratings.choice(RATINGS)
                for domain in DOMAINS
                if not (domain == "Responsive" and number % 2)
            },
        )


def unrated_locations(*, after: int, count: int, seed: int = 1):
    """Locations registered since the last ratings file: in the care directory,
    with no rating yet, and numbered after the rated ones."""
    chance = random.Random(f"unrated {seed}")  # noqa: S311 (made-up data)
    for number in range(after, after + count):
        if chance.random() < 0.1:
            authority, district = chance.choice(NORTH_EAST)
            place = (authority, "North East", district)
        else:
            authority, region, district = chance.choice(ELSEWHERE)
            place = (authority, region, district)
        yield GeneratedLocation(number, place, date(2026, 10, 1), {})


def latest_ratings_rows(
    *, locations: int, north_east_share: float = 0.1, seed: int = 1, ratings_seed=None
) -> Iterator[list]:
    """Rows of a generated latest ratings file: a row per rated domain of each
    location (``generated_locations``), so 60,000 locations make 330,000 rows."""
    for location in generated_locations(
        locations=locations,
        north_east_share=north_east_share,
        seed=seed,
        ratings_seed=ratings_seed,
    ):
        number, location_id = location.number, location.location_id
        authority, region, district = location.place
        provider_id, provider_name = location.provider
        for domain, rating in location.ratings.items():
            yield [
                location_id,
                "",
                f"Generated location {number}",
                location.care_home,
                "Social Care Org",
                location.category,
                f"{number} Generated Street",
                "",
                authority,
                f"{district} {number % 9}AB",
                authority,
                region,
                f"{region} NHS region",
                "",
                "",
                "",
                "",
                "Overall",
                domain,
                rating,
                location.published,
                "Location",
                "Y" if number % 17 == 0 else "N",
                f"https://www.cqc.org.uk/location/{location_id}",
                provider_id,
                provider_name,
                "-",
                "-",
            ]


CARE_HOME_SERVICE_TYPES = [
    ["Care home service with nursing"],
    ["Care home service without nursing"],
]
COMMUNITY_SERVICE_TYPES = [
    ["Domiciliary care service"],
    ["Domiciliary care service", "Supported living service"],
    ["Extra Care housing services", "Domiciliary care service"],
    ["Shared Lives"],
]


def active_locations_rows(*, locations: int, seed: int = 1) -> Iterator[list]:
    """Rows of a generated care directory with filters: one per location of the
    latest ratings file of the same seed (the same IDs, places, providers and
    Overall ratings), then a tenth as many again registered since and not yet
    rated. GP practices are in it too, as in CQC's file, without social care
    service types."""
    rated = generated_locations(locations=locations, seed=seed)
    unrated = unrated_locations(after=locations, count=locations // 10, seed=seed)
    for location in (*rated, *unrated):
        number = location.number
        authority, region, district = location.place
        provider_id, provider_name = location.provider
        rating = location.ratings.get("Overall", "")
        social = bool(location.service_types)
        values = dict.fromkeys(ACTIVE_LOCATIONS_HEADER, "")
        values.update(
            {
                "Location ID": location.location_id,
                "Dormant (Y/N)": "N",
                "Care home?": location.care_home,
                "Location Name": f"Generated location {number}",
                "Care homes beds": 20 + number % 60
                if location.care_home == "Y"
                else "",
                "Location Type/Sector": "Social Care Org"
                if social
                else "Primary Medical Services",
                "Location Inspection Directorate": "Adult social care"
                if social
                else "Primary medical services",
                "Location Primary Inspection Category": location.category,
                "Location Latest Overall Rating": rating,
                "Publication Date": location.published if rating else "",
                "Inherited Rating (Y/N)": ("Y" if number % 17 == 0 else "N")
                if rating
                else "",
                "Location Region": region,
                "Location Local Authority": authority,
                "Location Street Address": f"{number} Generated Street",
                "Location City": authority,
                "Location Postal Code": f"{district} {number % 9}AB",
                "Brand ID": "-",
                "Brand Name": "-",
                "Provider ID": provider_id,
                "Provider Name": provider_name,
            }
        )
        for service_type in location.service_types:
            values[f"Service type - {service_type}"] = "Y"
        yield [values[h] for h in ACTIVE_LOCATIONS_HEADER]


def write_active_locations(path: Path, *, locations: int, seed: int = 1) -> None:
    """Write a generated care directory with filters (.ods)."""
    rows = active_locations_rows(locations=locations, seed=seed)
    write_ods(path, {"HSCA_Active_Locations": iter([ACTIVE_LOCATIONS_HEADER, *rows])})


def write_latest_ratings(
    path: Path, *, locations: int, seed: int = 1, ratings_seed=None
) -> int:
    """Write a generated latest ratings file (.ods or .csv); returns its row count."""
    count = 0

    def rows():
        nonlocal count
        yield LATEST_RATINGS_HEADER
        for row in latest_ratings_rows(
            locations=locations, seed=seed, ratings_seed=ratings_seed
        ):
            count += 1
            yield row

    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            for row in rows():
                writer.writerow(
                    [f"{v:%d/%m/%Y}" if isinstance(v, date) else v for v in row]
                )
    else:
        write_ods(path, {"Locations": rows()})
    return count
