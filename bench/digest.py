"""Benchmark: preparing and sending a daily alert digest for 10,000 subscribers.

It makes a day of changes (tenders, arrangements, major MPS changes and CQC ratings
across twelve councils) and N subscribers (default 10,000), each following one of
the searches people pick most: a finder filtered by council, by council and type
of care, or a whole council or type of care (a topic). Then it times:

- baseline: loading every daily subscription with its address, the least any
  digest has to read;
- prepare: ``alerts_collect``, which works out what each subscriber is told, with
  the number of queries it took (one per distinct search, not per subscriber);
- send: ``alerts_send`` through Django's SMTP backend to a real SMTP server (aiosmtpd,
  started as a subprocess on a free local port, which counts what it accepts), or
  with ``--mail locmem`` to Django's in-memory backend; rendering every email,
  claiming and recording each delivery; then the same run again, which must send
  nothing.

It prints seconds, queries, milliseconds per email and the ratio of prepare to
baseline in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_bench \\
        .venv/bin/python bench/digest.py --subscribers 10000

The database is migrated; the benchmark's own councils, content and subscribers
(``bench-digest-*``) are deleted first.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_portal.settings")
    import django

    django.setup()


def make_content(yesterday):
    import time_machine

    from councils.models import Council, Region, TypeOfCare
    from councils.publishing import publish
    from providers.models import CareService, Rating
    from tenders.models import Arrangement, Tender

    region, _ = Region.objects.get_or_create(
        slug="north-east", defaults={"name": "North East", "gss_code": "E12000001"}
    )
    councils = [
        Council.objects.create(
            name=f"Bench digest council {n}",
            slug=f"bench-digest-{n}",
            gss_code=f"E0899{n:04d}",
            region=region,
        )
        for n in range(12)
    ]
    kinds = [
        TypeOfCare.objects.get_or_create(
            slug=f"bench-digest-care-{n}", defaults={"name": f"Bench care {n}"}
        )[0]
        for n in range(4)
    ]
    with time_machine.travel(yesterday, tick=False):
        for n, council in enumerate(councils):
            for t in range(5):
                tender = Tender.objects.create(
                    council=council,
                    reference=f"BD-{n}-{t}",
                    title=f"Bench tender {n}-{t}",
                    status=Tender.Status.OPEN,
                )
                tender.types_of_care.set([kinds[t % 4]])
            arrangement = Arrangement.objects.create(
                council=council, name=f"Bench framework {n}", kind="framework"
            )
            arrangement.types_of_care.set([kinds[n % 4]])
            publish(obj=arrangement, user=None, major=True)
            for s in range(3):
                CareService.objects.create(
                    council=council,
                    name=f"Bench service {n}-{s}",
                    cqc_location_id=f"1-bench-digest-{n}-{s}",
                    rating=Rating.GOOD,
                    rating_published_on=yesterday.date(),
                )
    return councils, kinds


def make_subscribers(count, councils, kinds, confirmed_at):
    from councils.alerts.models import Subscriber, Subscription

    subscribers = Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"bench-digest-{n}@example.com", created_at=confirmed_at)
            for n in range(count)
        ],
        batch_size=2000,
    )
    searches = []
    for council in councils:
        searches.append(("tenders", f"council={council.slug}"))
        searches.append(("council", f"council={council.slug}"))
        searches.append(("directory", f"council={council.slug}"))
        for kind in kinds:
            searches.append(
                ("tenders", f"council={council.slug}&type_of_care={kind.slug}")
            )
    searches += [("market", f"type_of_care={kind.slug}") for kind in kinds]
    Subscription.objects.bulk_create(
        [
            Subscription(
                subscriber=subscriber,
                source=searches[n % len(searches)][0],
                query=searches[n % len(searches)][1],
                frequency="daily",
                confirmed_at=confirmed_at,
            )
            for n, subscriber in enumerate(subscribers)
        ],
        batch_size=2000,
    )
    return len(searches)


def clear():
    from councils.alerts.models import Subscriber
    from councils.models import Council, Publication
    from providers.models import CareService
    from tenders.models import Arrangement, Tender

    Subscriber.objects.filter(email__startswith="bench-digest-").delete()
    bench = Council.objects.filter(slug__startswith="bench-digest-")
    Publication.objects.filter(council__in=bench).delete()
    Tender.objects.filter(council__in=bench).delete()
    Arrangement.objects.filter(council__in=bench, live_of__isnull=False).delete()
    Arrangement.objects.filter(council__in=bench).delete()
    CareService.objects.filter(council__in=bench).delete()
    bench.delete()


def serve_smtp(port: int) -> None:
    """An SMTP server that accepts everything and, when its stdin closes, prints
    how many messages it accepted."""
    from aiosmtpd.controller import Controller

    class Counter:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Counter.received += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()
    print(Counter.received, flush=True)


def start_smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve-smtp", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout.readline().strip() == "ready"
    os.environ.update(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="false",
        EMAIL_USE_SSL="false",
    )
    return server


def stop_smtp_server(server) -> int:
    out, _ = server.communicate("")
    return int(out.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--no-send", action="store_true", help="time preparing only")
    parser.add_argument(
        "--mail",
        choices=["smtp", "locmem"],
        default="smtp",
        help="send to a local SMTP server (the default) or to memory",
    )
    parser.add_argument("--serve-smtp", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_smtp:
        return serve_smtp(args.serve_smtp)
    smtp_server = None
    if args.mail == "locmem":
        os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    elif not args.no_send:
        smtp_server = start_smtp_server()
    setup_django()

    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from councils.alerts import services
    from councils.alerts.models import Subscription

    call_command("migrate", verbosity=0)
    clear()
    now = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)
    yesterday = (now - timedelta(days=1)).replace(hour=12)
    councils, kinds = make_content(yesterday)
    searches = make_subscribers(
        args.subscribers, councils, kinds, yesterday - timedelta(days=30)
    )
    run = services.run_for("daily", now)
    mail.outbox = []

    started = time.perf_counter()
    baseline_rows = len(list(Subscription.objects.due("daily")))
    baseline = time.perf_counter() - started

    started, prepare_cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        found = services.alerts_collect(run)
    prepare = time.perf_counter() - started
    prepare_cpu = time.process_time() - prepare_cpu

    print(f"database: {connection.vendor}, load average {os.getloadavg()}")
    print(f"subscribers: {args.subscribers}, distinct searches: {searches}")
    print(f"baseline (load {baseline_rows} subscriptions): {baseline:.2f} s")
    print(
        f"prepare (alerts_collect): {prepare:.2f} s, {len(queries.captured_queries)} "
        f"queries, {len(found)} subscribers to email"
    )
    print(f"ratio prepare / baseline: {prepare / baseline:.1f}")

    if not args.no_send:
        started, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            result = services.alerts_send(frequency="daily", now=now)
        send = time.perf_counter() - started
        cpu = time.process_time() - cpu
        emails = max(result["sent"], 1)
        print(
            f"send (alerts_send, {args.mail} mail, including its own prepare): "
            f"{send:.2f} s ({cpu:.2f} s of this process's CPU), "
            f"{len(queries.captured_queries)} queries, {result['sent']} emails, "
            f"{1000 * (send - prepare) / emails:.1f} ms per email after preparing "
            f"({1000 * (cpu - prepare_cpu) / emails:.1f} ms of CPU)"
        )
        started = time.perf_counter()
        again = services.alerts_send(frequency="daily", now=now)
        print(
            f"send again: {time.perf_counter() - started:.2f} s, "
            f"{again['sent']} emails (must be 0)"
        )
    clear()
    if smtp_server is not None:
        print(f"the SMTP server accepted {stop_smtp_server(smtp_server)} messages")
    elif args.mail == "locmem" and not args.no_send:
        print(f"{len(mail.outbox)} messages in the in-memory outbox")


if __name__ == "__main__":
    main()
