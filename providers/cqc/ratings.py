"""Rows of CQC's two ratings files as location records, and England's counts.

- The care directory with filters (HSCA active locations): one row per location,
  with ``Care home?``, ``Care homes beds``, the overall rating, its publication date,
  whether it is inherited, and a Y column per service type.
- The latest ratings file: one row per location, service or population group and
  key question (``Domain``: Overall, Safe, Effective, Caring, Responsive,
  Well-led). Rows whose ``Service / Population Group`` is Overall are the
  location's own ratings; the others rate one service or population group at the
  location (``Homecare services``, say) and are kept as group ratings.

Both cover all of England and every kind of service. Rows for adult social care in
the portal's regions become records; every adult social care row in England is
counted for England's figures, so those never depend on what the portal keeps.
"""

from collections import defaultdict

from ..models import (
    GOOD_RATINGS,
    JUDGED_RATINGS,
    KEY_QUESTIONS,
    CqcImport,
    KeyQuestion,
)
from .cells import (
    parse_count,
    parse_date,
    parse_location_id,
    parse_rating,
    parse_yes_no,
    text,
)
from .places import Places
from .reading import Table
from .report import ImportReport
from .vocabulary import (
    ACTIVE_LOCATIONS_PREFIX,
    SOCIAL_CARE_CATEGORIES,
    SOCIAL_CARE_DIRECTORATE,
    TYPES_OF_CARE,
)
from .writing import LocationRecord

DOMAINS = {"overall": "rating", **{q.lower(): f for f, q in KEY_QUESTIONS}}
# The field a Domain word sets, as a KeyQuestion value, for group ratings.
GROUP_KEYS = {DOMAINS[q.label.lower()]: q.value for q in KeyQuestion}
COMMON = ["location id", "location name", "location local authority", "location region"]
ACTIVE_COLUMNS = [
    *COMMON,
    "care home?",
    "care homes beds",
    "location latest overall rating",
    "publication date",
    "inherited rating (y/n)",
    "location postal code",
]
LATEST_COLUMNS = [
    *COMMON,
    "care home?",
    "location primary inspection category",
    "service / population group",
    "domain",
    "latest rating",
    "publication date",
    "inherited rating (y/n)",
    "location post code",
]


# The cells checked after the key question, in the order their problems are named.
CHECKED_AFTER_DOMAIN = (
    "latest rating",
    "care home?",
    "publication date",
    "inherited rating (y/n)",
)


class _England:
    """Counts behind England's "rated good or outstanding" figures."""

    def __init__(self):
        self.counts = defaultdict(lambda: [0, 0])

    def add(self, *, care_home: bool, rating: str, types_of_care=()):
        if rating not in JUDGED_RATINGS:
            return
        good = rating in GOOD_RATINGS
        for key in ["care_homes" if care_home else "community", *types_of_care]:
            self.counts[key][0] += good
            self.counts[key][1] += 1

    def as_dict(self) -> dict:
        return {key: {"good": g, "judged": j} for key, (g, j) in self.counts.items()}


def _missing(table: Table, columns: list[str], report: ImportReport) -> bool:
    missing = [c for c in columns if c not in table.header]
    if missing:
        report.problem(
            "the header lacks " + ", ".join(f"'{c}'" for c in missing),
            row=table.header_row,
        )
    return bool(missing)


def _parse(report, line, row, at, column, parse):
    try:
        return parse(row[at[column]])
    except ValueError as error:
        report.problem(str(error), row=line, column=at.spelled(column))
        raise


class _Memo(dict):
    """A function of one cell value, worked out once per distinct value."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, value):
        result = self[value] = self.function(value)
        return result


class _Columns(dict):
    """Column positions by lower-case heading, and the file's own spelling."""

    def __init__(self, table: Table):
        super().__init__((name, i) for i, name in enumerate(table.header))
        self.spelled = table.spelled


def _lenient_rating(value) -> str:
    """A rating in another region's row: a value CQC's vocabulary does not have
    counts as unrated rather than refusing the file."""
    try:
        return parse_rating(value)
    except ValueError:
        return ""


def _lenient(row, at, column="latest rating") -> tuple[bool, str]:
    """(care home, overall rating) from a row in another region."""
    return text(row[at["care home?"]]).upper() == "Y", _lenient_rating(row[at[column]])


def _place(report, line, row, at, places, unknown):
    """The council's pk for a row in the portal's regions; None (and the row
    noted) when its local authority is no council of the portal's."""
    authority = text(row[at["location local authority"]])
    council = places.council(authority)
    if council is None:
        unknown.setdefault(authority, []).append(line)
        return None
    return council.pk


def _address(row, at) -> str:
    parts = ("location street address", "location address line 2", "location city")
    return ", ".join(text(row[at[c]]) for c in parts if c in at and text(row[at[c]]))[
        :300
    ]


def _cqc_url(row, at) -> str:
    url = text(row[at["url"]]) if "url" in at else ""
    return url[:300] if url.startswith("https://www.cqc.org.uk/") else ""


