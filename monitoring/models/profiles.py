"""Alert threshold profiles: the rules that decide which device alerts are raised."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    CPU_PERCENT = "cpu_percent", _("CPU %")
    MEMORY_PERCENT = "memory_percent", _("Memory %")
    DISK_USED_PERCENT = "disk_used_percent", _("Disk used % (per volume)")
    DISK_FREE_GB = "disk_free_gb", _("Disk free GB (per volume)")
    OFFLINE_MINUTES = "offline_minutes", _("Device offline (minutes)")


PERCENT_METRICS = {Metric.CPU_PERCENT, Metric.MEMORY_PERCENT, Metric.DISK_USED_PERCENT}


class Comparison(models.TextChoices):
    ABOVE = "gt", _("above")
    AT_LEAST = "gte", _("at or above")
    BELOW = "lt", _("below")
    AT_MOST = "lte", _("at or below")


class Severity(models.TextChoices):
    INFORMATION = "information", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class ThresholdProfile(models.Model):
    """A named set of alert rules; a customer's devices are evaluated against one."""

    name = models.CharField(
        verbose_name=_("name"),
        max_length=100,
    )
    description = models.TextField(
        verbose_name=_("description"),
        blank=True,
    )
    is_default = models.BooleanField(
        verbose_name=_("default profile"),
        default=False,
        help_text=_("Given to every new customer that is not given another profile."),
    )
    email_information = models.BooleanField(
        verbose_name=_("email information alerts"),
        default=False,
    )
    email_warning = models.BooleanField(
        verbose_name=_("email warning alerts"),
        default=False,
    )
    email_critical = models.BooleanField(
        verbose_name=_("email critical alerts"),
        default=True,
    )
    created_at = models.DateTimeField(
        verbose_name=_("created"),
        auto_now_add=True,
    )
    updated_at = models.DateTimeField(
        verbose_name=_("updated"),
        auto_now=True,
    )

    class Meta:
        verbose_name = _("alert threshold profile")
        verbose_name_plural = _("alert threshold profiles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="%(app_label)s_%(class)s_unique_name_ci",
                violation_error_message=_("A threshold profile with this name exists already."),
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message=_("Only one threshold profile can be the default."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = (self.name or "").strip()

    def emails(self, severity: str) -> bool:
        """Whether an alert of this severity is sent by email when it opens."""
        return bool(getattr(self, f"email_{severity}", False))


class ThresholdRule(models.Model):
    """One condition on one metric that raises an alert once it has held long enough."""

    profile = models.ForeignKey(
        ThresholdProfile,
        verbose_name=_("threshold profile"),
        on_delete=models.CASCADE,
        related_name="rules",
    )
    metric = models.CharField(
        verbose_name=_("metric"),
        max_length=30,
        choices=Metric.choices,
    )
    comparison = models.CharField(
        verbose_name=_("comparison"),
        max_length=3,
        choices=Comparison.choices,
        default=Comparison.ABOVE,
    )
    threshold = models.DecimalField(
        verbose_name=_("threshold"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    duration_minutes = models.PositiveIntegerField(
        verbose_name=_("for at least (minutes)"),
        default=0,
        help_text=_("How long the condition must hold before the alert opens."),
    )
    volume = models.CharField(
        verbose_name=_("volume"),
        max_length=100,
        blank=True,
        help_text=_("For disk rules: one volume (e.g. C: or /); empty means every volume."),
    )
    severity = models.CharField(
        verbose_name=_("severity"),
        max_length=12,
        choices=Severity.choices,
        default=Severity.WARNING,
    )
    enabled = models.BooleanField(
        verbose_name=_("enabled"),
        default=True,
    )

    class Meta:
        verbose_name = _("threshold rule")
        verbose_name_plural = _("threshold rules")
        ordering = ["profile", "metric", "threshold"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0),
                name="%(app_label)s_%(class)s_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    metric__in=sorted(m.value for m in PERCENT_METRICS), threshold__gt=100
                ),
                name="%(app_label)s_%(class)s_percent_at_most_100",
                violation_error_message=_("A percentage threshold cannot be above 100."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_metric_display()} {self.get_comparison_display()} {self.threshold}"
            f" · {self.get_severity_display()}"
        )

    def clean(self) -> None:
        if self.metric in PERCENT_METRICS and self.threshold is not None and self.threshold > 100:
            raise ValidationError({"threshold": _("A percentage threshold cannot be above 100.")})
        if self.volume and self.metric not in (Metric.DISK_USED_PERCENT, Metric.DISK_FREE_GB):
            raise ValidationError({"volume": _("Only disk rules apply to a volume.")})
        if self.metric == Metric.OFFLINE_MINUTES and self.comparison in (
            Comparison.BELOW,
            Comparison.AT_MOST,
        ):
            raise ValidationError(
                {"comparison": _("An offline rule counts minutes without a report: use above.")}
            )
