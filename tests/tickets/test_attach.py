"""A domain added to a customer later: preview, then attach its triage tickets and senders."""

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from customers.models import Customer
from tests.factories import ContactFactory, CustomerDomainFactory, CustomerFactory
from tickets import attach
from tickets.inbound import receive
from tickets.models import Ticket

from .conftest import build_mail

pytestmark = pytest.mark.django_db


def triage_ticket(sender: str, subject: str = "Printer on fire") -> Ticket:
    """A ticket opened by mail from a sender no customer is known for yet."""
    result = receive(build_mail(sender=sender, subject=subject))
    assert result.outcome == "accepted", result.reason
    assert result.ticket.customer is None
    return result.ticket


def edit_url(customer: Customer) -> str:
    return reverse("customers:edit", args=[customer.pk])


def attach_url(customer: Customer, *domains: str) -> str:
    query = "&".join(f"domain={d}" for d in domains)
    return f"{reverse('customers:attach_tickets', args=[customer.pk])}?{query}"


@pytest.fixture
def acme(db) -> Customer:
    return CustomerFactory(name="Acme")


def test_adding_a_domain_offers_a_preview_and_changes_nothing_yet(
    admin_client, mail_settings, default_policy, acme
):
    tickets = [triage_ticket(f"Jane Doe <jane{i}@acme.example>") for i in range(25)]
    other = triage_ticket("bob@other.example")

    response = admin_client.post(edit_url(acme), {"name": "Acme", "domains": "acme.example"})
    assert response.status_code == 302
    assert response.url == attach_url(acme, "acme.example")

    page = admin_client.get(response.url)
    assert page.status_code == 200
    plan = page.context["plan"]
    assert plan.count == 25
    assert [t.pk for t in plan.first_rows] == [t.pk for t in tickets[: attach.PREVIEW_ROWS]]
    assert len(plan.new_senders) == 25
    body = page.content.decode()
    assert "25 open tickets without a customer" in body
    assert f"#{tickets[0].pk}" in body and f"#{tickets[-1].pk}" not in body
    assert other.requester_email not in body

    assert not Ticket.objects.filter(customer=acme).exists()
    assert not Contact.objects.filter(customer=acme).exists()


def test_saving_without_a_new_domain_or_matching_ticket_does_not_offer(
    admin_client, mail_settings, default_policy, acme
):
    triage_ticket("jane@acme.example")
    # The domain was known already: saving it again is no new domain.
    CustomerDomainFactory(customer=acme, domain="acme.example")
    response = admin_client.post(edit_url(acme), {"name": "Acme", "domains": "acme.example"})
    assert "attach" not in response.url

    response = admin_client.post(
        edit_url(acme), {"name": "Acme", "domains": "acme.example\nquiet.example"}
    )
    assert "attach" not in response.url


def test_attach_sets_customer_creates_contacts_named_from_the_mail_and_times_by_policy(
    admin_client, mail_settings, default_policy, acme
):
    jane = triage_ticket("Jane Doe <jane@acme.example>")
    jane_again = triage_ticket("Jane Doe <JANE@acme.example>", subject="Still on fire")
    kim = triage_ticket('"Lee, Kim" <kim@acme.example>')
    closed = triage_ticket("old@acme.example")
    Ticket.objects.filter(pk=closed.pk).update(status="closed")
    # A ticket timed by no policy (none applied when it came in) gets the customer's.
    Ticket.objects.filter(pk=kim.pk).update(
        sla_policy=None, first_response_due=None, resolution_due=None, next_due=None
    )
    CustomerDomainFactory(customer=acme, domain="acme.example")

    response = admin_client.post(attach_url(acme), {"domain": "acme.example"})
    assert response.status_code == 302
    assert response.url == reverse("customers:tickets", args=[acme.pk])

    assert set(Ticket.objects.filter(customer=acme)) == {jane, jane_again, kim}
    assert Ticket.objects.get(pk=closed.pk).customer is None
    contacts = {c.email.lower(): c for c in Contact.objects.filter(customer=acme)}
    assert set(contacts) == {"jane@acme.example", "kim@acme.example"}
    assert (contacts["jane@acme.example"].first_name, contacts["jane@acme.example"].last_name) == (
        "Jane",
        "Doe",
    )
    assert (contacts["kim@acme.example"].first_name, contacts["kim@acme.example"].last_name) == (
        "Kim",
        "Lee",
    )
    for ticket in (jane, jane_again, kim):
        ticket.refresh_from_db()
        assert ticket.requester.email.lower() == ticket.requester_email.lower()
    assert kim.sla_policy == default_policy
    assert kim.first_response_due > kim.created_at
    assert kim.next_due == kim.first_response_due


