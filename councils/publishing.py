"""Publishing council content: save a working copy, submit, review, publish, archive.

Works for any model built on ``councils.models.Publishable``. Editors change the
working copy; readers see live copies, made here on publishing. Every step is kept
as a django-reversion version, and each publication is a ``Publication`` row, the
public change log.
"""

import datetime

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from . import clock
from .audit import record_event
from .models import AuditEntry, Council, EditorialState, Publication, Publishable

REVIEW_AFTER_MONTHS = 12
FIRST_PUBLISHED_NOTE = "First published."


def owning_council(obj) -> Council:
    """The council an object belongs to, through its model's ``council_path``."""
    for name in obj.council_path.split("__"):
        obj = getattr(obj, name)
    return obj


def types_of_care_of(obj) -> list[int]:
    """The ids of the types of care an item is about, through a ``types_of_care``
    or ``type_of_care`` field; none for content about no one type (MPS sections)."""
    names = {field.name for field in obj._meta.get_fields()}
    if "types_of_care" in names and obj.pk is not None:
        return list(obj.types_of_care.values_list("pk", flat=True))
    if "type_of_care" in names and obj.type_of_care_id is not None:
        return [obj.type_of_care_id]
    return []


def default_review_by(published: datetime.datetime) -> datetime.date:
    """Twelve months after publishing (28 February for a 29 February)."""
    day = timezone.localtime(published).date()
    try:
        return day.replace(year=day.year + REVIEW_AFTER_MONTHS // 12)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def newest_copy(obj: Publishable):
    """The latest live copy, live or scheduled, or None if never published."""
    if obj.pk is None:
        return None
    return type(obj)._base_manager.filter(live_of=obj).order_by("-publish_at").first()


def has_pending_changes(obj: Publishable) -> bool:
    """Whether the working copy differs from the newest live copy."""
    copy = newest_copy(obj)
    return copy is None or copy.content() != obj.content()


def versions_of(obj: Publishable):
    """Every stored version of an item, newest first, with who saved it."""
    return Version.objects.get_for_object(obj).select_related("revision__user")


def _title(obj) -> str:
    """The item as the change log names it, with its council."""
    council = owning_council(obj).name
    return str(obj) if str(obj).startswith(council) else f"{council}: {obj}"


def _record_version(obj, user, comment: str) -> Version:
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        reversion.add_to_revision(obj)
    return versions_of(obj).first()


def _set_state(obj, **fields) -> None:
    """Change workflow fields only: the edit lock stays, so an editor's open form
    can still be saved after someone else submits or publishes."""
    for name, value in fields.items():
        setattr(obj, name, value)
    type(obj)._base_manager.filter(pk=obj.pk).update(**fields)


def working_copy_save(
    *, obj: Publishable, user, comment: str = "", save_related=None
) -> None:
    """Save an editor's change to the working copy as a new version.

    ``save_related`` (the admin's many-to-many and inline saves) runs inside the
    same version. Live copies are untouched, so readers keep the published
    version. A change to the content sends a submission back to draft, so nobody
    approves words they have not seen.
    """
    stored = None if obj.pk is None else type(obj)._default_manager.get(pk=obj.pk)
    before = stored.content() if stored else None
    obj.lock_version += 1
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment or "Saved the working copy.")
        obj.save()
        if save_related is not None:
            save_related()
        if before != obj.content() and obj.editorial_state != EditorialState.ARCHIVED:
            pending = not obj.has_been_published or has_pending_changes(obj)
            obj.editorial_state = (
                EditorialState.DRAFT if pending else EditorialState.PUBLISHED
            )
            obj.submitted_by = obj.submitted_at = None
            # Saved again so the version records the new state.
            obj.save(update_fields=["editorial_state", "submitted_by", "submitted_at"])
        if stored is not None and stored.review_by != obj.review_by:
            type(obj)._base_manager.filter(live_of=obj).update(review_by=obj.review_by)


def publish_errors(*, obj, user, major, note, publish_at, now=None) -> dict:
    """Why this publication is refused, by form field ("__all__" for the rest)."""
    now = now or clock.now()
    council = owning_council(obj)
    errors = {}
    # No user is a load from code (the demo data), which no review can come from.
    if council.requires_review and user is not None:
        if obj.editorial_state != EditorialState.SUBMITTED:
            errors["__all__"] = (
                f"{council.name} reviews changes before they are published: submit "
                "them for review first."
            )
        elif not council.can_approve(user):
            errors["__all__"] = (
                f"Only an approver for {council.name} can publish these changes."
            )
        elif obj.submitted_by_id == user.pk:
            errors["__all__"] = (
                "You submitted these changes, so another approver must publish them."
            )
    if (
        "__all__" not in errors
        and obj.has_been_published
        and obj.editorial_state != EditorialState.ARCHIVED
        and not has_pending_changes(obj)
    ):
        errors["__all__"] = "Nothing has changed since the published version."
    if major and not (note or "").strip() and obj.has_been_published:
        errors["note"] = "Write a one-line note telling readers what changed."
    if publish_at is not None and publish_at < now:
        errors["publish_at"] = (
            "That time has passed: choose a time in the future, or leave it empty "
            "to publish now."
        )
    return errors


