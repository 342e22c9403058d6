"""Ticket pages: the list, a ticket's conversation and actions, new tickets, inbound mail."""

import logging

from django.contrib import messages
from django.core.mail import BadHeaderError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from accounts.permissions import AdminRequiredMixin, StaffRequiredMixin
from customers.models import Customer

from . import inbound, reports, selectors, services
from .forms import (
    PAGE_SIZE,
    InboundFilterForm,
    NewTicketForm,
    ReleaseForm,
    ReplyForm,
    TicketFilterForm,
    TicketUpdateForm,
    staff_users,
)
from .models import Attachment, InboundMail, InboundOutcome, TicketSource

logger = logging.getLogger(__name__)


class PaginatedListMixin:
    paginate_by = PAGE_SIZE

    def paginate_queryset(self, queryset, page_size):
        # A page number out of range or mistyped shows the nearest page, not a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_string"] = params.urlencode()
        return context


class TicketListView(StaffRequiredMixin, PaginatedListMixin, ListView):
    template_name = "tickets/list.html"
    context_object_name = "tickets"

    @cached_property
    def filters(self) -> TicketFilterForm:
        return TicketFilterForm(self.request.GET)

    def get_queryset(self):
        return selectors.ticket_list(
            self.request.user,
            now=timezone.now(),
            customer_id=self.filters.value("customer"),
            status=self.filters.value("status"),
            priority=self.filters.value("priority"),
            assignee=self.filters.value("assignee"),
            needs_attention=self.filters.value("attention") == "1",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["now"] = timezone.now()
        context["status_choices"] = TicketFilterForm.base_fields["status"].choices[2:]
        context["priority_choices"] = TicketFilterForm.base_fields["priority"].choices[1:]
        context["staff"] = staff_users().only("pk", "email", "full_name")
        # TODO(no customer picker widget yet): every customer in one select, one query.
        context["customers"] = Customer.objects.order_by("name").values_list("pk", "name")
        customer_id = self.filters.value("customer")
        context["filter_customer"] = (
            Customer.objects.filter(pk=customer_id).only("pk", "name").first()
            if customer_id
            else None
        )
        context["filters_active"] = any(
            self.filters.value(name)
            for name in ("customer", "status", "priority", "assignee", "attention")
        )
        return context


class TicketMixin(StaffRequiredMixin):
    def get_ticket(self):
        tickets = selectors.tickets_visible_to(self.request.user).select_related(
            "customer", "requester", "assignee", "sla_policy"
        )
        return get_object_or_404(tickets, pk=self.kwargs["pk"])


class TicketDetailView(TicketMixin, DetailView):
    template_name = "tickets/detail.html"
    context_object_name = "ticket"

    def get_object(self, queryset=None):
        return self.get_ticket()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.object
        context["conversation"] = ticket.messages.select_related(
            "author_contact", "author_user"
        ).prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        context["reply_form"] = kwargs.get("reply_form") or ReplyForm()
        context["update_form"] = kwargs.get("update_form") or TicketUpdateForm(
            initial={
                "status": ticket.status,
                "priority": ticket.priority,
                "assignee": ticket.assignee_id,
            }
        )
        context["now"] = timezone.now()
        return context


class TicketReplyView(TicketMixin, View):
    """A public reply (mailed to the requester) or an internal note."""

    def post(self, request, pk):
        ticket = self.get_ticket()
        form = ReplyForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Write a message before sending."))
            return redirect(ticket)
        if form.cleaned_data["kind"] == "internal":
            services.add_note(ticket, request.user, form.cleaned_data["body"])
            messages.success(request, _("Internal note added."))
        else:
            try:
                services.reply(ticket, request.user, form.cleaned_data["body"])
            except (BadHeaderError, UnicodeError, ValueError):
                # A requester address or subject that cannot go into a mail header: the
                # reply is not kept, and the technician is told instead of seeing a 500.
                logger.warning("reply to ticket=#%s not mailable", ticket.pk, exc_info=True)
                messages.error(
                    request,
                    _(
                        "The reply was not sent: the requester's address cannot be mailed. "
                        "Correct it, then send the reply again."
                    ),
                )
                return redirect(ticket)
            if ticket.requester_email:
                messages.success(request, _("Reply sent to the requester."))
            else:
                messages.warning(
                    request, _("Reply saved; the ticket has no requester address to mail it to.")
                )
        return redirect(ticket)


class TicketUpdateView(TicketMixin, View):
    """Status, priority and assignee in one form."""

    def post(self, request, pk):
        ticket = self.get_ticket()
        form = TicketUpdateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The ticket was not changed: choose valid values."))
            return redirect(ticket)
        data = form.cleaned_data
        if data["priority"] != ticket.priority:
            services.change_priority(ticket, data["priority"], by=request.user)
        if data["status"] != ticket.status:
            services.change_status(ticket, data["status"], by=request.user)
        if data["assignee"] != ticket.assignee:
            services.assign(ticket, data["assignee"], by=request.user)
        messages.success(request, _("Ticket updated."))
        return redirect(ticket)


class TicketCreateView(StaffRequiredMixin, FormView):
    template_name = "tickets/new.html"
    form_class = NewTicketForm

    def get_initial(self):
        initial = super().get_initial()
        customer = self.request.GET.get("customer", "")
        if customer.isdigit():
            initial["customer"] = customer
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        ticket = services.create_ticket(
            subject=data["subject"],
            source=TicketSource.CONSOLE,
            customer=data["customer"],
            requester=data["requester"],
            priority=data["priority"],
            body_text=data["description"],
            author_user=self.request.user,
        )
        messages.success(self.request, _("Ticket #%(number)s created.") % {"number": ticket.pk})
        return redirect(ticket)


class AttachmentView(StaffRequiredMixin, View):
    """Serves an attachment to those who may see its ticket; never a public media URL."""

    def get(self, request, pk):
        attachment = get_object_or_404(
            Attachment.objects.select_related("message"),
            pk=pk,
            message__ticket__in=selectors.tickets_visible_to(request.user),
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


class SLAReportView(StaffRequiredMixin, TemplateView):
    """The SLA report per customer and period, as a page or (``?format=csv``) a CSV file."""

    template_name = "tickets/sla_report.html"

    def get(self, request, *args, **kwargs):
        now = timezone.now()
        form = reports.SLAReportForm.from_query(request.GET, today=timezone.localdate(now))
        report = None
        if form.is_valid():
            report = reports.sla_report(
                request.user,
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
                customer=form.cleaned_data["customer"],
                now=now,
            )
            if request.GET.get("format") == "csv":
                return self.csv_response(form, report)
        context = self.get_context_data(form=form, report=report, now=now)
        if report is not None:
            context["chart"] = reports.share_chart(report.rows)
            context["export_query"] = self.export_query(request)
        return self.render_to_response(context, status=200 if report is not None else 400)

    @staticmethod
    def export_query(request) -> str:
        params = request.GET.copy()
        params["format"] = "csv"
        return params.urlencode()

    @staticmethod
    def csv_response(form, report) -> HttpResponse:
        data = form.cleaned_data
        response = HttpResponse(
            reports.as_csv(reports.csv_rows(report)), content_type="text/csv; charset=utf-8"
        )
        filename = f"sla-report-{data['date_from']:%Y-%m-%d}-{data['date_to']:%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class InboundListView(AdminRequiredMixin, PaginatedListMixin, ListView):
    template_name = "tickets/inbound_list.html"
    context_object_name = "records"

    @cached_property
    def filters(self) -> InboundFilterForm:
        return InboundFilterForm(self.request.GET)

    def get_queryset(self):
        records = InboundMail.objects.select_related("ticket").order_by("-received_at", "-pk")
        if outcome := self.filters.value("outcome"):
            records = records.filter(outcome=outcome)
        return records

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["outcome_choices"] = InboundOutcome.choices
        context["releasable"] = inbound.RELEASABLE
        held = any(record.outcome in inbound.RELEASABLE for record in context["records"])
        # One query for the customer choices, shared by every held message's form.
        context["release_customers"] = (
            list(Customer.objects.order_by("name").values_list("pk", "name")) if held else []
        )
        return context


class InboundReleaseView(AdminRequiredMixin, View):
    def post(self, request, pk):
        record = get_object_or_404(InboundMail, pk=pk, outcome__in=inbound.RELEASABLE)
        form = ReleaseForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose an existing customer, or none for triage."))
            return redirect("tickets:inbound")
        ticket = inbound.release(record, form.cleaned_data["customer"], request.user)
        messages.success(
            request, _("Message released into ticket #%(number)s.") % {"number": ticket.pk}
        )
        return redirect(ticket)


class InboundDiscardView(AdminRequiredMixin, View):
    def post(self, request, pk):
        record = get_object_or_404(InboundMail, pk=pk, outcome__in=inbound.RELEASABLE)
        inbound.discard(record, request.user)
        messages.success(request, _("Message discarded."))
        return redirect("tickets:inbound")
