from django.urls import path

from . import views
from .wizard import CustomerWizardView

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("new/", CustomerWizardView.as_view(), name="new"),
    path("<int:pk>/", views.CustomerOverviewView.as_view(), name="detail"),
    path("<int:pk>/contacts/", views.CustomerContactsView.as_view(), name="contacts"),
    path("<int:pk>/contracts/", views.CustomerContractsView.as_view(), name="contracts"),
    path("<int:pk>/sla/", views.CustomerSLAView.as_view(), name="sla"),
    path("<int:pk>/devices/", views.CustomerDevicesView.as_view(), name="devices"),
    path("<int:pk>/tickets/", views.CustomerTicketsView.as_view(), name="tickets"),
    path("<int:pk>/security/", views.CustomerSecurityView.as_view(), name="security"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="edit"),
    path(
        "<int:pk>/attach-tickets/",
        views.CustomerAttachTicketsView.as_view(),
        name="attach_tickets",
    ),
    path("<int:pk>/service/", views.CustomerServiceView.as_view(), name="edit_service"),
    path("<int:pk>/delete/", views.CustomerDeleteView.as_view(), name="delete"),
]
