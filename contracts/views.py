"""Console pages for a customer's contracts: add, edit (with the block balance), delete."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DeleteView, UpdateView

from accounts.permissions import AdminRequiredMixin
from customers.models import Customer

from . import services
from .forms import ContractForm
from .models import Contract

logger = logging.getLogger(__name__)

CONCURRENT_CHANGE_MESSAGE = gettext_lazy(
    "Someone changed this customer's contracts a moment ago. Check the details and save again."
)


def add_model_errors(form, error: ValidationError) -> None:
    """Show a model's ValidationError on the form, on the fields it names where it can."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class ContractFormMixin:
    """Save through the contracts service, so its rules answer as form errors."""

    form_class = ContractForm
    template_name = "contracts/contract_form.html"
    success_message = ""

    def form_valid(self, form):
        contract = form.save(commit=False)
        additional_rates = list(form.cleaned_data.get("additional_rates") or [])
        try:
            self.object = services.add_contract(contract, additional_rates)
        except ValidationError as error:
            add_model_errors(form, error)
            return self.form_invalid(form)
        except IntegrityError:
            logger.warning("contract save clashed with a concurrent write", exc_info=True)
            form.add_error(None, CONCURRENT_CHANGE_MESSAGE)
            return self.form_invalid(form)

        messages.success(self.request, self.success_message % {"name": self.object.name})
        return redirect("customers:contracts", self.object.customer_id)


class ContractCreateView(AdminRequiredMixin, ContractFormMixin, CreateView):
    """A new contract of the customer named in the URL."""

    @cached_property
    def customer(self) -> Customer:
        return get_object_or_404(Customer, pk=self.kwargs["customer_pk"])

    @property
    def success_message(self) -> str:
        return _("Contract “%(name)s” added.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Contract(customer=self.customer)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.customer
        return context


class ContractEditView(AdminRequiredMixin, ContractFormMixin, UpdateView):
    balance = None

    @property
    def success_message(self) -> str:
        return _("Contract “%(name)s” saved.")

    def get_queryset(self):
        return Contract.objects.select_related("customer")

    def get_object(self, queryset=None):
        contract = super().get_object(queryset)
        # Read the balance before the form binds: a rejected edit changes the instance.
        self.balance = contract.balance()
        return contract

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.object.customer
        context["balance"] = self.balance
        return context


class ContractDeleteView(AdminRequiredMixin, DeleteView):
    template_name = "contracts/contract_confirm_delete.html"

    def get_queryset(self):
        return Contract.objects.select_related("customer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.object.customer
        context["usage_count"] = self.object.usage.count()
        context["top_up_count"] = self.object.top_ups.count()
        return context

    def get_success_url(self) -> str:
        return reverse("customers:contracts", args=[self.object.customer_id])

    def form_valid(self, form):
        contract = self.object
        success_url = self.get_success_url()
        contract_pk = contract.pk
        contract.delete()
        logger.info("contract deleted: id=%s customer=%s", contract_pk, contract.customer_id)
        messages.success(self.request, _("Contract “%(name)s” deleted.") % {"name": contract.name})
        return redirect(success_url)
