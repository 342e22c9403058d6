"""Tickets walked in real headless Chromium: mail in, the list, a reply, a status change."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role
from tests.factories import ContactFactory, CustomerDomainFactory, CustomerFactory
from tickets.inbound import receive

from ..tickets.conftest import build_mail
from .conftest import screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_technician_answers_a_ticket_that_came_by_mail(page, live_server, staff_user, settings):
    settings.MEDIA_ROOT = settings.DATA_DIR / "media-e2e"
    customer = CustomerFactory(name="Northwind")
    CustomerDomainFactory(customer=customer, domain="northwind.example")
    ContactFactory(customer=customer, email="jane@northwind.example", first_name="Jane")
    ticket = receive(
        build_mail(sender="Jane Doe <jane@northwind.example>", subject="Scanner offline")
    ).ticket
    staff_user(role=Role.TECHNICIAN, email="tech@msp.example")

    sign_in(page, live_server, "tech@msp.example")
    page.get_by_role("link", name="Tickets", exact=True).first.click()
    expect(page).to_have_url(f"{live_server.url}/tickets/")
    expect(page.get_by_role("link", name="Scanner offline")).to_be_visible()
    screenshot(page, "tickets-list")

    page.get_by_role("link", name="Scanner offline").click()
    page.get_by_label("Message", exact=True).fill("Restart it, please.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent to the requester.")).to_be_visible()

    page.get_by_label("Status", exact=True).select_option("waiting_for_customer")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Ticket updated.")).to_be_visible()
    screenshot(page, "ticket-detail")

    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert ticket.status == "waiting_for_customer"
    assert ticket.paused_at is not None
    assert mail.outbox[-1].to == ["jane@northwind.example"]
