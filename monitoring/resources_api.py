"""The monitoring API for people: threshold profiles with their rules, devices, alerts.

The agents' own API (enrolment, reports with a device key) is ``monitoring.api``.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from atera.api import LoggedDestroyMixin
from atera.api.errors import form_errors
from atera.api.forms import bind_form, form_value
from atera.api.permissions import IsStaffMember, StaffReadAdminWrite

from . import services
from .forms import ThresholdProfileForm, ThresholdRuleFormSet
from .models import Alert, Device, ThresholdProfile, ThresholdRule

RULE_FIELDS = [
    "metric",
    "comparison",
    "threshold",
    "duration_minutes",
    "volume",
    "severity",
    "enabled",
]


class ThresholdRuleSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False,
        help_text=_("An existing rule of this profile to change; leave out for a new rule."),
    )

    class Meta:
        model = ThresholdRule
        fields = ["id", *RULE_FIELDS]


class ThresholdProfileSerializer(serializers.ModelSerializer):
    rules = ThresholdRuleSerializer(
        many=True,
        required=False,
        max_length=50,
        help_text=_(
            "Sending the list replaces the rules: rules left out are deleted and their "
            "alerts resolve."
        ),
    )
    is_default = serializers.BooleanField(
        required=False,
        help_text=_(
            "Customers without a profile of their own use the default one; making a "
            "profile the default moves the flag from the previous one."
        ),
    )

    class Meta:
        model = ThresholdProfile
        fields = [
            "id",
            "name",
            "description",
            "is_default",
            "email_information",
            "email_warning",
            "email_critical",
            "rules",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        instance = self.instance or ThresholdProfile()
        self.form = bind_form(ThresholdProfileForm, attrs, instance=instance)
        self.rules = ThresholdRuleFormSet(
            data=self.formset_data(instance, attrs.get("rules")), instance=instance
        )
        if not self.rules.is_valid():
            errors: dict = {}
            rule_errors = [form_errors(form) for form in self.rules.forms]
            if any(rule_errors):
                errors["rules"] = rule_errors
            if self.rules.non_form_errors():
                errors.setdefault("rules", []).extend(
                    {"non_field_errors": [str(error)]} for error in self.rules.non_form_errors()
                )
            raise serializers.ValidationError(errors)
        return attrs

    def formset_data(self, profile: ThresholdProfile, rules: list[dict] | None) -> dict:
        """The rule formset's POST data: existing rules kept, changed or deleted; new ones."""
        prefix = ThresholdRuleFormSet.get_default_prefix()
        existing = list(profile.rules.order_by("pk")) if profile.pk else []
        by_id = {rule.pk: rule for rule in existing}
        if rules is None:
            rules = [{"id": rule.pk} for rule in existing]
        unknown = [rule["id"] for rule in rules if "id" in rule and rule["id"] not in by_id]
        if unknown:
            raise serializers.ValidationError(
                {"rules": [_("No rule of this profile has the id %(id)s.") % {"id": unknown[0]}]}
            )
        wanted = {rule["id"]: rule for rule in rules if "id" in rule}
        new = [rule for rule in rules if "id" not in rule]

        data = {}
        rows = [(rule, wanted.get(rule.pk)) for rule in existing] + [(None, r) for r in new]
        for index, (current, sent) in enumerate(rows):
            values = {}
            if current is not None:
                values = {name: form_value(getattr(current, name)) for name in RULE_FIELDS}
                values["id"] = current.pk
                if sent is None:
                    values["DELETE"] = "on"
            values.update({k: form_value(v) for k, v in (sent or {}).items() if k != "id"})
            for name, value in values.items():
                if value is None:
                    continue
                if isinstance(value, bool):
                    value = "on" if value else ""
                data[f"{prefix}-{index}-{name}"] = value
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        return data

    def save_profile(self) -> ThresholdProfile:
        return services.save_threshold_profile(
            self.form,
            self.rules,
            make_default=bool(self.validated_data.get("is_default")),
            by=self.context["request"].user,
        )

    def create(self, validated_data: dict) -> ThresholdProfile:
        return self.save_profile()

    def update(self, instance: ThresholdProfile, validated_data: dict) -> ThresholdProfile:
        return self.save_profile()


class ThresholdProfileViewSet(LoggedDestroyMixin, viewsets.ModelViewSet):
    """Alert threshold profiles. Technicians read; admins write."""

    serializer_class = ThresholdProfileSerializer
    permission_classes = [StaffReadAdminWrite]
    filterset_fields = ["is_default"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return ThresholdProfile.objects.prefetch_related("rules")


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = [
            "id",
            "customer",
            "hostname",
            "os",
            "kind",
            "threshold_profile",
            "agent_version",
            "enrolled_at",
            "revoked_at",
            "last_seen_at",
            "cpu_percent",
            "memory_percent",
            "uptime_seconds",
            "volumes",
        ]
        read_only_fields = fields


class DeviceViewSet(viewsets.ReadOnlyModelViewSet):
    """Devices enrolled by agents, with their latest metrics."""

    serializer_class = DeviceSerializer
    permission_classes = [IsStaffMember]
    queryset = Device.objects.all()
    filterset_fields = ["customer", "kind", "threshold_profile"]
    search_fields = ["hostname"]
    ordering_fields = ["hostname", "last_seen_at", "enrolled_at"]
    ordering = ["hostname", "id"]


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = [
            "id",
            "device",
            "rule",
            "metric",
            "volume",
            "comparison",
            "threshold",
            "severity",
            "state",
            "last_value",
            "opened_at",
            "updated_at",
            "resolved_at",
            "acknowledged_at",
            "acknowledged_by",
            "snoozed_until",
        ]
        read_only_fields = fields


class AlertViewSet(viewsets.ReadOnlyModelViewSet, mixins.ListModelMixin):
    """Alerts raised by threshold rules; they open and resolve on their own."""

    serializer_class = AlertSerializer
    permission_classes = [IsStaffMember]
    queryset = Alert.objects.all()
    filterset_fields = ["device", "device__customer", "state", "severity", "metric"]
    ordering_fields = ["opened_at", "updated_at", "severity"]
    ordering = ["-opened_at", "-id"]

    @extend_schema(
        request=None,
        responses={
            200: AlertSerializer,
            409: OpenApiResponse(
                response={"$ref": "#/components/schemas/ValidationError"},
                description="The alert is not open: `state` names the problem.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Mark an open alert as seen; it still resolves on its own."""
        alert = self.get_object()
        if not services.acknowledge(alert, request.user):
            return Response(
                {"state": [_("Only an open alert can be acknowledged.")]},
                status=status.HTTP_409_CONFLICT,
            )
        alert.refresh_from_db()
        return Response(AlertSerializer(alert).data)
