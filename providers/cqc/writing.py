"""Saving location records in bulk, all or nothing, and recording the run.

Existing services are matched by CQC location ID and only the fields that changed
are written (one bulk_update over the changed fields); new services, providers,
service types and past ratings are bulk-created. A dry run does all of it inside a
transaction that is rolled back, so the preview's counts are exactly what the
import will do.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from councils import clock
from councils.audit import ImportAudit
from councils.bulk import DATABASE_ERRORS
from councils.models import TypeOfCare

from ..models import (
    CareService,
    CqcImport,
    PastRating,
    Provider,
    ServiceType,
    Specialism,
)
from .report import ImportReport
from .vocabulary import TYPES_OF_CARE

BATCH = 500
UPDATE_BATCH = 100


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
    its council, in the same transaction."""
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
            _write(records, report=report, register=register, audit=audit)
            if report.dry_run:
                raise _Rollback
            report.run_id = CqcImport.objects.create(
                kind=report.kind,
                file_name=report.file_name[:255],
                produced_on=report.produced_on,
                imported_by=user if user and user.is_authenticated else None,
                added=report.added,
                updated=report.updated,
                unchanged=report.unchanged,
                deregistered=report.deregistered,
                outside_regions=report.outside_regions,
                not_social_care=report.not_social_care,
                england=report.england,
            ).pk
    except _Rollback:
        pass
    except DATABASE_ERRORS as error:
        # Rolled back whole, like any refusal: a clear reason, never a server error.
        report.problem(
            "The database refused the import, so nothing was written: "
            f"{(str(error).splitlines() or [type(error).__name__])[0]}"
        )


def _providers(records) -> dict[str, int]:
    wanted = {r.provider_id: r.provider_name for r in records if r.provider_id}
    existing = {
        p.cqc_provider_id: p
        for p in Provider.objects.filter(cqc_provider_id__in=list(wanted))
    }
    renamed = []
    for provider_id, name in wanted.items():
        provider = existing.get(provider_id)
        if provider is not None and name and provider.name != name:
            provider.name = name
            renamed.append(provider)
    Provider.objects.bulk_update(renamed, ["name"], batch_size=BATCH)
    new = [
        Provider(cqc_provider_id=pid, name=name or pid)
        for pid, name in wanted.items()
        if pid not in existing
    ]
    Provider.objects.bulk_create(new, batch_size=BATCH)
    ids = {p.cqc_provider_id: p.pk for p in existing.values()}
    if new:
        ids |= dict(
            Provider.objects.filter(
                cqc_provider_id__in=[p.cqc_provider_id for p in new]
            ).values_list("cqc_provider_id", "pk")
        )
    return ids


def _vocabulary(model, names: set[str]) -> dict[str, int]:
    """The pk of each term by name, adding the terms not yet known."""
    ids = dict(model.objects.filter(name__in=names).values_list("name", "pk"))
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
):
    now = clock.now()
    # Each existing service's changes for the audit trail: {field: (old, new)}.
    audited: dict[str, dict] = {}
    provider_ids = _providers(records.values())
    existing = {
        s.cqc_location_id: s for s in CareService.objects.exclude(cqc_location_id="")
    }
    to_create: list[CareService] = []
    changed_services: list[CareService] = []
    changed_fields: set[str] = set()
    past: list[PastRating] = []
    touched: set[str] = set()
    for location_id, record in records.items():
        values = dict(record.fields)
        if record.provider_id:
            values["provider_id"] = provider_ids[record.provider_id]
        values["deregistered_on"] = None
        service = existing.get(location_id)
        if service is None:
            to_create.append(
                CareService(
                    cqc_location_id=location_id,
                    imported_at=now,
                    **record.new_fields,
                    **values,
                )
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
                PastRating(
                    service=service,
                    rating=service.rating,
                    published_on=service.rating_published_on,
                    replaced_on=report.produced_on,
                )
            )
        audited[location_id] = {
            name: (getattr(service, name), values[name]) for name in changed
        }
        for name in changed:
            setattr(service, name, values[name])
        service.imported_at = now
        changed_services.append(service)
        changed_fields.update(changed)
        touched.add(location_id)
    CareService.objects.bulk_create(to_create, batch_size=BATCH)
    # One bulk_update over every changed field: unchanged values are written back
    # as they are, which costs less than one UPDATE per combination of fields.
    # bulk_update's CASE WHEN grows with rows times fields; small batches keep it
    # linear.
    CareService.objects.bulk_update(
        changed_services,
        [*sorted(changed_fields), "imported_at"],
        batch_size=UPDATE_BATCH,
    )
    PastRating.objects.bulk_create(past, batch_size=BATCH)
    report.added = len(to_create)
    service_ids = {s.cqc_location_id: s.pk for s in existing.values()}
    if to_create:
        service_ids |= dict(
            CareService.objects.filter(
                cqc_location_id__in=[s.cqc_location_id for s in to_create]
            ).values_list("cqc_location_id", "pk")
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
        CareService.objects.bulk_update(gone, ["deregistered_on"], batch_size=BATCH)
        report.deregistered = len(gone)
    if audit is not None:
        _audit(audit, to_create, audited, existing, service_ids)


def _audit(audit, created, audited, existing, service_ids) -> None:
    """Each service added or changed, in the audit trail under its council."""
    for service in created:
        values = {
            field.attname: getattr(service, field.attname)
            for field in CareService._meta.concrete_fields
            if not field.primary_key and field.attname != "imported_at"
        }
        audit.added(
            council_id=service.council_id,
            object_id=service_ids.get(service.cqc_location_id),
            object_repr=f"{service.name} ({service.cqc_location_id})",
            values=values,
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
        add += [
            through(careservice_id=service_id, **{term_field: t}) for t in wanted - have
        ]
        remove[service_id] += list(have - wanted)
    through.objects.bulk_create(add, batch_size=BATCH)
    for service_id, gone in remove.items():
        if gone:
            through.objects.filter(
                careservice_id=service_id, **{f"{term_field}__in": gone}
            ).delete()
    return touched
