"""Contracts: how a customer is billed, priced from a shared rate catalogue."""

from .balance import Balance, BlockTopUp, UsageEntry
from .contract import Contract
from .money import MAX_QUANTITY, MONEY, default_currency, validate_currency
from .rate import Rate

__all__ = [
    "MAX_QUANTITY",
    "MONEY",
    "Balance",
    "BlockTopUp",
    "Contract",
    "Rate",
    "UsageEntry",
    "default_currency",
    "validate_currency",
]
