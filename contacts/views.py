"""Console pages for one contact: add, view, edit, permissions, main contact, delete."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, UpdateView

from accounts.permissions import AdminRequiredMixin, StaffRequiredMixin
from customers.models import Customer
from portal import services as portal_services

from . import services
from .forms import ContactForm, ContactPermissionsForm
from .models import Contact

logger = logging.getLogger(__name__)

ADDRESS_CLASH_MESSAGE = gettext_lazy(
    "Someone saved a contact with one of these email addresses a moment ago. "
    "Check the addresses and save again."
)


def _contacts():
    return Contact.objects.select_related("customer")


class ContactFormMixin:
    """Saving a contact form, turning a concurrent address clash into a form error."""

    form_class = ContactForm
    template_name = "contacts/contact_form.html"
    success_message = ""

    def form_valid(self, form):
        try:
            self.object = form.save()
        except IntegrityError:
            logger.warning("contact save clashed with a concurrent write", exc_info=True)
            form.add_error(None, ADDRESS_CLASH_MESSAGE)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": self.object.full_name})
        if form.demoted_main:
            messages.warning(
                self.request,
                _(
                    "%(name)s is inactive and no longer the main contact of %(customer)s; "
                    "choose another main contact."
                )
                % {"name": self.object.full_name, "customer": self.object.customer.name},
            )
        return redirect(self.object)


class ContactCreateView(StaffRequiredMixin, ContactFormMixin, CreateView):
    """A new contact of the customer named in the URL."""

    @cached_property
    def customer(self) -> Customer:
        return get_object_or_404(Customer, pk=self.kwargs["customer_pk"])

    @property
    def success_message(self) -> str:
        return _("Contact “%(name)s” added.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Contact(customer=self.customer)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.customer
        return context


class ContactEditView(StaffRequiredMixin, ContactFormMixin, UpdateView):
    @property
    def success_message(self) -> str:
        return _("Contact “%(name)s” saved.")

    def get_queryset(self):
        return _contacts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.object.customer
        return context


class ContactDetailView(StaffRequiredMixin, DetailView):
    template_name = "contacts/contact_detail.html"

    def get_queryset(self):
        return _contacts().select_related("portal_user").prefetch_related("addresses")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact = self.object
        context["customer"] = contact.customer
        context["other_addresses"] = [a for a in contact.addresses.all() if not a.is_primary]
        context["permissions_form"] = ContactPermissionsForm(instance=contact)
        try:
            context["portal_user"] = contact.portal_user
        except Contact.portal_user.RelatedObjectDoesNotExist:
            context["portal_user"] = None
        return context


class SetMainContactView(StaffRequiredMixin, View):
    """Make the contact its customer's main contact (the flag moves from the old one)."""

    def post(self, request, pk: int):
        contact = get_object_or_404(_contacts(), pk=pk)
        try:
            services.set_main_contact(contact)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(contact)
        messages.success(
            request,
            _("%(contact)s is now the main contact of %(customer)s.")
            % {"contact": contact.full_name, "customer": contact.customer.name},
        )
        return redirect(contact)


class ContactPermissionsView(StaffRequiredMixin, View):
    """Save the contact's permission switches (whether mail from them is ignored)."""

    def post(self, request, pk: int):
        contact = get_object_or_404(_contacts(), pk=pk)
        form = ContactPermissionsForm(request.POST, instance=contact)
        if not form.is_valid():
            messages.error(request, _("The permissions could not be saved."))
            return redirect(contact)

        form.save()
        if contact.ignore_email:
            text = _("Mail from %(contact)s is now ignored.")
        else:
            text = _("Mail from %(contact)s opens tickets again.")
        messages.success(request, text % {"contact": contact.full_name})
        logger.info("contact=%s ignore_email=%s", contact.pk, contact.ignore_email)
        return redirect(contact)


class PortalInviteView(StaffRequiredMixin, View):
    """Invite the contact to the portal (or send the invitation again)."""

    def post(self, request, pk: int):
        contact = get_object_or_404(_contacts(), pk=pk)
        try:
            portal_services.invite(
                contact, base_url=request.build_absolute_uri("/"), by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(contact)
        messages.success(
            request,
            _("Invitation to the portal sent to %(email)s.") % {"email": contact.email},
        )
        return redirect(contact)


class PortalRevokeView(StaffRequiredMixin, View):
    """End the contact's portal access; an open session ends at its next request."""

    def post(self, request, pk: int):
        contact = get_object_or_404(_contacts(), pk=pk)
        if portal_services.revoke(contact, by=request.user):
            messages.success(
                request,
                _("%(contact)s can no longer sign in to the portal.")
                % {"contact": contact.full_name},
            )
        else:
            messages.info(
                request, _("%(contact)s had no portal access.") % {"contact": contact.full_name}
            )
        return redirect(contact)


class ContactDeleteView(AdminRequiredMixin, DeleteView):
    template_name = "contacts/contact_confirm_delete.html"

    def get_queryset(self):
        return _contacts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.object.customer
        return context

    def get_success_url(self) -> str:
        return reverse("customers:contacts", args=[self.object.customer_id])

    def form_valid(self, form):
        contact = self.object
        success_url = self.get_success_url()
        contact_pk = contact.pk
        contact.delete()
        logger.info("contact deleted: id=%s customer=%s", contact_pk, contact.customer_id)
        messages.success(
            self.request, _("Contact “%(name)s” deleted.") % {"name": contact.full_name}
        )
        return redirect(success_url)
