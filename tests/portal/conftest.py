"""Portal fixtures: contacts with portal logins, their tickets, and signed-in clients."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from accounts.models import Role, User
from contacts.models import Contact
from tickets import services
from tickets.models import Attachment, Ticket, TicketSource

from ..factories import ContactFactory

PORTAL_PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture(autouse=True)
def portal_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def clear_signin_throttle():
    # The throttle lives in the shared cache; every test starts unlocked.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def portal_user(contact: Contact, password: str = PORTAL_PASSWORD) -> User:
    return User.objects.create_user(
        email=contact.email,
        password=password,
        role=Role.CONTACT,
        contact=contact,
        full_name=contact.full_name,
    )


def contact_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ticket_with_attachment(
    contact: Contact | None, customer, subject: str, source=TicketSource.PORTAL
) -> Ticket:
    ticket = services.create_ticket(
        subject=subject,
        source=source,
        customer=customer,
        requester=contact,
        requester_email=contact.email if contact else "someone@elsewhere.example",
        body_text=f"Body of {subject}",
    )
    message = ticket.messages.get()
    Attachment.objects.create(
        message=message,
        file=ContentFile(b"log lines", name=f"{subject}.log"),
        filename=f"{subject}.log",
        size=9,
    )
    return ticket


@pytest.fixture
def make_contact(db):
    def factory(customer, *, is_main=False, login=True, **kwargs):
        contact = ContactFactory(customer=customer, is_main=is_main, **kwargs)
        user = portal_user(contact) if login else None
        return contact, user

    return factory
