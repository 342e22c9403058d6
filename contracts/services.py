"""Saving contracts with the rules of their type."""

import logging

from django.db import transaction

from .models import Contract, Rate
from .rules import TYPE_RULES

logger = logging.getLogger(__name__)


def add_contract(contract: Contract, additional_rates: list[Rate] | None = None) -> Contract:
    """Validate and save a contract; a new default contract takes the flag from another."""
    contract.clean_fields(exclude=["customer"])
    contract.clean()
    if "additional_rates" not in TYPE_RULES[contract.type].fields:
        additional_rates = []

    with transaction.atomic():
        if contract.is_default:
            Contract.objects.filter(customer_id=contract.customer_id, is_default=True).exclude(
                pk=contract.pk
            ).update(is_default=False)
        contract.save()
        contract.additional_rates.set(additional_rates or [])
    logger.info(
        "contract saved: id=%s customer=%s type=%s",
        contract.pk,
        contract.customer_id,
        contract.type,
    )
    return contract
