"""Ticket pages: roles, filters, query counts, replies, status changes, inbound quarantine."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tickets import services
from tickets.inbound import receive
from tickets.models import InboundMail, Ticket

from .conftest import build_mail

pytestmark = pytest.mark.django_db

LIST = "/tickets/"


@pytest.fixture
def customer(mail_settings, default_policy):
    return CustomerFactory(name="Acme")


def make_ticket(customer, **kwargs):
    contact = kwargs.pop("requester", None) or ContactFactory(customer=customer)
    return services.create_ticket(
        subject=kwargs.pop("subject", "Broken"),
        source="console",
        customer=customer,
        requester=contact,
        **kwargs,
    )


def seed(count: int, customer) -> None:
    tech = UserFactory()
    for i in range(count):
        ticket = make_ticket(customer, priority=["low", "medium", "high"][i % 3])
        if i % 2:
            services.assign(ticket, tech)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_tickets(admin_client, customer):
    seed(3, customer)
    few = count_queries(admin_client, LIST)
    seed(30, customer)
    many = count_queries(admin_client, LIST)
    assert few == many


def test_list_is_bounded_in_queries(technician_client, customer, django_assert_max_num_queries):
    seed(60, customer)
    with django_assert_max_num_queries(10):
        response = technician_client.get(f"{LIST}?status=active&priority=high&assignee=none")
    assert response.status_code == 200
    assert all(t.priority == "high" and t.assignee is None for t in response.context["tickets"])
    with django_assert_max_num_queries(10):
        response = technician_client.get(f"{LIST}?page=2")
    assert len(response.context["tickets"]) == 10


def test_list_sorts_by_nearest_due_time(admin_client, customer):
    low = make_ticket(customer, priority="low")
    critical = make_ticket(customer, priority="critical")
    medium = make_ticket(customer, priority="medium")
    response = admin_client.get(LIST)
    assert [t.pk for t in response.context["tickets"]] == [critical.pk, medium.pk, low.pk]


def test_needs_attention_filter(admin_client, customer):
    calm = make_ticket(customer, priority="low")
    late = make_ticket(customer, priority="critical")
    Ticket.objects.filter(pk=late.pk).update(
        attention_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = admin_client.get(f"{LIST}?attention=1")
    assert [t.pk for t in response.context["tickets"]] == [late.pk]
    assert calm.pk not in [t.pk for t in response.context["tickets"]]


@pytest.mark.parametrize(
    "query",
    [
        "customer=abc",
        "customer=-1",
        "customer=99999999999999999999999",
        "status=bogus",
        "priority=%00",
        "assignee=1;drop",
        "assignee=99999999999999999999",
        "page=9999",
        "page=x",
        "attention=yes",
    ],
)
def test_bad_filters_never_500(admin_client, customer, query):
    make_ticket(customer)
    assert admin_client.get(f"{LIST}?{query}").status_code == 200


def test_anonymous_users_are_sent_to_sign_in(client, customer):
    ticket = make_ticket(customer)
    for url in (LIST, ticket.get_absolute_url(), "/tickets/new/", "/tickets/inbound/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_unknown_ticket_and_attachment_are_404(admin_client, customer):
    make_ticket(customer)
    assert admin_client.get("/tickets/999999/").status_code == 404
    assert admin_client.get("/tickets/attachments/999999/").status_code == 404
    assert admin_client.post("/tickets/999999/reply/", {"body": "x"}).status_code == 404


def test_technician_replies_by_email_and_that_is_the_first_response(
    technician_client, technician, customer
):
    requester = ContactFactory(customer=customer, email="jane@acme.example")
    ticket = make_ticket(customer, requester=requester)

    response = technician_client.post(
        f"/tickets/{ticket.pk}/reply/", {"body": "On my way.", "kind": "public"}
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert ticket.status == "open"
    sent = mail.outbox[-1]
    assert sent.to == ["jane@acme.example"]
    assert sent.subject == f"[#{ticket.pk}] Broken"
    assert sent.extra_headers["Message-ID"] == ticket.messages.last().message_id

    # The customer's answer threads back through that Message-ID.
    answer = build_mail(
        sender="jane@acme.example",
        subject="Re: thanks",
        headers={"In-Reply-To": sent.extra_headers["Message-ID"]},
    )
    assert receive(answer).line == f"added to ticket #{ticket.pk}"


def test_internal_note_is_not_mailed_nor_a_first_response(technician_client, customer):
    ticket = make_ticket(customer)
    technician_client.post(f"/tickets/{ticket.pk}/reply/", {"body": "hmm", "kind": "internal"})
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    assert mail.outbox == []
    page = technician_client.get(ticket.get_absolute_url())
    assert "Internal note" in page.content.decode()


def test_status_priority_and_assignee_change(technician_client, technician, customer):
    ticket = make_ticket(customer, priority="low")
    low_due = ticket.resolution_due

    technician_client.post(
        f"/tickets/{ticket.pk}/update/",
        {"status": "resolved", "priority": "critical", "assignee": technician.pk},
    )

    ticket.refresh_from_db()
    assert ticket.priority == "critical"
    assert ticket.resolution_due < low_due
    assert ticket.resolution_due == ticket.created_at + datetime.timedelta(minutes=60)
    assert ticket.status == "resolved"
    assert ticket.resolved_at is not None
    assert ticket.assignee == technician
    assert ticket.next_due is None


def test_leaving_a_pausing_status_extends_due_times(customer):
    ticket = make_ticket(customer)
    due = ticket.resolution_due
    services.change_status(ticket, "waiting_for_customer")
    Ticket.objects.filter(pk=ticket.pk).update(
        paused_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    ticket.refresh_from_db()

    services.change_status(ticket, "open")

    assert ticket.paused_minutes == 30
    assert ticket.resolution_due == due + datetime.timedelta(minutes=30)
    assert ticket.paused_at is None


def test_technician_creates_a_ticket(technician_client, customer):
    ContactFactory(customer=customer, email="jane@acme.example")
    other = CustomerFactory()
    ContactFactory(customer=other, email="eve@other.example")

    refused = technician_client.post(
        "/tickets/new/",
        {
            "customer": customer.pk,
            "requester_email": "eve@other.example",
            "subject": "x",
            "priority": "high",
        },
    )
    assert refused.status_code == 200
    assert "requester_email" in refused.context["form"].errors

    response = technician_client.post(
        "/tickets/new/",
        {
            "customer": customer.pk,
            "requester_email": "JANE@acme.example",
            "subject": "Phone call",
            "priority": "high",
            "description": "Called about the VPN.",
        },
    )
    ticket = Ticket.objects.get(subject="Phone call")
    assert response.status_code == 302
    assert ticket.source == "console"
    assert ticket.requester.email == "jane@acme.example"
    assert ticket.first_response_due is not None


def test_attachment_download_is_permission_checked(client, admin_client, customer):
    ContactFactory(customer=customer, email="jane@acme.example")
    ticket = receive(build_mail(attachments=[("log.txt", b"secret log")])).ticket
    attachment = ticket.messages.get().attachments.get()
    url = f"/tickets/attachments/{attachment.pk}/"

    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"secret log"
    assert "attachment" in response["Content-Disposition"]
    assert client.get(url).status_code == 302


def test_inbound_list_is_for_admins_only(admin_client, technician_client, customer):
    receive(build_mail(sender="x@gmail.com"))
    assert technician_client.get("/tickets/inbound/").status_code == 403
    response = admin_client.get("/tickets/inbound/")
    assert response.status_code == 200
    assert admin_client.get("/tickets/inbound/?outcome=nonsense").status_code == 200


def test_admin_releases_quarantined_mail_into_a_customer_ticket(
    admin_client, technician_client, customer, mail_settings
):
    mail_settings.ATERA_MAIL_RATE_LIMIT = 0
    result = receive(build_mail(sender="loop@gmail.com", subject="Held"))
    assert result.outcome == "quarantined"
    record = result.record

    assert technician_client.post(f"/tickets/inbound/{record.pk}/release/").status_code == 403
    response = admin_client.post(
        f"/tickets/inbound/{record.pk}/release/", {"customer": customer.pk}
    )

    record.refresh_from_db()
    assert response.status_code == 302
    assert record.outcome == "accepted"
    assert record.ticket.customer == customer
    assert record.ticket.subject == "Held"
    # Released once only.
    again = admin_client.post(f"/tickets/inbound/{record.pk}/release/", {"customer": ""})
    assert again.status_code == 404


def test_admin_discards_held_mail(admin_client, customer, mail_settings):
    mail_settings.ATERA_MAIL_RATE_LIMIT = 0
    record = receive(build_mail(sender="loop@gmail.com")).record
    admin_client.post(f"/tickets/inbound/{record.pk}/discard/")
    record.refresh_from_db()
    assert record.outcome == "dropped"
    assert Ticket.objects.count() == 0
    assert InboundMail.objects.count() == 1


def test_customer_tickets_tab_lists_only_that_customers_tickets(admin_client, customer):
    mine = make_ticket(customer, subject="Mine")
    make_ticket(CustomerFactory(), subject="Theirs")
    response = admin_client.get(f"/customers/{customer.pk}/tickets/")
    assert response.status_code == 200
    assert [t.pk for t in response.context["tickets"]] == [mine.pk]
    assert "Theirs" not in response.content.decode()


def test_dashboard_counts_tickets(admin_client, customer):
    make_ticket(customer)
    response = admin_client.get("/")
    assert response.context["ticket_counts"]["open"] == 1
    assert response.context["ticket_counts"]["unassigned"] == 1


def test_ticket_page_renders_sanitised_html(admin_client, customer):
    ContactFactory(customer=customer, email="jane@acme.example")
    ticket = receive(build_mail(html="<p>Hello<script>alert(1)</script></p>")).ticket
    page = admin_client.get(ticket.get_absolute_url()).content.decode()
    assert "<p>Hello</p>" in page
    assert "alert(1)" not in page


def test_inbound_list_and_customer_tab_queries_do_not_grow(admin_client, customer, mail_settings):
    mail_settings.ATERA_MAIL_RATE_LIMIT = 2
    for _ in range(4):
        receive(build_mail(sender="held@gmail.com"))
    make_ticket(customer)
    inbound_few = count_queries(admin_client, "/tickets/inbound/")
    tab_few = count_queries(admin_client, f"/customers/{customer.pk}/tickets/")

    for _ in range(6):
        receive(build_mail(sender="held@gmail.com"))
    seed(12, customer)

    assert count_queries(admin_client, "/tickets/inbound/") == inbound_few
    assert count_queries(admin_client, f"/customers/{customer.pk}/tickets/") == tab_few


def test_django_admin_lists_tickets_and_inbound_mail(admin_client, customer):
    ticket = make_ticket(customer)
    receive(build_mail(sender="x@gmail.com"))
    for url in (
        "/django-admin/tickets/ticket/",
        f"/django-admin/tickets/ticket/{ticket.pk}/change/",
        "/django-admin/tickets/inboundmail/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_customer_filter(admin_client, customer):
    mine = make_ticket(customer)
    make_ticket(CustomerFactory())
    response = admin_client.get(f"{LIST}?customer={customer.pk}")
    assert [t.pk for t in response.context["tickets"]] == [mine.pk]
    assert f'<option value="{customer.pk}" selected>' in response.content.decode()
