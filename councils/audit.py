"""The audit trail: who changed what, for which council, and when.

Django's admin LogEntry records the user, the object and which fields changed,
but not the council nor the values. ``CouncilScopedAdmin`` calls
``record_admin_action`` next to each LogEntry it writes, with the changed fields'
old and new values; imports call ``record_event`` for the import as a whole and
record each row they add, change or remove with an ``ImportAudit``, written in
bulk inside the import's transaction. Entries are ``councils.models.AuditEntry``
rows, scoped like every council-owned model.
"""

import datetime
import getpass
import os
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from . import clock
from .bulk import insert_rows
from .models import AuditEntry, Council

USERNAME_LENGTH = AuditEntry._meta.get_field("username").max_length
# One encoder for every entry: an import writes thousands (json.dumps with ``cls``
# makes an encoder per call).
_ENCODER = DjangoJSONEncoder(ensure_ascii=False)
# Values an added row's entry leaves out.
_BLANK = (None, "", frozenset(), set(), [])
REPR_LENGTH = AuditEntry._meta.get_field("object_repr").max_length


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
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
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


def command_line_user() -> str:
    """Who ran a command: the operating system's user, for the audit trail of a
    command-line import run without ``--user``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name and no password-file entry
        name = f"uid {os.getuid()}"
    return f"{name} (command line)"[:USERNAME_LENGTH]


def actor_name(user, run_by: str = "") -> str:
    """The name an entry keeps: the user's, else who ran the command."""
    if user is not None and user.pk:
        return user.get_username()
    return run_by[:USERNAME_LENGTH]


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
    run_by: str = "",
) -> AuditEntry:
    """Write one audit entry. ``run_by`` names who ran a command when there is
    no ``user`` (``command_line_user()``)."""
    return AuditEntry.objects.create(
        user=user if user is not None and user.pk else None,
        username=actor_name(user, run_by),
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


class ImportAudit:
    """An audit entry for each row an import adds, changes or removes.

    The import calls ``added``, ``changed`` and ``removed`` as it writes a batch of
    rows, then ``write``: the batch's entries go in with one statement (COPY on
    PostgreSQL, see ``councils.bulk``) inside the import's transaction, so they are
    kept or rolled back with the rows they describe, and the number of queries does
    not grow with the rows. Each entry names the row's council (None for region
    and England figures: administrators only), the person importing (or who ran
    the command) and, as its message, the import (``source``).
    """

    COLUMNS = [
        "created_at",
        "user_id",
        "username",
        "council_id",
        "action",
        "content_type_id",
        "object_id",
        "object_repr",
        "changes",
        "message",
    ]

    # Entries are written at least this often, so memory stays flat.
    WRITE_EVERY = 2000

    def __init__(self, *, model, source: str, user=None, run_by: str = "", now=None):
        self.content_type_id = ContentType.objects.get_for_model(model).pk
        self.user_id = user.pk if user is not None and user.pk else None
        self.username = actor_name(user, run_by)
        self.source = source
        self.now = connection.ops.adapt_datetimefield_value(now or clock.now())
        self.pending: list[tuple] = []
        self.written = 0

    def added(self, *, council_id, object_id, object_repr: str, values: dict) -> None:
        """A new row, with the values it was given (blank ones left out)."""
        self._add(
            AuditEntry.Action.ADDED,
            council_id,
            object_id,
            object_repr,
            {
                name: {"from": None, "to": _plain(value)}
                for name, value in values.items()
                if value not in _BLANK
            },
        )

    def changed(
        self, *, council_id, object_id, object_repr: str, changes: dict
    ) -> None:
        """A changed row; ``changes`` maps each changed field to (old, new)."""
        self._add(
            AuditEntry.Action.CHANGED,
            council_id,
            object_id,
            object_repr,
            {
                name: {"from": _plain(old), "to": _plain(new)}
                for name, (old, new) in changes.items()
            },
        )

    def removed(self, *, council_id, object_id, object_repr: str, values: dict) -> None:
        """A deleted row, with the values it had."""
        self._add(
            AuditEntry.Action.DELETED,
            council_id,
            object_id,
            object_repr,
            {
                name: {"from": _plain(value), "to": None}
                for name, value in values.items()
            },
        )

    def _add(self, action, council_id, object_id, object_repr, changes) -> None:
        if len(self.pending) >= self.WRITE_EVERY:
            self.write()
        self.pending.append(
            (
                self.now,
                self.user_id,
                self.username,
                council_id,
                str(action),
                self.content_type_id,
                "" if object_id is None else str(object_id),
                str(object_repr)[:REPR_LENGTH],
                _ENCODER.encode(changes),
                self.source,
            )
        )

    def write(self) -> None:
        """Insert the entries gathered since the last ``write``."""
        if not self.pending:
            return
        # COPY's errors are psycopg's own: make them Django's, which every
        # import turns into a refusal.
        with connection.wrap_database_errors:
            insert_rows(AuditEntry, self.COLUMNS, self.pending)
        self.written += len(self.pending)
        self.pending = []
