"""Saving location records in bulk, all or nothing, and recording the run.

Existing services are matched by CQC location ID and only the fields that changed
are written; new services, providers, past ratings, group ratings and service
types are inserted. On PostgreSQL inserts go in with COPY and changes through a
COPY into a temporary table and one UPDATE (``councils/bulk.py``); ``executemany``
elsewhere. A dry run does all of it inside a transaction that is rolled back, so
the preview's counts are exactly what the import will do. A refused run (a bad
file, or a database error while writing) is recorded with its problems and
imports nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection, models, transaction
from django.utils.text import slugify

from councils import clock, search
from councils.audit import ImportAudit
from councils.bulk import DATABASE_ERRORS, RowUpdates, insert_rows, refresh_statistics
from councils.models import TypeOfCare

from ..documents import as_indexed
from ..models import (
    CareService,
    CqcImport,
    GroupRating,
    PastRating,
    Provider,
    ServiceType,
    Specialism,
)
from .report import ImportReport
from .vocabulary import TYPES_OF_CARE

ANALYZE_AFTER = 1000
MAX_RECORDED_PROBLEMS = 1000
# Services' search documents are short: a region's services (a few thousand) are
# read and written in one go, not a thousand at a time.
SEARCH_BATCH = 5000


@dataclass
class LocationRecord:
    """What one of CQC's files says about one location."""

    location_id: str
    fields: dict
    # Fields only set when the service is added (the ratings files' addresses are
    # less complete than the directory's, so they never overwrite it).
    new_fields: dict = field(default_factory=dict)
    provider_id: str = ""
    provider_name: str = ""
    # ServiceType names, or None to leave the service's types as they are.
    service_types: list[str] | None = None
    # Specialism names, or None to leave them as they are.
    specialisms: list[str] | None = None
    # {(service or population group, KeyQuestion value): (rating, published on)},
    # or None to leave the service's group ratings as they are.
    group_ratings: dict | None = None


class _Rollback(Exception):
    pass


def save_records(
    records: dict[str, LocationRecord],
    *,
    report: ImportReport,
    register: bool,
    user=None,
    run_by: str = "",
) -> None:
    """Write the records; with ``register`` (a file listing every registered
    location) also mark services missing from it as having left CQC's register.
    A real run records each service added or changed in the audit trail, under
    its council, in the same transaction. A database error refuses the whole file
    (and is recorded as a refusal)."""
    audit = None
    if not report.dry_run:
        audit = ImportAudit(
            model=CareService,
            source=f"{report.kind_label} import: {report.file_name}",
            user=user,
            run_by=run_by,
        )
    try:
        with transaction.atomic():
            written, added = _write(
                records, report=report, register=register, audit=audit
            )
            if report.dry_run:
                raise _Rollback
            # Written in bulk, without the signals that keep the site search
            # current: the documents of the services changed, read back, and of
            # those added, from what was written.
            search.index_ids("service", written, batch=SEARCH_BATCH)
            search.index_new("service", added)
            report.run_id = record_run(report, user=user).pk
    except _Rollback:
        pass
    except DATABASE_ERRORS as error:
        # Rolled back whole, like any refusal: a clear reason, never a server error.
        report.problem(
            "The database refused the import, so nothing was written: "
            f"{(str(error).splitlines() or [type(error).__name__])[0]}"
        )
        record_run(report, user=user)


def record_run(report: ImportReport, *, user=None) -> CqcImport:
    """Record an import, or a refusal with every problem (row, column, reason)."""
    refused = report.has_errors
    return CqcImport.objects.create(
        kind=report.kind,
        file_name=report.file_name[:255],
        outcome=CqcImport.Outcome.REFUSED if refused else CqcImport.Outcome.IMPORTED,
        preview=refused and report.dry_run,
        problems=_recorded_problems(report.problems),
        produced_on=report.produced_on,
        imported_by=user if user and user.is_authenticated else None,
        added=0 if refused else report.added,
        updated=0 if refused else report.updated,
        unchanged=0 if refused else report.unchanged,
        deregistered=0 if refused else report.deregistered,
        outside_regions=report.outside_regions,
        not_social_care=report.not_social_care,
        england={} if refused else report.england,
    )


