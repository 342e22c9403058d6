"""Devices enrolled by the agent, the customer's enrolment token, and metric history."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# How many reports a device's history keeps: two hours at the agent's default interval.
HISTORY_SLOTS = 120


class EnrolmentToken(models.Model):
    """The secret an agent presents to register a device under a customer.

    Only its SHA-256 is stored; the token itself is shown once, when an admin creates or
    rotates it. Rotating invalidates the previous token but not devices enrolled with it.
    """

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="enrolment_token",
    )
    token_hash = models.CharField(
        verbose_name=_("token hash"),
        max_length=64,
        unique=True,
    )
    hint = models.CharField(
        verbose_name=_("first characters"),
        max_length=8,
        help_text=_("Lets people tell tokens apart without revealing them."),
    )
    created_at = models.DateTimeField(
        verbose_name=_("created"),
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("enrolment token")
        verbose_name_plural = _("enrolment tokens")

    def __str__(self) -> str:
        return f"{self.hint}…"


class DeviceKind(models.TextChoices):
    WORKSTATION = "workstation", _("Workstation")
    SERVER = "server", _("Server")
    MAC = "mac", _("Mac")
    OTHER = "other", _("Other")


class Device(models.Model):
    """A customer's machine that the agent reports on; its latest values live here."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="devices",
    )
    threshold_profile = models.ForeignKey(
        "monitoring.ThresholdProfile",
        verbose_name=_("alert threshold profile"),
        on_delete=models.PROTECT,
        related_name="devices",
        null=True,
        blank=True,
        help_text=_("Empty means the customer's profile."),
    )
    hostname = models.CharField(
        verbose_name=_("host name"),
        max_length=255,
    )
    os = models.CharField(
        verbose_name=_("operating system"),
        max_length=255,
        blank=True,
    )
    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=12,
        choices=DeviceKind.choices,
        default=DeviceKind.WORKSTATION,
    )
    key_hash = models.CharField(
        verbose_name=_("device key hash"),
        max_length=64,
        unique=True,
        editable=False,
    )
    agent_version = models.CharField(
        verbose_name=_("agent version"),
        max_length=50,
        blank=True,
    )
    enrolled_at = models.DateTimeField(
        verbose_name=_("enrolled"),
    )
    revoked_at = models.DateTimeField(
        verbose_name=_("revoked"),
        null=True,
        blank=True,
    )
    last_seen_at = models.DateTimeField(
        verbose_name=_("last seen"),
        null=True,
        blank=True,
    )
    last_sequence = models.BigIntegerField(
        verbose_name=_("last report sequence"),
        default=0,
        help_text=_("Reports with a sequence at or below this one are replays."),
    )
    report_count = models.BigIntegerField(
        verbose_name=_("reports received"),
        default=0,
    )
    cpu_percent = models.FloatField(
        verbose_name=_("CPU %"),
        null=True,
        blank=True,
    )
    memory_percent = models.FloatField(
        verbose_name=_("memory %"),
        null=True,
        blank=True,
    )
    uptime_seconds = models.BigIntegerField(
        verbose_name=_("uptime (seconds)"),
        null=True,
        blank=True,
    )
    volumes = models.JSONField(
        verbose_name=_("volumes"),
        default=list,
        blank=True,
        help_text=_("Latest disk use per volume: name, used %, free GB, total GB."),
    )
    conditions = models.JSONField(
        verbose_name=_("conditions holding since"),
        default=dict,
        blank=True,
        help_text=_(
            "When each rule's condition started to hold, keyed by rule and volume; "
            "a rule fires once its condition has held for its duration."
        ),
    )

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["hostname", "pk"]
        indexes = [
            models.Index(fields=["customer", "hostname"], name="monitoring_device_cust_idx"),
            models.Index(fields=["last_seen_at"], name="monitoring_device_seen_idx"),
        ]

    def __str__(self) -> str:
        return self.hostname

    def get_absolute_url(self) -> str:
        return reverse("monitoring:device", args=[self.pk])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def fullest_volume(self) -> dict | None:
        """The volume with the highest use, for one-figure summaries in lists."""
        if not self.volumes:
            return None
        return max(self.volumes, key=lambda volume: volume.get("used_percent") or 0)


class MetricSample(models.Model):
    """One report's values in a device's bounded history.

    History is a ring of ``HISTORY_SLOTS`` rows per device, overwritten in place, so it
    never needs pruning and a report writes one row whatever the history's age.
    """

    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.CASCADE,
        related_name="samples",
    )
    slot = models.PositiveSmallIntegerField(
        verbose_name=_("slot"),
    )
    received_at = models.DateTimeField(
        verbose_name=_("received"),
    )
    cpu_percent = models.FloatField(
        verbose_name=_("CPU %"),
    )
    memory_percent = models.FloatField(
        verbose_name=_("memory %"),
    )
    disk_used_percent = models.FloatField(
        verbose_name=_("fullest volume used %"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("metric sample")
        verbose_name_plural = _("metric samples")
        ordering = ["device", "received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "slot"],
                name="%(app_label)s_%(class)s_unique_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} @ {self.received_at:%Y-%m-%d %H:%M:%S}"
