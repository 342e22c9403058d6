"""Alerts: a rule's condition that held long enough on one device (and volume)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .profiles import Comparison, Metric, Severity


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


ACTIVE_STATES = [AlertState.OPEN.value, AlertState.ACKNOWLEDGED.value]


class Alert(models.Model):
    """Raised when a rule fires on a device; resolves on its own when the condition clears.

    At most one alert per (device, rule, volume) is active (open or acknowledged) at a time;
    the database enforces it. Metric, threshold and severity are copied from the rule so
    the alert still reads right after the rule is changed or deleted.
    """

    device = models.ForeignKey(
        "monitoring.Device",
        verbose_name=_("device"),
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    rule = models.ForeignKey(
        "monitoring.ThresholdRule",
        verbose_name=_("rule"),
        on_delete=models.SET_NULL,
        related_name="alerts",
        null=True,
        blank=True,
    )
    metric = models.CharField(
        verbose_name=_("metric"),
        max_length=30,
        choices=Metric.choices,
    )
    volume = models.CharField(
        verbose_name=_("volume"),
        max_length=100,
        blank=True,
    )
    comparison = models.CharField(
        verbose_name=_("comparison"),
        max_length=3,
        choices=Comparison.choices,
    )
    threshold = models.DecimalField(
        verbose_name=_("threshold"),
        max_digits=10,
        decimal_places=2,
    )
    severity = models.CharField(
        verbose_name=_("severity"),
        max_length=12,
        choices=Severity.choices,
    )
    state = models.CharField(
        verbose_name=_("state"),
        max_length=12,
        choices=AlertState.choices,
        default=AlertState.OPEN,
    )
    last_value = models.FloatField(
        verbose_name=_("last value"),
        null=True,
        blank=True,
    )
    opened_at = models.DateTimeField(
        verbose_name=_("opened"),
    )
    updated_at = models.DateTimeField(
        verbose_name=_("updated"),
    )
    resolved_at = models.DateTimeField(
        verbose_name=_("resolved"),
        null=True,
        blank=True,
    )
    acknowledged_at = models.DateTimeField(
        verbose_name=_("acknowledged"),
        null=True,
        blank=True,
    )
    acknowledged_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    snoozed_until = models.DateTimeField(
        verbose_name=_("snoozed until"),
        null=True,
        blank=True,
    )
    emailed_at = models.DateTimeField(
        verbose_name=_("emailed"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "rule", "volume"],
                condition=models.Q(state__in=ACTIVE_STATES),
                name="%(app_label)s_%(class)s_one_active_per_rule",
                violation_error_message=_("This rule already has an open alert on the device."),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-opened_at"], name="monitoring_alert_state_idx"),
            models.Index(fields=["device", "state"], name="monitoring_alert_device_idx"),
            models.Index(fields=["severity", "-opened_at"], name="monitoring_alert_sev_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} · {self.device_id} · {self.get_state_display()}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES
