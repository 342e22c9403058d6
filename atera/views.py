"""Project-wide views: the dashboard and the health check."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.permissions import StaffRequiredMixin
from contacts.models import Contact
from customers.models import Customer
from monitoring.models import Device
from monitoring.selectors import alert_counts
from tickets.selectors import ticket_counts


class DashboardView(StaffRequiredMixin, TemplateView):
    template_name = "dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer_count"] = Customer.objects.count()
        context["contact_count"] = Contact.objects.count()
        context["recent_customers"] = Customer.objects.order_by("-created_at")[:8]
        context["device_count"] = Device.objects.filter(revoked_at__isnull=True).count()
        context["alert_counts"] = alert_counts(timezone.now())
        context["ticket_counts"] = ticket_counts(timezone.now())
        return context


def health(request) -> HttpResponse:
    """Answer 200 when the database answers; load balancers and compose poll this."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
