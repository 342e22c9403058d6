"""The portal in real headless Chromium: invitation, password, sign-in, reply, console."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role
from tests.factories import ContactFactory, CustomerFactory
from tickets import services
from tickets.models import TicketSource

from .conftest import screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

CONTACT_PASSWORD = "saffron-meadow-keystone-9"


def test_invited_contact_replies_and_the_technician_sees_it(make_page, live_server, staff_user):
    from django.core.cache import cache

    cache.clear()
    customer = CustomerFactory(name="Northwind")
    contact = ContactFactory(
        customer=customer, email="jane@northwind.example", first_name="Jane", last_name="Doe"
    )
    ticket = services.create_ticket(
        subject="Printer jams",
        source=TicketSource.EMAIL,
        customer=customer,
        requester=contact,
        body_text="The second floor printer jams on every page.",
    )
    staff_user(role=Role.TECHNICIAN, email="tech@msp.example")

    # The technician invites the contact from the contact's page.
    tech = make_page()
    sign_in(tech, live_server, "tech@msp.example")
    tech.goto(f"{live_server.url}/contacts/{contact.pk}/")
    tech.get_by_role("button", name="Invite to the portal").click()
    expect(
        tech.get_by_text("Invitation to the portal sent to jane@northwind.example.")
    ).to_be_visible()
    assert len(mail.outbox) == 1
    link = re.search(r"(http://\S+/portal/password/set/\S+/)", mail.outbox[0].body).group(1)

    # The contact follows the link, chooses a password and signs in.
    page = make_page()
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(CONTACT_PASSWORD)
    page.get_by_label("New password confirmation").fill(CONTACT_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", name="Password saved")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("jane@northwind.example")
    page.get_by_label("Password").fill(CONTACT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/portal/tickets/")
    screenshot(page, "portal-ticket-list")

    # The ticket, its conversation, and a reply.
    page.get_by_role("link", name="Printer jams").click()
    expect(page.get_by_text("The second floor printer jams on every page.")).to_be_visible()
    page.get_by_label("Your reply").fill("It also smells of burnt toner.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply was added.")).to_be_visible()
    expect(page.get_by_text("It also smells of burnt toner.")).to_be_visible()
    screenshot(page, "portal-ticket")

    # The console is closed to the contact: it is sent back to the portal.
    page.goto(f"{live_server.url}/customers/")
    expect(page).to_have_url(f"{live_server.url}/portal/tickets/")

    # The technician sees the reply in the console.
    tech.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    expect(tech.get_by_text("It also smells of burnt toner.")).to_be_visible()
