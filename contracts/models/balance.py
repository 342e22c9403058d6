"""What a block contract holds and has used: top-ups bought, work debited, the balance."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ContractType
from .money import MONEY

NOTICE_LEVELS = (95, 80)


class Balance:
    """Figures of a block contract; ``notice`` is 80 or 95 once that share is used."""

    def __init__(self, total: Decimal, used: Decimal, unit: str) -> None:
        self.total = total
        self.used = used
        self.unit = unit

    @property
    def remaining(self) -> Decimal:
        return self.total - self.used

    @property
    def percent_used(self) -> int:
        if not self.total:
            return 0
        return int(self.used * 100 / self.total)

    @property
    def notice(self) -> int | None:
        return next((level for level in NOTICE_LEVELS if self.percent_used >= level), None)


class BlockTopUp(models.Model):
    """A further block of hours or money bought on a block contract."""

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="top_ups",
    )
    hours = models.DecimalField(
        verbose_name=_("hours"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    amount = models.DecimalField(
        verbose_name=_("amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    purchased_on = models.DateField(
        verbose_name=_("purchased on"),
    )
    note = models.CharField(
        verbose_name=_("note"),
        max_length=200,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        ordering = ["-purchased_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__isnull=False) | models.Q(amount__isnull=False),
                name="%(app_label)s_%(class)s_hours_or_amount",
                violation_error_message=_("A top-up adds hours or an amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} +{self.hours or self.amount}"

    def clean(self) -> None:
        # On a contract being added (an admin inline), the contract is set but unsaved,
        # so it has no id yet; its type is what counts all the same.
        try:
            contract = self.contract
        except ObjectDoesNotExist:
            contract = None
        contract_type = contract.type if contract is not None else None
        if contract_type == ContractType.BLOCK_HOURS:
            if self.hours is None:
                raise ValidationError({"hours": _("A block of hours is topped up with hours.")})
            if self.amount is not None:
                raise ValidationError({"amount": _("A block of hours takes hours, not money.")})
        elif contract_type == ContractType.BLOCK_MONEY:
            if self.amount is None:
                raise ValidationError({"amount": _("A block of money is topped up with money.")})
            if self.hours is not None:
                raise ValidationError({"hours": _("A block of money takes money, not hours.")})
        elif contract_type is not None:
            raise ValidationError(_("Only block contracts can be topped up."), code="not_block")


class UsageEntry(models.Model):
    """Work debited from a contract: hours, and the money they cost at the contract's rate."""

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="usage",
    )
    date = models.DateField(
        verbose_name=_("date"),
    )
    hours = models.DecimalField(
        verbose_name=_("hours"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    amount = models.DecimalField(
        verbose_name=_("amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty means the hours at the contract's rate; 0 records free work."),
        **MONEY,
    )
    description = models.CharField(
        verbose_name=_("description"),
        max_length=200,
        blank=True,
    )

    class Meta:
        verbose_name = _("usage entry")
        verbose_name_plural = _("usage entries")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.contract} {self.date}: {self.hours} h"

    def save(self, *args, **kwargs):
        # Money blocks are debited hours × the contract's rate at the time of the work.
        if self.amount is None and self.contract.rate_id:
            self.amount = (self.hours * self.contract.rate.amount).quantize(Decimal("0.01"))
        super().save(*args, **kwargs)
