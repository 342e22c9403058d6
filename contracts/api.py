"""The contracts and rates API: contracts checked by the rules of their type."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from atera.api import LoggedDestroyMixin
from atera.api.errors import django_errors
from atera.api.forms import bind_form
from atera.api.permissions import StaffReadAdminWrite

from . import services
from .forms import ContractForm
from .models import Contract, Rate
from .rules import TYPE_SPECIFIC_FIELDS


class RateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rate
        fields = ["id", "name", "amount", "currency", "unit", "active"]

    def validate(self, attrs: dict) -> dict:
        # The model's own checks (currency code, amount), as the admin site runs them.
        rate = Rate(**{**self.initial_rate(), **attrs})
        try:
            rate.full_clean(validate_unique=False, validate_constraints=True)
        except ValidationError as error:
            raise serializers.ValidationError(django_errors(error)) from error
        return attrs

    def initial_rate(self) -> dict:
        if self.instance is None:
            return {}
        return {name: getattr(self.instance, name) for name in self.Meta.fields}


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = [
            "id",
            "customer",
            "name",
            "type",
            "active",
            "is_default",
            "start_date",
            "end_date",
            "taxable",
            "sla",
            "notes",
            "currency",
            *TYPE_SPECIFIC_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["currency", "created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        instance = self.instance
        if instance is None:
            instance = Contract(customer=attrs["customer"])
        elif attrs.get("customer", instance.customer) != instance.customer:
            raise serializers.ValidationError(
                {"customer": [_("A contract cannot move to another customer.")]}
            )
        # The wizard's and the contract page's form: TYPE_RULES through Contract.clean().
        self.form = bind_form(ContractForm, attrs, instance=instance)
        return attrs

    def save_contract(self) -> Contract:
        contract = self.form.save(commit=False)
        rates = list(self.form.cleaned_data.get("additional_rates") or [])
        return services.add_contract(contract, rates)

    def create(self, validated_data: dict) -> Contract:
        return self.save_contract()

    def update(self, instance: Contract, validated_data: dict) -> Contract:
        return self.save_contract()


class ContractViewSet(LoggedDestroyMixin, viewsets.ModelViewSet):
    """Contracts of every type. Technicians read; admins create, change and delete."""

    serializer_class = ContractSerializer
    permission_classes = [StaffReadAdminWrite]
    filterset_fields = ["customer", "type", "active", "is_default", "billing_period"]
    search_fields = ["name"]
    ordering_fields = ["name", "type", "start_date", "created_at"]
    ordering = ["customer_id", "name", "id"]

    def get_queryset(self):
        return Contract.objects.prefetch_related("additional_rates")


class RateViewSet(LoggedDestroyMixin, viewsets.ModelViewSet):
    """The rate catalogue contracts take their prices from. Admins write."""

    serializer_class = RateSerializer
    permission_classes = [StaffReadAdminWrite]
    queryset = Rate.objects.all()
    filterset_fields = ["unit", "active", "currency"]
    search_fields = ["name"]
    ordering_fields = ["name", "amount"]
    ordering = ["name", "id"]
