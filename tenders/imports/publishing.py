"""What an import's written tenders go through: review, or publication at once.

An import writes the council's working copies, as an editor's save does. Then,
inside the import's transaction (all or nothing, like the rows):

- a council whose changes need a second person, imported by a commissioner: the
  tenders written wait for review (submitted by the importer, so another approver
  publishes each from its Publish page) and readers keep the published versions;
- otherwise (and from the command line, which no review can come from, as for
  ``councils.publishing.publish``): they are published now, each with a version
  in its history, a major ``Publication`` in What changed and a live copy, written
  a batch at a time rather than one publish() call per tender.
"""

import reversion
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from councils import clock, search
from councils.models import EditorialState, Publication
from councils.publishing import FIRST_PUBLISHED_NOTE, default_review_by

from ..models import Tender

BATCH_SIZE = 1000
RELATIONS = ("types_of_care", "client_groups", "cpv_codes")
THROUGH_KEYS = {
    "types_of_care": "typeofcare_id",
    "client_groups": "clientgroup_id",
    "cpv_codes": "cpvcode_id",
}


def sends_for_review(council, user) -> bool:
    """Whether an import by ``user`` waits for review rather than publishing."""
    return council.requires_review and user is not None


def imported_tenders_publish(*, council, pks: list[int], user, file_name: str) -> None:
    """Publish, or send for review, the working copies an import wrote."""
    for start in range(0, len(pks), BATCH_SIZE):
        batch = pks[start : start + BATCH_SIZE]
        if sends_for_review(council, user):
            _submit(batch, user, file_name)
        else:
            _publish(council, batch, user, file_name)


def _working_copies(pks):
    return list(
        Tender.objects.filter(pk__in=pks)
        .select_related("council")
        .prefetch_related(*RELATIONS)
        .order_by("pk")
    )


def _record_versions(tenders, user, comment) -> dict[int, Version]:
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        for tender in tenders:
            reversion.add_to_revision(tender)
    newest = {}
    for version in (
        Version.objects.get_for_model(Tender)
        .filter(object_id__in=[str(t.pk) for t in tenders])
        .order_by("pk")
    ):
        newest[int(version.object_id)] = version
    return newest


def _submit(pks, user, file_name) -> None:
    now = clock.now()
    Tender.objects.filter(pk__in=pks).update(
        editorial_state=EditorialState.SUBMITTED,
        submitted_by=user,
        submitted_at=now,
        review_comment="",
    )
    _record_versions(
        _working_copies(pks), user, f"Imported from {file_name}: submitted for review."
    )


def _publish(council, pks, user, file_name) -> None:
    now = clock.now()
    tenders = _working_copies(pks)
    when = timezone.localtime(now)
    with transaction.atomic():
        previous = {}
        for publication in Publication.objects.filter(
            content_type__app_label="tenders",
            content_type__model="tender",
            object_id__in=pks,
        ).order_by("publish_at", "pk"):
            previous[publication.object_id] = publication
        for tender in tenders:
            tender.editorial_state = EditorialState.PUBLISHED
            tender.first_published_at = tender.first_published_at or now
            tender.published_at = tender.first_published_at
            tender.content_updated_at = now
            tender.review_by = default_review_by(now)
            tender.submitted_by = tender.submitted_at = None
            tender.review_comment = ""
        Tender.objects.bulk_update(
            tenders,
            [
                "editorial_state",
                "first_published_at",
                "published_at",
                "content_updated_at",
                "review_by",
                "submitted_by",
                "submitted_at",
                "review_comment",
            ],
        )
        versions = _record_versions(
            tenders,
            user,
            f"Published (major change) for {when:%d %b %Y %H:%M}: imported from "
            f"{file_name}.",
        )
        content_type_id = next(iter(versions.values())).content_type_id
        publications = Publication.objects.bulk_create(
            [
                Publication(
                    content_type_id=content_type_id,
                    object_id=tender.pk,
                    council=council,
                    title=f"{council.name}: {tender}",
                    url=tender.get_absolute_url(),
                    publish_at=now,
                    major=True,
                    note=(
                        f"Updated from the council's tender table ({file_name})."
                        if tender.pk in previous
                        else FIRST_PUBLISHED_NOTE
                    ),
                    version=versions[tender.pk],
                    previous=previous.get(tender.pk),
                    published_by=user,
                )
                for tender in tenders
            ]
        )
        Publication.types_of_care.through.objects.bulk_create(
            [
                Publication.types_of_care.through(
                    publication_id=publication.pk, typeofcare_id=type_of_care.pk
                )
                for tender, publication in zip(tenders, publications, strict=True)
                for type_of_care in tender.types_of_care.all()
            ]
        )
        # The new live copies replace every earlier one: they are due now.
        with search.deleting_in_bulk():
            Tender._base_manager.filter(live_of__in=pks).delete()
        fields = [f.attname for f in Tender._meta.concrete_fields if not f.primary_key]
        copies = []
        for tender, publication in zip(tenders, publications, strict=True):
            copy = Tender(**{name: getattr(tender, name) for name in fields})
            copy.live_of_id = tender.pk
            copy.publish_at = now
            copy.lock_version = 0
            copy.publication = publication
            copies.append(copy)
        copies = Tender._base_manager.bulk_create(copies)
        for name in RELATIONS:
            through = getattr(Tender, name).through
            key = THROUGH_KEYS[name]
            through.objects.bulk_create(
                [
                    through(tender_id=copy.pk, **{key: term.pk})
                    for tender, copy in zip(tenders, copies, strict=True)
                    for term in getattr(tender, name).all()
                ]
            )
