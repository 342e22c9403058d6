"""What each contract type needs: the one description that the model, forms and API share."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .choices import BillingPeriod, ContractType, RateUnit

RECURRING_PERIODS = frozenset(BillingPeriod.values) - {BillingPeriod.ON_DEMAND}

# Every field that only some types use, in the order forms show them; the rest of a
# contract is common to all types.
TYPE_SPECIFIC_FIELDS = (
    "quantity",
    "rate",
    "additional_rates",
    "block_hours",
    "block_amount",
    "overage_rate",
    "rollover",
    "device_scope",
    "new_device_billing",
    "backup_scope",
    "total_amount",
    "billing_period",
)


@dataclass(frozen=True)
class TypeRule:
    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    billing_periods: frozenset[str] = frozenset()
    rate_units: frozenset[str] = frozenset()
    rate_label: str = field(default="")

    @property
    def fields(self) -> frozenset[str]:
        return self.required | self.optional


TYPE_RULES: dict[str, TypeRule] = {
    ContractType.RETAINER: TypeRule(
        required=frozenset({"quantity", "rate", "billing_period"}),
        billing_periods=RECURRING_PERIODS,
        rate_units=frozenset({RateUnit.FIXED, RateUnit.PER_DEVICE, RateUnit.PER_HOUR}),
    ),
    ContractType.HOURLY: TypeRule(
        required=frozenset({"rate", "billing_period"}),
        optional=frozenset({"additional_rates"}),
        billing_periods=frozenset(BillingPeriod.values),
        rate_units=frozenset({RateUnit.PER_HOUR}),
    ),
    ContractType.BLOCK_HOURS: TypeRule(
        required=frozenset({"block_hours", "rate", "overage_rate"}),
        optional=frozenset({"rollover", "billing_period"}),
        billing_periods=RECURRING_PERIODS,
        rate_units=frozenset({RateUnit.PER_HOUR}),
    ),
    ContractType.BLOCK_MONEY: TypeRule(
        required=frozenset({"block_amount", "rate", "overage_rate", "billing_period"}),
        optional=frozenset({"rollover"}),
        billing_periods=RECURRING_PERIODS,
        rate_units=frozenset({RateUnit.PER_HOUR}),
    ),
    ContractType.REMOTE_MONITORING: TypeRule(
        required=frozenset({"device_scope", "rate", "billing_period", "new_device_billing"}),
        billing_periods=RECURRING_PERIODS,
        rate_units=frozenset({RateUnit.PER_DEVICE}),
    ),
    ContractType.ONLINE_BACKUP: TypeRule(
        required=frozenset({"backup_scope", "rate", "billing_period"}),
        billing_periods=RECURRING_PERIODS,
        rate_units=frozenset({RateUnit.PER_GB}),
    ),
    ContractType.PROJECT_FIXED: TypeRule(
        required=frozenset({"total_amount"}),
    ),
    ContractType.PROJECT_HOURLY: TypeRule(
        required=frozenset({"rate"}),
        optional=frozenset({"additional_rates"}),
        rate_units=frozenset({RateUnit.PER_HOUR}),
    ),
}

REQUIRED_MESSAGE = _("Required for a “%(type)s” contract.")
PERIOD_MESSAGE = _("A “%(type)s” contract cannot be billed “%(period)s”.")
UNIT_MESSAGE = _("A “%(type)s” contract needs a rate charged %(units)s; this one is %(unit)s.")


def types_using(field_name: str) -> list[str]:
    """The contract types that use a field; the form shows the field only for them."""
    return [kind for kind, rule in TYPE_RULES.items() if field_name in rule.fields]
