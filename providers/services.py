"""Importing CQC's monthly care directory into the care services directory."""

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from councils.models import Council, Region

from .models import CareService, Provider, ServiceType, Specialism

# The header of CQC's "care directory with filters" CSV, after four preamble lines.
CQC_DIRECTORY_HEADER = [
    "Name",
    "Also known as",
    "Address",
    "Postcode",
    "Phone number",
    "Service's website (if available)",
    "Service types",
    "Date of latest check",
    "Specialisms/services",
    "Provider name",
    "Local authority",
    "Region",
    "Location URL",
    "CQC Location ID (for office use only)",
    "CQC Provider ID (for office use only)",
]
PREAMBLE_LINES = 4

# CQC's "Local authority" names that differ from the council's own name by more than
# the words normalise_council_name() drops. Keys are normalised; values are slugs.
LOCAL_AUTHORITY_ALIASES = {
    "county durham": "county-durham",
    "durham": "county-durham",
    "newcastle upon tyne": "newcastle",
    "newcastle": "newcastle",
    "redcar cleveland": "redcar-and-cleveland",
    "stockton on tees": "stockton-on-tees",
    "stockton": "stockton-on-tees",
}
DROPPED_WORDS = {"council", "borough", "city", "county", "metropolitan", "of", "the"}
LOCATION_ID = re.compile(r"^\d-\d{6,12}$")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]
PRODUCED_ON = re.compile(r"produced on (\d{1,2} \w+ \d{4})", re.IGNORECASE)


class DirectoryImportError(Exception):
    """The file was refused; ``report`` lists every problem found."""

    def __init__(self, report: list[str]):
        super().__init__("\n".join(report))
        self.report = report


@dataclass
class DirectoryImportResult:
    created: int = 0
    updated: int = 0
    outside_regions: int = 0
    produced_on: list[date] = field(default_factory=list)


def normalise_council_name(name: str) -> str:
    words = re.sub(r"[^a-z ]", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in DROPPED_WORDS and w != "and")


def council_lookup() -> dict[str, Council]:
    """Every way the import recognises a council: its name, normalised, or an alias."""
    councils = list(Council.objects.all())
    by_slug = {c.slug: c for c in councils}
    lookup = {normalise_council_name(c.name): c for c in councils}
    for alias, slug in LOCAL_AUTHORITY_ALIASES.items():
        if slug in by_slug:
            lookup[normalise_council_name(alias)] = by_slug[slug]
    return lookup


def parse_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date")


