"""Database rules of customers and their email domains: unique names, unique lower-case domains."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.models import Customer, CustomerDomain
from tests.factories import CustomerDomainFactory, CustomerFactory

pytestmark = pytest.mark.django_db

DUPLICATE_NAME = "A customer with this name exists already."


class TestCustomerName:
    def test_the_database_refuses_a_name_differing_only_in_case_and_spaces(self):
        Customer.objects.create(name="Acme")

        with pytest.raises(IntegrityError), transaction.atomic():
            Customer.objects.create(name=" acme ")

        assert Customer.objects.count() == 1

    def test_full_clean_reports_the_clash_with_a_clear_message(self):
        Customer.objects.create(name="Acme")
        customer = Customer(name=" acme ")

        with pytest.raises(ValidationError) as excinfo:
            customer.full_clean()

        assert DUPLICATE_NAME in excinfo.value.messages

    def test_full_clean_accepts_the_same_customer_again(self):
        customer = Customer.objects.create(name="Acme")

        customer.full_clean()

        assert customer.name == "Acme"

    def test_different_names_live_side_by_side(self):
        Customer.objects.create(name="Acme")
        Customer.objects.create(name="Acme Labs")

        assert Customer.objects.count() == 2

    def test_the_database_refuses_an_empty_name(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Customer.objects.create(name="")

    def test_full_clean_refuses_an_empty_name_on_the_name_field(self):
        with pytest.raises(ValidationError) as excinfo:
            Customer(name="").full_clean()

        assert "name" in excinfo.value.message_dict

    def test_full_clean_refuses_a_name_of_spaces_only(self):
        with pytest.raises(ValidationError):
            Customer(name="   ").full_clean()

    def test_the_database_refuses_a_name_of_spaces_only(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Customer.objects.create(name="   ")

    def test_names_differing_in_the_case_of_accented_letters_clash(self):
        Customer.objects.create(name="Émile Électricité")

        with pytest.raises(ValidationError):
            Customer(name="émile électricité").full_clean()

    def test_clean_collapses_whitespace(self):
        customer = Customer(name="  Acme \t  Widgets\n Ltd  ")

        customer.clean()

        assert customer.name == "Acme Widgets Ltd"

    def test_full_clean_compares_the_collapsed_name(self):
        CustomerFactory(name="Acme Widgets")

        with pytest.raises(ValidationError) as excinfo:
            Customer(name="ACME   widgets").full_clean()

        assert DUPLICATE_NAME in excinfo.value.messages

    def test_phone_and_zip_code_keep_leading_zeros(self):
        customer = CustomerFactory(phone="0044 20 7946 0000", zip_code="01234")

        customer.refresh_from_db()

        assert (customer.phone, customer.zip_code) == ("0044 20 7946 0000", "01234")


class TestCustomerDomain:
    def test_a_domain_belongs_to_one_customer_only(self):
        CustomerDomainFactory(domain="acme.com")
        other = CustomerFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            CustomerDomain.objects.create(customer=other, domain="acme.com")

        assert CustomerDomain.objects.filter(domain="acme.com").count() == 1

    def test_full_clean_reports_a_taken_domain(self):
        CustomerDomainFactory(domain="acme.com")
        domain = CustomerDomain(customer=CustomerFactory(), domain="acme.com")

        with pytest.raises(ValidationError) as excinfo:
            domain.full_clean()

        assert excinfo.value.message_dict["domain"] == [
            "This domain belongs to another customer already."
        ]

    def test_a_customer_may_own_several_domains(self):
        customer = CustomerFactory()
        CustomerDomainFactory(customer=customer, domain="acme.com")
        CustomerDomainFactory(customer=customer, domain="acme.co.uk")

        assert sorted(customer.domains.values_list("domain", flat=True)) == [
            "acme.co.uk",
            "acme.com",
        ]

    def test_the_database_refuses_an_upper_case_domain(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            CustomerDomainFactory(domain="Acme.com")

    def test_the_database_refuses_an_empty_domain(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            CustomerDomainFactory(domain="")

    @pytest.mark.parametrize(
        ("domain", "message"),
        [
            ("gmail.com", "shared free-mail domain"),
            ("user@acme.com", "enter it without “@”"),
            ("nodot", "is not a valid domain name"),
        ],
    )
    def test_full_clean_applies_the_domain_rules_on_the_domain_field(self, domain, message):
        with pytest.raises(ValidationError) as excinfo:
            CustomerDomain(customer=CustomerFactory(), domain=domain).full_clean()

        errors = excinfo.value.message_dict
        assert list(errors) == ["domain"]
        assert message in errors["domain"][0]

    def test_full_clean_stores_the_normalised_domain(self):
        domain = CustomerDomain(customer=CustomerFactory(), domain=" @Bücher.Example. ")

        domain.full_clean()
        domain.save()

        assert CustomerDomain.objects.get().domain == "xn--bcher-kva.example"

    def test_deleting_the_customer_frees_its_domains(self):
        domain = CustomerDomainFactory(domain="acme.com")
        domain.customer.delete()

        CustomerDomainFactory(domain="acme.com")

        assert CustomerDomain.objects.get().domain == "acme.com"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["\u200b", "Acme\u202eevil", "Bell\x07Co", "\u2060"])
def test_names_with_invisible_characters_are_refused(name):
    with pytest.raises(ValidationError) as caught:
        Customer(name=name).full_clean()
    assert list(caught.value.message_dict) == ["name"]
