"""The compatibility API's URLs, with or without a trailing slash as there."""

from rest_framework.routers import SimpleRouter

from .more import AlertViewSet, ContractViewSet, TicketViewSet
from .resources import ContactViewSet, CustomerViewSet

router = SimpleRouter()
# Scripts written for that console call the paths without the slash; ours add one.
router.trailing_slash = "/?"
router.register("customers", CustomerViewSet, basename="v3-customer")
router.register("contacts", ContactViewSet, basename="v3-contact")
router.register("contracts", ContractViewSet, basename="v3-contract")
router.register("tickets", TicketViewSet, basename="v3-ticket")
router.register("alerts", AlertViewSet, basename="v3-alert")

urlpatterns = router.urls
