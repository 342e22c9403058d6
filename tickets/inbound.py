"""Inbound support mail: one message in, a ticket opened, added to, refused or dropped.

Both entry points (the SMTP listener and the ``ingest_email`` command) call
``receive()``; every message leaves an InboundMail record that admins read.
"""

import datetime
import email
import email.policy
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses

import idna
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext

from contacts.models import Contact, ContactEmail
from contacts.services import add_contact
from customers.domains import display_domain, freemail_domains
from customers.models import Customer, CustomerDomain

from . import conf, services
from .choices import TicketStatus
from .models import (
    Attachment,
    InboundMail,
    InboundOutcome,
    MessageKind,
    Ticket,
    TicketMessage,
    TicketSource,
)
from .text import clean_line, storable

logger = logging.getLogger(__name__)

_TICKET_NUMBER = re.compile(r"\[#(\d{1,12})\]")
_MESSAGE_IDS = re.compile(r"<[^<>\s]+>")
_BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
# Control characters: none belongs in a one-line value (a subject, a name, an address).
# Deeper MIME nesting than any mail client writes; the parser recurses once per level.
MAX_MIME_DEPTH = 30
MALFORMED = "malformed message"
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
_COMMENTS = re.compile(r"\([^()]*\)")


@dataclass
class InboundResult:
    """What became of one inbound message; ``line`` is what the command prints."""

    outcome: str
    reason: str = ""
    ticket: Ticket | None = None
    record: InboundMail | None = None

    @property
    def line(self) -> str:
        if self.outcome == InboundOutcome.ACCEPTED:
            return f"created ticket #{self.ticket.pk}"
        if self.outcome == InboundOutcome.THREADED:
            return f"added to ticket #{self.ticket.pk}"
        if self.outcome == InboundOutcome.DROPPED:
            return f"dropped: {self.reason}"
        if self.outcome == InboundOutcome.QUARANTINED:
            return f"refused: held for review: {self.reason}"
        return f"refused: {self.reason}"


class _Outcome(Exception):
    """Ends processing early with a recorded outcome."""

    def __init__(self, outcome: str, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


@dataclass
class _Sender:
    """The sender as we compare and store it: ``address`` is normalised, or empty when the
    address as written (``written``) cannot be mailed."""

    address: str
    display_name: str
    written: str = ""

    @property
    def local_part(self) -> str:
        return self.address.rpartition("@")[0].lower()

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2].lower()


# --- Parsing --------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """A body fit to store: line breaks and tabs kept, NUL removed."""
    return storable(value or "").replace("\x00", "")


def header_values(headers: Message, name: str) -> list[str]:
    """Every value of header ``name`` as text, unfolding left to the caller.

    Raw 8-bit bytes are read as UTF-8 (RFC 6532), else as latin-1, never as "\ufffd".
    """
    values = []
    for key, value in headers.raw_items():
        if key.lower() != name.lower():
            continue
        raw = str(value).encode("utf-8", "surrogateescape")
        try:
            values.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            values.append(raw.decode("latin-1"))
    return values


def header(headers: Message, name: str) -> str:
    values = header_values(headers, name)
    return values[0] if values else ""


def parse_headers(raw: bytes) -> Message:
    """The header block only: the body's MIME structure is parsed later, with care."""
    return BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)


def _depth(message: Message) -> int:
    deepest, stack = 0, [(message, 1)]
    while stack:
        part, level = stack.pop()
        deepest = max(deepest, level)
        if part.is_multipart() and isinstance(part.get_payload(), list):
            stack.extend((child, level + 1) for child in part.get_payload())
    return deepest


def parse_message(raw: bytes) -> tuple[EmailMessage, str, str]:
    """(message, plain text, HTML); a message we cannot read raises ``_Outcome``."""
    try:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        if _depth(parsed) > MAX_MIME_DEPTH:
            raise _Outcome(InboundOutcome.REFUSED, f"{MALFORMED} (MIME parts nested too deep)")
        text, html = body_parts(parsed)
    except _Outcome:
        raise
    except (RecursionError, Exception) as exc:  # untrusted input: any parser failure
        logger.warning("inbound message not parsed: %s", type(exc).__name__)
        raise _Outcome(InboundOutcome.REFUSED, MALFORMED) from exc
    return parsed, text, html


def decode_words(value: str) -> str:
    """RFC 2047 encoded words to text; undecodable words stay as they came."""
    try:
        return str(make_header(decode_header(value or ""))).strip()
    except (UnicodeError, LookupError, ValueError):
        return (value or "").strip()