def _recorded_problems(problems) -> list[dict]:
    """The problems as stored with a refused run: a file where every row is wrong
    keeps its first thousand and a count of the rest."""
    kept = [
        {"row": p.row, "column": p.column, "reason": p.reason}
        for p in problems[:MAX_RECORDED_PROBLEMS]
    ]
    if len(problems) > MAX_RECORDED_PROBLEMS:
        more = len(problems) - MAX_RECORDED_PROBLEMS
        kept.append(
            {"row": None, "column": "", "reason": f"and {more:,} more problems"}
        )
    return kept


def _columns(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


# Field types whose Python values psycopg and sqlite3 take as they are; values of
# other types (date-times, whose form SQLite stores differently) go through the
# field's own get_db_prep_save.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BooleanField",
    "CharField",
    "DateField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "SlugField",
    "TextField",
    "URLField",
}


def _insert(model, rows: list[dict]) -> None:
    """Insert new rows, each a dict of field attnames to values (fields left out
    take their defaults), in one COPY (PostgreSQL) or executemany. No model
    instances are built: on a national file that halves the time of the write."""
    if not rows:
        return
    fields = _columns(model)
    defaults = {f.attname: f.get_default() for f in fields}
    values = itemgetter(*defaults) if len(fields) > 1 else _one(fields[0].attname)
    prepared = [(i, _Prepared(f)) for i, f in enumerate(fields) if not _plain(f)]
    tuples = [values({**defaults, **row}) for row in rows]
    if prepared:
        tuples = [_prepare(list(row), prepared) for row in tuples]
    insert_rows(model, [f.column for f in fields], tuples)


def _one(name: str):
    return lambda row: (row[name],)


def _prepare(row: list, prepared) -> tuple:
    for i, prepare in prepared:
        row[i] = prepare(row[i])
    return tuple(row)


def _plain(field: models.Field) -> bool:
    return field.get_internal_type() in PLAIN_TYPES


class _Prepared(dict):
    """A field's values as the database takes them, each distinct value prepared
    once: every row of an import has the same ``imported_at``, say."""

    def __init__(self, field: models.Field):
        super().__init__()
        self.field = field

    def __call__(self, value):
        try:
            return self[value]
        except KeyError:
            prepared = self[value] = self.field.get_db_prep_save(value, connection)
            return prepared
        except TypeError:  # unhashable (a JSON value)
            return self.field.get_db_prep_save(value, connection)


def _update(model, objects: list, names: list[str]) -> None:
    """Write the named fields of existing objects: one COPY into a temporary table
    and one UPDATE (PostgreSQL) or executemany."""
    if not objects:
        return
    columns = [model._meta.get_field(name) for name in names]
    updates = RowUpdates(model, [f.column for f in columns])
    prepared = [(f.attname, None if _plain(f) else _Prepared(f)) for f in columns]
    updates.add(
        [
            (
                o.pk,
                *(
                    getattr(o, name) if prepare is None else prepare(getattr(o, name))
                    for name, prepare in prepared
                ),
            )
            for o in objects
        ]
    )
    updates.apply()
    if connection.vendor == "postgresql":
        # The next update of this table in the transaction may change other columns.
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {updates.changes}")


