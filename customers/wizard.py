"""The New → Customer wizard: four steps kept in the session, written at the end at once."""

import logging
import uuid

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from formtools.wizard.views import SessionWizardView

from accounts.permissions import AdminRequiredMixin
from contacts.forms import WizardContactForm
from contracts.forms import WizardContractForm
from sla.forms import SLAStepForm

from . import services
from .forms import CustomerForm

logger = logging.getLogger(__name__)

STEP_TITLES = {
    "customer": gettext_lazy("Customer"),
    "contract": gettext_lazy("Contract"),
    "sla": gettext_lazy("SLA and alerts"),
    "contact": gettext_lazy("Contact"),
}


class CustomerWizardView(AdminRequiredMixin, SessionWizardView):
    form_list = [
        ("customer", CustomerForm),
        ("contract", WizardContractForm),
        ("sla", SLAStepForm),
        ("contact", WizardContactForm),
    ]
    template_name = "customers/wizard.html"

    def get(self, request, *args, **kwargs):
        self.storage.reset()
        self.storage.current_step = self.steps.first
        # One key per run of the wizard: the customer remembers it, so a replayed or
        # double-clicked final submit finds that customer instead of making another.
        self.storage.extra_data = {"key": str(uuid.uuid4())}
        return self.render(self.get_form())

    def post(self, *args, **kwargs):
        if self.storage.current_step is None:
            return self._restart_after_lost_session()

        goto = self.request.POST.get("wizard_goto_step")
        posted_step = self.request.POST.get(f"{self.prefix}-current_step")
        if goto in self.get_form_list() and posted_step == self.steps.current:
            # "Back" keeps what was typed on the step being left, valid or not.
            self.storage.set_step_data(self.steps.current, self.request.POST)
        return super().post(*args, **kwargs)

    def _created_by_this_run(self):
        key = _parse_key((self.storage.extra_data or {}).get("key"))
        return services.created_with(key) if key else None

    def _already_created(self, customer):
        self.storage.reset()
        messages.info(self.request, _("This customer was created already."))
        return redirect(customer)

    def _restart_after_lost_session(self):
        key = _parse_key(self.request.POST.get("wizard_key"))
        created = services.created_with(key) if key else None
        if created is not None:
            return self._already_created(created)
        messages.warning(
            self.request,
            _(
                "Your session expired before the customer was created, so the wizard has "
                "started again. Nothing was saved."
            ),
        )
        return redirect("customers:new")

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        current = self.steps.index
        context["step_list"] = [
            {"name": name, "title": STEP_TITLES[name], "state": _state(index, current)}
            for index, name in enumerate(self.get_form_list())
        ]
        context["step_title"] = STEP_TITLES[self.steps.current]
        context["wizard_key"] = (self.storage.extra_data or {}).get("key", "")
        return context

    def render_done(self, form, **kwargs):
        # As formtools does, but keep the collected data when the final write fails, so
        # the admin can correct the clash instead of starting over.
        final_forms = {}
        if (created := self._created_by_this_run()) is not None:
            return self._already_created(created)
        for step in self.get_form_list():
            step_form = self.get_form(
                step=step,
                data=self.storage.get_step_data(step),
                files=self.storage.get_step_files(step),
            )
            if not step_form.is_valid():
                # A twin submit may have just created the customer, so that this copy
                # now clashes with it: answer as the twin did.
                if (created := self._created_by_this_run()) is not None:
                    return self._already_created(created)
                return self.render_revalidation_failure(step, step_form, **kwargs)
            final_forms[step] = step_form

        try:
            response = self.done(list(final_forms.values()), form_dict=final_forms, **kwargs)
        except IntegrityError:
            logger.warning("wizard: concurrent clash while creating a customer", exc_info=True)
            messages.error(
                self.request,
                _(
                    "Someone saved a customer, domain or contact email that clashes with "
                    "these details a moment ago. Check the steps and submit again."
                ),
            )
            return self.render_goto_step(self.steps.first)
        self.storage.reset()
        return response

    def done(self, form_list, form_dict, **kwargs):
        customer_form = form_dict["customer"]
        contract_form = form_dict["contract"]
        sla_form = form_dict["sla"]
        contact_form = form_dict["contact"]

        customer = customer_form.save(commit=False)
        customer.sla = sla_form.cleaned_data.get("sla")
        customer.threshold_profile = sla_form.cleaned_data["threshold_profile"]
        contract = None if contract_form.skipped else contract_form.save(commit=False)
        new = services.NewCustomer(
            customer=customer,
            domains=customer_form.cleaned_data["domains"],
            contract=contract,
            additional_rates=[]
            if contract is None
            else list(contract_form.cleaned_data.get("additional_rates") or []),
            new_policy=sla_form.cleaned_data.get("new_policy"),
            contact=contact_form.save(commit=False),
            contact_addresses=contact_form.cleaned_data["other_emails"],
            creation_key=_parse_key((self.storage.extra_data or {}).get("key")),
        )

        try:
            customer = services.create_customer(new, created_by=self.request.user)
        except services.DuplicateSubmission as duplicate:
            return self._already_created(duplicate.customer)
        messages.success(self.request, _("Customer “%(name)s” created.") % {"name": customer.name})
        return redirect(customer)


def _state(index: int, current: int) -> str:
    if index < current:
        return "done"
    return "current" if index == current else "todo"


def _parse_key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None