def parse_sender(raw_from: str) -> _Sender | None:
    # Split the raw header first, then decode each display name: an encoded "Doe, Jane"
    # must not become two addresses.
    for name, address in getaddresses([raw_from or ""]):
        # Longer than any deliverable address (RFC 5321): not a sender we can answer.
        if "@" in address and len(address) <= 254:
            written = clean_line(address)
            return _Sender(
                address=normalise_address(written) or "",
                display_name=clean_line(decode_words(name)),
                written=written,
            )
    return None


_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def normalise_address(address: str) -> str | None:
    """One form per mailbox, for matching contacts, our own addresses and participants,
    and for storing; None when the address cannot be mailed.

    The domain loses its trailing dot and is lower-cased in its ASCII (IDNA) form; a quoted
    local part that needs no quoting is unquoted: "bob"@ACME.com. is bob@acme.com.
    """
    local, at, domain = clean_line(address).rpartition("@")
    if not at or not local or not domain:
        return None
    if len(local) >= 2 and local[0] == local[-1] == '"':
        unquoted = re.sub(r"\\(.)", r"\1", local[1:-1])
        if _DOT_ATOM.fullmatch(unquoted):
            local = unquoted
    if not local.isascii() or len(local) > 64:
        # An internationalised mailbox needs SMTPUTF8 end to end; replies could not go out.
        return None
    domain = domain.rstrip(".").lower()
    try:
        if not domain.isascii():
            domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
        domain.encode("idna")  # what the SMTP backend does: empty or over-long labels fail
    except (idna.IDNAError, UnicodeError):
        return None
    if not domain or " " in domain:
        return None
    normalised = f"{local}@{domain}"
    return normalised if len(normalised) <= 254 else None


def split_name(display_name: str, address: str) -> tuple[str, str]:
    """(first name, last name) from a display name: "Doe, Jane" and "Jane Doe" alike."""
    name = " ".join(display_name.replace('"', "").split())
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip()[:100], last.strip()[:100]
    if " " in name:
        first, _, last = name.rpartition(" ")
        return first[:100], last[:100]
    if name:
        return name[:100], ""
    return address.partition("@")[0][:100], ""


def message_id_key(value: str) -> str | None:
    """The key a Message-ID is deduplicated and threaded on: "<id>" with or without the
    brackets and white space it came with. An id longer than the field keeps its start and
    gains its SHA-256, so two long ids never share a key."""
    value = "".join(clean_line(value).split())
    found = _MESSAGE_IDS.findall(value)
    inner = found[0][1:-1] if found else value.strip("<>")
    if not inner:
        return None
    key = f"<{inner}>"
    limit = InboundMail._meta.get_field("message_id").max_length
    if len(key) > limit:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        key = f"{key[: limit - len(digest) - 1]}#{digest}"
    return key


def message_ids(value: str) -> list[str]:
    """The keys of the ids in In-Reply-To or References; one bare id counts too."""
    value = clean_line(value)
    found = _MESSAGE_IDS.findall(value) or ([value] if "@" in value else [])
    return [key for key in map(message_id_key, found) if key]


def body_parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of the message's main body."""
    text = html = ""
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        text = _content(part)
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        html = _content(part)
    text, html = clean_text(text), clean_text(html)
    if not text and html:
        text = services.html_to_text(html)
    return text.strip(), html


def _content(part: Message) -> str:
    if part.get_content_maintype() == "text" and part.get_param("charset") is None:
        # No charset said: 8-bit text is far more often UTF-8 than the ASCII RFC 2045 implies.
        return _decode_guess(part.get_payload(decode=True) or b"")
    try:
        return part.get_content()
    except (LookupError, UnicodeError, KeyError):
        return _decode_guess(part.get_payload(decode=True) or b"")


