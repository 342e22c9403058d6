"""Console pages for SLA policies: the list with usage, and one policy's calendar, targets
and due-time preview."""

import logging

from django.utils import timezone
from django.views.generic import DetailView, ListView

from accounts.permissions import StaffRequiredMixin
from tickets.choices import TicketStatus

from .clock import CalendarError, MissingTarget, OutOfRange, due_times
from .forms import SLAPreviewForm
from .models import SLAPolicy
from .selectors import policies_with_usage, target_rows, week_of

logger = logging.getLogger(__name__)


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
        context.update(self.preview(policy))
        return context

    def preview(self, policy: SLAPolicy) -> dict:
        """The preview form, bound only once it has been submitted, and its due times."""
        submitted = any(name in self.request.GET for name in SLAPreviewForm.base_fields)
        form = SLAPreviewForm(self.request.GET if submitted else None)
        # A start typed without an offset is a time on the policy's own clock.
        with timezone.override(policy.time_zone):
            valid = submitted and form.is_valid()
        if not valid:
            return {"preview_form": form}
        try:
            first_response_due, resolution_due = due_times(
                policy, form.cleaned_data["priority"], form.cleaned_data["start"]
            )
        except MissingTarget as error:
            form.add_error("priority", str(error))
        except OutOfRange as error:
            form.add_error("start", str(error))
        except CalendarError as error:
            logger.warning("SLA policy %s: preview refused: %s", policy.pk, error)
            form.add_error(None, str(error))
        else:
            return {
                "preview_form": form,
                "first_response_due": first_response_due,
                "resolution_due": resolution_due,
            }
        return {"preview_form": form}
