"""Importing CQC's files in the admin: upload, preview (a dry run), confirm.

National data is not one council's, so only portal administrators (superusers)
may import. The preview runs the whole import and rolls it back, so its counts are
what confirming will do. The confirm form carries a signed token tying the
preview to the person who made it, the kind of file and the file's exact bytes.
"""

import hashlib
import io
import os
from datetime import date

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.tmp_storages import TempFolderStorage

from .services import cqc_directory_import, cqc_ratings_import

TOKEN_SALT = "providers.cqc-import.confirm"
TOKEN_MAX_AGE = 60 * 60
IMPORTERS = {
    "directory": cqc_directory_import,
    "ratings": cqc_ratings_import,
}


class CqcFileForm(forms.Form):
    which = forms.ChoiceField(
        label="Which file",
        choices=[
            ("directory", "CQC's care directory (CSV)"),
            (
                "ratings",
                "Care directory with filters or latest ratings (ODS or CSV)",
            ),
        ],
        widget=forms.RadioSelect,
    )
    cqc_file = forms.FileField(
        label="File from CQC",
        help_text="As downloaded from CQC's 'Using CQC data' page, not edited.",
    )
    produced_on = forms.DateField(
        label="Produced on (only if the file does not say)",
        required=False,
        help_text="YYYY-MM-DD. CQC's files give it in their first lines or name.",
    )


class CqcConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class CqcImportAdminMixin:
    """Adds the upload, preview and confirm screens to the CQC imports' admin."""

    upload_template_name = "admin/providers/cqcimport_upload.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="{}_{}_upload".format(*info),
            ),
            path(
                "upload/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="{}_{}_confirm".format(*info),
            ),
            *super().get_urls(),
        ]

    def _check(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied

    def upload_view(self, request):
        """Upload a file and preview what importing it would do."""
        self._check(request)
        form = CqcFileForm(request.POST or None, request.FILES or None)
        report = confirm_form = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["cqc_file"]
            which = form.cleaned_data["which"]
            produced_on = form.cleaned_data["produced_on"]
            report = IMPORTERS[which](
                file=upload,
                file_name=upload.name,
                user=request.user,
                dry_run=True,
                produced_on=produced_on,
            )
            if not report.has_errors:
                confirm_form = CqcConfirmForm(
                    initial={"token": self._store(request, upload, which, produced_on)}
                )
        status = 400 if request.method == "POST" and not confirm_form else 200
        return self._render(request, form, report, confirm_form, status)

    @method_decorator(require_POST)
    def confirm_view(self, request):
        """Import the previewed file for real, all or nothing."""
        self._check(request)
        form = CqcConfirmForm(request.POST)
        try:
            if not form.is_valid():
                raise signing.BadSignature
            stored = signing.loads(
                form.cleaned_data["token"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE
            )
        except signing.BadSignature:
            messages.error(
                request, "That preview has expired or is not yours. Upload it again."
            )
            return HttpResponseRedirect(self._url("upload"))
        if stored["user"] != request.user.pk:
            raise PermissionDenied
        storage = TempFolderStorage(name=stored["file"], read_mode="rb")
        try:
            data = storage.read()
        except FileNotFoundError:
            messages.error(request, "That preview was already used. Upload it again.")
            return HttpResponseRedirect(self._url("upload"))
        if hashlib.sha256(data).hexdigest() != stored["sha256"]:
            raise PermissionDenied
        produced_on = stored["produced_on"]
        try:
            report = IMPORTERS[stored["which"]](
                file=io.BytesIO(data),
                file_name=stored["name"],
                user=request.user,
                produced_on=date.fromisoformat(produced_on) if produced_on else None,
            )
        finally:
            # Imported or refused, the upload is not needed again.
            storage.remove()
        if report.has_errors:
            return self._render(request, CqcFileForm(), report, None, 400)
        messages.success(request, f"Imported {report.file_name} {report.summary()}")
        return HttpResponseRedirect(self._url("changelist"))

    def _url(self, name: str) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            current_app=self.admin_site.name,
        )

    def _store(self, request, upload, which, produced_on) -> str:
        upload.seek(0)
        data = upload.read()
        storage = TempFolderStorage(read_mode="rb")
        storage.save(data)
        return signing.dumps(
            {
                "file": os.path.basename(storage.name),
                "name": upload.name,
                "which": which,
                "produced_on": produced_on.isoformat() if produced_on else None,
                "user": request.user.pk,
                "sha256": hashlib.sha256(data).hexdigest(),
            },
            salt=TOKEN_SALT,
        )

    def _render(self, request, form, report, confirm_form, status):
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a file from CQC",
            "opts": self.opts,
            "form": form,
            "report": report,
            "confirm_form": confirm_form,
            "confirm_url": self._url("confirm"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, self.upload_template_name, context, status=status
        )
