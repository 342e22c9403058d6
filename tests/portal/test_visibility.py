"""The portal's permission matrix: every contact × every ticket × every portal route."""

import pytest
from django.urls import reverse

from contacts.services import set_main_contact
from tickets.models import Attachment, Ticket, TicketMessage, TicketSource

from ..factories import CustomerFactory
from .conftest import contact_client, ticket_with_attachment

pytestmark = pytest.mark.django_db


def expected_visible(contact, ticket) -> bool:
    """The rule, written out independently of the selector: same customer, and either the
    contact is the active main contact or they requested the ticket."""
    contact.refresh_from_db()
    if not contact.active or ticket.customer_id != contact.customer_id:
        return False
    return contact.is_main or ticket.requester_id == contact.pk


@pytest.fixture
def world(make_contact):
    """Two customers, each with a main contact, two regular contacts with portal logins, a
    ticket from each, and a ticket opened by email by a domain-matched sender who has no
    portal login."""
    people, tickets = {}, {}
    for name in ("acme", "globex"):
        customer = CustomerFactory(name=name.title())
        for role in ("main", "r1", "r2"):
            people[f"{name}-{role}"] = make_contact(customer, is_main=role == "main")
        mailer, _ = make_contact(customer, login=False)
        for role in ("main", "r1", "r2"):
            contact = people[f"{name}-{role}"][0]
            tickets[f"{name}-{role}"] = ticket_with_attachment(
                contact, customer, f"{name} {role} problem"
            )
        tickets[f"{name}-mail"] = ticket_with_attachment(
            mailer, customer, f"{name} mailed problem", source=TicketSource.EMAIL
        )
    return people, tickets


def assert_matrix(people, tickets) -> None:
    for who, (contact, user) in people.items():
        client = contact_client(user)
        listed = set(
            client.get(reverse("portal:tickets"))
            .context["paginator"]
            .object_list.values_list("pk", flat=True)
        )
        for what, ticket in tickets.items():
            visible = expected_visible(contact, ticket)
            where = f"{who} × {what}"
            assert (ticket.pk in listed) is visible, f"list: {where}"

            detail = client.get(reverse("portal:ticket", args=[ticket.pk]))
            assert detail.status_code == (200 if visible else 404), f"detail: {where}"

            before = TicketMessage.objects.filter(ticket=ticket).count()
            reply = client.post(
                reverse("portal:reply", args=[ticket.pk]), {"body": f"reply from {who}"}
            )
            assert reply.status_code == (302 if visible else 404), f"reply: {where}"
            after = TicketMessage.objects.filter(ticket=ticket).count()
            assert after == before + (1 if visible else 0), f"reply stored: {where}"

            attachment = Attachment.objects.get(message__ticket=ticket)
            download = client.get(reverse("portal:attachment", args=[attachment.pk]))
            assert download.status_code == (200 if visible else 404), f"attachment: {where}"


def test_each_contact_sees_exactly_their_tickets_on_every_route(world):
    people, tickets = world
    assert_matrix(people, tickets)

    # Spot-check the matrix itself, so that a wrong helper cannot pass silently.
    main_client = contact_client(people["acme-main"][1])
    listed = main_client.get(reverse("portal:tickets")).context["paginator"].count
    assert listed == 4
    regular_client = contact_client(people["acme-r1"][1])
    assert regular_client.get(reverse("portal:tickets")).context["paginator"].count == 1


def test_promotion_demotion_and_deactivation_apply_at_the_next_request(world):
    people, tickets = world
    _, old_main_user = people["acme-main"]
    promoted, promoted_user = people["acme-r1"]
    old_main_client = contact_client(old_main_user)
    promoted_client = contact_client(promoted_user)
    colleague_ticket = tickets["acme-r2"]
    url = reverse("portal:ticket", args=[colleague_ticket.pk])
    assert old_main_client.get(url).status_code == 200
    assert promoted_client.get(url).status_code == 404

    set_main_contact(promoted)

    # Same sessions, no new sign-in: the flag is read at request time.
    assert old_main_client.get(url).status_code == 404
    assert promoted_client.get(url).status_code == 200
    assert_matrix(people, tickets)

    leaver, leaver_user = people["globex-r2"]
    leaver_client = contact_client(leaver_user)
    own = reverse("portal:ticket", args=[tickets["globex-r2"].pk])
    assert leaver_client.get(own).status_code == 200
    leaver.active = False
    leaver.save()

    response = leaver_client.get(own)
    assert response.status_code == 302
    assert response.url == reverse("portal:login")
    # The session is gone, not just refused: reactivating does not bring it back.
    leaver.active = True
    leaver.save()
    assert leaver_client.get(own).status_code == 302
    leaver.active = False
    leaver.save()
    assert_matrix({k: v for k, v in people.items() if k != "globex-r2"}, tickets)


def test_ticket_page_shows_the_public_conversation_only(world, technician):
    from tickets import services

    people, tickets = world
    ticket = tickets["acme-r1"]
    services.add_note(ticket, technician, "Internal: customer owes us money")
    services.assign(ticket, technician)
    services.reply(ticket, technician, "Public: we restarted the server")
    hidden = TicketMessage.objects.filter(ticket=ticket, kind="internal").get()
    Attachment.objects.create(
        message=hidden, file="tickets/attachments/secret.txt", filename="secret.txt", size=3
    )

    client = contact_client(people["acme-r1"][1])
    html = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "Public: we restarted the server" in html
    assert "Internal: customer owes us money" not in html
    assert "secret.txt" not in html
    assert technician.email not in html
    assert "tech@msp.example" not in html
    internal_attachment = Attachment.objects.get(filename="secret.txt")
    download = client.get(reverse("portal:attachment", args=[internal_attachment.pk]))
    assert download.status_code == 404


def test_staff_selector_is_unchanged(world, technician):
    from tickets.selectors import tickets_visible_to

    _, tickets = world
    assert tickets_visible_to(technician).count() == Ticket.objects.count() == len(tickets)
