"""Benchmark: site search over generated documents, against the health check.

Adds ``--tenders`` tenders (default 5,000, made-up titles and descriptions built
from social-care words) to the first council of the demo data, indexes them
through ``councils.search.index_queryset`` (the import's path), then times, with
Django's test client and the real views, the median of ``--repeat`` requests for
each query on /search/ and on the opportunity finder's keyword box (after the
first request, timed on its own: the first of a search in a content version
works it out, later ones and other pages of it read what was kept, see
``councils.search.find``), and the median of /healthz, and prints each and its
ratio to the health check, with the load average. Each time is given as
wall-clock and as the benchmark process's processor time (steadier on a shared
machine; the database's own work shows in the wall-clock time only). The made-up
tenders are deleted at the end (and their documents with them).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_search \\
        .venv/bin/python bench/search.py --tenders 5000

Needs the demo data (``manage.py load_demo_data``) for the other kinds of page.
With ``--tenders 0`` nothing is added: the data already there is searched (a copy
of the national dataset made by ``bench/generate.py``).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_portal.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from councils import search  # noqa: E402
from councils.models import Council, SearchDocument  # noqa: E402
from tenders.models import Tender  # noqa: E402

WORDS = [
    "home",
    "care",
    "supported",
    "living",
    "residential",
    "nursing",
    "dementia",
    "respite",
    "reablement",
    "extra",
    "care",
    "housing",
    "day",
    "opportunities",
    "learning",
    "disability",
    "autism",
    "mental",
    "health",
    "older",
    "people",
    "carers",
    "domiciliary",
    "rural",
    "urban",
    "framework",
    "block",
    "spot",
    "contract",
    "countywide",
    "hospital",
    "discharge",
    "night",
    "sitting",
    "complex",
    "needs",
    "transition",
    "young",
    "adults",
    "children",
    "short",
    "breaks",
    "equipment",
    "hoists",
    "supported living durham",
    "assistive",
    "technology",
]
QUERIES = [
    "dementia",
    "supported living",
    "home care",
    "dementia respite",
    '"complex needs" -children',
    "hoists",
    "supported living durham",
]


def load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def timed_ms(client, url, params, repeat) -> tuple[float, float, float, float]:
    """The first request's time (nothing kept yet for this content version) and
    the median of the ``repeat`` after it, each as wall-clock and as this
    process's processor time (the database's work is in the wall-clock time
    only), in milliseconds."""
    walls, cpus = [], []
    for _ in range(repeat + 1):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
    return walls[0], cpus[0], statistics.median(walls[1:]), statistics.median(cpus[1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenders", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--pages",
        nargs="+",
        default=["/search/", "/opportunities/"],
        help="the pages whose keyword box is timed (default: both)",
    )
    args = parser.parse_args()
    council = Council.objects.order_by("pk").first()
    rng = random.Random(1)
    now = timezone.now()
    with transaction.atomic():
        made = Tender._base_manager.bulk_create(
            Tender(
                council=council,
                reference=f"BENCH-{n:06d}",
                title=" ".join(rng.sample(WORDS, 5)).capitalize(),
                description=" ".join(rng.choices(WORDS, k=60)),
                status=Tender.Status.PLANNED,
                published_at=now,
                publish_at=now,
            )
            for n in range(args.tenders)
        )
    ids = [tender.pk for tender in made]
    # Each its own working copy's live copy: what readers see, and what is indexed.
    Tender._base_manager.filter(pk__in=ids).update(live_of=F("pk"))
    try:
        started = time.perf_counter()
        search.index_queryset("tender", Tender.objects.filter(pk__in=ids))
        indexed = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE councils_searchdocument")
        documents = SearchDocument.objects.count()
        print(
            f"{connection.vendor}: {documents:,} documents "
            f"({args.tenders:,} generated tenders indexed in {indexed:.1f} s)"
        )
        client = Client()
        *_, health, health_cpu = timed_ms(client, "/healthz", {}, args.repeat)
        print(
            f"/healthz median {health:.2f} ms, processor {health_cpu:.2f} ms; "
            f"load average {load()}"
        )
        for query in QUERIES:
            for url in args.pages:
                first, first_cpu, ms, cpu = timed_ms(
                    client, url, {"q": query}, args.repeat
                )
                print(
                    f"{url:16} q={query!r:28} first {first:7.1f} ms "
                    f"(processor {first_cpu:6.1f}), then median {ms:6.1f} ms "
                    f"({ms / health:5.1f}x health), processor {cpu:5.1f} ms "
                    f"({cpu / health_cpu:5.1f}x)"
                )
        *_, health, health_cpu = timed_ms(client, "/healthz", {}, args.repeat)
        print(
            f"/healthz median {health:.2f} ms, processor {health_cpu:.2f} ms at "
            f"the end; load average {load()}"
        )
    finally:
        Tender.objects.filter(pk__in=ids).delete()


if __name__ == "__main__":
    main()
