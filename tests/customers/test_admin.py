"""The Django admin's customer pages: domains typed in one field and checked as everywhere."""

import pytest

from customers.models import Customer, CustomerDomain
from tests.factories import CustomerDomainFactory, CustomerFactory, SLAPolicyFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/django-admin/customers/customer/add/"


def change_url(customer: Customer) -> str:
    return f"/django-admin/customers/customer/{customer.pk}/change/"


def form_data(name="Dupx Ltd", domains="", **fields) -> dict:
    data = {
        "name": name,
        "domains": domains,
        "company_id": "",
        "phone": "",
        "fax": "",
        "address": "",
        "city": "",
        "state": "",
        "zip_code": "",
        "country": "",
        "rank": "",
        "sla": "",
        "threshold_profile": "",
    }
    data.update(fields)
    return data


def domains_of(customer: Customer) -> list[str]:
    return sorted(customer.domains.values_list("domain", flat=True))


class TestDomainsAreValidated:
    def test_a_free_mail_domain_is_refused(self, admin_client):
        response = admin_client.post(ADD_URL, form_data(domains="dupx.example\nGmail.com"))

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors["domains"]
        assert len(errors) == 1
        assert errors[0].startswith("“gmail.com” is a shared free-mail domain")
        assert not Customer.objects.filter(name="Dupx Ltd").exists()
        assert not CustomerDomain.objects.exists()

    def test_another_customers_domain_is_refused_in_any_case(self, admin_client):
        owner = CustomerDomainFactory(domain="taken.example").customer

        response = admin_client.post(ADD_URL, form_data(domains="dupx.example, TAKEN.example"))

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["domains"] == [
            f"“taken.example” belongs to the customer {owner.name} already."
        ]
        assert not Customer.objects.filter(name="Dupx Ltd").exists()
        assert list(CustomerDomain.objects.values_list("domain", flat=True)) == ["taken.example"]

    def test_an_invalid_domain_is_refused(self, admin_client):
        response = admin_client.post(ADD_URL, form_data(domains="someone@dupx.example"))

        assert response.status_code == 200
        assert "domains" in response.context["adminform"].form.errors
        assert not Customer.objects.filter(name="Dupx Ltd").exists()

    def test_domains_differing_only_in_case_are_stored_once(self, admin_client):
        response = admin_client.post(ADD_URL, form_data(domains="dupx.example\nDUPX.example"))

        assert response.status_code == 302
        assert domains_of(Customer.objects.get(name="Dupx Ltd")) == ["dupx.example"]

    def test_domain_rows_posted_as_the_old_inline_did_are_ignored(self, admin_client):
        data = form_data(
            domains="dupx.example",
            **{
                "domains-TOTAL_FORMS": "2",
                "domains-INITIAL_FORMS": "0",
                "domains-0-domain": "other.example",
                "domains-1-domain": "OTHER.example",
            },
        )

        response = admin_client.post(ADD_URL, data)

        assert response.status_code == 302
        assert domains_of(Customer.objects.get(name="Dupx Ltd")) == ["dupx.example"]

    def test_a_taken_name_is_refused(self, admin_client):
        CustomerFactory(name="Dupx Ltd")

        response = admin_client.post(ADD_URL, form_data(name="  DUPX   ltd "))

        assert response.status_code == 200
        assert "name" in response.context["adminform"].form.errors
        assert Customer.objects.filter(name__iexact="dupx ltd").count() == 1


class TestSavingThroughTheServices:
    def test_a_valid_customer_is_added_with_normalised_domains(self, admin_client, admin_user):
        policy = SLAPolicyFactory()

        response = admin_client.post(
            ADD_URL,
            form_data(
                domains="Dupx.Example.\n@dupx.co.uk; dupx.example",
                sla=policy.pk,
                tickets_by_main_contact_only="on",
            ),
        )

        assert response.status_code == 302
        customer = Customer.objects.get(name="Dupx Ltd")
        assert domains_of(customer) == ["dupx.co.uk", "dupx.example"]
        assert customer.sla == policy
        assert customer.tickets_by_main_contact_only is True
        assert customer.created_by == admin_user

    def test_a_change_replaces_the_domains(self, admin_client):
        customer = CustomerFactory(name="Dupx Ltd")
        CustomerDomainFactory(customer=customer, domain="old.example")
        CustomerDomainFactory(customer=customer, domain="kept.example")
        page = admin_client.get(change_url(customer))
        assert page.context["adminform"].form["domains"].value() == "kept.example\nold.example"

        response = admin_client.post(
            change_url(customer), form_data(domains="KEPT.example\nnew.example")
        )

        assert response.status_code == 302
        assert domains_of(customer) == ["kept.example", "new.example"]

    def test_a_customer_keeps_its_own_domains_on_a_change(self, admin_client):
        customer = CustomerFactory(name="Dupx Ltd")
        CustomerDomainFactory(customer=customer, domain="dupx.example")

        response = admin_client.post(
            change_url(customer), form_data(domains="dupx.example", city="Lyon")
        )

        assert response.status_code == 302
        customer.refresh_from_db()
        assert customer.city == "Lyon"
        assert domains_of(customer) == ["dupx.example"]
