"""The console's URLs: one include per app, plus the dashboard and health check."""

from django.contrib import admin
from django.urls import include, path

from . import views

# Unmatched URLs under /api/ answer JSON like the API's own 404s, as the schema documents.
handler404 = "atera.api.errors.not_found"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("healthz", views.health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("customers/", include("customers.urls")),
    path("contacts/", include("contacts.urls")),
    path("contracts/", include("contracts.urls")),
    path("tickets/", include("tickets.urls")),
    path("sla/", include("sla.urls")),
    path("imports/", include("imports.urls")),
    path("api/", include("atera.api.urls")),
    path("", include("monitoring.urls")),
    path("portal/", include("portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