def _providers(records) -> tuple[dict[str, int], list[int], dict[int, str]]:
    """The pk of each record's provider by CQC provider ID, adding new providers
    and renaming those CQC names differently now; the pks of those renamed; and
    the name of each record's provider by pk, as written."""
    wanted = {r.provider_id: r.provider_name for r in records if r.provider_id}
    if not wanted:
        return {}, [], {}
    # Every registered provider in one plain query: cheaper than an IN list of
    # thousands of IDs, and no model instances.
    known = {
        pid: (pk, name)
        for pk, pid, name in Provider.objects.exclude(cqc_provider_id="").values_list(
            "pk", "cqc_provider_id", "name"
        )
    }
    renamed = [
        Provider(pk=known[pid][0], name=name)
        for pid, name in wanted.items()
        if pid in known and name and known[pid][1] != name
    ]
    _update(Provider, renamed, ["name"])
    new = [
        {"cqc_provider_id": pid, "name": name or pid}
        for pid, name in wanted.items()
        if pid not in known
    ]
    _insert(Provider, new)
    renamed_ids = [p.pk for p in renamed]
    if new:
        ids = dict(
            Provider.objects.exclude(cqc_provider_id="").values_list(
                "cqc_provider_id", "pk"
            )
        )
    else:
        ids = {pid: pk for pid, (pk, _name) in known.items()}
    names = {
        ids[pid]: name or (known[pid][1] if pid in known else pid)
        for pid, name in wanted.items()
    }
    return ids, renamed_ids, names


def _vocabulary(model, names: set[str]) -> dict[str, int]:
    """The pk of each term by name, adding the terms not yet known."""
    if not names:
        return {}
    ids = dict(model.objects.filter(name__in=names).values_list("name", "pk"))
    if not names - set(ids):
        return ids
    taken = set(model.objects.values_list("slug", flat=True))
    new = []
    for name in sorted(names - set(ids)):
        slug = base = slugify(name)[:140] or "service-type"
        number = 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        new.append(model(name=name[:150], slug=slug, **_extra(model, name)))
    model.objects.bulk_create(new)
    if new:
        ids |= dict(
            model.objects.filter(name__in=[t.name for t in new]).values_list(
                "name", "pk"
            )
        )
    return ids


def _write(
    records: dict[str, LocationRecord],
    *,
    report: ImportReport,
    register,
    audit: ImportAudit | None,
) -> tuple[set[int], set[int]]:
    """Write the records; the pks of the existing services changed and those of
    the services added (whose site search documents are to be made again)."""
    now = clock.now()
    # Each existing service's changes for the audit trail: {field: (old, new)}.
    audited: dict[str, dict] = {}
    provider_ids, renamed_providers, provider_names = _providers(records.values())
    # Every field: deferring some (only()) makes building each instance slower.
    existing = {
        s.cqc_location_id: s for s in CareService.objects.exclude(cqc_location_id="")
    }
    to_create: list[dict] = []
    changed_services: list[CareService] = []
    changed_fields: set[str] = set()
    past: list[dict] = []
    touched: set[str] = set()
    for location_id, record in records.items():
        values = dict(record.fields)
        if record.provider_id:
            values["provider_id"] = provider_ids[record.provider_id]
        values["deregistered_on"] = None
        service = existing.get(location_id)
        if service is None:
            to_create.append(
                {
                    "cqc_location_id": location_id,
                    "imported_at": now,
                    **record.new_fields,
                    **values,
                    "rating_recorded_at": now if values.get("rating") else None,
                }
            )
            continue
        changed = tuple(
            sorted(
                name
                for name, value in values.items()
                if getattr(service, name) != value
            )
        )
        if not changed:
            continue
        if service.rating and ("rating" in changed or "rating_published_on" in changed):
            past.append(
                {
                    "service_id": service.pk,
                    "rating": service.rating,
                    "published_on": service.rating_published_on,
                    "replaced_on": report.produced_on,
                }
            )
        audited[location_id] = {
            name: (getattr(service, name), values[name]) for name in changed
        }
        for name in changed:
            setattr(service, name, values[name])
        if service.rating and ("rating" in changed or "rating_published_on" in changed):
            service.rating_recorded_at = now
            changed += ("rating_recorded_at",)
        service.imported_at = now
        changed_services.append(service)
        changed_fields.update(changed)
        touched.add(location_id)
    _insert(CareService, to_create)
    _update(CareService, changed_services, [*sorted(changed_fields), "imported_at"])
    _insert(PastRating, past)
    report.added = len(to_create)
    service_ids = {s.cqc_location_id: s.pk for s in existing.values()}
    if to_create:
        service_ids = dict(
            CareService.objects.exclude(cqc_location_id="").values_list(
                "cqc_location_id", "pk"
            )
        )
    touched |= _set_group_ratings(
        records, service_ids, existing, audited if audit else None
    )
    for attribute, model in MANY:
        touched |= _set_many(
            records, attribute, model, service_ids, existing, audited if audit else None
        )
    report.updated = len(touched)
    report.unchanged = len(records) - report.added - report.updated
    if register:
        gone = CareService.objects.exclude(cqc_location_id="").filter(
            deregistered_on__isnull=True
        )
        gone = [
            s
            for s in gone.only("pk", "cqc_location_id")
            if s.cqc_location_id not in records
            and s.cqc_location_id not in report.listed
        ]
        for service in gone:
            service.deregistered_on = report.produced_on
            audited.setdefault(service.cqc_location_id, {})["deregistered_on"] = (
                None,
                report.produced_on,
            )
        _update(CareService, gone, ["deregistered_on"])
        report.deregistered = len(gone)
    if len(to_create) >= ANALYZE_AFTER:
        # The planner learns the table's new size before the next import and pages.
        refresh_statistics(CareService)
    if audit is not None:
        _audit(audit, to_create, audited, existing, service_ids)
    terms = _terms_in_order(records) if to_create else {}
    added = [
        as_indexed(
            values,
            pk=service_ids[values["cqc_location_id"]],
            provider_name=provider_names.get(values.get("provider_id"), ""),
            **{
                attribute: order.ordered(records[values["cqc_location_id"]])
                for attribute, order in terms.items()
            },
        )
        for values in to_create
    ]
    written = {service_ids[location_id] for location_id in touched}
    if register:
        written |= {s.pk for s in gone}
    if renamed_providers:
        # A provider's name is in each of its services' documents.
        written |= set(
            CareService.objects.filter(provider_id__in=renamed_providers).values_list(
                "pk", flat=True
            )
        )
    # The services added get their documents from what was written, not read back.
    return written - {s.pk for s in added}, added


