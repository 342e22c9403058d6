"""The tickets API: open, reply, change status through the services; public messages only."""

from django.core import mail

from tests.factories import ContactFactory, CustomerFactory
from tickets import services
from tickets.models import Ticket

URL = "/api/v1/tickets/"


def test_a_technician_opens_a_ticket_for_a_contact(tech_api):
    contact = ContactFactory(email="ada@acme.example")
    response = tech_api.post(
        URL,
        {
            "customer": contact.customer_id,
            "requester_email": "ada@acme.example",
            "subject": "Printer",
            "priority": "high",
            "description": "It jams.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get()
    assert ticket.source == "api"
    assert ticket.requester == contact
    assert ticket.priority == "high"


def test_a_requester_of_another_customer_is_refused(tech_api):
    ContactFactory(email="ada@acme.example")
    other = CustomerFactory()
    response = tech_api.post(
        URL,
        {"customer": other.pk, "requester_email": "ada@acme.example", "subject": "X"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["requester_email"]


def test_reply_note_and_status(tech_api):
    contact = ContactFactory()
    ticket = services.create_ticket(
        subject="Mail",
        source="email",
        customer=contact.customer,
        requester=contact,
        requester_email=contact.email,
        body_text="Broken",
    )
    response = tech_api.post(f"{URL}{ticket.pk}/reply/", {"body": "On it"}, format="json")
    assert response.status_code == 201, response.json()
    assert len(mail.outbox) == 1
    tech_api.post(f"{URL}{ticket.pk}/reply/", {"body": "secret", "kind": "internal"})

    detail = tech_api.get(f"{URL}{ticket.pk}/").json()
    assert detail["status"] == "open"
    assert detail["first_responded_at"]
    bodies = [message["body_text"] for message in detail["messages"]]
    assert "On it" in bodies and "secret" not in bodies

    response = tech_api.post(f"{URL}{ticket.pk}/status/", {"status": "resolved"}, format="json")
    assert response.status_code == 200
    assert response.json()["resolved_at"]
    response = tech_api.post(f"{URL}{ticket.pk}/status/", {"status": "gone"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_tickets_are_listed_filtered(tech_api, django_assert_max_num_queries):
    customer = CustomerFactory()
    for n in range(3):
        services.create_ticket(subject=f"T{n}", source="console", customer=customer)
    services.create_ticket(subject="Other", source="console")
    with django_assert_max_num_queries(5):
        body = tech_api.get(URL, {"customer": customer.pk, "ordering": "id"}).json()
    assert [row["subject"] for row in body["results"]] == ["T0", "T1", "T2"]


def test_anonymous_callers_get_no_tickets(client, db):
    assert client.get(URL).status_code == 401
