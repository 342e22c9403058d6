"""The agent API's URLs, mounted under /api/v1/agent/."""

from django.urls import path

from . import api

app_name = "agent_api"

urlpatterns = [
    path("enrol/", api.EnrolView.as_view(), name="enrol"),
    path("reports/", api.ReportView.as_view(), name="reports"),
]
