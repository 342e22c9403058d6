"""Portal ticket pages: the list's search, filter, pages and query count; new tickets."""

import pytest
from django.urls import reverse

from tickets.models import Ticket, TicketSource

from ..factories import CustomerFactory
from .conftest import contact_client, ticket_with_attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def main_contact(make_contact):
    return make_contact(CustomerFactory(name="Acme"), is_main=True)


def test_list_query_count_does_not_grow_with_tickets(main_contact, django_assert_num_queries):
    contact, user = main_contact
    client = contact_client(user)
    colleague = contact.customer.contacts.create(
        first_name="Col", last_name="League", email="col@acme.example"
    )

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("portal:tickets"))
        assert response.status_code == 200
        return len(queries)

    for n in range(5):
        ticket_with_attachment(colleague if n % 2 else contact, contact.customer, f"T{n}")
    with_five = count_queries()
    for n in range(5, 50):
        ticket_with_attachment(colleague if n % 2 else contact, contact.customer, f"T{n}")
    with_fifty = count_queries()
    assert with_five == with_fifty
    assert with_fifty <= 8


def test_search_status_filter_and_pages(main_contact):
    from tickets import services

    contact, user = main_contact
    for n in range(30):
        ticket = services.create_ticket(
            subject=f"Printer {n}" if n % 3 else f"Mailbox {n}",
            source=TicketSource.PORTAL,
            customer=contact.customer,
            requester=contact,
        )
        if n == 3:
            services.change_status(ticket, "resolved")
    client = contact_client(user)

    first = client.get(reverse("portal:tickets"))
    assert first.context["paginator"].count == 30
    assert len(first.context["tickets"]) == 25
    second = client.get(reverse("portal:tickets"), {"page": 2})
    assert len(second.context["tickets"]) == 5

    found = client.get(reverse("portal:tickets"), {"q": "mailbox"})
    assert {t.subject for t in found.context["tickets"]} == {
        f"Mailbox {n}" for n in range(0, 30, 3)
    }
    resolved = client.get(reverse("portal:tickets"), {"status": "resolved"})
    assert [t.subject for t in resolved.context["tickets"]] == ["Mailbox 3"]
    bad = client.get(reverse("portal:tickets"), {"status": "nonsense", "page": "x"})
    assert bad.status_code == 200


def test_new_ticket_comes_from_the_portal_even_with_main_contact_only(make_contact):
    customer = CustomerFactory(name="Strict", tickets_by_main_contact_only=True)
    contact, user = make_contact(customer)
    client = contact_client(user)
    response = client.post(
        reverse("portal:new_ticket"),
        {"subject": "VPN down", "description": "Since 9am.", "priority": "high"},
    )
    ticket = Ticket.objects.get()
    assert response.url == reverse("portal:ticket", args=[ticket.pk])
    assert ticket.source == TicketSource.PORTAL
    assert ticket.customer == customer
    assert ticket.requester == contact
    assert ticket.priority == "high"
    assert ticket.resolution_due is not None
    assert ticket.messages.get().body_text == "Since 9am."

    empty = client.post(reverse("portal:new_ticket"), {"subject": "", "description": ""})
    assert empty.status_code == 200
    assert Ticket.objects.count() == 1


def test_reply_reopens_a_ticket_waiting_for_the_customer(main_contact):
    from tickets import services

    contact, user = main_contact
    ticket = ticket_with_attachment(contact, contact.customer, "Slow laptop")
    services.change_status(ticket, "waiting_for_customer")
    client = contact_client(user)
    response = client.post(reverse("portal:reply", args=[ticket.pk]), {"body": "Still slow."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "open"
    message = ticket.messages.order_by("-pk").first()
    assert message.author_contact == contact
    assert message.kind == "public"

    blank = client.post(reverse("portal:reply", args=[ticket.pk]), {"body": ""})
    assert blank.status_code == 400


def test_anonymous_visitors_are_sent_to_the_portal_sign_in(client):
    response = client.get(reverse("portal:tickets"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login"))
    assert client.get(reverse("portal:login")).status_code == 200
