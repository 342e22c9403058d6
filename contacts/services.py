"""Contact rules that span rows: addresses unique across contacts, and the main contact."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from .models import Contact, ContactEmail

logger = logging.getLogger(__name__)


def normalise_address(address: str) -> str:
    return (address or "").strip()


def addresses_in_use(addresses: list[str], exclude: Contact | None = None) -> dict[str, Contact]:
    """Map each address (lower-cased) that another contact already uses to that contact."""
    if not addresses:
        return {}
    # Compared as the unique index compares them (LOWER on both sides), in one query.
    rows = (
        ContactEmail.objects.annotate(key=Lower("address"))
        .filter(key__in={address.lower() for address in addresses})
        .select_related("contact__customer")
    )
    if exclude is not None and exclude.pk:
        rows = rows.exclude(contact=exclude)
    return {row.address.lower(): row.contact for row in rows}


def set_extra_addresses(contact: Contact, addresses: list[str]) -> None:
    """Make ``addresses`` exactly the contact's further addresses (besides the main one)."""
    wanted = {a.lower(): a for a in addresses if a.lower() != contact.email.lower()}
    with transaction.atomic():
        extras = contact.addresses.filter(is_primary=False)
        for row in extras:
            if row.address.lower() not in wanted:
                row.delete()
            else:
                wanted.pop(row.address.lower())
        ContactEmail.objects.bulk_create(
            ContactEmail(contact=contact, address=address) for address in wanted.values()
        )


def add_contact(contact: Contact, extra_addresses: list[str] | None = None) -> Contact:
    """Save a new contact with its addresses; a main contact takes the flag from another."""
    with transaction.atomic():
        wants_main = contact.is_main
        contact.is_main = False
        contact.save()
        set_extra_addresses(contact, extra_addresses or [])
        if wants_main:
            set_main_contact(contact)
    return contact


def set_main_contact(contact: Contact) -> None:
    """Make ``contact`` its customer's main contact, moving the flag in one transaction.

    An inactive contact cannot become main contact: with "tickets by main contact only"
    on, the customer could then open no ticket by email at all.
    """
    if not contact.active:
        raise ValidationError(
            _("%(contact)s is inactive; activate the contact before making them main contact.")
            % {"contact": contact.full_name},
            code="inactive",
        )
    with transaction.atomic():
        Contact.objects.select_for_update().filter(customer_id=contact.customer_id).filter(
            is_main=True
        ).exclude(pk=contact.pk).update(is_main=False)
        Contact.objects.filter(pk=contact.pk).update(is_main=True)
    contact.is_main = True
    logger.info("main contact of customer=%s is now contact=%s", contact.customer_id, contact.pk)


def unset_main_contact(contact: Contact) -> None:
    Contact.objects.filter(pk=contact.pk).update(is_main=False)
    contact.is_main = False
    logger.info(
        "contact=%s is no longer main contact of customer=%s", contact.pk, contact.customer_id
    )
