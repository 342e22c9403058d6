"""Customer pages: the list, the customer page with its tabs, editing and deleting."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.deletion import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import DetailView, ListView, UpdateView

from accounts.permissions import AdminRequiredMixin, StaffRequiredMixin, is_admin
from contacts.models import Contact
from contracts.models import Contract
from monitoring import services as monitoring_services
from monitoring import views as monitoring_views
from monitoring.models import Device, EnrolmentToken
from sla import selectors as sla_selectors
from sla.models import SLAPolicy
from tickets import attach as ticket_attach
from tickets import selectors as ticket_selectors

from . import selectors, services
from .forms import (
    CustomerFilterForm,
    CustomerForm,
    CustomerSecurityForm,
    CustomerServiceForm,
)
from .models import Customer

logger = logging.getLogger(__name__)


class CustomerListView(StaffRequiredMixin, ListView):
    template_name = "customers/list.html"
    context_object_name = "customers"

    @cached_property
    def filters(self) -> CustomerFilterForm:
        return CustomerFilterForm(self.request.GET)

    def get_paginate_by(self, queryset) -> int:
        return self.filters.value("per_page", selectors.DEFAULT_PAGE_SIZE)

    def paginate_queryset(self, queryset, page_size):
        # A page number out of range or mistyped shows the nearest page, not a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_queryset(self):
        return selectors.customer_list(
            query=self.filters.value("q", ""),
            country=self.filters.value("country", ""),
            sla_id=self.filters.value("sla"),
            main_contact_only={"on": True, "off": False}.get(self.filters.value("security")),
            sort=self.filters.value("sort", selectors.DEFAULT_SORT),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_string"] = params.urlencode()
        sort_params = params.copy()
        sort_params.pop("sort", None)
        context["sort_query"] = sort_params.urlencode()
        context["sort"] = self.filters.value("sort", selectors.DEFAULT_SORT)
        context["sla_policies"] = SLAPolicy.objects.order_by("name").only("pk", "name")
        context["filters_active"] = any(
            self.filters.value(name) for name in ("q", "country", "sla", "security")
        )
        # Rows link by pk under this prefix: reversing a URL per row costs more than the
        # rest of the row.
        context["contact_url_prefix"] = reverse("contacts:detail", args=[0]).removesuffix("0/")
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
        context["targets"] = sla_selectors.target_rows(sla) if sla else []
        context["intervals"] = sla.intervals.all() if sla else []
        context["effective_profile"] = profile
        context["rules"] = profile.rules.all() if profile else []
        return context


class CustomerDevicesView(CustomerTabMixin, DetailView):
    """The customer's devices with their latest values, and the enrolment token.

    Anyone on staff reads it; only admins rotate the token. A new token is shown once, in
    the answer to the rotation, and never stored in clear.
    """

    template_name = "monitoring/customer_devices.html"
    tab = "devices"
    tab_title = gettext_lazy("Devices")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        context["enrolment"] = EnrolmentToken.objects.filter(customer=customer).first()
        context["page_obj"] = page = monitoring_views.device_page(
            Device.objects.filter(customer=customer).order_by("revoked_at", "hostname", "pk"),
            self.request.GET.get("page"),
        )
        context["devices"] = page.object_list
        context["paginator"] = page.paginator
        context["is_paginated"] = page.has_other_pages()
        context["server_url"] = self.request.build_absolute_uri("/").rstrip("/")
        return context

    def post(self, request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied
        self.object = self.get_object()
        token = monitoring_services.rotate_enrolment_token(self.object, by=request.user)
        response = self.render_to_response(self.get_context_data(new_token=token))
        # The token is in this page only: keep it out of caches and history.
        response["Cache-Control"] = "no-store"
        return response


class CustomerTicketsView(CustomerTabMixin, DetailView):
    template_name = "customers/tab_tickets.html"
    tab = "tickets"
    tab_title = gettext_lazy("Tickets")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["now"] = timezone.now()
        tickets = ticket_selectors.ticket_list(
            self.request.user, now=context["now"], customer_id=self.object.pk
        )
        context["page_obj"] = page = Paginator(tickets, 50).get_page(self.request.GET.get("page"))
        context["tickets"] = page.object_list
        context["paginator"] = page.paginator
        context["is_paginated"] = page.has_other_pages()
        return context


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
        before = set(self.object.domains.values_list("domain", flat=True))
        response = super().form_valid(form)
        logger.info("customer=%s edited by user=%s", self.object.pk, self.request.user.pk)
        messages.success(self.request, _("Customer “%(name)s” saved.") % {"name": self.object})

        # New domains may explain tickets that are waiting for triage: offer to attach them.
        added = [d for d in form.cleaned_data["domains"] if d not in before]
        if added and ticket_attach.plan(self.object, added).count:
            query = urlencode([("domain", domain) for domain in added])
            return redirect(
                f"{reverse('customers:attach_tickets', args=[self.object.pk])}?{query}"
            )
        return response


class CustomerAttachTicketsView(AdminRequiredMixin, CustomerTabMixin, DetailView):
    """Attach the open tickets without a customer that came from the customer's domains.

    GET previews, POST attaches; the domains come as repeated ``domain`` parameters (those
    just added), or are all of the customer's when none is given.
    """

    template_name = "customers/attach_tickets.html"
    tab = "tickets"
    tab_title = gettext_lazy("Attach tickets")

    def domains(self, params) -> list[str]:
        return params.getlist("domain") or list(
            self.object.domains.values_list("domain", flat=True)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = ticket_attach.plan(self.object, self.domains(self.request.GET))
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        result = ticket_attach.attach(self.object, self.domains(request.POST), by=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)s ticket attached to %(name)s.",
                "%(count)s tickets attached to %(name)s.",
                result.tickets,
            )
            % {"count": result.tickets, "name": self.object.name},
        )
        return redirect("customers:tickets", pk=self.object.pk)


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
