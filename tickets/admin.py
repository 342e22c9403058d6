"""Tickets and inbound mail in the Django admin: for reading and repair, not daily work.

Daily work happens in the console, where the SLA rules run; the admin shows due times
read-only so that an edit here cannot bypass them.
"""

from django.contrib import admin

from .models import Attachment, InboundMail, Ticket, TicketMessage


class TicketMessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0
    fields = ["kind", "author_contact", "author_user", "sender", "body_text", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["pk", "subject", "customer", "status", "priority", "assignee", "created_at"]
    list_filter = ["status", "priority", "source"]
    search_fields = ["subject", "requester_email"]
    list_select_related = ["customer", "assignee"]
    raw_id_fields = ["customer", "requester", "assignee"]
    readonly_fields = [
        "sla_policy",
        "first_response_due",
        "resolution_due",
        "first_responded_at",
        "resolved_at",
        "paused_at",
        "paused_minutes",
        "next_due",
        "attention_at",
        "created_at",
        "updated_at",
    ]
    inlines = [TicketMessageInline]


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "subject", "outcome", "reason", "ticket"]
    list_filter = ["outcome"]
    search_fields = ["sender", "subject", "message_id"]
    readonly_fields = [
        "message_id",
        "sender",
        "subject",
        "outcome",
        "reason",
        "ticket",
        "raw",
        "received_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "content_type", "size", "message"]
    raw_id_fields = ["message"]
