"""Customer rules that span rows: name clashes, domain ownership, and creating a customer."""

import logging
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower, Trim

from accounts.models import User
from contacts.models import Contact
from contacts.services import add_contact
from contracts.models import Contract, Rate
from contracts.services import add_contract
from monitoring.models import ThresholdProfile
from sla.models import SLAPolicy
from sla.services import NewPolicy, create_policy

from .models import Customer, CustomerDomain

logger = logging.getLogger(__name__)


def name_taken(name: str, exclude: Customer | None = None) -> bool:
    """Whether another customer has this name, compared trimmed and case-insensitively."""
    clashes = Customer.objects.annotate(key=Lower(Trim("name"))).filter(
        key=" ".join(name.split()).lower()
    )
    if exclude is not None and exclude.pk:
        clashes = clashes.exclude(pk=exclude.pk)
    return clashes.exists()


def domain_owners(domains: list[str], exclude: Customer | None = None) -> dict[str, Customer]:
    """Map each of ``domains`` that another customer owns to that customer."""
    owned = CustomerDomain.objects.filter(domain__in=domains).select_related("customer")
    if exclude is not None and exclude.pk:
        owned = owned.exclude(customer=exclude)
    return {row.domain: row.customer for row in owned}


def set_domains(customer: Customer, domains: list[str]) -> None:
    """Make ``domains`` (already normalised) exactly the customer's domains."""
    with transaction.atomic():
        customer.domains.exclude(domain__in=domains).delete()
        existing = set(customer.domains.values_list("domain", flat=True))
        CustomerDomain.objects.bulk_create(
            CustomerDomain(customer=customer, domain=domain)
            for domain in domains
            if domain not in existing
        )


@dataclass
class NewCustomer:
    """Everything the New → Customer wizard collected, none of it saved yet."""

    customer: Customer
    domains: list[str]
    contact: Contact | None = None
    contact_addresses: list[str] = field(default_factory=list)
    contract: Contract | None = None
    additional_rates: list[Rate] = field(default_factory=list)
    new_policy: NewPolicy | None = None
    creation_key: uuid.UUID | None = None


class DuplicateSubmission(Exception):
    """The wizard run with this key created a customer already."""

    def __init__(self, customer: Customer) -> None:
        super().__init__(customer.pk)
        self.customer = customer


def create_customer(new: NewCustomer, created_by: User | None) -> Customer:
    """Write a new customer with its domains, SLA policy, contract and contact at once.

    Everything is written in one transaction, or nothing is. A second call with the same
    creation key (a double-clicked or replayed submit) raises DuplicateSubmission naming
    the customer the first call created.
    """
    if new.creation_key and (done := created_with(new.creation_key)):
        raise DuplicateSubmission(done)

    customer = new.customer
    try:
        with transaction.atomic():
            if new.new_policy is not None:
                customer.sla = create_policy(new.new_policy)
            if customer.threshold_profile_id is None:
                customer.threshold_profile = ThresholdProfile.objects.filter(
                    is_default=True
                ).first()
            customer.created_by = created_by
            customer.creation_key = new.creation_key
            customer.save()
            set_domains(customer, new.domains)

            if new.contract is not None:
                new.contract.customer = customer
                new.contract.is_default = True
                add_contract(new.contract, new.additional_rates)
            if new.contact is not None:
                new.contact.customer = customer
                add_contact(new.contact, new.contact_addresses)
    except IntegrityError:
        # A concurrent twin of this submission committed first: answer with its result.
        if new.creation_key and (done := created_with(new.creation_key)):
            raise DuplicateSubmission(done) from None
        raise

    logger.info(
        "customer created: id=%s by user=%s contract=%s contact=%s",
        customer.pk,
        getattr(created_by, "pk", None),
        getattr(new.contract, "pk", None),
        getattr(new.contact, "pk", None),
    )
    return customer


def created_with(key: uuid.UUID) -> Customer | None:
    """The customer that the wizard run with this key created, if any."""
    return Customer.objects.filter(creation_key=key).first()


def effective_sla(customer: Customer) -> SLAPolicy | None:
    """The customer's own SLA policy, else the default one."""
    return customer.sla or SLAPolicy.objects.filter(is_default=True).first()


def effective_threshold_profile(customer: Customer) -> ThresholdProfile | None:
    """The customer's own threshold profile, else the default one."""
    return customer.threshold_profile or ThresholdProfile.objects.filter(is_default=True).first()