class _TermOrder:
    """A record's terms of one many-to-many field in the order the database lists
    them (the vocabulary's ordering, in the database's collation)."""

    def __init__(self, attribute: str, model, records):
        self.attribute = attribute
        names = {n for r in records.values() for n in getattr(r, attribute) or ()}
        self.rank = {
            name: i
            for i, name in enumerate(
                model.objects.filter(name__in=names).values_list("name", flat=True)
                if names
                else ()
            )
        }

    def ordered(self, record) -> list[str]:
        names = set(getattr(record, self.attribute) or ())
        return sorted((n for n in names if n in self.rank), key=self.rank.__getitem__)


def _terms_in_order(records) -> dict[str, _TermOrder]:
    return {
        attribute: _TermOrder(attribute, model, records) for attribute, model in MANY
    }


def _audit(audit, created, audited, existing, service_ids) -> None:
    """Each service added or changed, in the audit trail under its council."""
    for values in created:
        audit.added(
            council_id=values["council_id"],
            object_id=service_ids.get(values["cqc_location_id"]),
            object_repr=f"{values['name']} ({values['cqc_location_id']})",
            values={
                k: v
                for k, v in values.items()
                if k not in ("imported_at", "rating_recorded_at")
            },
        )
    for location_id, changes in audited.items():
        service = existing.get(location_id)
        if service is None:  # a new service's terms: part of its addition
            continue
        audit.changed(
            council_id=service.council_id,
            object_id=service.pk,
            object_repr=f"{service.name} ({location_id})",
            changes=changes,
        )
    audit.write()


def _extra(model, name: str) -> dict:
    """A new CQC service type is placed in the portal's type of care at once."""
    if model is not ServiceType or name not in TYPES_OF_CARE:
        return {}
    type_of_care = TypeOfCare.objects.filter(slug=TYPES_OF_CARE[name]).first()
    return {"type_of_care": type_of_care}


