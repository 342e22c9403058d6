"""Ticket querysets: who sees which tickets, and the filtered list."""

import datetime

from django.db.models import Count, F, Q, QuerySet

from accounts.models import User
from accounts.permissions import is_staff_member

from .choices import TicketStatus
from .models import DONE_STATUSES, Ticket


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Every ticket for admins and technicians; none for anyone else.

    TODO(the portal is not built yet): contacts will see their own tickets, and the main
    contact all of the customer's, through this function.
    """
    if is_staff_member(user):
        return Ticket.objects.all()
    return Ticket.objects.none()


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
