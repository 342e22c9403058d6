"""The customers API: customers with their domains, checked by the console's own rules."""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from atera.api import LoggedDestroyMixin
from atera.api.forms import bind_form
from atera.api.permissions import StaffReadAdminWrite

from . import services
from .domains import MAX_DOMAINS
from .forms import CustomerForm
from .models import Customer, CustomerDomain


class DomainListField(serializers.ListField):
    """The customer's domains as a list of strings, read from the related rows."""

    def get_attribute(self, instance):
        return [row.domain for row in instance.domains.all()]


class CustomerSerializer(serializers.ModelSerializer):
    domains = DomainListField(
        child=serializers.CharField(max_length=253),
        required=False,
        max_length=MAX_DOMAINS,
        help_text=_(
            "Email domains without “@”; stored lower-case and IDNA-normalised. Each domain "
            "belongs to one customer; free-mail domains are refused. Sending the list "
            "replaces the customer's domains."
        ),
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "domains",
            "rank",
            "company_id",
            "phone",
            "fax",
            "address",
            "city",
            "state",
            "zip_code",
            "country",
            "tickets_by_main_contact_only",
            "allow_subdomains",
            "sla",
            "threshold_profile",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "name": {"help_text": _("Unique, compared trimmed and case-insensitively.")}
        }

    def validate(self, attrs: dict) -> dict:
        form_attrs = dict(attrs)
        if "domains" in attrs:
            form_attrs["domains"] = "\n".join(attrs["domains"])
        initial = {}
        if self.instance is not None:
            initial["domains"] = "\n".join(self.instance.domains.values_list("domain", flat=True))
        self.form = bind_form(
            CustomerForm, form_attrs, instance=self.instance or Customer(), initial=initial
        )
        return attrs

    def service_fields(self, customer: Customer) -> None:
        # Settings the console edits on other tabs (security, service): no cross-row rule.
        for name in ("tickets_by_main_contact_only", "sla", "threshold_profile"):
            if name in self.validated_data:
                setattr(customer, name, self.validated_data[name])

    def create(self, validated_data: dict) -> Customer:
        customer = self.form.save(commit=False)
        self.service_fields(customer)
        new = services.NewCustomer(customer=customer, domains=self.form.cleaned_data["domains"])
        return services.create_customer(new, created_by=self.context["request"].user)

    def update(self, instance: Customer, validated_data: dict) -> Customer:
        with transaction.atomic():
            customer = self.form.save(commit=False)
            self.service_fields(customer)
            customer.save()
            services.set_domains(customer, self.form.cleaned_data["domains"])
        return customer


class CustomerViewSet(LoggedDestroyMixin, viewsets.ModelViewSet):
    """Customers. Technicians read; admins create, change and delete."""

    serializer_class = CustomerSerializer
    permission_classes = [StaffReadAdminWrite]
    filterset_fields = {
        "name": ["exact", "icontains"],
        "city": ["exact"],
        "country": ["exact"],
        "sla": ["exact"],
        "threshold_profile": ["exact"],
        "tickets_by_main_contact_only": ["exact"],
        "domains__domain": ["exact"],
    }
    search_fields = ["name", "company_id", "city", "domains__domain"]
    ordering_fields = ["name", "city", "country", "created_at", "updated_at"]
    ordering = ["name"]

    def get_queryset(self):
        # No .distinct() here: DRF's search adds it when a search spans the domains, and the
        # exact domain filter matches one row per customer (domains are unique). Paying for
        # DISTINCT on every page made the list several times slower.
        return Customer.objects.prefetch_related(
            Prefetch("domains", queryset=CustomerDomain.objects.order_by("domain"))
        )
