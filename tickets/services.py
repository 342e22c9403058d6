"""Ticket rules: creating tickets, the conversation, status and priority, SLA due times."""

import datetime
import html as html_lib
import logging
from email.utils import make_msgid

import nh3
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import Contact
from customers.models import Customer
from customers.services import effective_sla
from sla.models import SLAPolicy

from . import clock, conf
from .choices import TicketStatus
from .models import MessageKind, Ticket, TicketMessage
from .text import clean_line

logger = logging.getLogger(__name__)


# Tags and attributes a mail body may keep: enough for formatted mail, nothing that runs.
_ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip


def sanitise_html(html: str) -> str:
    """HTML safe to show in the console: no scripts, styles, handlers or remote images."""
    return nh3.clean(
        html or "",
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(html: str) -> str:
    """A plain-text stand-in for an HTML-only body."""
    text = html_lib.unescape(nh3.clean(html or "", tags=set()))
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def policy_for(customer: Customer | None) -> SLAPolicy | None:
    """The SLA policy a new ticket of this customer is timed by."""
    if customer is None:
        return SLAPolicy.objects.filter(is_default=True).first()
    return effective_sla(customer)


def refresh_sla_marks(ticket: Ticket) -> None:
    """Recompute the nearest open due time and when the ticket starts needing attention."""
    if ticket.is_done or ticket.paused_at is not None:
        ticket.next_due = ticket.attention_at = None
        return

    open_dues = []
    if ticket.first_responded_at is None and ticket.first_response_due:
        open_dues.append(ticket.first_response_due)
    if ticket.resolution_due:
        open_dues.append(ticket.resolution_due)
    ticket.next_due = min(open_dues, default=None)

    start = ticket.created_at or timezone.now()
    policy = ticket.sla_policy
    if policy is None:
        ticket.attention_at = ticket.next_due
        return
    try:
        ticket.attention_at = min(
            (clock.warning_time(policy, start, due) for due in open_dues), default=None
        )
    except clock.CalendarError:
        logger.warning("SLA policy=%s gives no warning time for ticket=#%s", policy.pk, ticket.pk)
        ticket.attention_at = ticket.next_due


def create_ticket(
    *,
    subject: str,
    source: str,
    customer: Customer | None = None,
    requester: Contact | None = None,
    requester_email: str = "",
    priority: str = "medium",
    body_text: str = "",
    body_html: str = "",
    author_user: User | None = None,
    message_id: str = "",
    sender: str = "",
) -> Ticket:
    """Open a ticket with its first message, timed by the customer's SLA policy."""
    with transaction.atomic():
        ticket = Ticket(
            subject=(subject or "").strip()[:255],
            source=source,
            customer=customer,
            requester=requester,
            requester_email=requester_email or (requester.email if requester else ""),
            priority=priority,
            sla_policy=policy_for(customer),
        )
        ticket.save()
        ticket.first_response_due, ticket.resolution_due = clock.targets_for(
            ticket.sla_policy, ticket.priority, ticket.created_at
        )
        refresh_sla_marks(ticket)
        ticket.save(
            update_fields=["first_response_due", "resolution_due", "next_due", "attention_at"]
        )
        TicketMessage.objects.create(
            ticket=ticket,
            kind=MessageKind.PUBLIC,
            author_contact=requester,
            author_user=author_user,
            sender=sender,
            body_text=body_text,
            body_html=sanitise_html(body_html) if body_html else "",
            message_id=message_id,
        )
    logger.info(
        "ticket created: #%s source=%s customer=%s requester=%s",
        ticket.pk,
        source,
        customer.pk if customer else None,
        requester.pk if requester else None,
    )
    return ticket


def add_customer_message(
    ticket: Ticket,
    *,
    body_text: str,
    body_html: str = "",
    author_contact: Contact | None = None,
    sender: str = "",
    message_id: str = "",
) -> TicketMessage:
    """A public message from the customer's side; it reopens a ticket waiting or resolved."""
    with transaction.atomic():
        message = TicketMessage.objects.create(
            ticket=ticket,
            kind=MessageKind.PUBLIC,
            author_contact=author_contact,
            sender=sender,
            body_text=body_text,
            body_html=sanitise_html(body_html) if body_html else "",
            message_id=message_id,
        )
        if ticket.status in (TicketStatus.WAITING_FOR_CUSTOMER, TicketStatus.RESOLVED):
            change_status(ticket, TicketStatus.OPEN)
        else:
            ticket.save(update_fields=["updated_at"])
    return message


def add_note(ticket: Ticket, user: User, body_text: str) -> TicketMessage:
    """An internal note: staff only, never mailed, never a first response."""
    message = TicketMessage.objects.create(
        ticket=ticket, kind=MessageKind.INTERNAL, author_user=user, body_text=body_text
    )
    logger.info("internal note added: ticket=#%s by user=%s", ticket.pk, user.pk)
    return message


def outgoing_message_id(ticket: Ticket) -> str:
    domain = conf.reply_address().rpartition("@")[2] or "localhost"
    return make_msgid(idstring=f"ticket{ticket.pk}", domain=domain)


def reply(ticket: Ticket, user: User, body_text: str) -> TicketMessage:
    """A technician's public reply, mailed to the requester; the first one is the first
    response of the SLA."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        message = TicketMessage.objects.create(
            ticket=ticket,
            kind=MessageKind.PUBLIC,
            author_user=user,
            body_text=body_text,
            message_id=outgoing_message_id(ticket),
        )
        fields = ["updated_at"]
        if ticket.first_responded_at is None:
            ticket.first_responded_at = message.created_at
            fields.append("first_responded_at")
        if ticket.status == TicketStatus.NEW:
            ticket.status = TicketStatus.OPEN
            fields.append("status")
        refresh_sla_marks(ticket)
        ticket.save(update_fields=[*fields, "next_due", "attention_at"])

        if ticket.requester_email:
            send_reply(ticket, message)
        else:
            logger.warning("ticket=#%s has no requester address; reply not mailed", ticket.pk)
    return message


def send_reply(ticket: Ticket, message: TicketMessage) -> None:
    """Mail a public reply; its Message-ID and "[#N]" subject let the answer thread back."""
    earlier = list(
        ticket.messages.exclude(pk=message.pk)
        .exclude(message_id="")
        .order_by("created_at", "pk")
        .values_list("message_id", flat=True)
    )
    headers = {"Message-ID": message.message_id, "Auto-Submitted": "no"}
    if earlier:
        headers["In-Reply-To"] = earlier[-1]
        headers["References"] = " ".join(earlier[-20:])
    # A subject stored before inbound mail was cleaned may hold line breaks: one line, always.
    subject = clean_line(f"[#{ticket.pk}] {ticket.subject}")
    EmailMessage(
        subject=subject,
        body=message.body_text,
        from_email=conf.reply_address(),
        to=[ticket.requester_email],
        headers=headers,
    ).send()
    logger.info("reply mailed: ticket=#%s message=%s", ticket.pk, message.pk)


def acknowledge(ticket: Ticket) -> None:
    """Mail the requester a receipt for a ticket opened by email.

    Marked ``Auto-Submitted: auto-replied`` so that well-behaved auto-responders on the
    other side do not answer it; its Message-ID is kept on the ticket (as a note) so that a
    reply to the receipt threads back. Only for customers' people: a receipt to an unknown
    sender would be backscatter for forged spam.
    """
    customer_message = ticket.messages.order_by("created_at", "pk").first()
    note = TicketMessage.objects.create(
        ticket=ticket,
        kind=MessageKind.INTERNAL,
        body_text=_("Receipt mailed to %(address)s.") % {"address": ticket.requester_email},
        message_id=outgoing_message_id(ticket),
    )
    headers = {"Message-ID": note.message_id, "Auto-Submitted": "auto-replied"}
    if customer_message and customer_message.message_id:
        headers["In-Reply-To"] = customer_message.message_id
        headers["References"] = customer_message.message_id
    subject = clean_line(f"[#{ticket.pk}] {ticket.subject}")
    body = _(
        "We have received your request and opened ticket #%(number)s. Reply to this "
        "message to add to it; keep [#%(number)s] in the subject."
    ) % {"number": ticket.pk}
    try:
        EmailMessage(
            subject=subject,
            body=body,
            from_email=conf.reply_address(),
            to=[ticket.requester_email],
            headers=headers,
        ).send()
    except Exception:
        # The ticket stands without its receipt; say so where an operator looks.
        logger.exception("receipt for ticket=#%s could not be mailed", ticket.pk)
        return
    logger.info("receipt mailed: ticket=#%s to=%s", ticket.pk, ticket.requester_email)


def _now() -> datetime.datetime:
    return timezone.now()


def change_status(ticket: Ticket, status: str, by: User | None = None) -> None:
    """Move a ticket to ``status``: pausing statuses stop the clock, resolving stamps it."""
    if status == ticket.status:
        return
    now = _now()
    policy = ticket.sla_policy
    pausing = set(policy.pause_statuses) if policy else set()

    if ticket.paused_at is not None and status not in pausing:
        # Leaving a pause: the customer owed us those minutes, so the due times move on.
        paused = clock.business_minutes_between(policy, ticket.paused_at, now)
        ticket.paused_minutes += paused
        if ticket.resolution_due:
            ticket.resolution_due = clock.add_business_minutes(
                policy, ticket.resolution_due, paused
            )
        if ticket.first_response_due and ticket.first_responded_at is None:
            ticket.first_response_due = clock.add_business_minutes(
                policy, ticket.first_response_due, paused
            )
        ticket.paused_at = None
    elif ticket.paused_at is None and status in pausing:
        ticket.paused_at = now

    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = now
    elif status != TicketStatus.CLOSED:
        ticket.resolved_at = None

    old = ticket.status
    ticket.status = status
    refresh_sla_marks(ticket)
    ticket.save()
    logger.info(
        "ticket=#%s status %s -> %s by user=%s", ticket.pk, old, status, getattr(by, "pk", None)
    )


def change_priority(ticket: Ticket, priority: str, by: User | None = None) -> None:
    """A new priority means new targets, counted from creation plus the paused minutes."""
    if priority == ticket.priority:
        return
    policy = ticket.sla_policy
    first_due, resolution_due = clock.targets_for(policy, priority, ticket.created_at)
    if policy is not None and ticket.paused_minutes:
        first_due = first_due and clock.add_business_minutes(
            policy, first_due, ticket.paused_minutes
        )
        resolution_due = resolution_due and clock.add_business_minutes(
            policy, resolution_due, ticket.paused_minutes
        )
    old = ticket.priority
    ticket.priority = priority
    ticket.first_response_due, ticket.resolution_due = first_due, resolution_due
    refresh_sla_marks(ticket)
    ticket.save()
    logger.info(
        "ticket=#%s priority %s -> %s by user=%s",
        ticket.pk,
        old,
        priority,
        getattr(by, "pk", None),
    )


def assign(ticket: Ticket, assignee: User | None, by: User | None = None) -> None:
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    logger.info(
        "ticket=#%s assigned to user=%s by user=%s",
        ticket.pk,
        getattr(assignee, "pk", None),
        getattr(by, "pk", None),
    )
