"""Import jobs: one uploaded spreadsheet of customers or contacts, from upload to report."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    CONTACTS = "contacts", _("Contacts")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    VALIDATING = "validating", _("Validating")
    READY = "ready", _("Ready to import")
    CONFIRMED = "confirmed", _("Waiting for a worker")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# A worker owns a job in these states; the others are at rest.
RUNNING = (Status.VALIDATING, Status.IMPORTING)
FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)


def upload_path(job: "ImportJob", filename: str) -> str:
    # The original name is kept on the job; the stored name only needs to be unique.
    return f"imports/{job.kind}/{job.token}{job.extension}"


class ImportJob(models.Model):
    """An uploaded file, validated by a worker, previewed, then imported on confirmation."""

    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=20,
        choices=Kind.choices,
    )
    token = models.CharField(
        verbose_name=_("token"),
        max_length=32,
        unique=True,
        editable=False,
    )
    file = models.FileField(
        verbose_name=_("file"),
        upload_to=upload_path,
        max_length=200,
    )
    original_name = models.CharField(
        verbose_name=_("file name"),
        max_length=255,
    )
    extension = models.CharField(
        verbose_name=_("format"),
        max_length=10,
    )
    size = models.PositiveBigIntegerField(
        verbose_name=_("size in bytes"),
        default=0,
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.QUEUED,
    )
    dry_run = models.BooleanField(
        verbose_name=_("validate only"),
        default=False,
    )
    rows_total = models.PositiveIntegerField(verbose_name=_("rows"), default=0)
    rows_processed = models.PositiveIntegerField(verbose_name=_("rows processed"), default=0)
    new_count = models.PositiveIntegerField(verbose_name=_("new rows"), default=0)
    updated_count = models.PositiveIntegerField(verbose_name=_("updated rows"), default=0)
    unchanged_count = models.PositiveIntegerField(verbose_name=_("unchanged rows"), default=0)
    error_count = models.PositiveIntegerField(verbose_name=_("row errors"), default=0)
    preview = models.JSONField(
        verbose_name=_("preview"),
        default=dict,
        blank=True,
        help_text=_("The first rows of each outcome, and the columns that were ignored."),
    )
    message = models.TextField(
        verbose_name=_("message"),
        blank=True,
        help_text=_("Why the whole file was refused, or what stopped the job."),
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(verbose_name=_("uploaded"), auto_now_add=True)
    validated_at = models.DateTimeField(verbose_name=_("validated"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    confirmed_at = models.DateTimeField(verbose_name=_("confirmed"), null=True, blank=True)
    finished_at = models.DateTimeField(verbose_name=_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        verbose_name=_("last sign of life"),
        null=True,
        blank=True,
        help_text=_("Set by the worker while it validates or imports."),
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="imports_running_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (Status.QUEUED, Status.CONFIRMED, *RUNNING)

    @property
    def can_confirm(self) -> bool:
        return self.status == Status.READY and not self.error_count and not self.dry_run

    @property
    def changes(self) -> int:
        return self.new_count + self.updated_count


class RowError(models.Model):
    """One problem in one row (or the file's header) of an import; repeated in the report."""

    job = models.ForeignKey(
        ImportJob,
        verbose_name=_("import job"),
        on_delete=models.CASCADE,
        related_name="row_errors",
    )
    row = models.PositiveIntegerField(
        verbose_name=_("row"),
        help_text=_("The row number as the spreadsheet shows it."),
    )
    column = models.CharField(verbose_name=_("column"), max_length=100, blank=True)
    message = models.TextField(verbose_name=_("message"))
    values = models.JSONField(
        verbose_name=_("row values"),
        default=list,
        help_text=_("The offending row as it was read, for the downloadable report."),
    )

    class Meta:
        verbose_name = _("row error")
        verbose_name_plural = _("row errors")
        ordering = ["job", "row", "pk"]

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"
