"""Rows of CQC's care directory CSV as location records.

The file has four preamble lines ("CQC Locations data", "This data was produced on
1 November 2025", with trailing commas), then CQC's header. Dates are written
"09/Jan/2024 - 00:00"; service types by their short names ("Nursing homes").
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .cells import parse_date, parse_location_id, split_cell, text
from .places import Places
from .reading import Table
from .report import ImportReport
from .vocabulary import CARE_HOME_TYPES, SOCIAL_CARE_TYPES, registration_name
from .writing import LocationRecord

LOCATION_ID = "cqc location id (for office use only)"
COLUMNS = [
    "name",
    "also known as",
    "address",
    "postcode",
    "phone number",
    "service's website (if available)",
    "service types",
    "date of latest check",
    "specialisms/services",
    "provider name",
    "local authority",
    "region",
    "location url",
    LOCATION_ID,
    "cqc provider id (for office use only)",
]


def clean_website(value) -> str:
    value = text(value)
    if not value:
        return ""
    if "://" not in value:
        value = f"http://{value}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValueError(f"'{value}' is not a web address") from None
    return value


def directory_records(
    table: Table, *, report: ImportReport, places: Places
) -> dict[str, LocationRecord]:
    missing = [c for c in COLUMNS if c not in table.header]
    if missing:
        report.problem(
            "CQC's care directory header lacks " + ", ".join(f"'{c}'" for c in missing),
            row=table.header_row,
        )
        return {}
    at = {name: table.column(name) for name in COLUMNS}
    width = len(table.header)
    records: dict[str, LocationRecord] = {}
    unknown: dict[str, list[int]] = {}
    for line, row in table.rows:
        if not any(text(cell) for cell in row):
            continue
        row = list(row) + [""] * (width - len(row))

        def cell(name, row=row):
            return row[at[name]]

        if not places.covers(text(cell("region"))):
            report.outside_regions += 1
            continue
        types = [registration_name(t) for t in split_cell(cell("service types"))]
        if not SOCIAL_CARE_TYPES & set(types):
            report.not_social_care += 1
            continue
        problems = len(report.problems)
        fields = {}
        for column, name, parse in [
            (LOCATION_ID, "location_id", parse_location_id),
            ("date of latest check", "latest_check_on", parse_date),
            ("service's website (if available)", "website", clean_website),
            ("location url", "cqc_url", clean_website),
        ]:
            try:
                fields[name] = parse(cell(column))
            except ValueError as error:
                report.problem(str(error), row=line, column=table.spelled(column))
        name = text(cell("name"))
        if not name:
            report.problem("is empty: every service needs a name", line, "Name")
        postcode = text(cell("postcode")).upper()
        if len(postcode) > 10:
            report.problem(f"'{postcode}' is too long for a postcode", line, "Postcode")
        authority = text(cell("local authority"))
        council = places.council(authority)
        if council is None:
            unknown.setdefault(authority, []).append(line)
        if len(report.problems) > problems or council is None:
            continue
        location_id = fields.pop("location_id")
        if location_id in records:
            report.problem(
                f"CQC location ID {location_id} appears twice",
                line,
                table.spelled(LOCATION_ID),
            )
            continue
        records[location_id] = LocationRecord(
            location_id=location_id,
            fields={
                **fields,
                "council_id": council.pk,
                "name": name[:250],
                "also_known_as": text(cell("also known as"))[:250],
                "address": text(cell("address"))[:300],
                "postcode": postcode,
                "phone": text(cell("phone number"))[:40],
                "care_home": bool(CARE_HOME_TYPES & set(types)),
            },
            provider_id=text(cell("cqc provider id (for office use only)")),
            provider_name=text(cell("provider name"))[:250],
            service_types=types,
            specialisms=split_cell(cell("specialisms/services")),
        )
    for authority, lines in sorted(unknown.items()):
        report.problem(
            f"Unknown local authority '{authority}' in rows "
            f"{', '.join(map(str, lines))} (add it to LOCAL_AUTHORITY_ALIASES in "
            "providers/cqc/places.py if it is a council under another name)",
            column=table.spelled("local authority"),
        )
    return records