def publish(
    *,
    obj: Publishable,
    user,
    major: bool,
    note: str = "",
    publish_at: datetime.datetime | None = None,
    review_by: datetime.date | None = None,
) -> Publication:
    """Publish the working copy now, or schedule it for ``publish_at``.

    The first publication is always a major change. A minor change keeps the
    "Last updated" date and the change note readers were last shown.
    """
    now = clock.now()
    errors = publish_errors(
        obj=obj, user=user, major=major, note=note, publish_at=publish_at, now=now
    )
    if errors:
        raise ValidationError(errors)
    model = type(obj)
    first = not obj.has_been_published
    major = major or first
    note = (note or "").strip() or (FIRST_PUBLISHED_NOTE if first else "")
    publish_at = publish_at or now
    review_by = review_by or default_review_by(publish_at)
    with transaction.atomic():
        # A new publication replaces one still waiting for its time.
        Publication.objects.for_object(obj).filter(publish_at__gt=now).delete()
        model._base_manager.filter(live_of=obj, publish_at__gt=now).delete()
        last_major = Publication.objects.for_object(obj).filter(major=True).first()
        submitted_by = obj.submitted_by
        _set_state(
            obj,
            editorial_state=EditorialState.PUBLISHED,
            first_published_at=obj.first_published_at or publish_at,
            review_by=review_by,
            content_updated_at=(
                publish_at if major else obj.content_updated_at or publish_at
            ),
            submitted_by=None,
            submitted_at=None,
            review_comment="",
        )
        when = timezone.localtime(publish_at)
        version = _record_version(
            obj,
            user,
            ("Published" if publish_at <= now else "Scheduled")
            + f" ({'major' if major else 'minor'} change) for {when:%d %b %Y %H:%M}"
            + (f": {note}" if note else "."),
        )
        publication = Publication.objects.create(
            content_type_id=version.content_type_id,
            object_id=obj.pk,
            council=owning_council(obj),
            title=_title(obj),
            url=obj.get_absolute_url(),
            publish_at=publish_at,
            major=major,
            note=note,
            version=version,
            previous=Publication.objects.for_object(obj).first(),
            published_by=user,
            submitted_by=submitted_by,
        )
        publication.types_of_care.set(types_of_care_of(obj))
        copy = model._base_manager.get(pk=obj.pk)
        copy.pk = copy.id = None
        copy._state.adding = True
        copy.live_of = obj
        copy.publish_at = publish_at
        copy.lock_version = 0
        # Set above: moved by major changes only.
        copy.content_updated_at = obj.content_updated_at
        copy.publication = publication if major else last_major or publication
        copy.save()
        for field in model._meta.many_to_many:
            getattr(copy, field.name).set(getattr(obj, field.name).all())
        # The copy readers see now is replaced by the new one at its time (and
        # no longer by any scheduled copy deleted above).
        family = model._default_manager.every_copy().filter(live_of=obj)
        family.set_replaced_at()
        # Copies that will never be seen again: all but the one readers see now
        # and the new one.
        keep = [copy.pk, *model.live.filter(live_of=obj).values_list("pk", flat=True)]
        model._base_manager.filter(live_of=obj).exclude(pk__in=keep).delete()
        record_event(
            user=user,
            council=owning_council(obj),
            action=AuditEntry.Action.PUBLISHED,
            obj=obj,
            changes={
                "change": "major" if major else "minor",
                "note": note,
                "publish_at": publish_at.isoformat(),
            },
            message=note or "Minor change",
        )
    return publication


def submit(*, obj: Publishable, user) -> None:
    """Put the working copy in the council's review queue."""
    if obj.editorial_state == EditorialState.SUBMITTED:
        raise ValidationError("These changes are already waiting for review.")
    if obj.has_been_published and not has_pending_changes(obj):
        raise ValidationError("Nothing has changed since the published version.")
    _set_state(
        obj,
        editorial_state=EditorialState.SUBMITTED,
        submitted_by=user,
        submitted_at=clock.now(),
        review_comment="",
    )
    _record_version(obj, user, "Submitted for review.")


def return_to_editor(*, obj: Publishable, user, comment: str) -> None:
    """Send a submission back to draft with the approver's comment."""
    council = owning_council(obj)
    if obj.editorial_state != EditorialState.SUBMITTED:
        raise ValidationError("These changes are not waiting for review.")
    if not council.can_approve(user):
        raise ValidationError(
            f"Only an approver for {council.name} can return changes."
        )
    if not comment.strip():
        raise ValidationError({"comment": "Say what needs changing."})
    _set_state(
        obj,
        editorial_state=EditorialState.DRAFT,
        review_comment=comment.strip(),
        submitted_by=None,
        submitted_at=None,
    )
    _record_version(obj, user, f"Returned for changes: {comment.strip()}")


