"""Ticket querysets: who sees which tickets, and the filtered list."""

import datetime

from django.db.models import Count, F, Q, QuerySet

from accounts.models import Role, User
from accounts.permissions import is_staff_member
from contacts.models import Contact

from .choices import TicketStatus
from .models import DONE_STATUSES, Ticket


def portal_contact(user: User) -> Contact | None:
    """The contact a portal user signs in for, read fresh for this request; None if the
    user is not a contact, or the contact is inactive (their access ends at once)."""
    if not (user.is_authenticated and user.is_active and user.role == Role.CONTACT):
        return None
    contact = user.contact
    if contact is None or not contact.active:
        return None
    return contact


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """The one rule for who sees which ticket, used by every console and portal route.

    Admins and technicians see every ticket. A contact sees the tickets they requested;
    the customer's active main contact sees every ticket of the customer. The main-contact
    flag is read at request time, so a promotion or demotion takes effect at once.
    Anyone else sees nothing.
    """
    if is_staff_member(user):
        return Ticket.objects.all()
    contact = portal_contact(user)
    if contact is None:
        return Ticket.objects.none()
    tickets = Ticket.objects.filter(customer_id=contact.customer_id)
    if contact.is_main:
        return tickets
    return tickets.filter(requester_id=contact.pk)


def portal_ticket_list(user: User, *, search: str = "", status: str = "") -> QuerySet[Ticket]:
    """A contact's ticket list in the portal: most recently updated first."""
    tickets = tickets_visible_to(user).select_related("requester")
    if search:
        tickets = tickets.filter(subject__icontains=search)
    if status == "active":
        tickets = tickets.exclude(status__in=DONE_STATUSES)
    elif status in TicketStatus.values:
        tickets = tickets.filter(status=status)
    return tickets.order_by("-updated_at", "-pk")


def ticket_list(
    user: User,
    *,
    now: datetime.datetime,
    customer_id: int | None = None,
    status: str | None = None,
    priority: str | None = None,
    assignee: str | None = None,
    needs_attention: bool = False,
) -> QuerySet[Ticket]:
    """The ticket list, nearest due time first; tickets with no due time last."""
    tickets = tickets_visible_to(user).select_related("customer", "requester", "assignee")
    if customer_id:
        tickets = tickets.filter(customer_id=customer_id)
    if status == "active":
        tickets = tickets.exclude(status__in=DONE_STATUSES)
    elif status in TicketStatus.values:
        tickets = tickets.filter(status=status)
    if priority:
        tickets = tickets.filter(priority=priority)
    if assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee:
        tickets = tickets.filter(assignee_id=int(assignee))
    if needs_attention:
        # attention_at is at or before every open due time, so breached tickets match too.
        tickets = tickets.filter(Q(attention_at__lte=now)).exclude(status__in=DONE_STATUSES)
    return tickets.order_by(F("next_due").asc(nulls_last=True), "-pk")


def ticket_counts(now: datetime.datetime) -> dict[str, int]:
    """Open tickets, those needing attention and those unassigned, in one query."""
    return Ticket.objects.exclude(status__in=DONE_STATUSES).aggregate(
        open=Count("pk"),
        attention=Count("pk", filter=Q(attention_at__lte=now)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
    )
