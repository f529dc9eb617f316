"""The admin's screen for loading indicator figures from a tidy CSV or XLSX table.

Upload shows a preview (a dry run of ``indicator_figures_import``: new, updated and
unchanged figures, and every problem); confirming runs the same call for real, all
or nothing. The confirm form carries a signed token tied to the user and to the
file's SHA-256, so a preview can only be confirmed by the person who made it, with
the file they uploaded. The upload waits in django-import-export's temporary
folder storage (the tender import's) until it is confirmed, and is removed then
whatever the outcome.
"""

import hashlib
import io
import os

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from import_export.tmp_storages import TempFolderStorage

from .services import (
    FIGURE_COLUMNS,
    FIGURE_LIMITS,
    PERMISSION,
    indicator_figures_import,
)

TOKEN_SALT = "councils.indicator-import.confirm"
TOKEN_MAX_AGE = 60 * 60


class FiguresImportForm(forms.Form):
    import_file = forms.FileField(
        label="Table of figures",
        help_text=(
            "CSV or Excel (.xlsx), one row per figure, up to "
            f"{FIGURE_LIMITS.max_file_bytes // 1_048_576} MB and "
            f"{FIGURE_LIMITS.max_rows:,} rows. CSV may be saved as “CSV UTF-8” or "
            "plain “CSV” from Excel."
        ),
    )


class FiguresConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class IndicatorFiguresImportMixin:
    """Adds the import and confirm views to the indicator figures' admin."""

    import_template_name = "admin/councils/indicatorvalue/import.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "import/",
                wrap(self.import_view),
                name="councils_indicatorvalue_import",
            ),
            path(
                "import/confirm/",
                wrap(require_POST(self.confirm_import_view)),
                name="councils_indicatorvalue_import_confirm",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm(PERMISSION)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload a table and preview what loading it would do (a dry run)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = FiguresImportForm(request.POST or None, request.FILES or None)
        report = confirm_form = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            report = indicator_figures_import(
                file=upload, file_name=upload.name, user=request.user, dry_run=True
            )
            if not report.has_errors:
                confirm_form = FiguresConfirmForm(
                    initial={"token": self._store(request, upload)}
                )
        status = 400 if request.method == "POST" and not confirm_form else 200
        return self._render(request, form, report, confirm_form, status)

    def confirm_import_view(self, request):
        """Load the previewed table for real, all or nothing."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = FiguresConfirmForm(request.POST)
        try:
            if not confirm_form.is_valid():
                raise signing.BadSignature
            stored = signing.loads(
                confirm_form.cleaned_data["token"],
                salt=TOKEN_SALT,
                max_age=TOKEN_MAX_AGE,
            )
        except signing.BadSignature:
            messages.error(
                request,
                "That preview has expired or is not yours. Upload the file again.",
            )
            return HttpResponseRedirect(self._url("import"))
        if stored["user"] != request.user.pk:
            raise PermissionDenied
        storage = TempFolderStorage(name=stored["file"], read_mode="rb")
        try:
            data = storage.read()
        except FileNotFoundError:
            messages.error(
                request, "That preview was already used. Upload the file again."
            )
            return HttpResponseRedirect(self._url("import"))
        try:
            if hashlib.sha256(data).hexdigest() != stored["sha256"]:
                raise PermissionDenied
            report = indicator_figures_import(
                file=io.BytesIO(data),
                file_name=stored["name"],
                user=request.user,
                dry_run=False,
            )
        finally:
            storage.remove()
        if report.has_errors:
            # The figures or the catalogue changed since the preview: show why.
            return self._render(request, FiguresImportForm(), report, None, 400)
        messages.success(
            request, f"Figures loaded from {report.file_name}. {report.summary()}"
        )
        return HttpResponseRedirect(self._url("changelist"))

    def _render(self, request, form, report, confirm_form, status):
        context = {
            **self.admin_site.each_context(request),
            "title": "Import indicator figures",
            "opts": self.model._meta,
            "form": form,
            "confirm_form": confirm_form,
            "report": report,
            "columns": FIGURE_COLUMNS,
            "may_load_regions": request.user.is_superuser,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, [self.import_template_name], context, status=status
        )

    def _url(self, view: str) -> str:
        return reverse(
            f"admin:councils_indicatorvalue_{view}", current_app=self.admin_site.name
        )

    def _store(self, request, upload) -> str:
        """Keep the upload until it is confirmed; return the signed confirm token."""
        upload.seek(0)
        data = upload.read()
        storage = TempFolderStorage(read_mode="rb")
        storage.save(data)
        return signing.dumps(
            {
                "file": os.path.basename(storage.name),
                "name": upload.name,
                "user": request.user.pk,
                "sha256": hashlib.sha256(data).hexdigest(),
            },
            salt=TOKEN_SALT,
        )
