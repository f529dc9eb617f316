"""A national-scale dataset for the read benchmark: deterministic, bulk-written.

Loads the demo data (regions, vocabularies, the twelve North East councils) and
adds, with ``bulk_create`` in batches, councils in England's nine regions up to 153,
about 150,000 tenders over 2022-2028 (a few councils have far more than most, as
in life), 30,000 care services with CQC ratings, contracting arrangements, MPS
sections, commissioning intentions, indicator figures and rates. Text is made of
sentences from the seeds (``/work/shared/seeds/`` when present) and the demo MPS
text, so keyword search meets real words in realistic proportions.

The same seed gives the same rows on SQLite and PostgreSQL. Run it on an empty
database (it refuses one that already has generated councils):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_perf_bench \\
        .venv/bin/python bench/generate.py --seed 14

If the portal has a ``rebuild_search_index`` command, it is run at the end; on
PostgreSQL the database is then vacuumed and analysed, as autovacuum would soon do.
"""

import argparse
import os
import random
import re
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from councils.models import (  # noqa: E402
    CommissioningIntention,
    Council,
    EditorialState,
    Heading,
    Indicator,
    IndicatorValue,
    Region,
    Section,
    TypeOfCare,
)
from councils.periods import read_period  # noqa: E402
from providers.models import CareService, Provider, Rating, ServiceType  # noqa: E402
from tenders.dates import parse_date_window  # noqa: E402
from tenders.models import (  # noqa: E402
    Arrangement,
    ClientGroup,
    CpvCode,
    Rate,
    Tender,
    TenderPipeline,
    generated_reference_prefix,
)

BATCH = 5000
SEEDS = Path("/work/shared/seeds")
GENERATED_GSS = "E0699"  # made-up council codes: E0699nnnn never clashes with ONS

