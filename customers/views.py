"""Customer pages: the list, the customer page with its tabs, editing and deleting."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.deletion import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, UpdateView

from accounts.permissions import AdminRequiredMixin, StaffRequiredMixin, is_admin
from contacts.models import Contact
from contracts.models import Contract
from sla.models import SLAPolicy

from . import selectors, services
from .forms import CustomerForm, CustomerSecurityForm, CustomerServiceForm
from .models import Customer

logger = logging.getLogger(__name__)

PAGE_SIZES = (25, 50, 100, 200)


class CustomerListView(StaffRequiredMixin, ListView):
    template_name = "customers/list.html"
    context_object_name = "customers"

    def get_paginate_by(self, queryset) -> int:
        try:
            size = int(self.request.GET.get("per_page", 50))
        except ValueError:
            size = 50
        return size if size in PAGE_SIZES else 50

    def get_queryset(self):
        params = self.request.GET
        security = params.get("security", "")
        try:
            sla_id = int(params.get("sla", "") or 0) or None
        except ValueError:
            sla_id = None
        return selectors.customer_list(
            query=params.get("q", "")[:200],
            country=params.get("country", "")[:100],
            sla_id=sla_id,
            main_contact_only={"on": True, "off": False}.get(security),
            sort=params.get("sort", selectors.DEFAULT_SORT),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_string"] = params.urlencode()
        sort_params = params.copy()
        sort_params.pop("sort", None)
        context["sort_query"] = sort_params.urlencode()
        context["sort"] = params.get("sort", selectors.DEFAULT_SORT)
        # Rows link by pk under these prefixes: reversing two URLs per row costs more
        # than the rest of the row.
        context["contact_url_prefix"] = reverse("contacts:detail", args=[0]).removesuffix("0/")
        context["sla_policies"] = SLAPolicy.objects.order_by("name").only("pk", "name")
        context["page_sizes"] = PAGE_SIZES
        context["filters_active"] = any(
            params.get(name) for name in ("q", "country", "sla", "security")
        )
        return context


class CustomerTabMixin(StaffRequiredMixin):
    """Shared by the customer page's tabs: loads the customer once, names the tab."""

    model = Customer
    context_object_name = "customer"
    tab = "overview"
    tab_title = gettext_lazy("Overview")

    def get_queryset(self):
        return Customer.objects.select_related("sla", "threshold_profile", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tab"] = self.tab
        context["tab_title"] = self.tab_title
        return context


class CustomerOverviewView(CustomerTabMixin, DetailView):
    template_name = "customers/tab_overview.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related("domains")
            .annotate(
                contact_count=selectors.count_per_customer(Contact.objects.all()),
                contract_count=selectors.count_per_customer(Contract.objects.all()),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        context["main_contact"] = customer.contacts.filter(is_main=True).first()
        context["effective_sla"] = services.effective_sla(customer)
        context["effective_profile"] = services.effective_threshold_profile(customer)
        context["default_contract"] = (
            customer.contracts.filter(is_default=True).select_related("rate").first()
        )
        return context


class CustomerContactsView(CustomerTabMixin, DetailView):
    template_name = "customers/tab_contacts.html"
    tab = "contacts"
    tab_title = gettext_lazy("Contacts")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contacts"] = (
            Contact.objects.filter(customer=self.object)
            .annotate(address_count=Count("addresses"))
            .order_by("-is_main", "last_name", "first_name", "pk")
        )
        return context


class CustomerContractsView(CustomerTabMixin, DetailView):
    template_name = "customers/tab_contracts.html"
    tab = "contracts"
    tab_title = gettext_lazy("Contracts")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contracts"] = (
            Contract.objects.filter(customer=self.object)
            .select_related("rate", "sla")
            .order_by("-is_default", "-active", "name")
        )
        return context


class CustomerSLAView(CustomerTabMixin, DetailView):
    template_name = "customers/tab_sla.html"
    tab = "sla"
    tab_title = gettext_lazy("SLA & alerts")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sla = services.effective_sla(self.object)
        profile = services.effective_threshold_profile(self.object)
        context["effective_sla"] = sla
        context["targets"] = sla.targets.all() if sla else []
        context["intervals"] = sla.intervals.all() if sla else []
        context["effective_profile"] = profile
        context["rules"] = profile.rules.all() if profile else []
        return context


class CustomerDevicesView(CustomerTabMixin, DetailView):
    template_name = "customers/tab_coming.html"
    tab = "devices"
    tab_title = gettext_lazy("Devices")
    extra_context = {
        "coming_text": gettext_lazy(
            "Devices appear here once the monitoring agent reports them; it is coming soon."
        )
    }


class CustomerTicketsView(CustomerTabMixin, DetailView):
    template_name = "customers/tab_coming.html"
    tab = "tickets"
    tab_title = gettext_lazy("Tickets")
    extra_context = {
        "coming_text": gettext_lazy(
            "The customer's tickets appear here once tickets by email and portal arrive; "
            "they are coming soon."
        )
    }


class CustomerSecurityView(CustomerTabMixin, UpdateView):
    """Security settings: anyone on staff reads them, only admins change them."""

    template_name = "customers/tab_security.html"
    form_class = CustomerSecurityForm
    tab = "security"
    tab_title = gettext_lazy("Security")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["main_contact"] = self.object.contacts.filter(is_main=True).first()
        return context

    def post(self, request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        logger.info(
            "customer=%s security changed by user=%s: tickets_by_main_contact_only=%s",
            self.object.pk,
            self.request.user.pk,
            self.object.tickets_by_main_contact_only,
        )
        messages.success(self.request, _("Security settings saved."))
        return response

    def get_success_url(self) -> str:
        return reverse("customers:security", args=[self.object.pk])


class CustomerEditView(AdminRequiredMixin, CustomerTabMixin, UpdateView):
    template_name = "customers/edit.html"
    form_class = CustomerForm
    tab_title = gettext_lazy("Edit")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("domains")

    def form_valid(self, form):
        response = super().form_valid(form)
        logger.info("customer=%s edited by user=%s", self.object.pk, self.request.user.pk)
        messages.success(self.request, _("Customer “%(name)s” saved.") % {"name": self.object})
        return response


class CustomerDeleteView(AdminRequiredMixin, CustomerTabMixin, DetailView):
    template_name = "customers/delete.html"
    tab_title = gettext_lazy("Delete")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                contact_count=selectors.count_per_customer(Contact.objects.all()),
                contract_count=selectors.count_per_customer(Contract.objects.all()),
            )
        )

    def post(self, request, pk: int):
        customer = get_object_or_404(Customer, pk=pk)
        name = customer.name
        try:
            customer.delete()
        except ProtectedError:
            messages.error(request, _("This customer still has records that prevent deleting."))
            return redirect(customer)
        logger.info("customer deleted: id=%s name=%r by user=%s", pk, name, request.user.pk)
        messages.success(request, _("Customer “%(name)s” deleted.") % {"name": name})
        return redirect("customers:list")


class CustomerServiceView(AdminRequiredMixin, CustomerTabMixin, UpdateView):
    """Change the customer's SLA policy and alert threshold profile."""

    template_name = "customers/edit.html"
    form_class = CustomerServiceForm
    tab = "sla"
    tab_title = gettext_lazy("SLA & alerts")
    extra_context = {"form_title": gettext_lazy("SLA policy and alert threshold profile")}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("SLA policy and threshold profile saved."))
        return response

    def get_success_url(self) -> str:
        return reverse("customers:sla", args=[self.object.pk])
