"""Console pages for SLA policies: the list with usage, and one policy's calendar and targets."""

from django.views.generic import DetailView, ListView

from accounts.permissions import StaffRequiredMixin
from tickets.choices import TicketStatus

from .models import SLAPolicy
from .selectors import policies_with_usage, target_rows, week_of


class SLAPolicyListView(StaffRequiredMixin, ListView):
    template_name = "sla/slapolicy_list.html"
    context_object_name = "policies"

    def get_queryset(self):
        return policies_with_usage()


class SLAPolicyDetailView(StaffRequiredMixin, DetailView):
    template_name = "sla/slapolicy_detail.html"
    context_object_name = "policy"

    def get_queryset(self):
        return SLAPolicy.objects.prefetch_related("intervals", "holidays", "targets")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = self.object
        context["week"] = week_of(policy)
        context["targets"] = target_rows(policy)
        context["pause_labels"] = [
            TicketStatus(status).label
            for status in policy.pause_statuses
            if status in TicketStatus.values
        ]
        return context
