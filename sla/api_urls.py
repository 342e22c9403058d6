"""The SLA policies API's URLs, under /api/v1/sla-policies/."""

from django.urls import path

from . import api

app_name = "sla-api"

urlpatterns = [
    path("<int:pk>/preview/", api.SLAPolicyPreviewView.as_view(), name="preview"),
]
