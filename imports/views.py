"""The import pages: upload, the job page with its live progress, and downloads."""

import csv
import io
import itertools
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView

from accounts.permissions import AdminRequiredMixin, is_admin
from customers import selectors as customer_selectors
from customers.forms import CustomerFilterForm

from . import exports, services
from .columns import RESOURCES
from .forms import UploadForm
from .models import ImportJob, Kind
from .readers import FileRefused

logger = logging.getLogger(__name__)

RECENT_JOBS = 25
ERROR_ROWS_SHOWN = 200
FILTER_KEYS = ("q", "country", "sla", "security")


def admin_only(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class ImportListView(AdminRequiredMixin, FormView):
    template_name = "imports/list.html"
    form_class = UploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = ImportJob.objects.select_related("created_by")[:RECENT_JOBS]
        context["kinds"] = Kind.choices
        return context

    def form_valid(self, form):
        try:
            job = services.create_job(
                form.cleaned_data["kind"],
                form.cleaned_data["file"],
                self.request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except FileRefused as refusal:
            form.add_error("file", str(refusal))
            return self.form_invalid(form)
        services.enqueue_validation(job)
        return redirect(job)


class ImportDetailView(AdminRequiredMixin, DetailView):
    template_name = "imports/detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return ImportJob.objects.select_related("created_by", "confirmed_by")

    def get_object(self, queryset=None):
        job = super().get_object(queryset)
        if job.is_running and services.fail_stalled_jobs([job.pk]):
            job.refresh_from_db()
        return job

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        processed, total = services.progress_of(job)
        context["processed"] = processed
        context["total"] = total
        context["percent"] = min(100, round(processed * 100 / total)) if total else 0
        context["row_errors"] = job.row_errors.all()[:ERROR_ROWS_SHOWN]
        context["errors_shown"] = ERROR_ROWS_SHOWN
        context["samples"] = [
            (label, job.preview.get(key, []))
            for key, label in (
                ("new", _("New")),
                ("updated", _("Updated")),
                ("unchanged", _("Unchanged")),
            )
        ]
        return context


class ImportStatusView(ImportDetailView):
    """The part of the job page that htmx refreshes while a worker is on the job."""

    template_name = "imports/status.html"


@require_POST
@admin_only
def confirm_view(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    if services.confirm(job, request.user):
        services.enqueue_import(job)
    else:
        # A second click or a second tab: the first one started the import already.
        messages.info(request, _("This import was started already, or cannot be started."))
    return redirect(job)


@require_POST
@admin_only
def cancel_view(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    if services.cancel(job):
        messages.success(request, _("Import cancelled; nothing was imported."))
    return redirect(job)


@admin_only
def error_report_view(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    response = HttpResponse(exports.error_report(job), content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response


@admin_only
def template_download(request, kind: str, file_format: str):
    if kind not in RESOURCES or file_format not in exports.CONTENT_TYPES:
        raise Http404
    response = HttpResponse(
        exports.template(kind, file_format), content_type=exports.CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{file_format}"'
    return response


class _Echo:
    """What csv.writer writes to: each row comes back as the text to stream."""

    def write(self, text: str) -> str:
        return text


@admin_only
def export_download(request, kind: str, file_format: str):
    """Customers (filtered as the Customers list is) or contacts, in the template's columns."""
    if kind not in RESOURCES or file_format not in exports.CONTENT_TYPES:
        raise Http404
    queryset = None
    filters = CustomerFilterForm(request.GET)
    if kind == Kind.CUSTOMERS and any(request.GET.get(k) for k in FILTER_KEYS):
        listed = customer_selectors.customer_list(
            query=filters.value("q", ""),
            country=filters.value("country", ""),
            sla_id=filters.value("sla"),
            main_contact_only={"on": True, "off": False}.get(filters.value("security")),
        )
        queryset = RESOURCES[kind]().get_queryset().filter(pk__in=listed.order_by().values("pk"))

    stamp = timezone.localtime().strftime("%Y-%m-%d")
    if file_format == "csv":
        writer = csv.writer(_Echo())
        rows = exports.export_rows(kind, queryset)
        # A BOM first, so that Excel reads the file as UTF-8.
        body = itertools.chain(["\ufeff"], (writer.writerow(row) for row in rows))
        response = StreamingHttpResponse(body, content_type=exports.CONTENT_TYPES["csv"])
    else:
        buffer = io.BytesIO()
        exports.write_export(kind, "xlsx", buffer, queryset)
        response = HttpResponse(buffer.getvalue(), content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{file_format}"'
    logger.info("export of %s as %s by %s", kind, file_format, request.user)
    return response