def _provider(row, at) -> dict:
    return {
        "provider_id": text(row[at["provider id"]]) if "provider id" in at else "",
        "provider_name": (
            text(row[at["provider name"]])[:250] if "provider name" in at else ""
        ),
    }


def _report_unknown(report, unknown):
    for authority, lines in sorted(unknown.items()):
        shown = ", ".join(map(str, lines[:20])) + (
            " and more" if len(lines) > 20 else ""
        )
        report.problem(
            f"Unknown local authority '{authority}' in rows {shown} (add it to "
            "LOCAL_AUTHORITY_ALIASES in providers/cqc/places.py if it is a council "
            "under another name)",
            column="Location Local Authority",
        )


def active_location_records(
    table: Table, *, report: ImportReport, places: Places
) -> dict[str, LocationRecord]:
    if _missing(table, ACTIVE_COLUMNS, report):
        return {}
    at = _Columns(table)
    type_columns = [
        (i, name[len(ACTIVE_LOCATIONS_PREFIX) :])
        for i, name in enumerate(table.header)
        if name.startswith(ACTIVE_LOCATIONS_PREFIX)
    ]
    # The file's headings are lower-cased; CQC's spelling is kept from this table.
    spelled = {name.lower(): name for name in TYPES_OF_CARE}
    directorate = at.get("location inspection directorate")
    category = at.get("location primary inspection category")
    width = len(table.header)
    england, records, unknown = _England(), {}, {}
    for line, row in table.rows:
        if not any(row):
            continue
        if len(row) < width:
            row = list(row) + [""] * (width - len(row))
        if directorate is not None:
            social = text(row[directorate]).lower() == SOCIAL_CARE_DIRECTORATE
        else:
            social = text(row[category]).lower() in SOCIAL_CARE_CATEGORIES
        if not social:
            report.not_social_care += 1
            report.listed.add(text(row[at["location id"]]))
            continue
        types = [
            spelled.get(name, name.capitalize())
            for i, name in type_columns
            if text(row[i]).upper() == "Y"
        ]
        types_of_care = {TYPES_OF_CARE[t] for t in types if t in TYPES_OF_CARE}
        if not places.covers(text(row[at["location region"]])):
            # Other regions are counted for England, never checked or refused.
            report.outside_regions += 1
            care_home, rating = _lenient(row, at, "location latest overall rating")
            england.add(care_home=care_home, rating=rating, types_of_care=types_of_care)
            continue
        try:
            location_id = _parse(
                report, line, row, at, "location id", parse_location_id
            )
            care_home = _parse(report, line, row, at, "care home?", parse_yes_no)
            rating = _parse(
                report, line, row, at, "location latest overall rating", parse_rating
            )
            published = _parse(report, line, row, at, "publication date", parse_date)
            inherited = _parse(
                report, line, row, at, "inherited rating (y/n)", parse_yes_no
            )
            beds = _parse(report, line, row, at, "care homes beds", parse_count)
        except ValueError:
            continue
        england.add(care_home=care_home, rating=rating, types_of_care=types_of_care)
        council_id = _place(report, line, row, at, places, unknown)
        if council_id is None:
            continue
        if location_id in records:
            report.problem(
                f"CQC location ID {location_id} appears twice", line, "Location ID"
            )
            continue
        records[location_id] = LocationRecord(
            location_id=location_id,
            fields={
                "council_id": council_id,
                "care_home": care_home,
                "beds": beds,
                "rating": rating,
                "rating_published_on": published if rating else None,
                "rating_inherited": inherited,
            },
            new_fields={
                "name": text(row[at["location name"]])[:250] or location_id,
                "address": _address(row, at),
                "postcode": text(row[at["location postal code"]]).upper()[:10],
            },
            **_provider(row, at),
            service_types=types if type_columns else None,
        )
    _report_unknown(report, unknown)
    report.england = england.as_dict()
    return records


