"""Money and quantities on contracts: amounts, currencies and their limits."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}

# ISO 4217 style: three upper-case ASCII letters. The pattern is written so that Python
# (the validator, SQLite's REGEXP) and PostgreSQL read it alike.
CURRENCY_PATTERN = r"^[A-Z]{3}$"
validate_currency = RegexValidator(
    regex=r"\A[A-Z]{3}\Z",
    message=_("Enter a three-letter currency code such as USD or EUR."),
    code="invalid_currency",
)

# A contract for more units than this is a typing slip, not a deal.
MAX_QUANTITY = 1_000_000


def default_currency() -> str:
    return settings.ATERA_CURRENCY
