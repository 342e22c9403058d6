"""Contracts, tickets with their comments, and alerts in the shapes of the console MSPs
migrate from; the v1 serializers and the ticket services do the work."""

from __future__ import annotations

import logging

from django.core.mail import BadHeaderError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from atera.api import LoggedDestroyMixin
from atera.api.permissions import IsStaffMember, StaffReadAdminWrite
from contracts.api import ContractSerializer
from contracts.models import Contract
from monitoring.models import Alert
from monitoring.models.alerts import AlertState
from tickets import services as ticket_services
from tickets.api import NewTicketSerializer, ReplySerializer
from tickets.choices import Priority, TicketStatus
from tickets.models import MessageKind, TicketMessage, TicketSource
from tickets.selectors import tickets_visible_to

from .base import CompatViewSet, ItemsInPagePagination
from .resources import stamp

logger = logging.getLogger(__name__)

READ_ONLY = ["get", "head", "options"]

# The names that console uses for our values; anything else is passed on as sent, so
# our own values are accepted too.
TICKET_STATUSES = {
    TicketStatus.NEW: "New",
    TicketStatus.OPEN: "Open",
    TicketStatus.WAITING_FOR_CUSTOMER: "Pending",
    TicketStatus.RESOLVED: "Resolved",
    TicketStatus.CLOSED: "Closed",
}
TICKET_PRIORITIES = {value: value.capitalize() for value in Priority.values}
ALERT_SEVERITIES = {
    "information": "Information",
    "warning": "Warning",
    "critical": "Critical",
}


def our_choice(value, names: dict[str, str]):
    """``"High"`` → ``"high"``: a name of that console back to our value."""
    if isinstance(value, str):
        for ours, theirs in names.items():
            if value.casefold() in (theirs.casefold(), str(ours)):
                return str(ours)
    return value


def text(value) -> str | None:
    """Decimals as strings, as the v1 serializers give them."""
    return None if value is None else str(value)


class ContractViewSet(LoggedDestroyMixin, CompatViewSet):
    permission_classes = [StaffReadAdminWrite]
    v1_serializer = ContractSerializer
    writable = {
        "CustomerID": "customer",
        "ContractName": "name",
        "ContractType": "type",
        "Active": "active",
        "Default": "is_default",
        "StartDate": "start_date",
        "EndDate": "end_date",
        "Taxable": "taxable",
        "Notes": "notes",
        # The figures of each type, checked by the v1 rules of the type.
        "Quantity": "quantity",
        "RateID": "rate",
        "AdditionalRateIDs": "additional_rates",
        "BlockHours": "block_hours",
        "BlockAmount": "block_amount",
        "OverageRateID": "overage_rate",
        "Rollover": "rollover",
        "DeviceScope": "device_scope",
        "NewDeviceBilling": "new_device_billing",
        "BackupScope": "backup_scope",
        "TotalAmount": "total_amount",
        "BillingPeriod": "billing_period",
    }

    def get_queryset(self):
        return (
            Contract.objects.select_related("customer")
            .prefetch_related("additional_rates")
            .order_by("pk")
        )

    def render(self, contract: Contract) -> dict:
        return {
            "ContractID": contract.pk,
            "CustomerID": contract.customer_id,
            "CustomerName": contract.customer.name,
            "ContractName": contract.name,
            "ContractType": contract.type,
            "Active": contract.active,
            "Default": contract.is_default,
            "StartDate": contract.start_date.isoformat() if contract.start_date else None,
            "EndDate": contract.end_date.isoformat() if contract.end_date else None,
            "Taxable": contract.taxable,
            "Currency": contract.currency,
            "BillingPeriod": contract.billing_period,
            "Quantity": contract.quantity,
            "RateID": contract.rate_id,
            "AdditionalRateIDs": [rate.pk for rate in contract.additional_rates.all()],
            "BlockHours": text(contract.block_hours),
            "BlockAmount": text(contract.block_amount),
            "OverageRateID": contract.overage_rate_id,
            "TotalAmount": text(contract.total_amount),
            "Notes": contract.notes,
            "CreatedOn": stamp(contract.created_at),
            "LastModified": stamp(contract.updated_at),
        }