def archive(*, obj: Publishable, user) -> None:
    """Take an item off the public pages; its history stays and it can be published
    again."""
    if not obj.has_been_published:
        raise ValidationError(
            "This has never been published: a portal administrator can delete it."
        )
    if obj.editorial_state == EditorialState.ARCHIVED:
        raise ValidationError("This is already archived.")
    with transaction.atomic():
        Publication.objects.for_object(obj).filter(publish_at__gt=clock.now()).delete()
        type(obj)._base_manager.filter(live_of=obj).delete()
        _set_state(obj, editorial_state=EditorialState.ARCHIVED)
        _record_version(obj, user, "Archived: taken off the public pages.")


def version_restore(*, obj, version: Version, user) -> None:
    """Save an earlier version's content as a new version, for content with no
    working copy (indicator figures). The model's own checks run first."""
    if version.content_type.model_class() is not type(obj) or version.object_id != str(
        obj.pk
    ):
        raise ValidationError("That version belongs to something else.")
    stored = version.field_dict
    fields = [obj._meta.get_field(name) for name in obj.content_fields]
    for field in fields:
        if not field.many_to_many and field.attname in stored:
            setattr(obj, field.attname, stored[field.attname])
    obj.full_clean()
    saved = timezone.localtime(version.revision.date_created)
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Restored the version saved on {saved:%d %b %Y %H:%M}.")
        obj.save()
        if user is not None and not (
            type(obj)._default_manager.editable_by(user).filter(pk=obj.pk).exists()
        ):
            # The version belonged to an area or council outside the user's.
            raise ValidationError(
                "That version is for a council you cannot edit, so it was not restored."
            )
        for field in fields:
            if field.many_to_many:
                getattr(obj, field.name).set(
                    field.related_model._base_manager.filter(
                        pk__in=stored.get(field.name) or []
                    )
                )


def versions_record(objs, *, user, comment: str, batch_size: int = 2000) -> None:
    """A version of each object, one revision per batch, for writes made in bulk
    (imports) that ``reversion.create_revision`` around a save cannot see."""
    batch = []
    for obj in objs.iterator(chunk_size=batch_size):
        batch.append(obj)
        if len(batch) >= batch_size:
            _versions_of_batch(batch, user, comment)
            batch = []
    if batch:
        _versions_of_batch(batch, user, comment)


def _versions_of_batch(objs, user, comment) -> None:
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        for obj in objs:
            reversion.add_to_revision(obj)


def figures_changed_record(*, figures, user, note: str) -> list[Publication]:
    """What changed entries for indicator figures that were added or changed: one
    per council and indicator, linking to the indicator's figures for the council.

    Figures have no working copy, so the entry has no version of its own; each
    figure's history (admin: History) holds every version. Region and England
    figures belong to no council and are not listed.
    """
    from .models import Indicator

    groups = {}
    for council_id, indicator_id in (
        figures.exclude(council=None)
        .order_by()
        .values_list("council_id", "indicator_id")
    ):
        groups[(council_id, indicator_id)] = (
            groups.get((council_id, indicator_id), 0) + 1
        )
    if not groups:
        return []
    councils = Council.objects.in_bulk({c for c, _ in groups})
    indicators = Indicator.objects.prefetch_related("types_of_care").in_bulk(
        {i for _, i in groups}
    )
    content_type = ContentType.objects.get_for_model(Indicator)
    now = clock.now()
    publications = Publication.objects.bulk_create(
        [
            Publication(
                content_type=content_type,
                object_id=indicator_id,
                council=councils[council_id],
                title=f"{councils[council_id].name}: {indicators[indicator_id].name}",
                url=f"{indicators[indicator_id].get_absolute_url()}"
                f"?council={councils[council_id].slug}",
                publish_at=now,
                major=True,
                note=note.format(count=count, s="" if count == 1 else "s"),
                published_by=user,
            )
            for (council_id, indicator_id), count in groups.items()
        ]
    )
    through = Publication.types_of_care.through
    through.objects.bulk_create(
        [
            through(publication_id=publication.pk, typeofcare_id=type_of_care.pk)
            for ((_, indicator_id), publication) in zip(
                groups, publications, strict=True
            )
            for type_of_care in indicators[indicator_id].types_of_care.all()
        ]
    )
    return publications


def restore(*, obj: Publishable, version: Version, user) -> None:
    """Make an earlier version's content the working copy, as a new version."""
    if version.content_type.model_class() is not type(obj) or version.object_id != str(
        obj.pk
    ):
        raise ValidationError("That version belongs to something else.")
    stored = version.field_dict
    related = {}
    for name in obj.content_fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            # Terms since deleted cannot come back.
            related[name] = field.related_model._base_manager.filter(
                pk__in=stored.get(name) or []
            )
        elif field.attname in stored:
            setattr(obj, field.attname, stored[field.attname])

    def set_related():
        for name, terms in related.items():
            getattr(obj, name).set(terms)

    saved = timezone.localtime(version.revision.date_created)
    working_copy_save(
        obj=obj,
        user=user,
        comment=f"Restored the version saved on {saved:%d %b %Y %H:%M}.",
        save_related=set_related,
    )
