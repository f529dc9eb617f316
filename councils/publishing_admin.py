"""The admin side of publishing: working copies, review, history and archive.

``PublishingAdmin`` goes before ``CouncilScopedAdmin`` in a model admin's bases.
Every view here finds its object through the admin's own ``get_queryset`` (so the
council scoping of ``CouncilScopedAdmin`` applies) and its versions through that
object, so nobody reaches another council's history, differences or restores.

django-reversion's own ``VersionAdmin`` is not used: its revision and recover
views revert a version before checking that the user may change the object, and
keep the revert when the change form answers with a redirect, which is what the
admin does for an object outside the user's councils.
"""

import reversion
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min, OuterRef, Subquery
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import clock, publishing
from .diffs import content_diff
from .models import EditorialState, Publication


class WorkingCopyForm(forms.ModelForm):
    """Refuses a save when someone else saved since this form was opened."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lock_version"].initial = self.instance.lock_version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        stored = model._default_manager.get(pk=self.instance.pk)
        if cleaned.get("lock_version") == stored.lock_version:
            return cleaned
        latest = publishing.versions_of(stored).first()
        who = (
            f"{latest.revision.user} on "
            f"{timezone.localtime(latest.revision.date_created):%d %b %Y at %H:%M}"
            if latest and latest.revision.user
            else "someone else"
        )
        yours = {name: cleaned.get(name) for name in model.content_fields}
        self.conflict = content_diff(model, yours, stored.content())
        raise ValidationError(
            f"This was changed by {who} while you were editing, so your changes "
            "have not been saved. Their version is shown below, marked with how it "
            "differs from yours. Copy anything you need, open the page again and "
            "make your change to their version."
        )


class PublishForm(forms.Form):
    change_type = forms.ChoiceField(
        label="What kind of change is this?",
        choices=[
            ("major", "Major: readers should know (shown in What changed)"),
            ("minor", "Minor: a correction, such as a typing error"),
        ],
        widget=forms.RadioSelect,
        initial="major",
    )
    note = forms.CharField(
        label="Change note for readers",
        max_length=200,
        required=False,
        help_text="One line, for example “Updated home care intentions for 2026/27”. "
        "Needed for a major change.",
    )
    publish_at = forms.DateTimeField(
        label="Publish at",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty to publish now. A future time schedules it: it goes "
        "live at that time by itself.",
    )
    review_by = forms.DateField(
        label="Review by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When this should next be checked. Leave empty for 12 months "
        "after publishing.",
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What needs changing", widget=forms.Textarea(attrs={"rows": 3})
    )


class VersionHistoryAdmin:
    """History and word differences for a model registered with django-reversion
    that names its ``content_fields``. Goes before ``CouncilScopedAdmin``.

    Each admin save is a version, with who made it. Models without a working
    copy (tenders) get history and differences only; ``PublishingAdmin`` adds
    restore.
    """

    may_restore = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{prefix}_compare",
            ),
            *super().get_urls(),
        ]

    def _object_url(self, name, obj):
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[obj.pk]
        )

    def _editable_object(self, request, object_id):
        """The object, if it is in the user's councils and they may change it."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such item in your councils.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _context(self, request, obj, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": title,
            "change_url": self._object_url("change", obj),
            "history_url": self._object_url("history", obj),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        """Every version: when, who, what happened; compare any two; restore one."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such item in your councils.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = list(publishing.versions_of(obj))
        published = {
            change.version_id: change
            for change in Publication.objects.for_object(obj).filter(
                version__in=versions
            )
        }
        rows = [(version, published.get(version.pk)) for version in versions]
        # Compare the newest with the last version whose content differs from it.
        newest = versions[0].field_dict if versions else {}
        default_from = next(
            (
                version.pk
                for version in versions[1:50]
                if any(
                    version.field_dict.get(name) != newest.get(name)
                    for name in self.model.content_fields
                )
            ),
            versions[-1].pk if versions else None,
        )
        return TemplateResponse(
            request,
            "admin/publishing/history.html",
            self._context(
                request,
                obj,
                f"History of {obj}",
                rows=rows,
                default_from=default_from,
                compare_url=self._object_url("compare", obj),
                may_restore=self.may_restore
                and self.has_change_permission(request, obj),
            ),
        )

    def compare_view(self, request, object_id):
        """The words added and removed between two versions of this one item."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such item in your councils.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = publishing.versions_of(obj)
        try:
            older = versions.get(pk=int(request.GET.get("from", "")))
            newer = versions.get(pk=int(request.GET.get("to", "")))
        except (ValueError, versions.model.DoesNotExist) as error:
            raise Http404("Choose two versions of this item to compare.") from error
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        return TemplateResponse(
            request,
            "admin/publishing/compare.html",
            self._context(
                request,
                obj,
                f"Compare versions of {obj}",
                older=older,
                newer=newer,
                differences=content_diff(
                    self.model, older.field_dict, newer.field_dict
                ),
            ),
        )