def split_cell(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def clean_website(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if "://" not in value:
        value = f"http://{value}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValueError(f"website '{value}' is not a web address") from None
    return value


def _read_rows(path: Path) -> tuple[date | None, list[tuple[int, dict]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        preamble = [handle.readline() for _ in range(PREAMBLE_LINES)]
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != [
            h.lower() for h in CQC_DIRECTORY_HEADER
        ]:
            raise DirectoryImportError(
                [
                    f"{path.name}: line {PREAMBLE_LINES + 1} is not CQC's care "
                    f"directory header. Expected: {','.join(CQC_DIRECTORY_HEADER)}"
                ]
            )
        produced = PRODUCED_ON.search(" ".join(preamble))
        produced_on = parse_date(produced.group(1)) if produced else None
        rows = []
        for row in reader:
            line = PREAMBLE_LINES + reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(CQC_DIRECTORY_HEADER):
                rows.append((line, {"_width": len(row)}))
                continue
            rows.append((line, dict(zip(CQC_DIRECTORY_HEADER, row, strict=True))))
        return produced_on, rows


def _clean_row(row: dict, councils: dict[str, Council]) -> dict:
    """The fields of one row, or ValueError naming what is wrong with it."""
    if "_width" in row:
        raise ValueError(
            f"has {row['_width']} cells, expected {len(CQC_DIRECTORY_HEADER)}"
        )
    location_id = row["CQC Location ID (for office use only)"].strip()
    if not LOCATION_ID.match(location_id):
        raise ValueError(f"CQC location ID '{location_id}' is not like 1-1000210669")
    name = row["Name"].strip()
    if not name:
        raise ValueError("has no name")
    postcode = row["Postcode"].strip().upper()
    if len(postcode) > 10:
        raise ValueError(f"postcode '{postcode}' is too long")
    local_authority = row["Local authority"].strip()
    council = councils.get(normalise_council_name(local_authority))
    if council is None:
        raise LookupError(local_authority)
    service_types = split_cell(row["Service types"])
    return {
        "location_id": location_id,
        "provider_id": row["CQC Provider ID (for office use only)"].strip(),
        "provider_name": row["Provider name"].strip(),
        "defaults": {
            "council": council,
            "name": name,
            "also_known_as": row["Also known as"].strip(),
            "address": row["Address"].strip(),
            "postcode": postcode,
            "phone": row["Phone number"].strip(),
            "website": clean_website(row["Service's website (if available)"]),
            "cqc_url": clean_website(row["Location URL"]),
            "latest_check_on": parse_date(row["Date of latest check"]),
            "care_home": any(t.lower().startswith("care home") for t in service_types),
        },
        "service_types": service_types,
        "specialisms": split_cell(row["Specialisms/services"]),
    }


def _vocabulary(model, names: list[str], cache: dict) -> list:
    terms = []
    for name in names:
        if name not in cache:
            cache[name], _ = model.objects.get_or_create(
                slug=slugify(name)[:150], defaults={"name": name}
            )
        terms.append(cache[name])
    return terms


def cqc_directory_import(*, paths: list[Path]) -> DirectoryImportResult:
    """Import CQC care directory files, all or nothing, updating by CQC location ID.

    Rows in regions the portal does not cover are skipped. Rows in a covered region
    whose local authority matches no council, and malformed rows, are reported
    together and nothing is saved.
    """
    result = DirectoryImportResult()
    councils = council_lookup()
    regions = {r.name.lower() for r in Region.objects.all()}
    problems: list[str] = []
    unknown: dict[str, list[str]] = {}
    cleaned: dict[str, dict] = {}
    for path in paths:
        try:
            produced_on, rows = _read_rows(path)
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{path.name}: cannot be read ({error})")
            continue
        except DirectoryImportError as error:
            problems.extend(error.report)
            continue
        if produced_on:
            result.produced_on.append(produced_on)
        for line, row in rows:
            where = f"{path.name} line {line}"
            if "_width" not in row and row["Region"].strip().lower() not in regions:
                result.outside_regions += 1
                continue
            try:
                fields = _clean_row(row, councils)
            except LookupError as error:
                unknown.setdefault(str(error), []).append(where)
                continue
            except ValueError as error:
                problems.append(f"{where}: {error}")
                continue
            if fields["location_id"] in cleaned:
                problems.append(
                    f"{where}: CQC location ID {fields['location_id']} appears twice"
                )
                continue
            cleaned[fields["location_id"]] = fields
    for name, places in sorted(unknown.items()):
        problems.append(
            f"Unknown local authority '{name}' (add it to LOCAL_AUTHORITY_ALIASES "
            f"if it is a council under another name): {', '.join(places)}"
        )
    if problems:
        raise DirectoryImportError(problems)
    with transaction.atomic():
        _save(cleaned, result)
    return result


def _save(cleaned: dict[str, dict], result: DirectoryImportResult) -> None:
    now = timezone.now()
    types_cache: dict = {}
    specialisms_cache: dict = {}
    providers: dict[str, Provider] = {}
    for location_id, fields in cleaned.items():
        provider = None
        if fields["provider_id"]:
            provider = providers.get(fields["provider_id"])
            if provider is None:
                provider, _ = Provider.objects.update_or_create(
                    cqc_provider_id=fields["provider_id"],
                    defaults={"name": fields["provider_name"]},
                )
                providers[fields["provider_id"]] = provider
        service, created = CareService.objects.update_or_create(
            cqc_location_id=location_id,
            defaults={**fields["defaults"], "provider": provider, "imported_at": now},
        )
        service.service_types.set(
            _vocabulary(ServiceType, fields["service_types"], types_cache)
        )
        service.specialisms.set(
            _vocabulary(Specialism, fields["specialisms"], specialisms_cache)
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
