"""The Customers list and the customer page's tabs: search, sort, filters, roles, queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import ContactEmail
from customers.models import Customer
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerDomainFactory,
    CustomerFactory,
    SLAPolicyFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/customers/"


def names(response) -> list[str]:
    return [customer.name for customer in response.context["customers"]]


def seed_customers(count: int) -> None:
    for i in range(count):
        customer = CustomerFactory(name=f"Customer {i:03d}")
        CustomerDomainFactory(customer=customer, domain=f"c{i}.example")
        ContactFactory(customer=customer, is_main=True)
        ContactFactory(customer=customer)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_runs_the_same_queries_whatever_the_page_size(
    admin_client, django_assert_max_num_queries
):
    seed_customers(210)
    small = count_queries(admin_client, f"{LIST}?per_page=25")
    large = count_queries(admin_client, f"{LIST}?per_page=200")
    assert small == large
    # A search adds one query (the matching ids), whatever the page size.
    searched_small = count_queries(admin_client, f"{LIST}?per_page=25&q=customer")
    searched_large = count_queries(admin_client, f"{LIST}?per_page=200&q=customer")
    assert searched_small == searched_large == large + 1

    with django_assert_max_num_queries(8):
        response = admin_client.get(f"{LIST}?per_page=200")
    assert len(response.context["customers"]) == 200
    row = response.context["customers"][0]
    assert [d.domain for d in row.domain_list] == ["c0.example"]
    assert len(row.main_contacts) == 1
    assert row.contact_count == 2


def test_search_matches_name_domain_and_any_contact_address(admin_client):
    acme = CustomerFactory(name="Acme Rockets")
    globex = CustomerFactory(name="Globex")
    initech = CustomerFactory(name="Initech")
    CustomerDomainFactory(customer=globex, domain="globex.example")
    contact = ContactFactory(customer=initech, email="peter@initech.example")
    ContactEmail.objects.create(contact=contact, address="Milton@Stapler.example")

    assert names(admin_client.get(f"{LIST}?q=rocket")) == [acme.name]
    assert names(admin_client.get(f"{LIST}?q=GLOBEX.EX")) == [globex.name]
    assert names(admin_client.get(f"{LIST}?q=@globex.example")) == [globex.name]
    assert names(admin_client.get(f"{LIST}?q=peter@initech")) == [initech.name]
    assert names(admin_client.get(f"{LIST}?q=milton@stapler.example")) == [initech.name]
    assert names(admin_client.get(f"{LIST}?q=nothing-like-this")) == []


def test_searches_with_many_matches_page_through_all_of_them(admin_client, monkeypatch):
    monkeypatch.setattr("customers.selectors.SEARCH_ID_LIMIT", 3)
    for i in range(7):
        CustomerFactory(name=f"Match {i}")
    CustomerFactory(name="Other")
    response = admin_client.get(f"{LIST}?q=match&per_page=25")
    assert response.context["paginator"].count == 7
    assert names(response) == [f"Match {i}" for i in range(7)]


def test_a_customer_matching_twice_is_listed_once(admin_client):
    acme = CustomerFactory(name="Acme")
    CustomerDomainFactory(customer=acme, domain="acme.example")
    ContactFactory(customer=acme, email="a@acme.example")
    ContactFactory(customer=acme, email="b@acme.example")
    response = admin_client.get(f"{LIST}?q=acme")
    assert names(response) == ["Acme"]
    assert response.context["paginator"].count == 1


def test_sorting_and_pagination(admin_client):
    for name, contacts in (("Bravo", 3), ("alpha", 1), ("Charlie", 2)):
        customer = CustomerFactory(name=name)
        for _ in range(contacts):
            ContactFactory(customer=customer)

    assert names(admin_client.get(LIST)) == ["alpha", "Bravo", "Charlie"]
    assert names(admin_client.get(f"{LIST}?sort=-name")) == ["Charlie", "Bravo", "alpha"]
    assert names(admin_client.get(f"{LIST}?sort=-contacts")) == ["Bravo", "Charlie", "alpha"]
    assert names(admin_client.get(f"{LIST}?sort=contacts")) == ["alpha", "Charlie", "Bravo"]
    assert names(admin_client.get(f"{LIST}?sort=-created")) == ["Charlie", "alpha", "Bravo"]
    # Unknown sorts, page sizes and pages fall back instead of failing.
    assert admin_client.get(f"{LIST}?sort=password").status_code == 200
    assert admin_client.get(f"{LIST}?per_page=-5").context["paginator"].per_page == 50
    last = admin_client.get(f"{LIST}?page=999&per_page=25")
    assert (last.status_code, last.context["page_obj"].number) == (200, 1)
    for junk in ("page=abc", "page=-1", "page=0"):
        assert admin_client.get(f"{LIST}?{junk}").context["page_obj"].number == 1


def test_filters_by_country_sla_policy_and_security_setting(admin_client):
    policy = SLAPolicyFactory(name="Gold")
    CustomerFactory(name="Paris Co", country="France", sla=policy)
    CustomerFactory(name="Leeds Co", country="United Kingdom", tickets_by_main_contact_only=True)

    assert names(admin_client.get(f"{LIST}?country=france")) == ["Paris Co"]
    assert names(admin_client.get(f"{LIST}?sla={policy.pk}")) == ["Paris Co"]
    assert names(admin_client.get(f"{LIST}?security=on")) == ["Leeds Co"]
    assert names(admin_client.get(f"{LIST}?sla=not-a-number")) == ["Leeds Co", "Paris Co"]


@pytest.mark.parametrize(
    "query",
    [
        "sla=99999999999999999999999",
        "sla=-1",
        "q=%00",
        "country=%00",
        "q=" + "x" * 5000,
        "security=maybe",
        "per_page=1e9",
        "sort=name;DROP",
    ],
)
def test_hostile_query_strings_are_ignored_not_500(admin_client, query):
    CustomerFactory(name="Survivor")
    response = admin_client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert names(response) == ["Survivor"]


@pytest.mark.parametrize(
    "tab", ["detail", "contacts", "contracts", "sla", "devices", "tickets", "security"]
)
def test_every_tab_answers_technicians_within_a_fixed_number_of_queries(
    technician_client, tab, django_assert_max_num_queries
):
    customer = CustomerFactory(name="Tabbed")
    for _ in range(5):
        ContactFactory(customer=customer)
    ContractFactory(customer=customer)
    url = reverse(f"customers:{tab}", args=[customer.pk])

    with django_assert_max_num_queries(10):
        response = technician_client.get(url)

    assert response.status_code == 200
    assert "Tabbed" in response.content.decode()


def test_unknown_customer_is_404(admin_client):
    assert admin_client.get(reverse("customers:detail", args=[999_999])).status_code == 404


def test_admin_edits_a_customer_and_its_domains(admin_client):
    customer = CustomerFactory(name="Old name")
    CustomerDomainFactory(customer=customer, domain="old.example")

    response = admin_client.post(
        reverse("customers:edit", args=[customer.pk]),
        {"name": "New name", "domains": "new.example; old.example", "zip_code": "00501"},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.zip_code) == ("New name", "00501")
    assert sorted(customer.domains.values_list("domain", flat=True)) == [
        "new.example",
        "old.example",
    ]


def test_edit_refuses_a_name_of_another_customer_and_keeps_its_own(admin_client):
    CustomerFactory(name="Taken")
    customer = CustomerFactory(name="Mine")
    url = reverse("customers:edit", args=[customer.pk])

    clash = admin_client.post(url, {"name": " TAKEN ", "domains": ""})
    assert clash.status_code == 200
    assert "exists already" in clash.content.decode()

    same = admin_client.post(url, {"name": "mine", "domains": ""})
    assert same.status_code == 302


def test_technicians_cannot_edit_delete_or_change_security(technician_client):
    customer = CustomerFactory(name="Guarded")
    for name in ("edit", "delete", "edit_service"):
        url = reverse(f"customers:{name}", args=[customer.pk])
        assert technician_client.get(url).status_code == 403
        assert technician_client.post(url, {"name": "Hacked"}).status_code == 403
    security = reverse("customers:security", args=[customer.pk])
    assert technician_client.get(security).status_code == 200
    response = technician_client.post(security, {"tickets_by_main_contact_only": "on"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert (customer.name, customer.tickets_by_main_contact_only) == ("Guarded", False)


def test_admin_turns_on_tickets_by_main_contact_only(admin_client):
    customer = CustomerFactory()
    response = admin_client.post(
        reverse("customers:security", args=[customer.pk]),
        {"tickets_by_main_contact_only": "on"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.tickets_by_main_contact_only is True


def test_admin_changes_sla_policy_and_threshold_profile(admin_client):
    customer = CustomerFactory()
    policy = SLAPolicyFactory(name="Platinum")
    response = admin_client.post(
        reverse("customers:edit_service", args=[customer.pk]),
        {"sla": policy.pk, "threshold_profile": ""},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.sla == policy
    assert customer.threshold_profile is None


def test_admin_deletes_a_customer_with_its_contacts(admin_client):
    customer = CustomerFactory()
    ContactFactory(customer=customer)
    page = admin_client.get(reverse("customers:delete", args=[customer.pk]))
    assert "This cannot be undone." in page.content.decode()

    response = admin_client.post(reverse("customers:delete", args=[customer.pk]))

    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_dashboard_counts_customers_and_contacts(technician_client):
    ContactFactory()
    response = technician_client.get("/")
    assert response.status_code == 200
    assert (response.context["customer_count"], response.context["contact_count"]) == (1, 1)
