"""The rate catalogue: named prices that contracts refer to."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ..choices import RateUnit
from .money import CURRENCY_PATTERN, MONEY, default_currency, validate_currency


class Rate(models.Model):
    """A named price in the rate catalogue; contracts refer to it, so it changes once."""

    name = models.CharField(
        verbose_name=_("name"),
        max_length=100,
    )
    amount = models.DecimalField(
        verbose_name=_("amount"),
        validators=[MinValueValidator(Decimal("0"))],
        **MONEY,
    )
    currency = models.CharField(
        verbose_name=_("currency"),
        max_length=3,
        default=default_currency,
        validators=[validate_currency],
    )
    unit = models.CharField(
        verbose_name=_("unit"),
        max_length=10,
        choices=RateUnit.choices,
    )
    active = models.BooleanField(
        verbose_name=_("active"),
        default=True,
    )

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="%(app_label)s_%(class)s_unique_name_ci",
                violation_error_message=_("A rate with this name exists already."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(unit__in=RateUnit.values),
                name="%(app_label)s_%(class)s_unit_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=CURRENCY_PATTERN),
                name="%(app_label)s_%(class)s_currency_code",
                violation_error_message=validate_currency.message,
            ),
        ]

    def __str__(self) -> str:
        # Shown in choice lists: the amount in the reader's number format (120,00 in French).
        amount = number_format(self.amount, decimal_pos=2, use_l10n=True)
        return f"{self.name} ({amount} {self.currency} {self.get_unit_display()})"