def test_a_ticket_that_had_a_policy_keeps_its_due_times(
    admin_client, mail_settings, default_policy, acme
):
    ticket = triage_ticket("jane@acme.example")
    due = ticket.resolution_due
    CustomerDomainFactory(customer=acme, domain="acme.example")
    attach.attach(acme, ["acme.example"], by=None)
    ticket.refresh_from_db()
    assert (ticket.customer, ticket.sla_policy, ticket.resolution_due) == (
        acme,
        default_policy,
        due,
    )


def test_sub_domains_only_where_the_customer_allows_them(
    admin_client, mail_settings, default_policy, acme
):
    eu = triage_ticket("ana@eu.acme.example")
    nearer = triage_ticket("bo@lab.eu.acme.example")
    lookalike = triage_ticket("cy@notacme.example")
    CustomerDomainFactory(customer=acme, domain="acme.example")

    assert attach.plan(acme, ["acme.example"]).count == 0

    acme.allow_subdomains = True
    acme.save()
    lab = CustomerFactory(name="Lab")
    CustomerDomainFactory(customer=lab, domain="lab.eu.acme.example")
    plan = attach.plan(acme, ["acme.example"])
    assert [t.pk for t in plan.tickets] == [eu.pk]

    admin_client.post(attach_url(acme), {"domain": "acme.example"})
    assert list(Ticket.objects.filter(customer=acme)) == [eu]
    for ticket in (nearer, lookalike):
        ticket.refresh_from_db()
        assert ticket.customer is None


def test_free_mail_senders_are_never_attached_nor_made_contacts(
    admin_client, mail_settings, default_policy, acme
):
    gmail = triage_ticket("Gail <gail@gmail.com>")
    yahoo = triage_ticket("yan@yahoo.co.uk")
    # A customer owning a public suffix with sub-domains on: free-mail still never matches.
    acme.allow_subdomains = True
    acme.save()
    CustomerDomainFactory(customer=acme, domain="co.uk")
    CustomerDomainFactory(customer=acme, domain="gmail.com")  # stored before it was refused

    assert attach.plan(acme, ["co.uk", "gmail.com"]).count == 0
    result = attach.attach(acme, ["co.uk", "gmail.com"], by=None)
    assert (result.tickets, result.contacts) == (0, 0)
    for ticket in (gmail, yahoo):
        ticket.refresh_from_db()
        assert ticket.customer is None
    assert not Contact.objects.filter(customer=acme).exists()


def test_senders_who_are_another_customers_contacts_stay_out(
    admin_client, mail_settings, default_policy, acme
):
    ticket = triage_ticket("jo@acme.example")
    ContactFactory(customer=CustomerFactory(name="Elsewhere"), email="jo@acme.example")
    CustomerDomainFactory(customer=acme, domain="acme.example")
    assert attach.attach(acme, ["acme.example"], by=None).tickets == 0
    ticket.refresh_from_db()
    assert ticket.customer is None


def test_a_second_apply_attaches_nothing_more(admin_client, mail_settings, default_policy, acme):
    triage_ticket("jane@acme.example")
    triage_ticket("jim@acme.example")
    CustomerDomainFactory(customer=acme, domain="acme.example")

    admin_client.post(attach_url(acme), {"domain": "acme.example"})
    before = (
        list(Ticket.objects.order_by("pk").values_list("pk", "customer", "updated_at")),
        Contact.objects.count(),
    )
    response = admin_client.post(attach_url(acme), {"domain": "acme.example"}, follow=True)
    assert "0 tickets attached" in response.content.decode()
    after = (
        list(Ticket.objects.order_by("pk").values_list("pk", "customer", "updated_at")),
        Contact.objects.count(),
    )
    assert after == before
    assert attach.attach(acme, ["acme.example"], by=None).tickets == 0


def test_domains_the_customer_does_not_own_attach_nothing(
    admin_client, mail_settings, default_policy, acme
):
    ticket = triage_ticket("jane@acme.example")
    other = CustomerFactory(name="Owner")
    CustomerDomainFactory(customer=other, domain="acme.example")
    admin_client.post(attach_url(acme), {"domain": "acme.example"})
    ticket.refresh_from_db()
    assert ticket.customer is None


def test_admins_only_and_csrf(
    technician_client, admin_user, client, mail_settings, default_policy, acme
):
    ticket = triage_ticket("jane@acme.example")
    CustomerDomainFactory(customer=acme, domain="acme.example")
    url = attach_url(acme, "acme.example")

    assert technician_client.get(url).status_code == 403
    assert technician_client.post(url, {"domain": "acme.example"}).status_code == 403
    anonymous = client.post(url, {"domain": "acme.example"})
    assert anonymous.status_code == 302 and "login" in anonymous.url

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.get(url).status_code == 200
    assert strict.post(url, {"domain": "acme.example"}).status_code == 403

    ticket.refresh_from_db()
    assert ticket.customer is None
