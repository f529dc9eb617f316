from pathlib import Path

from django.core.management.base import BaseCommand

from providers.cqc.sample import write_active_locations, write_latest_ratings


class Command(BaseCommand):
    help = (
        "Write a made-up latest ratings file in CQC's shape (.ods or .csv), for "
        "benchmarks and for trying the quality pages with national-size data. "
        "Every location in it is named 'Generated location': never load it into a "
        "live portal."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Ends .ods or .csv.")
        parser.add_argument("--locations", type=int, default=60_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--active-locations",
            action="store_true",
            help="Write a care directory with filters (.ods, one row per location, "
            "with service types) instead of a latest ratings file: the same "
            "locations as the ratings file of the same seed, and a tenth more "
            "not yet rated.",
        )

    def handle(self, *args, file, locations, seed, active_locations, **options):
        if active_locations:
            write_active_locations(file, locations=locations, seed=seed)
            self.stdout.write(f"Wrote {file}: {locations:,} locations.")
            return
        rows = write_latest_ratings(file, locations=locations, seed=seed)
        self.stdout.write(f"Wrote {file}: {locations:,} locations, {rows:,} rows.")
