"""The audit trail: who changed what, for which council, and when.

Django's admin LogEntry records the user, the object and which fields changed,
but not the council nor the values. ``CouncilScopedAdmin`` calls
``record_admin_action`` next to each LogEntry it writes, with the changed fields'
old and new values; imports call ``record_event``. Entries are
``councils.models.AuditEntry`` rows, scoped like every council-owned model.
"""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import models

from .models import AuditEntry, Council


def council_of(obj) -> Council | None:
    """The council that owns ``obj``, by its model's ``council_path``."""
    if isinstance(obj, Council):
        return obj
    path = getattr(obj, "council_path", "")
    if not path:
        return None
    for name in path.split("__"):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def _plain(value):
    """A form value as JSON: text for objects, lists for many, ISO dates."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(str(_plain(item)) for item in value)
    if isinstance(value, File):  # a stored or uploaded file: its name
        return value.name or ""
    return str(value)


def form_changes(form) -> dict:
    """Each changed field of an admin form: {"field": {"from": old, "to": new}}."""
    changes = {}
    for name in form.changed_data:
        field = form.fields[name]
        old = _initial_as_objects(field, form.initial.get(name, field.initial))
        changes[name] = {
            "from": _plain(old),
            "to": _plain(form.cleaned_data.get(name)),
        }
    return changes


def _initial_as_objects(field, value):
    """Initial foreign keys are primary keys: show the objects they name."""
    from django.forms import ModelChoiceField, ModelMultipleChoiceField

    if value in (None, "", []):
        return value
    if isinstance(field, ModelMultipleChoiceField):
        pks = [getattr(item, "pk", item) for item in value]
        return list(field.queryset.model._base_manager.filter(pk__in=pks))
    if isinstance(field, ModelChoiceField) and not isinstance(value, models.Model):
        return field.queryset.model._base_manager.filter(pk=value).first()
    return value


def record_event(
    *,
    user,
    council: Council | None,
    action: str,
    obj=None,
    object_repr: str = "",
    changes: dict | None = None,
    message: str = "",
    log_entry=None,
) -> AuditEntry:
    """Write one audit entry."""
    return AuditEntry.objects.create(
        user=user if user is not None and user.pk else None,
        username=user.get_username() if user is not None and user.pk else "",
        council=council,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or str(obj))[:200],
        changes=changes or {},
        message=message,
        log_entry=log_entry,
    )


def record_admin_action(*, request, obj, action: str, log_entry, changes=None):
    """The audit entry beside an admin LogEntry; a change to "published" is a
    publication."""
    changes = changes or {}
    if (
        action == AuditEntry.Action.CHANGED
        and changes.get("status", {}).get("to") == "published"
    ):
        action = AuditEntry.Action.PUBLISHED
    return record_event(
        user=request.user,
        council=council_of(obj),
        action=action,
        obj=obj,
        changes=changes,
        message=log_entry.get_change_message() if log_entry else "",
        log_entry=log_entry,
    )