REGIONS = [
    ("North West", "north-west", "E12000002"),
    ("Yorkshire and The Humber", "yorkshire-and-the-humber", "E12000003"),
    ("East Midlands", "east-midlands", "E12000004"),
    ("West Midlands", "west-midlands", "E12000005"),
    ("East of England", "east-of-england", "E12000006"),
    ("London", "london", "E12000007"),
    ("South East", "south-east", "E12000008"),
    ("South West", "south-west", "E12000009"),
]
PLACES = [
    "Lancashire",
    "Cumberland",
    "Westmorland",
    "Blackburn",
    "Blackpool",
    "Bolton",
    "Bury",
    "Manchester",
    "Oldham",
    "Rochdale",
    "Salford",
    "Stockport",
    "Tameside",
    "Trafford",
    "Wigan",
    "Knowsley",
    "Liverpool",
    "Sefton",
    "Wirral",
    "Halton",
    "Warrington",
    "Cheshire",
    "Barnsley",
    "Doncaster",
    "Rotherham",
    "Sheffield",
    "Bradford",
    "Calderdale",
    "Kirklees",
    "Leeds",
    "Wakefield",
    "York",
    "Hull",
    "Lincolnshire",
    "Derbyshire",
    "Derby",
    "Leicester",
    "Leicestershire",
    "Rutland",
    "Nottingham",
    "Nottinghamshire",
    "Northampton",
    "Birmingham",
    "Coventry",
    "Dudley",
    "Sandwell",
    "Solihull",
    "Walsall",
    "Wolverhampton",
    "Shropshire",
    "Telford",
    "Herefordshire",
    "Staffordshire",
    "Stoke",
    "Warwickshire",
    "Worcestershire",
    "Bedford",
    "Luton",
    "Cambridgeshire",
    "Peterborough",
    "Essex",
    "Southend",
    "Thurrock",
    "Hertfordshire",
    "Norfolk",
    "Suffolk",
    "Barnet",
    "Brent",
    "Camden",
    "Croydon",
    "Ealing",
    "Enfield",
    "Greenwich",
    "Hackney",
    "Haringey",
    "Harrow",
    "Havering",
    "Hillingdon",
    "Hounslow",
    "Islington",
    "Lambeth",
    "Lewisham",
    "Merton",
    "Newham",
    "Redbridge",
    "Southwark",
    "Sutton",
    "Wandsworth",
    "Westminster",
    "Brighton",
    "Kent",
    "Medway",
    "Surrey",
    "Sussex",
    "Hampshire",
    "Portsmouth",
    "Southampton",
    "Oxfordshire",
    "Reading",
    "Slough",
    "Windsor",
    "Wokingham",
    "Buckinghamshire",
    "Milton",
    "Bristol",
    "Somerset",
    "Devon",
    "Plymouth",
    "Torbay",
    "Cornwall",
    "Dorset",
    "Bournemouth",
    "Wiltshire",
    "Swindon",
    "Gloucestershire",
    "Bath",
    "Poole",
    "Bexley",
    "Bromley",
    "Kingston",
    "Richmond",
    "Lancaster",
    "Cumbria",
    "Stockton",
    "Wirksworth",
    "Exeter",
    "Norwich",
    "Ipswich",
    "Chelmsford",
    "Colchester",
    "Guildford",
    "Maidstone",
    "Canterbury",
    "Salisbury",
    "Taunton",
    "Truro",
    "Carlisle",
    "Kendal",
    "Harrogate",
    "Scarborough",
    "Grimsby",
    "Scunthorpe",
    "Boston",
    "Grantham",
    "Mansfield",
]
KINDS = ["County Council", "City Council", "Borough Council", "Council"]
GROUP_PHRASES = [
    "older people",
    "adults with learning disabilities",
    "people with dementia",
    "adults with mental health needs",
    "children and young people",
    "carers",
    "people with physical disabilities",
    "autistic adults",
    "young people leaving care",
]
TITLE_FORMS = [
    "Provision of {care} for {group} in {place}",
    "{care} framework for {group}",
    "{place} {care} service",
    "Contract for the provision of {care} services in {place}",
    "{care} for {group}: lot {n}",
    "Recommissioning of {care} in {place}",
    "{care} and support for {group}",
    "Dynamic purchasing system for {care}",
]
PERIOD_FORMS = [
    "{month} {year}",
    "Q{q} {year}",
    "{season} {year}",
    "{year}/{yy}",
    "TBC",
    "01/{mm}/{year}",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
ARRANGEMENT_WORDS = [
    "framework",
    "provider panel",
    "dynamic purchasing system",
    "spot contract",
]
PROVIDER_WORDS = ["Care", "Healthcare", "Homecare", "Support Services", "Living"]
SERVICE_WORDS = ["House", "Lodge", "Court", "View", "Homecare", "Care Centre"]
SEASONS = ["Spring", "Summer", "Autumn", "Winter"]
STATUSES = (
    ["planned"] * 40
    + ["open"] * 10
    + ["evaluation"] * 10
    + ["awarded"] * 30
    + ["cancelled"] * 5
    + ["withdrawn"] * 5
)
VISIBLE_RATINGS = (
    [Rating.OUTSTANDING] * 5
    + [Rating.GOOD] * 70
    + [Rating.REQUIRES_IMPROVEMENT] * 15
    + [Rating.INADEQUATE] * 2
    + [Rating.NOT_RATED] * 8
)


def sentences() -> list[str]:
    """Sentences of real MPS text: the seeds, then the demo sections and tenders."""
    text = []
    if SEEDS.is_dir():
        text += [p.read_text(errors="ignore") for p in sorted(SEEDS.glob("*.txt"))]
    text += [s.body for s in Section.objects.all()]
    text += [t.description for t in Tender.objects.all()]
    found = []
    for chunk in text:
        for sentence in re.split(r"(?<=[.!?])\s+", re.sub(r"[#*|>\[\]]", " ", chunk)):
            sentence = re.sub(r"\s+", " ", sentence).strip()
            if 40 <= len(sentence) <= 280 and sentence[0].isupper():
                found.append(sentence)
    return sorted(set(found))


class Generator:
    def __init__(self, seed: int, councils: int, tenders: int, services: int):
        self.random = random.Random(seed)
        self.target_councils = councils
        self.target_tenders = tenders
        self.target_services = services
        self.now = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        self.windows: dict[str, object] = {}
        self.timings: list[tuple[str, float, int]] = []

    def paragraph(self, n: int) -> str:
        return " ".join(self.random.choice(self.corpus) for _ in range(n))

    def bulk(self, model, rows) -> list:
        return model.objects.bulk_create(rows, batch_size=BATCH)

    def through(self, relation, pairs, left: str, right: str) -> None:
        model = relation.through
        model.objects.bulk_create(
            [model(**{f"{left}_id": a, f"{right}_id": b}) for a, b in pairs],
            batch_size=BATCH,
        )

    def step(self, name, function):
        started = time.perf_counter()
        count = function()
        seconds = time.perf_counter() - started
        self.timings.append((name, seconds, count))
        print(f"  {name:28} {count:8d} rows {seconds:7.1f} s", flush=True)

    def run(self) -> None:
        self.corpus = sentences()
        self.types = list(TypeOfCare.objects.order_by("position", "pk"))
        self.groups = list(ClientGroup.objects.order_by("position", "pk"))
        self.cpvs = list(CpvCode.objects.order_by("code"))
        self.headings = list(Heading.objects.order_by("position", "pk"))
        self.service_types = list(ServiceType.objects.order_by("pk"))
        self.indicators = list(Indicator.objects.order_by("position", "pk"))
        with transaction.atomic():
            self.step("councils", self.make_councils)
            self.step("tenders", self.make_tenders)
            self.step("tender pipelines", self.make_pipelines)
            self.step("arrangements", self.make_arrangements)
            self.step("sections", self.make_sections)
            self.step("intentions", self.make_intentions)
            self.step("indicator figures", self.make_figures)
            self.step("rates", self.make_rates)
            self.step("providers and services", self.make_services)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if "rebuild_search_index" in get_commands():
            self.step("search index", self.rebuild_search_index)
        if connection.vendor == "postgresql":
            self.step("vacuum", self.vacuum)

    def vacuum(self) -> int:
        """VACUUM (ANALYZE) everything, as autovacuum soon would on a live database:
        until the visibility map is set, every index-only scan (the finders' keys)
        fetches each row from the table, and the pages measure a database no
        portal in service has."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        return 0

    def rebuild_search_index(self) -> int:
        call_command("rebuild_search_index")
        return 0

    # Councils ---------------------------------------------------------------------

    def make_councils(self) -> int:
        regions = [
            Region.objects.get_or_create(
                slug=slug, defaults={"name": name, "gss_code": code}
            )[0]
            for name, slug, code in REGIONS
        ]
        existing = set(Council.objects.values_list("name", flat=True))
        places = PLACES[:]
        self.random.shuffle(places)
        new = []
        number = 0
        while Council.objects.count() + len(new) < self.target_councils:
            place = places[number % len(places)]
            kind = KINDS[(number // len(places)) % len(KINDS)]
            number += 1
            name = f"{place} {kind}"
            if name in existing:
                continue
            existing.add(name)
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            new.append(
                Council(
                    region=regions[number % len(regions)],
                    name=name,
                    slug=slug,
                    gss_code=f"{GENERATED_GSS}{number:04d}",
                    website=f"https://www.{slug}.gov.uk",
                    commissioning_email=f"commissioning@{slug}.gov.uk",
                    commissioning_phone="0300 123 4567",
                    mps_period_start=date(2025, 4, 1),
                    mps_period_end=date(2028, 3, 31),
                )
            )
        self.bulk(Council, new)
        self.councils = list(Council.objects.order_by("pk"))
        # A long tail: a few councils publish far more than most (Zipf-like).
        weights = [1 / (rank + 3) ** 0.9 for rank in range(len(self.councils))]
        self.random.shuffle(weights)
        self.weights = weights
        return len(new)

    def share(self, total: int) -> list[int]:
        scale = total / sum(self.weights)
        return [max(1, round(w * scale)) for w in self.weights]

    # Tenders ----------------------------------------------------------------------

    def period_text(self) -> str:
        r = self.random
        year = r.randint(2022, 2028)
        form = r.choice(PERIOD_FORMS)
        return form.format(
            month=r.choice(MONTHS),
            year=year,
            yy=f"{(year + 1) % 100:02d}",
            q=r.randint(1, 4),
            season=r.choice(SEASONS),
            mm=f"{r.randint(1, 12):02d}",
        )

    def window(self, text: str):
        if text not in self.windows:
            self.windows[text] = parse_date_window(text)
        return self.windows[text]

    def make_tenders(self) -> int:
        r = self.random
        existing = Tender.live.count()
        shares = self.share(self.target_tenders - existing)
        rows, types, groups, cpvs = [], [], [], []
        for council, count in zip(self.councils, shares, strict=True):
            prefix = generated_reference_prefix(council) + "G"
            place = council.name.rsplit(" ", 2)[0].replace(" County", "")
            for n in range(1, count + 1):
                care = r.choice(self.types)
                group = r.choice(GROUP_PHRASES)
                title = r.choice(TITLE_FORMS).format(
                    care=care.name, group=group, place=place, n=r.randint(1, 9)
                )
                procurement = self.period_text()
                commencement = self.period_text()
                p, c = self.window(procurement), self.window(commencement)
                low = r.choice([None, 50_000, 150_000, 500_000, 1_000_000, 5_000_000])
                published = self.now - timedelta(days=r.randint(1, 4 * 365))
                if r.random() < 0.01:  # scheduled, not yet public
                    published = self.now + timedelta(days=r.randint(30, 400))
                rows.append(
                    dict(
                        council=council,
                        reference=f"{prefix}{n:05d}",
                        title=title[:300],
                        description=self.paragraph(r.randint(1, 4)),
                        service_area="Commissioning - Adult Social Care",
                        procurement_activity=procurement,
                        procurement_start=p.start if p else None,
                        procurement_end=p.end if p else None,
                        commencement=commencement,
                        commencement_start=c.start if c else None,
                        commencement_end=c.end if c else None,
                        value_min=Decimal(low) if low else None,
                        value_max=Decimal(low * 2) if low else None,
                        status=r.choice(STATUSES),
                        notes=self.paragraph(1) if r.random() < 0.2 else "",
                        contact_email=council.commissioning_email,
                        notice_url=(
                            f"https://www.contractsfinder.service.gov.uk/notice/{n}"
                            if r.random() < 0.3
                            else ""
                        ),
                        published_at=published,
                    )
                )
                types.append([care.pk] + [t.pk for t in r.sample(self.types, 1)])
                groups.append([g.pk for g in r.sample(self.groups, r.randint(1, 2))])
                cpvs.append([r.choice(self.cpvs).pk])
        # Working copies and their live copies, as publishing leaves them.
        made = self.published(Tender, rows)
        for relation, right, chosen in (
            (Tender.types_of_care, "typeofcare", types),
            (Tender.client_groups, "clientgroup", groups),
            (Tender.cpv_codes, "cpvcode", cpvs),
        ):
            pairs = {
                (tender.pk, pk)
                for index, tender in enumerate(made)
                for pk in chosen[index % len(chosen)]
            }
            self.through(relation, sorted(pairs), "tender", right)
        return len(made) // 2

    def make_pipelines(self) -> int:
        have = set(TenderPipeline.objects.values_list("council_id", flat=True))
        rows = [
            TenderPipeline(
                council=c,
                last_updated=date(2026, 4, 1),
                caveat="The council reserves the right not to tender for such "
                "services or to change the tender start date if required.",
                enquiries=c.commissioning_email,
            )
            for c in self.councils
            if c.pk not in have
        ]
        return len(self.bulk(TenderPipeline, rows))

    # Published content: working copy and live copy --------------------------------

    def published(self, model, fields_list: list[dict]) -> list:
        """Working copies and their live copies, as publishing leaves them."""
        r = self.random
        working = []
        for fields in fields_list:
            when = fields.get("published_at") or self.now - timedelta(
                days=r.randint(10, 700)
            )
            state = {
                "editorial_state": EditorialState.PUBLISHED,
                "first_published_at": when,
                "publish_at": when,
                "content_updated_at": when,
                "review_by": (when + timedelta(days=365)).date(),
            }
            working.append(model(**fields, **state))
        working = self.bulk(model, working)
        live = self.bulk(
            model,
            [
                model(
                    **fields,
                    live_of=w,
                    editorial_state=w.editorial_state,
                    first_published_at=w.first_published_at,
                    publish_at=w.publish_at,
                    content_updated_at=w.content_updated_at,
                    review_by=w.review_by,
                )
                for w, fields in zip(working, fields_list, strict=True)
            ],
        )
        return working + live

    def make_arrangements(self) -> int:
        r = self.random
        existing = set(Arrangement.objects.values_list("council_id", flat=True))
        fields_list, types = [], []
        for council, count in zip(self.councils, self.share(1500), strict=True):
            if council.pk in existing:
                continue
            for n in range(1, count + 2):
                care = r.choice(self.types)
                fields_list.append(
                    {
                        "council": council,
                        "name": f"{care.name} {r.choice(ARRANGEMENT_WORDS)} {n}",
                        "kind": r.choice(Arrangement.Kind.values),
                        "description": self.paragraph(r.randint(2, 5)),
                        "lots": f"{r.randint(1, 12)} geographic zones",
                        "joining": r.choice(Arrangement.Joining.values),
                        "how_to_join": self.paragraph(2),
                        "contact_email": council.commissioning_email,
                    }
                )
                types.append(care.pk)
        rows = self.published(Arrangement, fields_list)
        self.through(
            Arrangement.types_of_care,
            [(a.pk, types[i % len(types)]) for i, a in enumerate(rows)],
            "arrangement",
            "typeofcare",
        )
        self.arrangements = rows
        return len(rows)

    def make_sections(self) -> int:
        r = self.random
        have = set(Section.objects.values_list("council_id", flat=True))
        fields_list = []
        for council in self.councils:
            if council.pk in have:
                continue
            for heading in self.headings:
                paragraphs = [self.paragraph(r.randint(3, 6)) for _ in range(4)]
                body = (
                    f"{paragraphs[0]}\n\n## What {council.name} wants\n\n"
                    f"{paragraphs[1]}\n\n- {self.paragraph(1)}\n- {self.paragraph(1)}"
                    f"\n\n## Working with providers\n\n{paragraphs[2]}\n\n"
                    f"{paragraphs[3]}"
                )
                fields_list.append(
                    {"council": council, "heading": heading, "body": body}
                )
        return len(self.published(Section, fields_list))

    def make_intentions(self) -> int:
        r = self.random
        have = set(CommissioningIntention.objects.values_list("council_id", flat=True))
        fields_list = []
        for council in self.councils:
            if council.pk in have:
                continue
            for position, care in enumerate(r.sample(self.types, 8)):
                fields_list.append(
                    {
                        "council": council,
                        "type_of_care": care,
                        "direction": r.choice(CommissioningIntention.Direction.values),
                        "summary": self.paragraph(1)[:300],
                        "detail": self.paragraph(3),
                        "how": self.paragraph(1),
                        "period": "2025 to 2028",
                        "status": CommissioningIntention.Status.PUBLISHED,
                        "position": position,
                    }
                )
        # Working copies and their live copies, as publishing leaves them.
        return len(self.published(CommissioningIntention, fields_list)) // 2

    def make_figures(self) -> int:
        r = self.random
        have = set(
            IndicatorValue.objects.values_list("indicator_id", "area_code", "period")
        )
        periods = ["2022", "2023", "2024"]
        readings = {p: read_period(p) for p in periods}
        areas = [(c.gss_code, c, None) for c in self.councils] + [
            (region.gss_code, None, region) for region in Region.objects.all()
        ]
        rows = []
        for indicator in self.indicators:
            base = r.uniform(5, 500)
            for code, council, region in areas:
                for period in periods:
                    if (indicator.pk, code, period) in have:
                        continue
                    reading = readings[period]
                    rows.append(
                        IndicatorValue(
                            indicator=indicator,
                            area_code=code,
                            council=council,
                            region=region,
                            period=period,
                            period_kind=reading.kind,
                            period_start=reading.start,
                            period_end=reading.end,
                            value=Decimal(f"{base * r.uniform(0.7, 1.3):.2f}"),
                            source_name="Generated for the read benchmark",
                            as_at=date(int(period) + 1, 3, 1),
                        )
                    )
        return len(self.bulk(IndicatorValue, rows))

    def make_rates(self) -> int:
        r = self.random
        rows = []
        for council in self.councils[12:]:
            for care in r.sample(self.types, 5):
                rows.append(
                    Rate(
                        council=council,
                        type_of_care=care,
                        kind=r.choice(Rate.Kind.values),
                        description=f"{care.name} rate, {council.name}",
                        amount=Decimal(f"{r.uniform(15, 1200):.2f}"),
                        unit=r.choice(Rate.Unit.values),
                        source_name=f"{council.name} fee schedule",
                        as_at=date(2026, 4, 1),
                    )
                )
        return len(self.bulk(Rate, rows))

    # The directory ----------------------------------------------------------------

    def make_services(self) -> int:
        r = self.random
        existing = CareService.objects.count()
        providers = self.bulk(
            Provider,
            [
                Provider(
                    name=f"{r.choice(PLACES)} {r.choice(PROVIDER_WORDS)} {n} Ltd",
                    cqc_provider_id=f"1-G{n:09d}",
                )
                for n in range(1, 8001)
            ],
        )
        rows, kinds = [], []
        number = 0
        shares = self.share(self.target_services - existing)
        for council, count in zip(self.councils, shares, strict=True):
            place = council.name.rsplit(" ", 2)[0]
            for _ in range(count):
                number += 1
                kind = r.choice(self.service_types)
                care_home = "Care home" in kind.name
                rating = r.choice(VISIBLE_RATINGS)
                rated = rating != Rating.NOT_RATED
                rows.append(
                    CareService(
                        council=council,
                        provider=r.choice(providers),
                        name=f"{r.choice(PLACES)} {r.choice(SERVICE_WORDS)} {number}",
                        cqc_location_id=f"1-L{number:09d}",
                        address=f"{r.randint(1, 200)} High Street, {place}",
                        postcode=f"ZZ{r.randint(1, 99)} {r.randint(1, 9)}AA",
                        care_home=care_home,
                        beds=r.randint(10, 90) if care_home else None,
                        rating=rating if rated else "",
                        rating_published_on=(
                            date(2025, 1, 1) + timedelta(days=r.randint(0, 600))
                            if rated
                            else None
                        ),
                        safe_rating=rating if rated else "",
                        caring_rating=rating if rated else "",
                        council_contracted=r.random() < 0.4,
                        imported_at=self.now,
                    )
                )
                kinds.append(kind.pk)
        made = self.bulk(CareService, rows)
        self.through(
            CareService.service_types,
            [(s.pk, k) for s, k in zip(made, kinds, strict=True)],
            "careservice",
            "servicetype",
        )
        return len(made) + len(providers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--councils", type=int, default=153)
    parser.add_argument("--tenders", type=int, default=150_000)
    parser.add_argument("--services", type=int, default=30_000)
    args = parser.parse_args()
    started = time.perf_counter()
    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_demo_data", verbosity=0)
    if Council.objects.filter(gss_code__startswith=GENERATED_GSS).exists():
        sys.exit("This database already has generated councils: use an empty one.")
    print(f"Generating on {connection.vendor} ({connection.settings_dict['NAME']})")
    Generator(args.seed, args.councils, args.tenders, args.services).run()
    print(f"Done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
