"""Database rules of contacts: one main contact per customer, addresses unique across contacts."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.models import Contact, ContactEmail
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def addresses_of(contact: Contact) -> list[tuple[str, bool]]:
    return list(contact.addresses.order_by("address").values_list("address", "is_primary"))


class TestMainContact:
    def test_the_database_allows_one_main_contact_per_customer(self):
        customer = CustomerFactory()
        ContactFactory(customer=customer, is_main=True)

        with pytest.raises(IntegrityError), transaction.atomic():
            ContactFactory(customer=customer, is_main=True)

        assert customer.contacts.filter(is_main=True).count() == 1

    def test_promoting_a_second_contact_is_refused_too(self):
        customer = CustomerFactory()
        ContactFactory(customer=customer, is_main=True)
        other = ContactFactory(customer=customer)

        other.is_main = True
        with pytest.raises(IntegrityError), transaction.atomic():
            other.save()

        other.refresh_from_db()
        assert other.is_main is False

    def test_each_customer_has_its_own_main_contact(self):
        ContactFactory(is_main=True)
        ContactFactory(is_main=True)

        assert Contact.objects.filter(is_main=True).count() == 2

    def test_any_number_of_other_contacts(self):
        customer = CustomerFactory()
        ContactFactory.create_batch(3, customer=customer, is_main=False)
        ContactFactory(customer=customer, is_main=True)

        assert customer.contacts.count() == 4

    def test_full_clean_reports_a_second_main_contact(self):
        customer = CustomerFactory()
        ContactFactory(customer=customer, is_main=True)
        second = ContactFactory.build(customer=customer, is_main=True)

        with pytest.raises(ValidationError) as excinfo:
            second.full_clean()

        assert "This customer has a main contact already." in excinfo.value.messages


class TestPrimaryAddress:
    def test_saving_a_contact_records_its_address_as_primary(self):
        contact = ContactFactory(email="ann@acme.com")

        assert addresses_of(contact) == [("ann@acme.com", True)]

    def test_the_address_is_trimmed_in_both_places(self):
        contact = ContactFactory(email="  ann@acme.com \n")

        contact.refresh_from_db()
        assert contact.email == "ann@acme.com"
        assert addresses_of(contact) == [("ann@acme.com", True)]

    def test_changing_the_email_replaces_the_primary_address(self):
        contact = ContactFactory(email="ann@acme.com")

        contact.email = "ann.smith@acme.com"
        contact.save()

        assert addresses_of(contact) == [("ann.smith@acme.com", True)]
        assert not ContactEmail.objects.filter(address__iexact="ann@acme.com").exists()

    def test_changing_only_the_case_keeps_one_row_in_the_new_case(self):
        contact = ContactFactory(email="ann@acme.com")

        contact.email = "Ann@Acme.com"
        contact.save()

        assert addresses_of(contact) == [("Ann@Acme.com", True)]

    def test_saving_again_without_changes_keeps_one_row(self):
        contact = ContactFactory(email="ann@acme.com")

        contact.first_name = "Anne"
        contact.save()
        contact.save()

        assert addresses_of(contact) == [("ann@acme.com", True)]

    def test_further_addresses_survive_a_change_of_the_main_address(self):
        contact = ContactFactory(email="ann@acme.com")
        ContactEmail.objects.create(contact=contact, address="ann@acme.co.uk")

        contact.email = "a.smith@acme.com"
        contact.save()

        assert addresses_of(contact) == [("a.smith@acme.com", True), ("ann@acme.co.uk", False)]

    def test_a_further_address_can_become_the_main_one(self):
        contact = ContactFactory(email="ann@acme.com")
        ContactEmail.objects.create(contact=contact, address="ann@acme.co.uk")

        contact.email = "ANN@acme.co.uk"
        contact.save()

        assert addresses_of(contact) == [("ANN@acme.co.uk", True)]


class TestAddressUniqueness:
    def test_an_address_in_another_case_on_another_contact_is_refused(self):
        ContactFactory(email="A@x.com")

        with pytest.raises(IntegrityError), transaction.atomic():
            ContactFactory(email="a@X.com")

        # The contact row was written in the same transaction as its address; neither stays.
        assert Contact.objects.count() == 1
        assert ContactEmail.objects.count() == 1

    def test_a_further_address_clashing_with_another_contact_is_refused(self):
        ContactFactory(email="A@x.com")
        other = ContactFactory(email="b@x.com")

        with pytest.raises(IntegrityError), transaction.atomic():
            ContactEmail.objects.create(contact=other, address="a@X.COM")

    def test_the_same_contact_cannot_hold_an_address_twice(self):
        contact = ContactFactory(email="a@x.com")

        with pytest.raises(IntegrityError), transaction.atomic():
            ContactEmail.objects.create(contact=contact, address="A@X.com")

    def test_changing_the_email_to_another_contacts_address_is_refused_and_rolled_back(self):
        ContactFactory(email="a@x.com")
        other = ContactFactory(email="b@x.com")

        other.email = "A@x.com"
        with pytest.raises(IntegrityError), transaction.atomic():
            other.save()

        other.refresh_from_db()
        assert other.email == "b@x.com"
        assert addresses_of(other) == [("b@x.com", True)]

    def test_full_clean_reports_a_taken_address(self):
        ContactFactory(email="a@x.com")
        address = ContactEmail(contact=ContactFactory(), address="A@x.com")

        with pytest.raises(ValidationError) as excinfo:
            address.full_clean()

        assert "Another contact uses this email address already." in excinfo.value.messages

    def test_one_primary_address_per_contact(self):
        contact = ContactFactory(email="a@x.com")

        with pytest.raises(IntegrityError), transaction.atomic():
            ContactEmail.objects.create(contact=contact, address="b@x.com", is_primary=True)

        assert contact.addresses.filter(is_primary=True).count() == 1

    def test_each_contact_has_its_own_primary(self):
        first = ContactFactory()
        second = ContactFactory()

        assert ContactEmail.objects.filter(is_primary=True).count() == 2
        assert first.addresses.get(is_primary=True).address == first.email
        assert second.addresses.get(is_primary=True).address == second.email

    def test_addresses_go_with_the_contact(self):
        contact = ContactFactory(email="a@x.com")
        ContactEmail.objects.create(contact=contact, address="a2@x.com")

        contact.delete()

        assert not ContactEmail.objects.exists()
