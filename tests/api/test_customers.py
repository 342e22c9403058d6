"""The customers API: the console's rules for names and domains, roles, lists."""

import pytest

from customers.models import Customer
from monitoring.models import ThresholdProfile
from tests.factories import CustomerDomainFactory, CustomerFactory, ThresholdProfileFactory

URL = "/api/v1/customers/"


def test_an_admin_creates_a_customer_with_domains(admin_api, admin_user):
    default = ThresholdProfile.objects.filter(is_default=True).first() or (
        ThresholdProfileFactory(is_default=True)
    )
    response = admin_api.post(
        URL,
        {"name": "  Acme   Corp ", "domains": ["ACME.com", "acme.co.uk"], "zip_code": "01234"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Acme Corp"
    assert body["domains"] == ["acme.co.uk", "acme.com"]
    assert body["zip_code"] == "01234"
    customer = Customer.objects.get()
    assert customer.created_by == admin_user
    assert customer.threshold_profile == default


def test_names_clash_trimmed_and_case_insensitively(admin_api):
    CustomerFactory(name="Acme")
    response = admin_api.post(URL, {"name": " acme "}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert "exists already" in response.json()["name"][0]


@pytest.mark.parametrize(
    ("domains", "problem"),
    [
        (["gmail.com"], "gmail.com"),
        (["bad!.example"], "not a valid domain name"),
        (["owned.example"], "belongs to the customer"),
    ],
)
def test_domains_are_refused_as_in_the_console(admin_api, domains, problem):
    CustomerDomainFactory(domain="owned.example")
    response = admin_api.post(URL, {"name": "New", "domains": domains}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["domains"]
    assert problem in " ".join(response.json()["domains"])


def test_an_admin_changes_a_customer_and_replaces_its_domains(admin_api):
    customer = CustomerFactory(name="Old")
    CustomerDomainFactory(customer=customer, domain="old.example")
    response = admin_api.patch(
        f"{URL}{customer.pk}/", {"domains": ["new.example"], "city": "Lyon"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["domains"] == ["new.example"]
    customer.refresh_from_db()
    assert customer.name == "Old"
    assert customer.city == "Lyon"

    # A PATCH without domains keeps them.
    admin_api.patch(f"{URL}{customer.pk}/", {"tickets_by_main_contact_only": True}, format="json")
    assert list(customer.domains.values_list("domain", flat=True)) == ["new.example"]


def test_technicians_read_but_do_not_write(tech_api):
    customer = CustomerFactory()
    assert tech_api.get(URL).status_code == 200
    assert tech_api.get(f"{URL}{customer.pk}/").status_code == 200
    assert tech_api.post(URL, {"name": "X"}, format="json").status_code == 403
    assert tech_api.patch(f"{URL}{customer.pk}/", {"city": "X"}, format="json").status_code == 403
    assert tech_api.delete(f"{URL}{customer.pk}/").status_code == 403


def test_anonymous_callers_are_refused(client, db):
    assert client.get(URL).status_code == 401


def test_the_list_filters_orders_and_pages(admin_api, django_assert_max_num_queries):
    for n in range(5):
        customer = CustomerFactory(name=f"Firm {n}", city="Paris" if n % 2 else "Lyon")
        CustomerDomainFactory(customer=customer)
    with django_assert_max_num_queries(7):
        response = admin_api.get(URL, {"city": "Lyon", "ordering": "-name", "page_size": 2})
    body = response.json()
    assert body["count"] == 3
    assert [row["name"] for row in body["results"]] == ["Firm 4", "Firm 2"]
    assert body["next"]
    assert admin_api.get(URL, {"page": 99}).status_code == 404
    assert admin_api.get(URL, {"domains__domain": "nothing.example"}).json()["count"] == 0


def test_deleting_a_customer_with_tickets_is_a_conflict(admin_api):
    from tickets.services import create_ticket

    customer = CustomerFactory()
    create_ticket(subject="Help", source="api", customer=customer)
    response = admin_api.delete(f"{URL}{customer.pk}/")
    assert response.status_code == 409
    assert response.json()["detail"]
