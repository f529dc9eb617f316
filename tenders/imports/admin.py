"""Import and export of tender tables in the admin, on django-import-export's screens.

django-import-export supplies the change list buttons, the permission checks (with
``IMPORT_EXPORT_IMPORT_PERMISSION_CODE`` / ``..._EXPORT_...`` set), the export form
and the export itself through ``TenderResource``. Previewed files are kept by
``uploads`` until confirmed, and removed then, whatever the outcome. The library's
import runs every row through the resource one at a time and cannot read
Windows-1252 files or councils' own headings, so the import and confirm views here
call ``tender_table_import`` instead: a dry run for the preview, then the same call
for real at confirm, all or nothing. The confirm form carries a signed token, so a
preview can only be confirmed by the person who made it, for their own council, with
the file they uploaded.
"""

import hashlib
import io

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm

from councils.models import Council
from councils.reading import DEFAULT_LIMITS

from ..resources import TenderResource
from . import uploads
from .columns import COLUMNS
from .service import tender_table_import

TOKEN_SALT = "tenders.import.confirm"
TOKEN_MAX_AGE = uploads.MAX_AGE_SECONDS


class TenderImportForm(forms.Form):
    council = forms.ModelChoiceField(
        queryset=Council.objects.none(),
        help_text="The council whose tender table this is. Rows naming another "
        "council are refused.",
    )
    import_file = forms.FileField(
        label="Tender table",
        help_text=(
            "CSV, TSV or Excel (.xlsx), up to "
            f"{DEFAULT_LIMITS.max_file_bytes // 1_048_576} MB. CSV may be saved as "
            "“CSV UTF-8” or plain “CSV” from Excel."
        ),
    )
    whole_pipeline = forms.BooleanField(
        label="This table is the council's whole pipeline",
        required=False,
        help_text="Open tenders the table leaves out are withdrawn (the preview "
        "lists them), and the pipeline's “last updated” date moves to today.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        councils = Council.objects.editable_by(user)
        self.fields["council"].queryset = councils
        if len(own := list(councils[:2])) == 1:
            self.fields["council"].initial = own[0].pk


class TenderConfirmImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    confirm_withdrawals = forms.BooleanField(
        label="Yes, withdraw these tenders",
        required=False,
        help_text="Needed when the table would withdraw more than half of the "
        "council's open tenders.",
    )

    def __init__(self, *args, needs_withdrawal_confirmation=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_withdrawal_confirmation:
            del self.fields["confirm_withdrawals"]


class TenderImportExportMixin(ImportExportMixin):
    """Admin mixin: import tender tables through the service, export through the
    resource, both limited to the councils the user may edit."""

    resource_classes = [TenderResource]
    formats = [base_formats.CSV, base_formats.TSV, base_formats.XLSX]
    export_form_class = ExportForm
    import_template_name = "admin/tenders/tender_import.html"

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).editable_by(request.user)

    def get_valid_export_item_pks(self, request):
        # The library's default offers every tender's id as a valid choice (and warns
        # that it is deprecated); offering only the user's own makes a forged id a
        # form error rather than something filtered out later.
        return self.get_export_queryset(request).values_list("pk", flat=True)

    def import_action(self, request, **kwargs):
        """Upload a table and preview what importing it would do (a dry run)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = TenderImportForm(
            request.POST or None, request.FILES or None, user=request.user
        )
        report = confirm_form = None
        if request.method == "POST" and form.is_valid():
            uploads.remove_stale_uploads()
            upload = form.cleaned_data["import_file"]
            council = form.cleaned_data["council"]
            whole_pipeline = form.cleaned_data["whole_pipeline"]
            report = tender_table_import(
                council=council,
                file=upload,
                file_name=upload.name,
                user=request.user,
                dry_run=True,
                whole_pipeline=whole_pipeline,
            )
            if not report.has_errors:
                token = self._store(request, upload, council, whole_pipeline)
                confirm_form = TenderConfirmImportForm(
                    initial={"token": token},
                    needs_withdrawal_confirmation=report.needs_withdrawal_confirmation,
                )
        status = 400 if request.method == "POST" and not confirm_form else 200
        return self._render(request, form, report, confirm_form, status)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Import the previewed table for real, all or nothing."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = TenderConfirmImportForm(
            request.POST, needs_withdrawal_confirmation=True
        )
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
            return HttpResponseRedirect(self._import_url())
        if stored["user"] != request.user.pk:
            raise PermissionDenied
        council = (
            Council.objects.editable_by(request.user)
            .filter(pk=stored["council"])
            .first()
        )
        if council is None:
            raise PermissionDenied
        data = uploads.read_upload(stored["file"])
        if data is None:
            messages.error(
                request, "That preview was already used. Upload the file again."
            )
            return HttpResponseRedirect(self._import_url())
        if hashlib.sha256(data).hexdigest() != stored["sha256"]:
            raise PermissionDenied
        try:
            report = tender_table_import(
                council=council,
                file=io.BytesIO(data),
                file_name=stored["name"],
                user=request.user,
                dry_run=False,
                whole_pipeline=stored.get("whole_pipeline", False),
                confirm_withdrawals=confirm_form.cleaned_data.get(
                    "confirm_withdrawals", False
                ),
            )
        finally:
            # Used once, whatever happened: a refused file is uploaded again.
            uploads.remove_upload(stored["file"])
        if report.has_errors:
            # The council's tenders changed since the preview: show why.
            form = TenderImportForm(
                user=request.user,
                initial={
                    "council": council,
                    "whole_pipeline": report.whole_pipeline,
                },
            )
            return self._render(request, form, report, None, 400)
        # The admin capitalises messages: start with words, not the file's name.
        messages.success(request, f"Imported “{report.file_name}”. {report.summary()}")
        return HttpResponseRedirect(
            reverse(
                "admin:{}_{}_changelist".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
        )

    def _render(self, request, form, report, confirm_form, status):
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a tender table",
            "opts": self.model._meta,
            "form": form,
            "confirm_form": confirm_form,
            "report": report,
            "columns": COLUMNS,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, [self.import_template_name], context, status=status
        )

    def _import_url(self) -> str:
        return reverse(
            "admin:{}_{}_import".format(*self.get_model_info()),
            current_app=self.admin_site.name,
        )

    def _store(self, request, upload, council, whole_pipeline: bool) -> str:
        """Keep the upload until it is confirmed; return the signed confirm token."""
        upload.seek(0)
        data = upload.read()
        return signing.dumps(
            {
                "file": uploads.save_upload(data),
                "name": upload.name,
                "council": council.pk,
                "user": request.user.pk,
                "sha256": hashlib.sha256(data).hexdigest(),
                "whole_pipeline": whole_pipeline,
            },
            salt=TOKEN_SALT,
        )