def latest_rating_records(
    table: Table, *, report: ImportReport, places: Places
) -> dict[str, LocationRecord]:
    if _missing(table, LATEST_COLUMNS, report):
        return {}
    at = _Columns(table)
    width = len(table.header)
    records: dict[str, LocationRecord] = {}
    # location ID -> (care home, overall rating) for England's counts.
    national: dict[str, tuple[bool, str]] = {}
    unknown: dict = {}
    outside: set[str] = set()
    not_social: set[str] = set()
    category_at = at["location primary inspection category"]
    group_at = at["service / population group"]
    region_at = at["location region"]
    id_at, domain_at = at["location id"], at["domain"]
    # Most of a national file's 330,000 rows are skipped on the words in three
    # cells, which repeat: each distinct word is looked at once.
    social = _Memo(lambda v: text(v).lower() in SOCIAL_CARE_CATEGORIES)
    overall = _Memo(lambda v: text(v).lower() == "overall")
    covered = _Memo(lambda v: places.covers(text(v)))
    lenient_rating = _Memo(_lenient_rating)
    yes = _Memo(lambda v: text(v).upper() == "Y")
    rating_at, care_home_at = at["latest rating"], at["care home?"]
    # The portal's rows: each distinct cell value is parsed once (a value that
    # does not parse is refused every time it is met).
    parsers = {
        column: (at[column], at.spelled(column), _Memo(parse))
        for column, parse in (
            ("location id", parse_location_id),
            ("latest rating", parse_rating),
            ("care home?", parse_yes_no),
            ("publication date", parse_date),
            ("inherited rating (y/n)", parse_yes_no),
        )
    }

    domain_field = _Memo(lambda v: DOMAINS.get(text(v).lower()))
    ids = parsers["location id"][2]
    ratings = parsers["latest rating"][2]
    care_homes = parsers["care home?"][2]
    dates, published_at = parsers["publication date"][2], at["publication date"]
    inherited_flags = parsers["inherited rating (y/n)"][2]
    inherited_at = at["inherited rating (y/n)"]

    def cell(column):
        index, spelled, parsed = parsers[column]
        try:
            return parsed[row[index]]
        except ValueError as error:
            report.problem(str(error), row=line, column=spelled)
            raise

    # Rows come location by location, and where a location is (its region and
    # kind of care) is the same on each of its rows: it is decided once per
    # location, and its rows outside the portal's regions are skipped quickly.
    last_id, skipped, counted = None, False, False
    for line, row in table.rows:
        if len(row) < width:
            if not any(row):
                continue
            row = list(row) + [""] * (width - len(row))
        elif not row[id_at] and not any(row):
            continue
        if row[id_at] != last_id:
            last_id = row[id_at]
            if not social[row[category_at]]:
                not_social.add(last_id)
                skipped, counted = True, False
            elif not covered[row[region_at]]:
                # Other regions are counted for England, never checked or refused.
                outside.add(last_id)
                skipped, counted = True, True
            else:
                skipped = False
        if skipped:
            if counted and overall[row[domain_at]] and overall[row[group_at]]:
                national[text(last_id)] = (
                    yes[row[care_home_at]],
                    lenient_rating[row[rating_at]],
                )
            continue
        location_level = overall[row[group_at]]
        try:
            # Each cell a dict lookup (a value seen before) or parsed once.
            location_id = ids[row[id_at]]
            field = domain_field[row[domain_at]]
            rating = ratings[row[rating_at]]
            care_home = care_homes[row[care_home_at]]
            published = dates[row[published_at]]
            inherited = inherited_flags[row[inherited_at]]
            if field is None:
                raise ValueError
        except ValueError:
            # A cell that does not parse, or an unknown key question: the row
            # again, cell by cell, to name its first problem.
            try:
                cell("location id")
                if domain_field[row[domain_at]] is None:
                    domain = text(row[domain_at])
                    report.problem(
                        f"'{domain}' is not one of CQC's key questions (Overall, "
                        + ", ".join(q for _, q in KEY_QUESTIONS)
                        + ")",
                        row=line,
                        column=at.spelled("domain"),
                    )
                    continue
                for column in CHECKED_AFTER_DOMAIN:
                    cell(column)
            except ValueError:
                pass
            continue
        if location_level and field == "rating":
            national[location_id] = (care_home, rating)
        record = records.get(location_id)
        if record is None:
            council_id = _place(report, line, row, at, places, unknown)
            if council_id is None:
                continue
            record = records[location_id] = LocationRecord(
                location_id=location_id,
                fields={
                    "council_id": council_id,
                    "care_home": care_home,
                    **{name: "" for name, _ in KEY_QUESTIONS},
                },
                new_fields={
                    "name": text(row[at["location name"]])[:250] or location_id,
                    "address": _address(row, at),
                    "postcode": text(row[at["location post code"]]).upper()[:10],
                    "cqc_url": _cqc_url(row, at),
                },
                group_ratings={},
                **_provider(row, at),
            )
        if not location_level:
            group = text(row[group_at])[:200]
            if rating:
                record.group_ratings[group, GROUP_KEYS[field]] = (
                    rating,
                    published,
                )
            continue
        record.fields[field] = rating
        if field == "rating":
            record.fields["rating_published_on"] = published if rating else None
            record.fields["rating_inherited"] = inherited
    _report_unknown(report, unknown)
    report.outside_regions = len({text(v) for v in outside})
    report.not_social_care = len({text(v) for v in not_social})
    england = _England()
    for care_home, rating in national.values():
        england.add(care_home=care_home, rating=rating)
    report.england = england.as_dict()
    for record in records.values():
        # A location with key-question rows but no Overall row has no overall rating.
        record.fields.setdefault("rating", "")
        record.fields.setdefault("rating_published_on", None)
        record.fields.setdefault("rating_inherited", False)
    return records


READERS = {
    CqcImport.Kind.ACTIVE_LOCATIONS: active_location_records,
    CqcImport.Kind.LATEST_RATINGS: latest_rating_records,
}