class RestorableHistoryAdmin(VersionHistoryAdmin):
    """History, differences and restore for a model with no working copy
    (indicator figures): restoring saves the version's content as a new version."""

    may_restore = True

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{prefix}_restore",
            ),
            *super().get_urls(),
        ]

    def restore_view(self, request, object_id, version_id):
        """Save an earlier version's content as the current one (POST only)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._editable_object(request, object_id)
        version = get_object_or_404(publishing.versions_of(obj), pk=version_id)
        try:
            publishing.version_restore(obj=obj, version=version, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Restored: the earlier version is current again.")
        return redirect(self._object_url("change", obj))


class PublishingAdmin(VersionHistoryAdmin):
    """Admin for ``Publishable`` models: edit the working copy, publish through a
    page of its own, history with differences and restore, archive, preview."""

    form = WorkingCopyForm
    change_form_template = "admin/publishing/change_form.html"
    may_restore = True

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # working_copy_save makes the version, with its own comment.
        return super(VersionHistoryAdmin, self).changeform_view(
            request, object_id, form_url, extra_context
        )

    # Changelist.

    def get_queryset(self, request):
        scheduled = (
            self.model._default_manager.every_copy()
            .scheduled()
            .filter(live_of=OuterRef("pk"))
            .order_by()
            .values("live_of")
            .annotate(first=Min("publish_at"))
            .values("first")
        )
        return super().get_queryset(request).annotate(scheduled_for=Subquery(scheduled))

    @admin.display(description="State", ordering="editorial_state")
    def state(self, obj):
        label = obj.get_editorial_state_display()
        if obj.editorial_state == EditorialState.DRAFT and obj.has_been_published:
            label = "Published, with changes not yet published"
        if getattr(obj, "scheduled_for", None):
            when = timezone.localtime(obj.scheduled_for)
            label += f"; scheduled for {when:%d %b %Y %H:%M}"
        return label

    def view_on_site(self, obj):
        return obj.get_preview_url()

    # Saving and deleting.

    def save_model(self, request, obj, form, change):
        """Saved in save_related, so that one version holds the many-to-many
        fields and inlines too (the admin runs both in one transaction)."""

    def save_related(self, request, form, formsets, change):
        changed = ", ".join(form.changed_data)
        publishing.working_copy_save(
            obj=form.instance,
            user=request.user,
            comment=f"Changed {changed}." if changed else "Saved.",
            save_related=lambda: super(PublishingAdmin, self).save_related(
                request, form, formsets, change
            ),
        )

    def has_delete_permission(self, request, obj=None):
        """Only portal administrators delete, and only what was never published:
        anything that has been public is archived instead."""
        if not request.user.is_superuser:
            return False
        if obj is not None and obj.has_been_published:
            return False
        return super().has_delete_permission(request, obj)

    # Pages of their own.

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/publish/",
                view(self.publish_view),
                name=f"{prefix}_publish",
            ),
            path(
                "<path:object_id>/archive/",
                view(self.archive_view),
                name=f"{prefix}_archive",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.restore_view),
                name=f"{prefix}_restore",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, object_id):
        """Publish, schedule, submit for review, or return with a comment."""
        obj = self._editable_object(request, object_id)
        council = publishing.owning_council(obj)
        publish_form = PublishForm(
            request.POST if request.POST.get("action") == "publish" else None
        )
        return_form = ReturnForm(
            request.POST if request.POST.get("action") == "return" else None
        )
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                if action == "submit":
                    publishing.submit(obj=obj, user=request.user)
                    messages.success(request, "Submitted for review.")
                    return redirect(self._object_url("change", obj))
                if action == "return" and return_form.is_valid():
                    publishing.return_to_editor(
                        obj=obj,
                        user=request.user,
                        comment=return_form.cleaned_data["comment"],
                    )
                    messages.success(
                        request, "Returned to the editor with your comment."
                    )
                    return redirect(self._object_url("change", obj))
                if action == "publish" and publish_form.is_valid():
                    data = publish_form.cleaned_data
                    publication = publishing.publish(
                        obj=obj,
                        user=request.user,
                        major=data["change_type"] == "major",
                        note=data["note"],
                        publish_at=data["publish_at"],
                        review_by=data["review_by"],
                    )
                    when = timezone.localtime(publication.publish_at)
                    if publication.publish_at > clock.now():
                        messages.success(
                            request,
                            f"Scheduled: it goes live on {when:%d %B %Y at %H:%M}.",
                        )
                    else:
                        messages.success(request, "Published: readers see it now.")
                    return redirect(self._object_url("change", obj))
            except ValidationError as error:
                form = return_form if action == "return" else publish_form
                if hasattr(error, "error_dict"):
                    for field, field_errors in error.error_dict.items():
                        for message in field_errors:
                            form.add_error(
                                None if field == "__all__" else field, message
                            )
                else:
                    form.add_error(None, error.messages[0])
        live = publishing.newest_copy(obj)
        context = self._context(
            request,
            obj,
            f"Publish {obj}",
            council=council,
            live=live,
            differences=content_diff(
                self.model, live.content() if live else {}, obj.content()
            ),
            publish_form=publish_form,
            return_form=return_form,
            may_approve=council.can_approve(request.user),
            own_submission=obj.submitted_by_id == request.user.pk,
            preview_url=obj.get_preview_url(),
        )
        return TemplateResponse(request, "admin/publishing/publish.html", context)

    def archive_view(self, request, object_id):
        """Take a published item off the public pages (with a confirmation)."""
        obj = self._editable_object(request, object_id)
        if request.method == "POST":
            try:
                publishing.archive(obj=obj, user=request.user)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(
                    request,
                    "Archived: it is off the public pages. Publish it again to bring "
                    "it back.",
                )
            return redirect(self._object_url("change", obj))
        return TemplateResponse(
            request,
            "admin/publishing/archive.html",
            self._context(request, obj, f"Archive {obj}"),
        )

    def restore_view(self, request, object_id, version_id):
        """Make an earlier version the working copy, as a new version (POST only)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._editable_object(request, object_id)
        version = get_object_or_404(publishing.versions_of(obj), pk=version_id)
        publishing.restore(obj=obj, version=version, user=request.user)
        messages.success(
            request,
            "Restored as the working copy. Readers still see the published version "
            "until you publish it.",
        )
        return redirect(self._object_url("change", obj))

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None:
            context.update(
                publish_url=self._object_url("publish", obj),
                archive_url=self._object_url("archive", obj),
                preview_url=obj.get_preview_url(),
                live=self.model.live.filter(live_of=obj).first(),
                scheduled=self.model._default_manager.every_copy()
                .scheduled()
                .filter(live_of=obj)
                .first(),
                conflict=getattr(context.get("adminform").form, "conflict", None),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
