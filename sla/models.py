"""SLA policies: business-hours calendars and per-priority response and resolution targets."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tickets.choices import Priority, TicketStatus


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known IANA time zone, such as Europe/Paris."),
            params={"value": value},
            code="invalid_time_zone",
        )


def validate_pause_statuses(value) -> None:
    if not isinstance(value, list) or any(item not in TicketStatus.values for item in value):
        raise ValidationError(
            _("Pausing statuses must be a list of ticket statuses."), code="invalid_statuses"
        )


# The largest targets the wizard takes, in minutes: a year to answer, ten years to resolve.
MAX_FIRST_RESPONSE_MINUTES = 525_600
MAX_RESOLUTION_MINUTES = 5_256_000


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SLAPolicy(models.Model):
    """How fast a customer's tickets must be answered and resolved, in business time."""

    name = models.CharField(
        verbose_name=_("name"),
        max_length=100,
    )
    description = models.TextField(
        verbose_name=_("description"),
        blank=True,
    )
    is_default = models.BooleanField(
        verbose_name=_("default policy"),
        default=False,
        help_text=_("Applies to customers that have no policy of their own."),
    )
    time_zone = models.CharField(
        verbose_name=_("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
    )
    is_24x7 = models.BooleanField(
        verbose_name=_("24/7"),
        default=False,
        help_text=_("Every minute counts; the weekly hours and holidays are ignored."),
    )
    pause_statuses = models.JSONField(
        verbose_name=_("statuses that pause the clock"),
        default=list,
        blank=True,
        validators=[validate_pause_statuses],
    )
    warning_percent = models.PositiveSmallIntegerField(
        verbose_name=_("warning at (percent of the target used)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
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
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="%(app_label)s_%(class)s_unique_name_ci",
                violation_error_message=_("An SLA policy with this name exists already."),
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message=_("Only one SLA policy can be the default."),
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=100),
                name="%(app_label)s_%(class)s_warning_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = (self.name or "").strip()


class BusinessInterval(models.Model):
    """One span of working time on one weekday, in the policy's time zone.

    An interval whose end is earlier than its start runs overnight into the next day;
    that is only accepted when ``overnight`` says so, so a typo is never inverted silently.
    The start and the end are never the same time: round-the-clock hours are ``is_24x7``
    on the policy.
    """

    policy = models.ForeignKey(
        SLAPolicy,
        verbose_name=_("SLA policy"),
        on_delete=models.CASCADE,
        related_name="intervals",
    )
    weekday = models.PositiveSmallIntegerField(
        verbose_name=_("weekday"),
        choices=Weekday.choices,
    )
    start = models.TimeField(
        verbose_name=_("start"),
    )
    end = models.TimeField(
        verbose_name=_("end"),
    )
    overnight = models.BooleanField(
        verbose_name=_("runs past midnight"),
        default=False,
    )

    class Meta:
        verbose_name = _("business-hours interval")
        verbose_name_plural = _("business-hours intervals")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="%(app_label)s_%(class)s_weekday_range",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(overnight=False, end__gt=models.F("start"))
                    | models.Q(overnight=True, end__lt=models.F("start"))
                ),
                name="%(app_label)s_%(class)s_end_matches_overnight",
                violation_error_message=_(
                    "The end must be after the start, unless the interval runs past midnight."
                ),
            ),
        ]

    def __str__(self) -> str:
        suffix = _(" (next day)") if self.overnight else ""
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}{suffix}"

    def clean(self) -> None:
        if self.start is None or self.end is None:
            return
        if self.start == self.end:
            raise ValidationError(
                {
                    "end": _(
                        "The start and the end cannot be the same time; use 24/7 for "
                        "round-the-clock hours."
                    )
                }
            )
        if self.end < self.start and not self.overnight:
            raise ValidationError(
                {
                    "end": _(
                        "The end is before the start. Tick “runs past midnight” for an "
                        "overnight interval, or correct the times."
                    )
                }
            )
        if self.end > self.start and self.overnight:
            raise ValidationError(
                {
                    "overnight": _(
                        "This interval ends on the same day; untick “runs past midnight”."
                    )
                }
            )


class Holiday(models.Model):
    """A day on which the policy's business hours do not run."""

    policy = models.ForeignKey(
        SLAPolicy,
        verbose_name=_("SLA policy"),
        on_delete=models.CASCADE,
        related_name="holidays",
    )
    date = models.DateField(
        verbose_name=_("date"),
    )
    name = models.CharField(
        verbose_name=_("name"),
        max_length=100,
        blank=True,
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "date"],
                name="%(app_label)s_%(class)s_unique_policy_date",
                violation_error_message=_("This date is already a holiday of the policy."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class SLATarget(models.Model):
    """First-response and resolution targets for one priority, in business minutes."""

    policy = models.ForeignKey(
        SLAPolicy,
        verbose_name=_("SLA policy"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    priority = models.CharField(
        verbose_name=_("priority"),
        max_length=10,
        choices=Priority.choices,
    )
    first_response_minutes = models.PositiveIntegerField(
        verbose_name=_("first response (business minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_FIRST_RESPONSE_MINUTES)],
    )
    resolution_minutes = models.PositiveIntegerField(
        verbose_name=_("resolution (business minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RESOLUTION_MINUTES)],
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["policy", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority"],
                name="%(app_label)s_%(class)s_unique_policy_priority",
                violation_error_message=_("This priority already has a target in the policy."),
            ),
            models.CheckConstraint(
                condition=models.Q(first_response_minutes__gte=1)
                & models.Q(resolution_minutes__gte=models.F("first_response_minutes")),
                name="%(app_label)s_%(class)s_resolution_after_response",
                violation_error_message=_(
                    "The resolution target cannot be shorter than the first-response target."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_priority_display()}"