MANY = [("service_types", ServiceType), ("specialisms", Specialism)]


def _set_many(
    records, attribute, model, service_ids, existing, audited=None
) -> set[str]:
    """Set each record's terms of one many-to-many field; the location IDs of
    existing services whose terms changed. With ``audited``, each existing
    service's old and new term names are added to its changes."""
    if all(getattr(r, attribute) is None for r in records.values()):
        return set()
    names = {n for r in records.values() for n in getattr(r, attribute) or []}
    term_ids = _vocabulary(model, names)
    through = getattr(CareService, attribute).through
    term_field = f"{model._meta.model_name}_id"
    current: dict[int, set[int]] = defaultdict(set)
    for service_id, term_id in through.objects.values_list(
        "careservice_id", term_field
    ):
        current[service_id].add(term_id)
    add, remove, touched = [], defaultdict(list), set()
    names_by_id = None
    for location_id, record in records.items():
        terms = getattr(record, attribute)
        if terms is None:
            continue
        service_id = service_ids[location_id]
        wanted = {term_ids[name] for name in terms}
        have = current.get(service_id, set())
        if wanted == have:
            continue
        if location_id in existing:
            touched.add(location_id)
            if audited is not None:
                if names_by_id is None:
                    names_by_id = dict(model.objects.values_list("pk", "name"))
                audited.setdefault(location_id, {})[attribute] = (
                    sorted(names_by_id.get(pk, str(pk)) for pk in have),
                    sorted(terms),
                )
        add += [{"careservice_id": service_id, term_field: t} for t in wanted - have]
        remove[service_id] += list(have - wanted)
    _insert(through, add)
    for service_id, gone in remove.items():
        if gone:
            through.objects.filter(
                careservice_id=service_id, **{f"{term_field}__in": gone}
            ).delete()
    return touched


def _set_group_ratings(records, service_ids, existing, audited=None) -> set[str]:
    """Replace the group ratings of services whose file rows carry them and
    differ; the location IDs of existing services whose group ratings changed
    (with ``audited``, their old and new ratings are added to its changes)."""
    wanted = {
        service_ids[location_id]: record.group_ratings
        for location_id, record in records.items()
        if record.group_ratings is not None
    }
    if not wanted:
        return set()
    current: dict[int, dict] = defaultdict(dict)
    if existing:
        # The group ratings of every service with a location ID (the ones
        # ``existing`` holds): a join, not an IN list of thousands of pks.
        rows = GroupRating.objects.exclude(service__cqc_location_id="").order_by()
        rows = rows.values_list(
            "service_id", "group", "key_question", "rating", "published_on"
        )
        for service_id, group, question, rating, published in rows.iterator():
            current[service_id][group, question] = (rating, published)
    add, replaced = [], []
    for service_id, ratings in wanted.items():
        if current.get(service_id, {}) == ratings:
            continue
        if service_id in current:
            replaced.append(service_id)
        add += [
            {
                "service_id": service_id,
                "group": group,
                "key_question": question,
                "rating": rating,
                "published_on": published,
            }
            for (group, question), (rating, published) in ratings.items()
        ]
    if replaced:
        GroupRating.objects.filter(service_id__in=replaced).delete()
    _insert(GroupRating, add)
    by_id = {s.pk: location_id for location_id, s in existing.items()}
    changed = {
        by_id[service_id]: service_id
        for service_id in wanted
        if service_id in by_id and current.get(service_id, {}) != wanted[service_id]
    }
    if audited is not None:
        for location_id, service_id in changed.items():
            audited.setdefault(location_id, {})["group_ratings"] = (
                _described(current.get(service_id, {})),
                _described(wanted[service_id]),
            )
    return set(changed)


def _described(ratings: dict) -> list[str]:
    return sorted(
        f"{group}, {question}: {rating}"
        for (group, question), (rating, _published) in ratings.items()
    )
