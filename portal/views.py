"""Portal pages: sign-in and passwords, the contact's ticket list, a ticket, new tickets.

Every ticket route goes through ``tickets.selectors.tickets_visible_to``: a ticket the
contact may not see answers 404, exactly as one that does not exist.
"""

import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from tickets import selectors, services
from tickets.models import Attachment, MessageKind, TicketMessage, TicketSource

from .forms import (
    PAGE_SIZE,
    PortalPasswordResetForm,
    PortalReplyForm,
    PortalSignInForm,
    PortalTicketForm,
    TicketSearchForm,
)

logger = logging.getLogger(__name__)


class ContactRequiredMixin:
    """A signed-in contact with portal access; anyone else is sent to the portal sign-in."""

    def dispatch(self, request, *args, **kwargs):
        self.contact = selectors.portal_contact(request.user)
        if self.contact is None:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        return super().dispatch(request, *args, **kwargs)

    def visible_tickets(self):
        return selectors.tickets_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contact"] = self.contact
        return context


# --- Signing in and passwords ---------------------------------------------------------------


class PortalSignInView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = PortalSignInForm
    # Not redirect_authenticated_user: a signed-in staff member would bounce between the
    # portal's sign-in and its ticket list.
    next_page = reverse_lazy("portal:tickets")


class PortalSignOutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:login")


class PortalPasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset.html"
    form_class = PortalPasswordResetForm
    email_template_name = "portal/email/password_reset.txt"
    subject_template_name = "portal/email/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")


class PortalPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PortalSetPasswordView(auth_views.PasswordResetConfirmView):
    """Both the invitation link and the password-reset link land here."""

    template_name = "portal/set_password.html"
    success_url = reverse_lazy("portal:set_password_done")


class PortalSetPasswordDoneView(auth_views.PasswordResetCompleteView):
    template_name = "portal/set_password_done.html"


# --- Tickets ----------------------------------------------------------------------------------


class TicketListView(ContactRequiredMixin, ListView):
    template_name = "portal/ticket_list.html"
    context_object_name = "tickets"
    paginate_by = PAGE_SIZE

    @cached_property
    def filters(self) -> TicketSearchForm:
        return TicketSearchForm(self.request.GET)

    def get_queryset(self):
        return selectors.portal_ticket_list(
            self.request.user,
            search=self.filters.value("q"),
            status=self.filters.value("status"),
        )

    def paginate_queryset(self, queryset, page_size):
        # A page out of range or mistyped shows the nearest page, not a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_string"] = params.urlencode()
        context["filters"] = self.filters
        return context


class TicketDetailView(ContactRequiredMixin, TemplateView):
    """The public conversation only: internal notes and staff-only fields never show."""

    template_name = "portal/ticket_detail.html"

    def get_ticket(self):
        return get_object_or_404(
            self.visible_tickets().select_related("requester"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.get_ticket()
        context["ticket"] = ticket
        context["conversation"] = (
            TicketMessage.objects.filter(ticket=ticket, kind=MessageKind.PUBLIC)
            .select_related("author_contact", "author_user")
            .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
            .order_by("created_at", "pk")
        )
        context["reply_form"] = kwargs.get("reply_form") or PortalReplyForm()
        return context


class TicketReplyView(TicketDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        ticket = self.get_ticket()
        form = PortalReplyForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(reply_form=form), status=400)
        services.add_customer_message(
            ticket,
            body_text=form.cleaned_data["body"],
            author_contact=self.contact,
            sender=self.contact.email,
        )
        logger.info("portal reply: ticket=#%s contact=%s", ticket.pk, self.contact.pk)
        messages.success(request, _("Your reply was added."))
        return redirect("portal:ticket", pk=ticket.pk)


class TicketCreateView(ContactRequiredMixin, FormView):
    """A new ticket; "tickets by main contact only" governs email, never the portal."""

    template_name = "portal/ticket_new.html"
    form_class = PortalTicketForm

    def form_valid(self, form):
        data = form.cleaned_data
        ticket = services.create_ticket(
            subject=data["subject"],
            source=TicketSource.PORTAL,
            customer=self.contact.customer,
            requester=self.contact,
            priority=data["priority"],
            body_text=data["description"],
        )
        messages.success(self.request, _("Ticket #%(number)s created.") % {"number": ticket.pk})
        return redirect("portal:ticket", pk=ticket.pk)


class AttachmentView(ContactRequiredMixin, View):
    """An attachment of a public message of a ticket the contact may see; else 404."""

    def get(self, request, pk):
        attachment = get_object_or_404(
            Attachment,
            pk=pk,
            message__kind=MessageKind.PUBLIC,
            message__ticket__in=self.visible_tickets(),
        )
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            logger.warning("attachment=%s is missing from storage", attachment.pk)
            raise Http404 from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.filename,
            content_type="application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
