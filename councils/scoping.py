"""Per-council access for commissioners, written once and used by every admin.

Every council-owned model's default manager offers ``editable_by(user)`` (see
``CouncilOwnedQuerySet``). ``CouncilScopedAdmin`` routes the admin's list, change,
delete and history views, foreign-key choices and autocomplete through it, so a
commissioner of one council can neither see nor pick another council's rows.
``view_on_site`` does the same for the admin's "View on site" redirect.
"""

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404

COMMISSIONERS_GROUP = "Commissioners"


def is_council_scoped(model) -> bool:
    return hasattr(model._default_manager.all(), "editable_by")


def editable_queryset(model, user):
    return model._default_manager.editable_by(user)


def view_on_site(request, content_type_id, object_id):
    """The admin's /admin/r/<type>/<id>/ redirect, for rows the user may open there.

    Django's own redirects any staff user to any object's public address; this one
    answers 404 unless the object is in the queryset its admin shows the user.
    """
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        model_admin = admin.site.get_model_admin(model)
        visible = model_admin.has_view_or_change_permission(request) and (
            model_admin.get_queryset(request).filter(pk=object_id).exists()
        )
    except (ContentType.DoesNotExist, NotRegistered, ValueError, ValidationError):
        visible = False
    if not visible:
        raise Http404("No such object in your councils.")
    return shortcut(request, content_type_id, object_id)


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited to the user's councils' rows."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if is_council_scoped(db_field.related_model):
            kwargs["queryset"] = editable_queryset(db_field.related_model, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if is_council_scoped(db_field.related_model):
            kwargs["queryset"] = editable_queryset(db_field.related_model, request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CouncilScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """An inline whose choices are limited to the user's councils' rows.

    Its rows belong to the parent object, which CouncilScopedAdmin already scopes.
    """


class CouncilScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Admin for council-owned models: shows and accepts only the user's councils."""

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)

    def _in_scope(self, request, obj) -> bool:
        if obj is None:
            return True
        return editable_queryset(self.model, request.user).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(
            request, obj
        )

    # The audit trail (councils.audit): an AuditEntry beside each admin LogEntry,
    # with the council and the changed fields' old and new values.
    def construct_change_message(self, request, form, formsets, add=False):
        from .audit import form_changes

        request._audit_changes = form_changes(form)
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        return self._audited(request, obj, "added", super().log_addition, message)

    def log_change(self, request, obj, message):
        return self._audited(request, obj, "changed", super().log_change, message)

    def _audited(self, request, obj, action, log, message):
        from .audit import record_admin_action

        log_entry = log(request, obj, message)
        changes = getattr(request, "_audit_changes", None)
        request._audit_changes = None
        record_admin_action(
            request=request,
            obj=obj,
            action=action,
            log_entry=log_entry,
            changes=changes,
        )
        return log_entry

    def log_deletions(self, request, queryset):
        from .audit import record_admin_action

        objects = list(queryset)
        log_entries = super().log_deletions(request, objects)
        by_id = {entry.object_id: entry for entry in log_entries}
        for obj in objects:
            record_admin_action(
                request=request,
                obj=obj,
                action="deleted",
                log_entry=by_id.get(str(obj.pk)),
            )
        return log_entries

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        councils = list(request.user.councils.all()[:2])
        if len(councils) == 1 and "council" not in initial:
            initial["council"] = councils[0].pk
        return initial


def sync_commissioners_group(**kwargs) -> None:
    """Give the Commissioners group the model permissions of every council-owned model.

    Runs after each migrate, so a new app's council-owned models join the group
    without anyone editing this app. Councils themselves may be viewed and changed
    but not created or deleted: that stays with portal administrators.
    """
    from django.apps import apps

    group, _ = Group.objects.get_or_create(name=COMMISSIONERS_GROUP)
    wanted = []
    for model in apps.get_models():
        if not is_council_scoped(model):
            continue
        actions = getattr(model, "commissioner_permissions", None) or (
            ["view", "change"]
            if model._meta.label_lower == "councils.council"
            else ["view", "add", "change", "delete"]
        )
        actions += getattr(model, "commissioner_extra_permissions", [])
        content_type = ContentType.objects.get_for_model(model)
        codenames = [f"{action}_{model._meta.model_name}" for action in actions]
        wanted += Permission.objects.filter(
            content_type=content_type, codename__in=codenames
        )
    group.permissions.add(*wanted)


def council_path_error(model) -> str | None:
    """Why ``model.council_path`` does not lead to a Council, or None if it does."""
    from .models import Council

    path = getattr(model, "council_path", None)
    if model is Council:
        return None
    if not path:
        return "has no council_path"
    current = model
    for name in path.split("__"):
        try:
            field = current._meta.get_field(name)
        except Exception:  # FieldDoesNotExist, or a model without _meta
            return f"council_path {path!r}: {current.__name__} has no field {name!r}"
        # A many-to-many step is allowed: a row shared by several councils (an
        # import of figures for many) is editable by staff of any of them.
        if not field.is_relation or field.one_to_many:
            return f"council_path {path!r}: {name!r} is not a foreign key"
        current = field.related_model
    if current is not Council:
        return f"council_path {path!r} leads to {current.__name__}, not Council"
    return None


def scoping_errors(models, site) -> list:
    """System check errors for council-owned models and their admins.

    A model is council-owned when its manager offers ``editable_by`` or it has a
    foreign key to Council. Each must reach its council through a valid
    ``council_path``, and if registered in the admin, use CouncilScopedAdmin.
    """
    from django.core import checks

    from .models import Council

    errors = []
    for model in models:
        if model is Council or model._meta.auto_created:
            continue
        has_council_key = any(
            field.many_to_one and field.related_model is Council
            for field in model._meta.get_fields()
        )
        if not (has_council_key or is_council_scoped(model)):
            continue
        label = model._meta.label
        if not is_council_scoped(model):
            errors.append(
                checks.Error(
                    f"{label} belongs to a council but its manager has no "
                    "editable_by().",
                    hint="Use CouncilOwnedQuerySet.as_manager() and set council_path.",
                    obj=model,
                    id="councils.E001",
                )
            )
        problem = council_path_error(model)
        if problem:
            errors.append(
                checks.Error(
                    f"{label} {problem}.",
                    hint="Set council_path to the lookup from this model to its "
                    'Council, e.g. "council" or "framework__council".',
                    obj=model,
                    id="councils.E002",
                )
            )
        model_admin = site._registry.get(model)
        if model_admin is not None and not isinstance(model_admin, CouncilScopedAdmin):
            errors.append(
                checks.Error(
                    f"{label} is registered in the admin with "
                    f"{type(model_admin).__name__}, which is not council-scoped.",
                    hint="Register it with a subclass of "
                    "councils.scoping.CouncilScopedAdmin.",
                    obj=model_admin,
                    id="councils.E003",
                )
            )
    return errors


def check_council_scoping(app_configs=None, **kwargs) -> list:
    from django.apps import apps

    return scoping_errors(apps.get_models(), admin.site)
