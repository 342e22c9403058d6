"""The tickets API: the list and a ticket with its public conversation; opening a ticket,
replying and changing its status through the same services as the console."""

import logging

from django.core.mail import BadHeaderError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from atera.api.forms import bind_form
from atera.api.permissions import IsStaffMember
from customers.models import Customer

from . import services
from .choices import Priority, TicketStatus
from .forms import NewTicketForm
from .models import MessageKind, Ticket, TicketMessage, TicketSource
from .selectors import tickets_visible_to

logger = logging.getLogger(__name__)


class TicketMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketMessage
        fields = [
            "id",
            "kind",
            "author_contact",
            "author_user",
            "sender",
            "body_text",
            "created_at",
        ]


class TicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "status",
            "priority",
            "source",
            "customer",
            "requester",
            "requester_email",
            "assignee",
            "sla_policy",
            "first_response_due",
            "resolution_due",
            "first_responded_at",
            "resolved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    messages = TicketMessageSerializer(
        source="public_messages",
        many=True,
        read_only=True,
        help_text=_("Public replies, oldest first; internal notes are not included."),
    )

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class NewTicketSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    requester_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        help_text=_("An address of one of the customer's contacts; replies go there."),
    )
    subject = serializers.CharField(max_length=255)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.MEDIUM)
    description = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        form = bind_form(NewTicketForm, attrs)
        return {**attrs, "requester": form.cleaned_data["requester"]}


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(help_text=_("Plain text."))
    kind = serializers.ChoiceField(
        choices=MessageKind.choices,
        default=MessageKind.PUBLIC,
        help_text=_("A public reply is mailed to the requester; an internal note is not."),
    )


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Tickets visible to the user; admins and technicians work them."""

    permission_classes = [IsStaffMember]
    filterset_fields = ["status", "priority", "source", "customer", "requester", "assignee"]
    search_fields = ["subject", "requester_email"]
    ordering_fields = ["id", "created_at", "updated_at", "resolution_due", "priority", "status"]
    ordering = ["-id"]

    def get_queryset(self):
        tickets = tickets_visible_to(self.request.user)
        if self.action == "retrieve":
            public = TicketMessage.objects.filter(kind=MessageKind.PUBLIC).order_by("created_at")
            tickets = tickets.prefetch_related(
                Prefetch("messages", queryset=public, to_attr="public_messages")
            )
        return tickets

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TicketDetailSerializer
        if self.action == "create":
            return NewTicketSerializer
        return TicketSerializer

    @extend_schema(request=NewTicketSerializer, responses={201: TicketSerializer})
    def create(self, request):
        serializer = NewTicketSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = services.create_ticket(
            subject=data["subject"],
            source=TicketSource.API,
            customer=data["customer"],
            requester=data["requester"],
            priority=data["priority"],
            body_text=data["description"],
            author_user=request.user,
        )
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReplySerializer, responses={201: TicketMessageSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """A public reply (mailed to the requester) or an internal note."""
        ticket = self.get_object()
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        body = serializer.validated_data["body"]
        if serializer.validated_data["kind"] == MessageKind.INTERNAL:
            message = services.add_note(ticket, request.user, body)
        else:
            try:
                message = services.reply(ticket, request.user, body)
            except (BadHeaderError, UnicodeError, ValueError):
                logger.warning("reply to ticket=#%s not mailable", ticket.pk, exc_info=True)
                return Response(
                    {
                        "requester_email": [
                            _(
                                "The reply was not sent: the requester's address cannot be "
                                "mailed. Correct it, then send the reply again."
                            )
                        ]
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
        return Response(TicketMessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StatusSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Move the ticket to another status; pausing statuses stop the SLA clock."""
        ticket = self.get_object()
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.change_status(ticket, serializer.validated_data["status"], by=request.user)
        return Response(TicketSerializer(ticket).data)
