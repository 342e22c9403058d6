"""Contracts: how a customer is billed, one of eight types with their own figures."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from ..choices import (
    BackupScope,
    BillingPeriod,
    ContractType,
    DeviceScope,
    NewDeviceBilling,
    RateUnit,
)
from ..rules import (
    PERIOD_MESSAGE,
    REQUIRED_MESSAGE,
    TYPE_RULES,
    TYPE_SPECIFIC_FIELDS,
    UNIT_MESSAGE,
)
from .balance import Balance
from .money import (
    CURRENCY_PATTERN,
    MAX_QUANTITY,
    MONEY,
    default_currency,
    validate_currency,
)
from .rate import Rate


class Contract(models.Model):
    """What a customer pays for and how: one of eight types, each with its own figures."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contracts",
    )
    name = models.CharField(
        verbose_name=_("name"),
        max_length=150,
    )
    type = models.CharField(
        verbose_name=_("type"),
        max_length=20,
        choices=ContractType.choices,
    )
    active = models.BooleanField(
        verbose_name=_("active"),
        default=True,
    )
    is_default = models.BooleanField(
        verbose_name=_("default contract"),
        default=False,
        help_text=_("Work for the customer goes against this contract unless another is chosen."),
    )
    start_date = models.DateField(
        verbose_name=_("start date"),
        null=True,
        blank=True,
    )
    end_date = models.DateField(
        verbose_name=_("end date"),
        null=True,
        blank=True,
    )
    taxable = models.BooleanField(
        verbose_name=_("taxable"),
        default=False,
        help_text=_("Tax applies to labour."),
    )
    sla = models.ForeignKey(
        "sla.SLAPolicy",
        verbose_name=_("SLA policy"),
        on_delete=models.PROTECT,
        related_name="contracts",
        null=True,
        blank=True,
        help_text=_("Overrides the customer's SLA policy for work under this contract."),
    )
    notes = models.TextField(
        verbose_name=_("notes"),
        blank=True,
    )
    currency = models.CharField(
        verbose_name=_("currency"),
        max_length=3,
        default=default_currency,
        validators=[validate_currency],
    )
    billing_period = models.CharField(
        verbose_name=_("billing period"),
        max_length=12,
        choices=BillingPeriod.choices,
        blank=True,
    )
    quantity = models.PositiveIntegerField(
        verbose_name=_("quantity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)],
        help_text=_("1 for a retainer; the number of units for a flat fee."),
    )
    rate = models.ForeignKey(
        Rate,
        verbose_name=_("rate"),
        on_delete=models.PROTECT,
        related_name="contracts",
        null=True,
        blank=True,
    )
    additional_rates = models.ManyToManyField(
        Rate,
        verbose_name=_("additional rates"),
        related_name="+",
        blank=True,
    )
    block_hours = models.DecimalField(
        verbose_name=_("hours in the block"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    block_amount = models.DecimalField(
        verbose_name=_("amount in the block"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    overage_rate = models.ForeignKey(
        Rate,
        verbose_name=_("overage rate"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    rollover = models.BooleanField(
        verbose_name=_("roll over the remaining balance"),
        default=False,
    )
    device_scope = models.CharField(
        verbose_name=_("devices counted"),
        max_length=20,
        choices=DeviceScope.choices,
        blank=True,
    )
    new_device_billing = models.CharField(
        verbose_name=_("devices added mid-period"),
        max_length=20,
        choices=NewDeviceBilling.choices,
        blank=True,
    )
    backup_scope = models.CharField(
        verbose_name=_("storage counted"),
        max_length=20,
        choices=BackupScope.choices,
        blank=True,
    )
    total_amount = models.DecimalField(
        verbose_name=_("total amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        **MONEY,
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
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["customer", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default_per_customer",
                violation_error_message=_("This customer has a default contract already."),
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=ContractType.values),
                name="%(app_label)s_%(class)s_type_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(end_date__isnull=True)
                    | models.Q(start_date__isnull=True)
                    | models.Q(end_date__gte=models.F("start_date"))
                ),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=~models.Q(billing_period=BillingPeriod.ON_DEMAND)
                | models.Q(type=ContractType.HOURLY),
                name="%(app_label)s_%(class)s_on_demand_only_hourly",
                violation_error_message=_("Only hourly contracts can be billed on demand."),
            ),
            models.CheckConstraint(
                condition=models.Q(block_hours__isnull=True) | models.Q(block_hours__gt=0),
                name="%(app_label)s_%(class)s_block_hours_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(block_amount__isnull=True) | models.Q(block_amount__gt=0),
                name="%(app_label)s_%(class)s_block_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True)
                | models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="%(app_label)s_%(class)s_quantity_range",
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=CURRENCY_PATTERN),
                name="%(app_label)s_%(class)s_currency_code",
                violation_error_message=validate_currency.message,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        # clean() needs to know which fields were excluded: a model form excludes the
        # fields that failed their own validation, and "Required for …" on top of
        # "Select a valid choice" would be a second, wrong error on the same field.
        self._clean_exclude = set(exclude or ())
        try:
            super().full_clean(exclude, validate_unique, validate_constraints)
        finally:
            del self._clean_exclude

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        excluded = getattr(self, "_clean_exclude", set())
        errors: dict[str, list] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors.setdefault("end_date", []).append(
                _("The end date cannot be before the start date.")
            )

        rule = TYPE_RULES.get(self.type)
        if rule is None:
            if "type" not in excluded:
                errors["type"] = [_("Choose a contract type.")]
            if errors:
                raise ValidationError(errors)
            return
        self.clear_unused_fields()

        type_label = self.get_type_display()
        for name in sorted(rule.required - {"additional_rates"} - excluded):
            if getattr(self, name) in (None, ""):
                errors.setdefault(name, []).append(REQUIRED_MESSAGE % {"type": type_label})
        if self.billing_period and self.billing_period not in rule.billing_periods:
            errors.setdefault("billing_period", []).append(
                PERIOD_MESSAGE % {"type": type_label, "period": self.get_billing_period_display()}
            )
        for name in ("rate", "overage_rate"):
            rate = getattr(self, name)
            if rate is not None and rule.rate_units and rate.unit not in rule.rate_units:
                units = ", ".join(str(RateUnit(unit).label) for unit in sorted(rule.rate_units))
                errors.setdefault(name, []).append(
                    UNIT_MESSAGE
                    % {"type": type_label, "units": units, "unit": rate.get_unit_display()}
                )
        if errors:
            raise ValidationError(errors)

    def clear_unused_fields(self) -> None:
        """Empty the fields the contract's type does not use, so none lingers unseen."""
        rule = TYPE_RULES[self.type]
        for name in TYPE_SPECIFIC_FIELDS:
            if name in rule.fields or name == "additional_rates":
                continue
            default = False if name == "rollover" else ("" if name in _TEXT_FIELDS else None)
            setattr(self, name, default)

    @property
    def has_balance(self) -> bool:
        return self.type in (ContractType.BLOCK_HOURS, ContractType.BLOCK_MONEY)

    def balance(self) -> "Balance | None":
        """What the block holds (with top-ups), what has been used, and the notice level."""
        if self.type == ContractType.BLOCK_HOURS:
            bought = self.block_hours or Decimal(0)
            bought += self.top_ups.aggregate(total=Sum("hours"))["total"] or Decimal(0)
            used = self.usage.aggregate(total=Sum("hours"))["total"] or Decimal(0)
            return Balance(bought, used, unit=_("hours"))
        if self.type == ContractType.BLOCK_MONEY:
            bought = self.block_amount or Decimal(0)
            bought += self.top_ups.aggregate(total=Sum("amount"))["total"] or Decimal(0)
            used = self.usage.aggregate(total=Sum("amount", default=Decimal(0)))["total"]
            return Balance(bought, used, unit=self.currency)
        return None


_TEXT_FIELDS = {"billing_period", "device_scope", "new_device_billing", "backup_scope"}