def _decode_guess(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("latin-1")


# --- The rules ------------------------------------------------------------------------


def loop_reason(headers: Message, sender: _Sender | None) -> str:
    """Why this message is an auto-reply, a bounce or a loop; empty when it is none."""
    # RFC 3834: "no (manual)" is "no" with a comment.
    auto_submitted = clean_line(_COMMENTS.sub(" ", header(headers, "Auto-Submitted"))).lower()
    if auto_submitted and auto_submitted != "no":
        return f"auto-submitted ({auto_submitted})"
    precedence = clean_line(header(headers, "Precedence")).lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"precedence {precedence}"
    if headers.get("X-Autoreply") is not None or headers.get("X-Autorespond") is not None:
        return "auto-reply"
    if headers.get_content_type() == "multipart/report":
        return "delivery report"
    if sender is None:
        return "no sender address"
    if sender.local_part.partition("+")[0] in _BOUNCE_SENDERS:
        return "bounce"
    if conf.is_support_address(sender.address):
        return "mail from our own support address"
    return ""


def contact_for(address: str) -> Contact | None:
    keys = {address.lower()}
    local, _, domain = address.lower().rpartition("@")
    if "xn--" in domain:
        # A contact typed with its domain as people write it: jane@bücher.example.
        keys.add(f"{local}@{display_domain(domain)}")
    row = (
        ContactEmail.objects.annotate(key=Lower("address"))
        .filter(key__in=keys)
        .select_related("contact__customer")
        .first()
    )
    return row.contact if row else None


def ascii_domain(domain: str) -> str:
    try:
        return idna.encode(domain.strip(".").lower(), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return domain.strip(".").lower()


def customer_for_domain(domain: str) -> Customer | None:
    """The customer owning the sender's domain: exact, or a parent where sub-domains count.

    Free-mail domains never identify a customer.
    """
    domain = ascii_domain(domain)
    if not domain or domain in freemail_domains():
        return None
    labels = domain.split(".")
    # Parents on a dot boundary only: "eu.acme.com" → "acme.com", never "cme.com".
    parents = [".".join(labels[i:]) for i in range(1, len(labels) - 1)]
    rows = CustomerDomain.objects.filter(domain__in=[domain, *parents]).select_related("customer")
    best = None
    for row in rows:
        if row.domain == domain:
            return row.customer
        if row.customer.allow_subdomains and (best is None or len(row.domain) > len(best.domain)):
            best = row
    return best.customer if best else None


def threaded_ticket(headers: Message, subject: str) -> Ticket | None:
    """The ticket this message answers, by its references to our messages or "[#N]"."""
    ids = message_ids(header(headers, "In-Reply-To")) + message_ids(header(headers, "References"))
    if ids:
        hit = (
            TicketMessage.objects.filter(message_id__in=ids)
            .select_related("ticket__customer")
            .order_by("-pk")
            .first()
        )
        if hit is not None:
            return hit.ticket
    match = _TICKET_NUMBER.search(subject)
    if match:
        return Ticket.objects.select_related("customer").filter(pk=int(match[1])).first()
    return None


def may_add_to(ticket: Ticket, sender: _Sender, contact: Contact | None) -> bool:
    """Only people of the ticket's customer (or, on a triage ticket, its requester) may add
    to a ticket by mail; anyone else who quotes a number opens new mail."""
    if ticket.status == TicketStatus.CLOSED:
        return False
    if ticket.customer_id is None:
        return sender.address.lower() == ticket.requester_email.lower()
    return contact is not None and contact.customer_id == ticket.customer_id


def new_contact(customer: Customer, sender: _Sender) -> Contact:
    first, last = split_name(sender.display_name, sender.address)
    contact = Contact(customer=customer, first_name=first, last_name=last, email=sender.address)
    try:
        with transaction.atomic():
            add_contact(contact)
    except IntegrityError:
        # Another message from the same new sender won the race: use their contact.
        existing = contact_for(sender.address)
        if existing is None:
            raise
        return existing
    logger.info("contact created from mail: contact=%s customer=%s", contact.pk, customer.pk)
    return contact


def display_filename(part: Message) -> str:
    """The sender's file name, fit to show and to offer as the download name."""
    try:
        name = part.get_filename() or ""
    except (LookupError, UnicodeError, ValueError, TypeError):
        name = ""
    name = clean_line(decode_words(name)).replace("/", "_").replace("\\", "_")
    if not name.strip(". "):
        return "attachment"
    limit = Attachment._meta.get_field("filename").max_length
    if len(name) > limit:
        stem, dot, extension = name.rpartition(".")
        extension = f".{extension}" if dot and stem and len(extension) <= 16 else ""
        name = name[: limit - len(extension)] + extension
    return name


def storage_name(filename: str) -> str:
    """A random name for the stored file, keeping a short, plain extension of the original."""
    stem, dot, extension = filename.rpartition(".")
    extension = extension.lower()
    if not (dot and stem and _EXTENSION.fullmatch(extension)):
        return uuid.uuid4().hex
    return f"{uuid.uuid4().hex}.{extension}"


def save_attachments(message: TicketMessage, parsed: EmailMessage) -> list[str]:
    """Store the message's attachments; returns the names of those over the size limit."""
    limit = settings.ATERA_MAIL_MAX_ATTACHMENT_BYTES
    skipped = []
    for part in parsed.iter_attachments():
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        filename = display_filename(part)
        if len(payload) > limit:
            skipped.append(filename)
            continue
        attachment = Attachment(
            message=message,
            filename=filename,
            content_type=clean_line(part.get_content_type())[:100],
            size=len(payload),
        )
        # Stored under a name of ours: the sender's ("..", 400 bytes of "é") is only shown.
        attachment.file.save(storage_name(filename), ContentFile(payload), save=False)
        attachment.save()
    if skipped:
        logger.warning(
            "attachments over %s bytes not kept: message=%s count=%s",
            limit,
            message.pk,
            len(skipped),
        )
        # Staff must know a file the customer sent never arrived, or they would ask for it
        # blind; an internal note by nobody (the system) says which.
        TicketMessage.objects.create(
            ticket=message.ticket,
            kind=MessageKind.INTERNAL,
            body_text=gettext("Attachments not kept, over the size limit of %(limit)s: %(names)s")
            % {"limit": filesizeformat(limit), "names": ", ".join(skipped)},
        )
    return skipped


# --- The pipeline ---------------------------------------------------------------------


def receive(raw: bytes) -> InboundResult:
    """Apply DESIGN §6 to one raw message and record what became of it."""
    # The raw headers only (the body is parsed once, later, if the message gets that far);
    # compat32 keeps each header as it came, so From is split before it is decoded.
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    message_id = message_id_key(header(headers, "Message-ID"))
    sender = parse_sender(header(headers, "From"))
    subject = clean_line(decode_words(header(headers, "Subject")))[:255]

    record = InboundMail(
        message_id=message_id,
        # Lower-cased: addresses compare case-insensitively, and the rate limit's lookup
        # then uses the index.
        sender=sender.address.lower()[:254] if sender else "",
        subject=subject,
        outcome=InboundOutcome.DROPPED,
    )
    # One transaction for the record and its outcome: if our code fails half-way, nothing
    # is kept, the listener answers 451 and the MTA retries, instead of the retry being
    # dropped as a duplicate of a message that was never handled.
    with transaction.atomic():
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            logger.info("duplicate inbound message dropped: message_id=%s", message_id)
            existing = InboundMail.objects.filter(message_id=message_id).first()
            return InboundResult(InboundOutcome.DROPPED, "duplicate Message-ID", record=existing)

        ticket = None
        try:
            with transaction.atomic():
                ticket, outcome = _process(raw, headers, sender, subject, message_id)
                record.ticket, record.outcome, record.reason = ticket, outcome, ""
        except _Outcome as stop:
            record.outcome, record.reason = stop.outcome, clean_line(stop.reason)[:255]
            log = logger.info if stop.outcome == InboundOutcome.DROPPED else logger.warning
            log("inbound message %s: record=%s reason=%s", stop.outcome, record.pk, stop.reason)

        record.raw.save(f"inbound-{record.pk}.eml", ContentFile(raw), save=False)
        record.save()
    return InboundResult(record.outcome, record.reason, ticket=ticket, record=record)


def _process(
    raw: bytes,
    headers: Message,
    sender: _Sender | None,
    subject: str,
    message_id: str | None,
) -> tuple[Ticket, str]:
    if len(raw) > settings.ATERA_MAIL_MAX_MESSAGE_BYTES:
        raise _Outcome(InboundOutcome.REFUSED, "message too large")
    if len(header_values(headers, "From")) > 1:
        # Which one would we believe? A forged second From is a known spoofing trick.
        raise _Outcome(InboundOutcome.QUARANTINED, "more than one From header")
    if reason := loop_reason(headers, sender):
        raise _Outcome(InboundOutcome.DROPPED, reason)
    if not sender.address:
        raise _Outcome(
            InboundOutcome.REFUSED, f"sender address cannot be mailed: {sender.written}"
        )

    limit, window = settings.ATERA_MAIL_RATE_LIMIT, settings.ATERA_MAIL_RATE_WINDOW_SECONDS
    since = timezone.now() - datetime.timedelta(seconds=window)
    recent = InboundMail.objects.filter(sender=sender.address.lower(), received_at__gte=since)
    if recent.count() > limit:
        raise _Outcome(InboundOutcome.QUARANTINED, f"more than {limit} messages in {window} s")

    parsed, text, html = parse_message(raw)
    contact = contact_for(sender.address)
    if contact is not None and contact.ignore_email:
        raise _Outcome(InboundOutcome.REFUSED, "contact's email is ignored")

    ticket = threaded_ticket(headers, subject)
    if ticket is not None and may_add_to(ticket, sender, contact):
        message = services.add_customer_message(
            ticket,
            body_text=text,
            body_html=html,
            author_contact=contact,
            sender=sender.address,
            message_id=message_id or "",
        )
        save_attachments(message, parsed)
        logger.info(
            "inbound message threaded: ticket=#%s contact=%s",
            ticket.pk,
            getattr(contact, "pk", None),
        )
        return ticket, InboundOutcome.THREADED

    customer = contact.customer if contact else customer_for_domain(sender.domain)
    is_active_main = contact is not None and contact.is_main and contact.active
    if customer is not None and customer.tickets_by_main_contact_only and not is_active_main:
        raise _Outcome(InboundOutcome.REFUSED, "tickets by main contact only")
    if customer is not None and contact is None:
        contact = new_contact(customer, sender)

    ticket = services.create_ticket(
        subject=subject or "(no subject)",
        source=TicketSource.EMAIL,
        customer=customer,
        requester=contact,
        requester_email=sender.address,
        body_text=text,
        body_html=html,
        message_id=message_id or "",
        sender=sender.address,
    )
    save_attachments(ticket.messages.get(), parsed)
    if customer is not None and settings.ATERA_MAIL_ACKNOWLEDGE:
        # After the commit: a message rolled back must not have been acknowledged.
        transaction.on_commit(lambda: services.acknowledge(ticket))
    return ticket, InboundOutcome.ACCEPTED


# --- Admin decisions on held mail -----------------------------------------------------

RELEASABLE = (InboundOutcome.QUARANTINED, InboundOutcome.REFUSED)


def release(record: InboundMail, customer: Customer | None, by) -> Ticket:
    """Open a ticket from a quarantined or refused message, for the customer an admin chose."""
    with transaction.atomic():
        record = InboundMail.objects.select_for_update().get(pk=record.pk)
        if record.outcome not in RELEASABLE or not record.raw:
            raise ValueError("only quarantined or refused mail with its raw message is released")
        with record.raw.open("rb") as handle:
            raw = handle.read()
        try:
            parsed, text, html = parse_message(raw)
        except _Outcome as exc:
            raise ValueError("the held message cannot be read") from exc
        contact = contact_for(record.sender) if record.sender else None
        threaded = _release_thread(record, raw, customer, contact)
        if threaded is not None:
            message = services.add_customer_message(
                threaded,
                body_text=text,
                body_html=html,
                author_contact=contact,
                sender=record.sender,
                message_id=record.message_id or "",
            )
            save_attachments(message, parsed)
            record.ticket = threaded
            record.outcome = InboundOutcome.THREADED
            record.reason = f"released by user {by.pk} (was: {record.reason})"[:255]
            record.save(update_fields=["ticket", "outcome", "reason"])
            logger.info(
                "inbound record=%s released onto ticket=#%s by user=%s",
                record.pk,
                threaded.pk,
                by.pk,
            )
            return threaded
        if contact is not None and customer is not None and contact.customer_id != customer.pk:
            contact = None
        ticket = services.create_ticket(
            subject=record.subject or "(no subject)",
            source=TicketSource.EMAIL,
            customer=customer,
            requester=contact,
            requester_email=record.sender,
            body_text=text,
            body_html=html,
            message_id=record.message_id or "",
            sender=record.sender,
        )
        save_attachments(ticket.messages.get(), parsed)
        record.ticket = ticket
        record.outcome = InboundOutcome.ACCEPTED
        record.reason = f"released by user {by.pk} (was: {record.reason})"[:255]
        record.save(update_fields=["ticket", "outcome", "reason"])
    logger.info(
        "inbound record=%s released into ticket=#%s by user=%s", record.pk, ticket.pk, by.pk
    )
    return ticket


def _release_thread(
    record: InboundMail, raw: bytes, customer: Customer | None, contact: Contact | None
) -> Ticket | None:
    """The ticket a released reply belongs to, when its sender may add to it and the admin
    did not choose another customer."""
    headers = parse_headers(raw)
    ticket = threaded_ticket(headers, record.subject)
    if ticket is None or (customer is not None and ticket.customer_id != customer.pk):
        return None
    sender = _Sender(address=record.sender, display_name="", written=record.sender)
    return ticket if record.sender and may_add_to(ticket, sender, contact) else None


def discard(record: InboundMail, by) -> None:
    """Drop a held message for good; the record stays, saying who discarded it."""
    updated = InboundMail.objects.filter(pk=record.pk, outcome__in=RELEASABLE).update(
        outcome=InboundOutcome.DROPPED, reason=f"discarded by user {by.pk}"
    )
    if updated:
        logger.info("inbound record=%s discarded by user=%s", record.pk, by.pk)