class TicketViewSet(CompatViewSet):
    """List, get and open tickets; ``tickets/{id}/comments`` lists and adds comments."""

    permission_classes = [IsStaffMember]
    http_method_names = ["get", "post", "head", "options"]
    v1_serializer = NewTicketSerializer
    writable = {
        "CustomerID": "customer",
        "EndUserEmail": "requester_email",
        "TicketTitle": "subject",
        "TicketPriority": "priority",
        "Description": "description",
        "FirstComment": "description",
    }

    def get_queryset(self):
        return (
            tickets_visible_to(self.request.user)
            .select_related("customer", "requester", "assignee")
            .order_by("pk")
        )

    def to_v1(self, data) -> dict:
        values = super().to_v1(data)
        if "priority" in values:
            values["priority"] = our_choice(values["priority"], TICKET_PRIORITIES)
        return values

    def save(self, instance=None):
        serializer = NewTicketSerializer(data=self.to_v1(self.request.data))
        if not serializer.is_valid():
            raise exceptions.ValidationError(self.to_v3_errors(serializer.errors))
        data = serializer.validated_data
        # As POST /api/v1/tickets/ opens it.
        return ticket_services.create_ticket(
            subject=data["subject"],
            source=TicketSource.API,
            customer=data["customer"],
            requester=data["requester"],
            priority=data["priority"],
            body_text=data["description"],
            author_user=self.request.user,
        )

    def render(self, ticket) -> dict:
        requester, assignee = ticket.requester, ticket.assignee
        return {
            "TicketID": ticket.pk,
            "TicketTitle": ticket.subject,
            "TicketNumber": ticket.number,
            "TicketStatus": TICKET_STATUSES.get(ticket.status, ticket.status),
            "TicketPriority": TICKET_PRIORITIES.get(ticket.priority, ticket.priority),
            "TicketSource": ticket.source,
            "CustomerID": ticket.customer_id,
            "CustomerName": ticket.customer.name if ticket.customer else None,
            "EndUserID": ticket.requester_id,
            "EndUserEmail": ticket.requester_email,
            "EndUserFirstName": requester.first_name if requester else None,
            "EndUserLastName": requester.last_name if requester else None,
            "TechnicianContactID": ticket.assignee_id,
            "TechnicianEmail": assignee.email if assignee else None,
            "FirstResponseDueDate": stamp(ticket.first_response_due),
            "ResolutionDueDate": stamp(ticket.resolution_due),
            "TicketCreatedDate": stamp(ticket.created_at),
            "TicketResolvedDate": stamp(ticket.resolved_at),
            "LastModified": stamp(ticket.updated_at),
        }

    def render_comment(self, message: TicketMessage) -> dict:
        contact, user = message.author_contact, message.author_user
        if contact is not None:
            email, first, last = contact.email, contact.first_name, contact.last_name
        elif user is not None:
            email, first, last = user.email, user.get_full_name(), ""
        else:
            email, first, last = message.sender, "", ""
        return {
            "CommentID": message.pk,
            "TicketID": message.ticket_id,
            "CommentText": message.body_text,
            "IsInternal": message.kind == MessageKind.INTERNAL,
            "Email": email,
            "FirstName": first,
            "LastName": last,
            "EndUserID": message.author_contact_id,
            "TechnicianContactID": message.author_user_id,
            "Date": stamp(message.created_at),
        }

    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """Staff only, so internal notes are listed too, flagged with IsInternal."""
        ticket = self.get_object(pk)
        if request.method == "POST":
            return self.add_comment(ticket)
        messages = TicketMessage.objects.filter(ticket=ticket).select_related(
            "author_contact", "author_user"
        )
        paginator = ItemsInPagePagination()
        page = paginator.paginate_queryset(messages.order_by("created_at", "pk"), request)
        return paginator.get_paginated_response([self.render_comment(m) for m in page])

    def add_comment(self, ticket) -> Response:
        data = self.request.data
        if not isinstance(data, dict):
            super().to_v1(data)  # refuses with "Send a JSON object."
        values = {"body": data["CommentText"]} if "CommentText" in data else {}
        if "IsInternal" in data:
            try:
                internal = serializers.BooleanField().run_validation(data["IsInternal"])
            except exceptions.ValidationError as error:
                raise exceptions.ValidationError({"IsInternal": error.detail}) from error
            values["kind"] = MessageKind.INTERNAL if internal else MessageKind.PUBLIC
        serializer = ReplySerializer(data=values)
        if not serializer.is_valid():
            back = {"body": "CommentText", "kind": "IsInternal"}
            raise exceptions.ValidationError(
                {back.get(name, name): errors for name, errors in serializer.errors.items()}
            )
        body = serializer.validated_data["body"]
        user = self.request.user
        # As POST /api/v1/tickets/{id}/reply/ does it.
        if serializer.validated_data["kind"] == MessageKind.INTERNAL:
            message = ticket_services.add_note(ticket, user, body)
        else:
            try:
                message = ticket_services.reply(ticket, user, body)
            except (BadHeaderError, UnicodeError, ValueError):
                logger.warning("reply to ticket=#%s not mailable", ticket.pk, exc_info=True)
                return Response(
                    {
                        "EndUserEmail": [
                            _(
                                "The reply was not sent: the requester's address cannot be "
                                "mailed. Correct it, then send the reply again."
                            )
                        ]
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
        return Response(
            {"ActionID": 0, "CreatedItemId": message.pk, **self.render_comment(message)},
            status=status.HTTP_201_CREATED,
        )


class AlertViewSet(CompatViewSet):
    permission_classes = [IsStaffMember]
    http_method_names = READ_ONLY

    def get_queryset(self):
        return Alert.objects.select_related("device__customer").order_by("-opened_at", "-pk")

    def render(self, alert: Alert) -> dict:
        device = alert.device
        title = alert.get_metric_display()
        if alert.volume:
            title = f"{title} {alert.volume}"
        return {
            "AlertID": alert.pk,
            "DeviceName": device.hostname,
            "DeviceID": device.pk,
            "CustomerID": device.customer_id,
            "CustomerName": device.customer.name,
            "Severity": ALERT_SEVERITIES.get(alert.severity, alert.severity),
            "Title": str(title),
            "AlertMessage": str(title),
            "Threshold": text(alert.threshold),
            "LastValue": alert.last_value,
            "Created": stamp(alert.opened_at),
            "Archived": alert.state == AlertState.RESOLVED,
            "ArchivedDate": stamp(alert.resolved_at),
            "Acknowledged": alert.acknowledged_at is not None,
            "SnoozedEndDate": stamp(alert.snoozed_until),
        }
