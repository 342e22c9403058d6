"""Factories for the domain objects the tests build: users, customers, contacts, contracts."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from contacts.models import Contact
from contracts.choices import ContractType, RateUnit
from contracts.models import Contract, Rate
from customers.models import Customer, CustomerDomain
from monitoring.models import ThresholdProfile
from sla.models import SLAPolicy

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    """A technician by default; pass ``role=Role.ADMIN`` for an admin."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@msp.example")
    full_name = factory.Sequence(lambda n: f"Staff Member {n}")
    role = Role.TECHNICIAN
    password = DEFAULT_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The manager hashes the password and normalises the address, as sign-up does.
        return model_class.objects.create_user(*args, **kwargs)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")


class CustomerDomainFactory(DjangoModelFactory):
    class Meta:
        model = CustomerDomain

    customer = factory.SubFactory(CustomerFactory)
    domain = factory.Sequence(lambda n: f"customer{n}.example")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")


class RateFactory(DjangoModelFactory):
    """An hourly rate by default; names never clash with the seeded catalogue."""

    class Meta:
        model = Rate

    name = factory.Sequence(lambda n: f"Test rate {n}")
    amount = Decimal("120.00")
    unit = RateUnit.PER_HOUR


class ContractFactory(DjangoModelFactory):
    """A valid block-of-hours contract: 10 hours at an hourly rate, with an overage rate."""

    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contract {n}")
    type = ContractType.BLOCK_HOURS
    block_hours = Decimal("10.00")
    rate = factory.SubFactory(RateFactory, amount=Decimal("100.00"))
    overage_rate = factory.SubFactory(RateFactory, amount=Decimal("150.00"))


class SLAPolicyFactory(DjangoModelFactory):
    class Meta:
        model = SLAPolicy

    name = factory.Sequence(lambda n: f"SLA policy {n}")
    time_zone = "UTC"


class ThresholdProfileFactory(DjangoModelFactory):
    class Meta:
        model = ThresholdProfile

    name = factory.Sequence(lambda n: f"Threshold profile {n}")
