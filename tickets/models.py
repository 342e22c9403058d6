"""Tickets: support requests, their conversation, attachments, and every inbound message."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import Priority, TicketStatus


class TicketSource(models.TextChoices):
    EMAIL = "email", _("Email")
    PORTAL = "portal", _("Portal")
    CONSOLE = "console", _("Console")
    API = "api", _("API")


class MessageKind(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")


class InboundOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    THREADED = "threaded", _("Threaded")
    REFUSED = "refused", _("Refused")
    DROPPED = "dropped", _("Dropped")
    QUARANTINED = "quarantined", _("Quarantined")


# Statuses in which nobody owes the customer anything more: no due time applies.
DONE_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class Ticket(models.Model):
    """A support request of a customer's contact, timed by the SLA policy in force."""

    subject = models.CharField(
        verbose_name=_("subject"),
        max_length=255,
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=32,
        choices=TicketStatus.choices,
        default=TicketStatus.NEW,
    )
    priority = models.CharField(
        verbose_name=_("priority"),
        max_length=10,
        choices=Priority.choices,
        default=Priority.MEDIUM,
    )
    source = models.CharField(
        verbose_name=_("source"),
        max_length=10,
        choices=TicketSource.choices,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
        null=True,
        blank=True,
        help_text=_("Empty while the ticket waits for triage."),
    )
    requester = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("requester"),
        on_delete=models.SET_NULL,
        related_name="tickets",
        null=True,
        blank=True,
    )
    requester_email = models.EmailField(
        verbose_name=_("requester's address"),
        max_length=254,
        blank=True,
        help_text=_("Where replies go; kept for senders who are not contacts yet."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        null=True,
        blank=True,
    )
    sla_policy = models.ForeignKey(
        "sla.SLAPolicy",
        verbose_name=_("SLA policy"),
        on_delete=models.SET_NULL,
        related_name="tickets",
        null=True,
        blank=True,
        help_text=_("The policy in force when the ticket was created."),
    )
    first_response_due = models.DateTimeField(
        verbose_name=_("first response due"),
        null=True,
        blank=True,
    )
    resolution_due = models.DateTimeField(
        verbose_name=_("resolution due"),
        null=True,
        blank=True,
    )
    first_responded_at = models.DateTimeField(
        verbose_name=_("first responded"),
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(
        verbose_name=_("resolved"),
        null=True,
        blank=True,
    )
    paused_at = models.DateTimeField(
        verbose_name=_("clock paused since"),
        null=True,
        blank=True,
    )
    paused_minutes = models.PositiveIntegerField(
        verbose_name=_("business minutes paused"),
        default=0,
    )
    next_due = models.DateTimeField(
        verbose_name=_("next due"),
        null=True,
        blank=True,
        help_text=_("The nearest due time still open; the list sorts by it."),
    )
    attention_at = models.DateTimeField(
        verbose_name=_("needs attention from"),
        null=True,
        blank=True,
        help_text=_("When the policy's warning threshold of the nearest target is reached."),
    )
    created_at = models.DateTimeField(
        verbose_name=_("created"),
        auto_now_add=True,
    )
    updated_at = models.DateTimeField(
        verbose_name=_("updated"),
        auto_now=True,
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["status", "resolution_due"], name="tickets_status_res_due_idx"),
            models.Index(fields=["customer", "-created_at"], name="tickets_customer_idx"),
            models.Index(fields=["status", "next_due"], name="tickets_status_next_due_idx"),
            models.Index(fields=["attention_at"], name="tickets_attention_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.pk])

    @property
    def number(self) -> int:
        # The primary key is the visible number: the database sequence hands out each
        # value once, even to concurrent inserts, with no counter row to lock.
        return self.pk

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


class TicketMessage(models.Model):
    """One entry of a ticket's conversation: a public reply or an internal note.

    The author is a contact, a staff user, or neither (the system).
    """

    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=10,
        choices=MessageKind.choices,
        default=MessageKind.PUBLIC,
    )
    author_contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("author (contact)"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author (staff)"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    sender = models.CharField(
        verbose_name=_("sender"),
        max_length=254,
        blank=True,
        help_text=_("The address the message came from, for mail from unknown senders."),
    )
    body_text = models.TextField(
        verbose_name=_("text"),
        blank=True,
    )
    body_html = models.TextField(
        verbose_name=_("HTML (sanitised)"),
        blank=True,
    )
    message_id = models.CharField(
        verbose_name=_("Message-ID"),
        max_length=255,
        blank=True,
        db_index=True,
    )
    created_at = models.DateTimeField(
        verbose_name=_("created"),
        auto_now_add=True,
    )

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.get_kind_display()} {self.pk}"


class Attachment(models.Model):
    """A file that came with a ticket message; served only through a permission check."""

    message = models.ForeignKey(
        TicketMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(
        verbose_name=_("file"),
        upload_to="tickets/attachments/%Y/%m/",
        max_length=255,
    )
    filename = models.CharField(
        verbose_name=_("file name"),
        max_length=255,
    )
    content_type = models.CharField(
        verbose_name=_("content type"),
        max_length=100,
        default="application/octet-stream",
    )
    size = models.PositiveBigIntegerField(
        verbose_name=_("size (bytes)"),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class InboundMail(models.Model):
    """One message received for the support addresses, and what became of it."""

    message_id = models.CharField(
        verbose_name=_("Message-ID"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
    )
    sender = models.CharField(
        verbose_name=_("sender"),
        max_length=254,
        blank=True,
        db_index=True,
    )
    subject = models.CharField(
        verbose_name=_("subject"),
        max_length=255,
        blank=True,
    )
    outcome = models.CharField(
        verbose_name=_("outcome"),
        max_length=12,
        choices=InboundOutcome.choices,
    )
    reason = models.CharField(
        verbose_name=_("reason"),
        max_length=255,
        blank=True,
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
        null=True,
        blank=True,
    )
    raw = models.FileField(
        verbose_name=_("raw message"),
        upload_to="tickets/inbound/%Y/%m/",
        max_length=255,
        blank=True,
    )
    received_at = models.DateTimeField(
        verbose_name=_("received"),
        auto_now_add=True,
    )

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["sender", "received_at"], name="tickets_inbound_sender_idx"),
            models.Index(fields=["outcome", "-received_at"], name="tickets_inbound_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} {self.get_outcome_display()}"
