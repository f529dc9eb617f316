"""Importing CQC's files in the admin: upload, preview (a dry run), confirm.

National data is not one council's, so only portal administrators (superusers)
may import. The preview runs the whole import and rolls it back, so its counts are
what confirming will do. Both run in the background (``providers.tasks``: a
national ODS file takes longer to read than a web request may take); the upload
and confirm each lead to a status page that shows the result once the worker has
finished. The status page's address and the confirm form carry signed tokens
tying them to the person who uploaded, the kind of file and the file's exact
bytes.
"""

import os
import secrets

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import HttpResponseRedirect
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from . import tasks
from .cqc.report import ImportReport

TOKEN_SALT = "providers.cqc-import.confirm"
STATUS_SALT = "providers.cqc-import.status"
TOKEN_MAX_AGE = 60 * 60
# How long a status page's address works (a national import is minutes).
STATUS_MAX_AGE = 24 * 60 * 60
STEPS = {"check": tasks.check_cqc_file, "import": tasks.import_cqc_file}


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
            path(
                "upload/status/",
                self.admin_site.admin_view(self.status_view),
                name="{}_{}_status".format(*info),
            ),
            *super().get_urls(),
        ]

    def _check(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied

    def upload_view(self, request):
        """Upload a file; its check is queued and the status page shows it."""
        self._check(request)
        form = CqcFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            stored = self._store(
                request,
                form.cleaned_data["cqc_file"],
                form.cleaned_data["which"],
                form.cleaned_data["produced_on"],
            )
            result = tasks.check_cqc_file.enqueue(stored=stored)
            return self._to_status(request, "check", result.id, stored)
        status = 400 if request.method == "POST" else 200
        return self._render(request, form, status=status)

    def status_view(self, request):
        """What a queued check or import found, once the worker has run it."""
        self._check(request)
        try:
            job = signing.loads(
                request.GET.get("job", ""), salt=STATUS_SALT, max_age=STATUS_MAX_AGE
            )
            if job["user"] != request.user.pk:
                raise PermissionDenied
            result = STEPS[job["step"]].get_result(job["result"])
        except (signing.BadSignature, KeyError, TaskResultDoesNotExist):
            messages.error(
                request, "That import has expired or is not yours. Upload it again."
            )
            return HttpResponseRedirect(self._url("upload"))
        stored = job["stored"]
        if not result.is_finished:
            return self._render(
                request,
                None,
                waiting={
                    "step": job["step"],
                    "name": stored["name"],
                    "started": result.status == TaskResultStatus.RUNNING,
                    "started_at": result.started_at,
                    "enqueued_at": result.enqueued_at,
                },
            )
        if result.status == TaskResultStatus.FAILED:
            error = result.errors[-1].exception_class_path if result.errors else "?"
            report = ImportReport(file_name=stored["name"])
            report.problem(
                f"The background job stopped with an error ({error}), so nothing "
                "was imported. Upload the file again; if it happens again, import "
                "it with manage.py and look at its output."
            )
            default_storage.delete(stored["file"])
            return self._render(request, CqcFileForm(), report=report, status=400)
        report = tasks.report_from(result.return_value)
        if report.has_errors:
            return self._render(request, CqcFileForm(), report=report, status=400)
        if job["step"] == "import":
            messages.success(request, f"Imported {report.file_name} {report.summary()}")
            return HttpResponseRedirect(self._url("changelist"))
        confirm_form = CqcConfirmForm(
            initial={"token": signing.dumps(stored, salt=TOKEN_SALT)}
        )
        return self._render(
            request, CqcFileForm(), report=report, confirm_form=confirm_form
        )

    @method_decorator(require_POST)
    def confirm_view(self, request):
        """Queue the import of the previewed file, all or nothing, once."""
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
        # Confirmed once: a second press (or a resent form) shows the same import.
        claim = f"providers:cqc-import:confirmed:{stored['file']}"
        if not cache.add(claim, "", timeout=STATUS_MAX_AGE):
            queued = cache.get(claim)
            if queued:
                return self._to_status(request, "import", queued, stored)
            messages.error(request, "That preview was already used. Upload it again.")
            return HttpResponseRedirect(self._url("upload"))
        if not default_storage.exists(stored["file"]):
            messages.error(request, "That preview was already used. Upload it again.")
            return HttpResponseRedirect(self._url("upload"))
        result = tasks.import_cqc_file.enqueue(stored=stored)
        cache.set(claim, result.id, timeout=STATUS_MAX_AGE)
        return self._to_status(request, "import", result.id, stored)

    def _to_status(self, request, step: str, result_id: str, stored: dict):
        job = signing.dumps(
            {
                "step": step,
                "result": result_id,
                "user": request.user.pk,
                "stored": stored,
            },
            salt=STATUS_SALT,
        )
        return HttpResponseRedirect(f"{self._url('status')}?{urlencode({'job': job})}")

    def _url(self, name: str) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            current_app=self.admin_site.name,
        )

    def _store(self, request, upload, which, produced_on) -> dict:
        """Keep the upload where the worker can read it (every instance's and
        worker's shared ``MEDIA_ROOT``), under a name nobody can guess."""
        extension = os.path.splitext(upload.name)[1].lower()[:8]
        name = default_storage.save(
            f"{tasks.UPLOADS}/{secrets.token_hex(16)}{extension}", upload
        )
        return {
            "file": name,
            "name": upload.name,
            "which": which,
            "produced_on": produced_on.isoformat() if produced_on else None,
            "user": request.user.pk,
            "sha256": tasks.sha256_of(name),
        }

    def _render(
        self, request, form, report=None, confirm_form=None, waiting=None, status=200
    ):
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a file from CQC",
            "opts": self.opts,
            "form": form,
            "report": report,
            "confirm_form": confirm_form,
            "confirm_url": self._url("confirm"),
            "upload_url": self._url("upload"),
            "waiting": waiting,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, self.upload_template_name, context, status=status
        )
