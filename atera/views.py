"""Project-wide views: the dashboard and the health check."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.generic import TemplateView

from accounts.permissions import StaffRequiredMixin
from contacts.models import Contact
from customers.models import Customer


class DashboardView(StaffRequiredMixin, TemplateView):
    template_name = "dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer_count"] = Customer.objects.count()
        context["contact_count"] = Contact.objects.count()
        context["recent_customers"] = Customer.objects.order_by("-created_at")[:8]
        return context


def health(request) -> HttpResponse:
    """Answer 200 when the database answers; load balancers and compose poll this."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
