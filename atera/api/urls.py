"""The REST API's URLs: the /api/v1/ resources, the OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from atera.api import schema  # noqa: F401  (registers the token scheme with the schema)
from contacts.api import ContactViewSet
from contracts.api import ContractViewSet, RateViewSet
from customers.api import CustomerViewSet
from monitoring.resources_api import AlertViewSet, DeviceViewSet, ThresholdProfileViewSet
from sla.api import SLAPolicyViewSet
from tickets.api import TicketViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("contracts", ContractViewSet, basename="contract")
router.register("rates", RateViewSet, basename="rate")
router.register("sla-policies", SLAPolicyViewSet, basename="sla-policy")
router.register("threshold-profiles", ThresholdProfileViewSet, basename="threshold-profile")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("devices", DeviceViewSet, basename="device")
router.register("alerts", AlertViewSet, basename="alert")

urlpatterns = [
    # The routes that existed before the router keep their paths and views.
    path("v1/imports/", include("imports.api_urls")),
    path("v1/sla-policies/", include("sla.api_urls")),
    path("v1/agent/", include("monitoring.agent_urls")),
    path("v1/", include((router.urls, "api"), namespace="api")),
    path("v3/", include("atera.api.v3.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
