"""The contacts API: unique addresses, the main contact, ignore-email, roles."""

from contacts.models import Contact
from tests.factories import ContactFactory, CustomerFactory

URL = "/api/v1/contacts/"


def test_a_technician_adds_a_main_contact_with_addresses(tech_api):
    customer = CustomerFactory()
    old_main = ContactFactory(customer=customer, is_main=True)
    response = tech_api.post(
        URL,
        {
            "customer": customer.pk,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@acme.example",
            "other_emails": ["helpdesk@acme.example"],
            "is_main": True,
            "ignore_email": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["other_emails"] == ["helpdesk@acme.example"]
    contact = Contact.objects.get(email="ada@acme.example")
    assert contact.is_main and contact.ignore_email
    old_main.refresh_from_db()
    assert not old_main.is_main


def test_an_address_in_use_is_refused_naming_the_field(tech_api):
    ContactFactory(email="taken@acme.example")
    customer = CustomerFactory()
    response = tech_api.post(
        URL,
        {
            "customer": customer.pk,
            "first_name": "A",
            "last_name": "B",
            "email": "TAKEN@acme.example",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert "already" in response.json()["email"][0]


def test_setting_is_main_moves_the_flag(tech_api):
    customer = CustomerFactory()
    first = ContactFactory(customer=customer, is_main=True)
    second = ContactFactory(customer=customer)
    response = tech_api.patch(f"{URL}{second.pk}/", {"is_main": True}, format="json")
    assert response.status_code == 200, response.json()
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_main and not first.is_main


def test_an_inactive_contact_cannot_be_main(tech_api):
    contact = ContactFactory(active=False)
    response = tech_api.patch(f"{URL}{contact.pk}/", {"is_main": True}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["is_main"]


def test_a_contact_cannot_move_to_another_customer(tech_api):
    contact = ContactFactory()
    other = CustomerFactory()
    response = tech_api.patch(f"{URL}{contact.pk}/", {"customer": other.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["customer"]


def test_only_admins_delete_contacts(tech_api, admin_api):
    contact = ContactFactory()
    assert tech_api.delete(f"{URL}{contact.pk}/").status_code == 403
    assert admin_api.delete(f"{URL}{contact.pk}/").status_code == 204


def test_the_list_filters_by_customer(tech_api, django_assert_max_num_queries):
    customer = CustomerFactory()
    ContactFactory.create_batch(3, customer=customer)
    ContactFactory()
    with django_assert_max_num_queries(7):
        body = tech_api.get(URL, {"customer": customer.pk}).json()
    assert body["count"] == 3


def test_a_search_matching_several_addresses_lists_the_contact_once(tech_api):
    from contacts.models import ContactEmail

    jane = ContactFactory(email="jane@acme.example")
    ContactEmail.objects.create(contact=jane, address="jane.doe@acme.example")
    ContactEmail.objects.create(contact=jane, address="j@acme.example")

    body = tech_api.get("/api/v1/contacts/", {"search": "acme"}).json()

    assert [row["id"] for row in body["results"]] == [jane.pk]
    assert body["count"] == 1
