"""The SLA policies API: policies with their business hours and targets (read), and a
preview of a policy's due times for a ticket opened at a given time."""

import logging
from zoneinfo import ZoneInfo

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import is_staff_member
from atera.api.schema import VALIDATION_ERROR
from tickets.choices import Priority

from .clock import CalendarError, MissingTarget, OutOfRange, due_times
from .models import BusinessInterval, Holiday, SLAPolicy, SLATarget

logger = logging.getLogger(__name__)


class IsStaffMember(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class PolicyDateTimeField(serializers.DateTimeField):
    """A date-time that, without an offset, is read in the policy's time zone; a wall time
    the clocks skip or repeat there is refused rather than guessed."""

    default_error_messages = {
        "unclear_local_time": _(
            "{time_zone} skips or repeats this time when the clocks change; give it with "
            "an offset, e.g. +01:00."
        ),
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value) and getattr(self, "timezone", None) is not None:
            local = value.replace(tzinfo=self.timezone)
            if local.utcoffset() != local.replace(fold=1).utcoffset():
                self.fail("unclear_local_time", time_zone=self.timezone.key)
        return super().enforce_timezone(value)


class PreviewQuerySerializer(serializers.Serializer):
    start = PolicyDateTimeField(
        help_text=_("ISO 8601; without an offset, a time in the policy's time zone.")
    )
    priority = serializers.ChoiceField(choices=Priority.choices)

    def __init__(self, *args, time_zone: ZoneInfo, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # DRF makes a naive start aware in the field's time zone: the policy's, not ours.
        self.fields["start"].timezone = time_zone


class SLAPolicyPreviewView(APIView):
    """GET ?start=…&priority=…: when a ticket opened then would be due under the policy."""

    permission_classes = [IsStaffMember]

    @extend_schema(
        operation_id="sla_policies_preview",
        parameters=[
            OpenApiParameter("start", str, required=True, description="ISO 8601 date and time."),
            OpenApiParameter("priority", str, enum=Priority.values, required=True),
        ],
        responses={
            200: inline_serializer(
                "SLAPreview",
                fields={
                    "first_response_due": serializers.DateTimeField(),
                    "resolution_due": serializers.DateTimeField(),
                },
            ),
            400: VALIDATION_ERROR,
        },
    )
    def get(self, request, pk: int):
        policy = get_object_or_404(
            SLAPolicy.objects.prefetch_related("intervals", "holidays", "targets"), pk=pk
        )
        time_zone = ZoneInfo(policy.time_zone)
        query = PreviewQuerySerializer(data=request.query_params, time_zone=time_zone)
        query.is_valid(raise_exception=True)

        try:
            first_response_due, resolution_due = due_times(
                policy, query.validated_data["priority"], query.validated_data["start"]
            )
        except MissingTarget as error:
            return self.refuse("priority", error)
        except OutOfRange as error:
            return self.refuse("start", error)
        except CalendarError as error:
            logger.warning("SLA policy %s: preview refused: %s", policy.pk, error)
            return self.refuse("non_field_errors", error)

        return Response(
            {
                "first_response_due": first_response_due.astimezone(time_zone).isoformat(),
                "resolution_due": resolution_due.astimezone(time_zone).isoformat(),
            }
        )

    @staticmethod
    def refuse(field: str, error: Exception) -> Response:
        return Response({field: [str(error)]}, status=status.HTTP_400_BAD_REQUEST)


class BusinessIntervalSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessInterval
        fields = ["weekday", "start", "end", "overnight"]


class HolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["date", "name"]


class SLATargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = SLATarget
        fields = ["priority", "first_response_minutes", "resolution_minutes"]


class SLAPolicySerializer(serializers.ModelSerializer):
    intervals = BusinessIntervalSerializer(many=True, read_only=True)
    holidays = HolidaySerializer(many=True, read_only=True)
    targets = SLATargetSerializer(many=True, read_only=True)

    class Meta:
        model = SLAPolicy
        fields = [
            "id",
            "name",
            "description",
            "is_default",
            "time_zone",
            "is_24x7",
            "pause_statuses",
            "warning_percent",
            "intervals",
            "holidays",
            "targets",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SLAPolicyViewSet(viewsets.ReadOnlyModelViewSet):
    """SLA policies (edited in the admin site); ``preview`` answers due times."""

    serializer_class = SLAPolicySerializer
    permission_classes = [IsStaffMember]
    queryset = SLAPolicy.objects.prefetch_related("intervals", "holidays", "targets")
    filterset_fields = ["is_default", "time_zone"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
