"""Attaching triage tickets to a customer once the domain their senders write from is known.

When a domain is added to a customer, the open tickets that still have no customer and
came from that domain (exactly, or from a sub-domain where the customer allows it) can be
attached to the customer: first a preview, then one transaction that sets the customer,
makes contacts of the senders and times the tickets by the customer's SLA policy.
"""

from __future__ import annotations

import email.policy
import logging
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import User
from contacts.models import Contact, ContactEmail
from contacts.services import add_contact
from customers.domains import freemail_domains
from customers.models import Customer
from customers.services import effective_sla

from . import clock, services
from .inbound import ascii_domain, customer_for_domain, header, parse_sender, split_name
from .models import DONE_STATUSES, InboundMail, Ticket

logger = logging.getLogger(__name__)

# How many tickets the preview lists; the count covers them all.
PREVIEW_ROWS = 20
# Enough of a stored message to read its From header.
_HEADER_BYTES = 64 * 1024


@dataclass
class AttachPlan:
    """What attaching would do: the tickets to attach and the senders to make contacts of."""

    customer: Customer
    domains: list[str]
    tickets: list[Ticket] = field(default_factory=list)
    new_senders: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.tickets)

    @property
    def first_rows(self) -> list[Ticket]:
        return self.tickets[:PREVIEW_ROWS]


@dataclass
class AttachResult:
    tickets: int
    contacts: int


def sender_domain(address: str) -> str:
    return ascii_domain(address.rpartition("@")[2])


def is_customers_domain(customer: Customer, domains: list[str], domain: str) -> bool:
    """Whether mail from ``domain`` belongs to ``customer`` through one of ``domains``.

    The inbound rule: an exact match, or a sub-domain where the customer allows
    sub-domains and no other customer owns a nearer parent. Free-mail never matches.
    """
    if not domain or domain in freemail_domains():
        return False
    if domain in domains:
        return True
    if not customer.allow_subdomains:
        return False
    if not any(domain.endswith(f".{parent}") for parent in domains):
        return False
    owner = customer_for_domain(domain)
    return owner is not None and owner.pk == customer.pk


def _candidates(customer: Customer, domains: list[str]) -> QuerySet[Ticket]:
    """Open tickets with no customer whose requester writes from one of ``domains``."""
    match = Q()
    for domain in domains:
        match |= Q(requester_email__iendswith=f"@{domain}")
        if customer.allow_subdomains:
            match |= Q(requester_email__iendswith=f".{domain}")
    return (
        Ticket.objects.filter(customer__isnull=True)
        .exclude(status__in=DONE_STATUSES)
        .filter(match)
        .order_by("pk")
    )


def _contacts_by_address(addresses: set[str]) -> dict[str, Contact]:
    rows = (
        ContactEmail.objects.annotate(key=Lower("address"))
        .filter(key__in=addresses)
        .select_related("contact")
    )
    return {row.key: row.contact for row in rows}


def _own_domains(customer: Customer, domains: list[str]) -> list[str]:
    """``domains`` narrowed to those the customer owns now: a stale link attaches nothing."""
    owned = set(customer.domains.values_list("domain", flat=True))
    return sorted({ascii_domain(d) for d in domains} & owned)


def plan(customer: Customer, domains: list[str], *, lock: bool = False) -> AttachPlan:
    """The preview: which tickets attaching would take, and which senders become contacts."""
    domains = _own_domains(customer, domains)
    result = AttachPlan(customer=customer, domains=domains)
    if not domains:
        return result

    tickets = _candidates(customer, domains)
    if lock:
        tickets = tickets.select_for_update()
    tickets = [
        t
        for t in tickets
        if is_customers_domain(customer, domains, sender_domain(t.requester_email))
    ]
    contacts = _contacts_by_address({t.requester_email.lower() for t in tickets})

    new_senders: dict[str, None] = {}
    for ticket in tickets:
        address = ticket.requester_email.lower()
        contact = contacts.get(address)
        if contact is not None and contact.customer_id != customer.pk:
            # The sender became another customer's contact since: not ours to take.
            continue
        if contact is None:
            new_senders[address] = None
        result.tickets.append(ticket)
    result.new_senders = list(new_senders)
    return result


def stored_display_name(ticket: Ticket, address: str) -> str:
    """The sender's display name from the message that opened the ticket, if kept."""
    record = InboundMail.objects.filter(ticket=ticket).exclude(raw="").order_by("pk").first()
    if record is None:
        return ""
    try:
        with record.raw.open("rb") as handle:
            head = handle.read(_HEADER_BYTES)
    except OSError:
        logger.warning("raw message of inbound record=%s is missing", record.pk)
        return ""
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
    sender = parse_sender(header(headers, "From"))
    if sender is None or sender.address.lower() != address.lower():
        return ""
    return sender.display_name


def _contact_for_sender(customer: Customer, ticket: Ticket, address: str) -> Contact:
    first, last = split_name(stored_display_name(ticket, address), address)
    contact = Contact(customer=customer, first_name=first, last_name=last, email=address)
    try:
        with transaction.atomic():
            add_contact(contact)
    except IntegrityError:
        # The address became a contact meanwhile (mail arriving): use that contact.
        existing = _contacts_by_address({address.lower()}).get(address.lower())
        if existing is None:
            raise
        return existing
    return contact


def _time_by_policy(ticket: Ticket, customer: Customer) -> list[str]:
    """Give a ticket that was timed by no policy the customer's one; the changed fields."""
    if ticket.sla_policy_id is not None:
        return []
    policy = effective_sla(customer)
    if policy is None:
        return []
    ticket.sla_policy = policy
    first_due, resolution_due = clock.targets_for(policy, ticket.priority, ticket.created_at)
    if ticket.paused_minutes:
        first_due = first_due and clock.add_business_minutes(
            policy, first_due, ticket.paused_minutes
        )
        resolution_due = resolution_due and clock.add_business_minutes(
            policy, resolution_due, ticket.paused_minutes
        )
    ticket.first_response_due, ticket.resolution_due = first_due, resolution_due
    services.refresh_sla_marks(ticket)
    return ["sla_policy", "first_response_due", "resolution_due", "next_due", "attention_at"]


def attach(customer: Customer, domains: list[str], by: User | None) -> AttachResult:
    """Attach what ``plan()`` shows, in one transaction; a second call attaches nothing."""
    with transaction.atomic():
        # One apply per customer at a time; each ticket is taken while it is unattached.
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        todo = plan(customer, domains, lock=True)

        contacts = _contacts_by_address({t.requester_email.lower() for t in todo.tickets})
        created = 0
        for ticket in todo.tickets:
            address = ticket.requester_email.lower()
            if address not in contacts and sender_domain(address) not in freemail_domains():
                contacts[address] = _contact_for_sender(customer, ticket, ticket.requester_email)
                created += 1
            contact = contacts.get(address)

            ticket.customer = customer
            fields = ["customer", "updated_at"]
            if ticket.requester_id is None and contact is not None:
                ticket.requester = contact
                fields.append("requester")
            fields += _time_by_policy(ticket, customer)
            ticket.save(update_fields=fields)

    logger.info(
        "tickets attached to customer=%s by user=%s: domains=%s tickets=%s contacts=%s",
        customer.pk,
        getattr(by, "pk", None),
        ",".join(todo.domains),
        todo.count,
        created,
    )
    return AttachResult(tickets=todo.count, contacts=created)
