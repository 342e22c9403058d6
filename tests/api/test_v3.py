"""The compatibility API: X-API-KEY, page/itemsInPage paging, and one test per call."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import issue_token
from contacts.models import Contact
from customers.models import Customer
from tests.factories import ContactFactory, CustomerDomainFactory, CustomerFactory


def key_client(user) -> APIClient:
    _token, key = issue_token(user, "migrated script")
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    return client


@pytest.fixture
def admin_v3(admin_user) -> APIClient:
    return key_client(admin_user)


@pytest.fixture
def tech_v3(technician) -> APIClient:
    return key_client(technician)


def test_without_a_key_or_with_a_bad_one_the_answer_is_401(db):
    assert APIClient().get("/api/v3/customers").status_code == 401
    client = APIClient()
    client.credentials(HTTP_X_API_KEY="wrong")
    assert client.get("/api/v3/customers").status_code == 401


def test_list_customers_pages_as_there(admin_v3):
    for n in range(5):
        CustomerFactory(name=f"C{n}")
    body = admin_v3.get("/api/v3/customers", {"page": 2, "itemsInPage": 2}).json()
    assert [item["CustomerName"] for item in body["items"]] == ["C2", "C3"]
    assert body["page"] == 2
    assert body["itemsInPage"] == 2
    assert body["totalItemCount"] == 5
    assert body["totalPages"] == 3
    assert "page=1" in body["prevLink"] and "page=3" in body["nextLink"]
    last = admin_v3.get("/api/v3/customers/", {"page": 3, "itemsInPage": 2}).json()
    assert last["nextLink"] == ""
    response = admin_v3.get("/api/v3/customers", {"itemsInPage": "x"})
    assert response.status_code == 400
    assert list(response.json()) == ["itemsInPage"]


def test_get_a_customer(admin_v3):
    customer = CustomerFactory(name="Acme", company_id="FR123", zip_code="01000")
    CustomerDomainFactory(customer=customer, domain="acme.example")
    CustomerDomainFactory(customer=customer, domain="acme.test")
    body = admin_v3.get(f"/api/v3/customers/{customer.pk}").json()
    assert body["CustomerID"] == customer.pk
    assert body["BusinessNumber"] == "FR123"
    assert body["Domain"] == "acme.example;acme.test"
    assert body["ZipCodeStr"] == "01000"
    assert admin_v3.get("/api/v3/customers/999999").status_code == 404


def test_create_a_customer(admin_v3):
    response = admin_v3.post(
        "/api/v3/customers",
        {"CustomerName": "Globex", "Domain": "globex.example;globex.test", "City": "Paris"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    customer = Customer.objects.get(name="Globex")
    assert response.json()["CreatedItemId"] == customer.pk
    assert sorted(customer.domains.values_list("domain", flat=True)) == [
        "globex.example",
        "globex.test",
    ]


def test_create_a_customer_refuses_with_the_fields_names_there(admin_v3, tech_v3):
    CustomerFactory(name="Taken")
    response = admin_v3.post(
        "/api/v3/customers", {"CustomerName": "taken", "Domain": "gmail.com"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"CustomerName", "Domain"}
    response = tech_v3.post("/api/v3/customers", {"CustomerName": "X"}, format="json")
    assert response.status_code == 403
    assert admin_v3.post("/api/v3/customers", [1], format="json").status_code == 400


def test_update_a_customer(admin_v3):
    customer = CustomerFactory(name="Old", city="Lyon")
    response = admin_v3.put(
        f"/api/v3/customers/{customer.pk}", {"CustomerName": "New"}, format="json"
    )
    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert (customer.name, customer.city) == ("New", "Lyon")


def test_delete_a_customer(admin_v3, tech_v3):
    customer = CustomerFactory()
    assert tech_v3.delete(f"/api/v3/customers/{customer.pk}").status_code == 403
    assert admin_v3.delete(f"/api/v3/customers/{customer.pk}").status_code == 204
    assert not Customer.objects.exists()


def test_list_contacts(tech_v3):
    ContactFactory.create_batch(3)
    body = tech_v3.get("/api/v3/contacts", {"itemsInPage": 2}).json()
    assert body["totalItemCount"] == 3
    assert len(body["items"]) == 2
    assert body["prevLink"] == ""


def test_get_a_contact(tech_v3):
    contact = ContactFactory(is_main=True, ignore_email=True, job_title="CTO")
    body = tech_v3.get(f"/api/v3/contacts/{contact.pk}").json()
    assert body["EndUserID"] == body["ContactID"] == contact.pk
    assert body["CustomerID"] == contact.customer_id
    assert body["CustomerName"] == contact.customer.name
    assert body["IsContactPerson"] is True
    assert body["InIgnoreMode"] is True
    assert body["JobTitle"] == "CTO"


def test_create_a_contact(tech_v3):
    customer = CustomerFactory()
    response = tech_v3.post(
        "/api/v3/contacts",
        {
            "CustomerID": customer.pk,
            "Email": "ada@acme.example",
            "FirstName": "Ada",
            "LastName": "Lovelace",
            "IsContactPerson": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    contact = Contact.objects.get()
    assert contact.is_main
    response = tech_v3.post(
        "/api/v3/contacts",
        {"CustomerID": customer.pk, "Email": "ADA@acme.example", "FirstName": "A"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["LastName"]
    response = tech_v3.post(
        "/api/v3/contacts",
        {
            "CustomerID": customer.pk,
            "Email": "ADA@acme.example",
            "FirstName": "A",
            "LastName": "B",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["Email"]


def test_update_a_contact(tech_v3):
    contact = ContactFactory()
    response = tech_v3.put(
        f"/api/v3/contacts/{contact.pk}/", {"InIgnoreMode": True, "Phone": "0123"}, format="json"
    )
    assert response.status_code == 200, response.json()
    contact.refresh_from_db()
    assert contact.ignore_email and contact.phone == "0123"


def test_delete_a_contact(admin_v3, tech_v3):
    contact = ContactFactory()
    assert tech_v3.delete(f"/api/v3/contacts/{contact.pk}").status_code == 403
    assert admin_v3.delete(f"/api/v3/contacts/{contact.pk}").status_code == 204
