from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("new/<int:customer_pk>/", views.ContractCreateView.as_view(), name="new"),
    path("<int:pk>/edit/", views.ContractEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.ContractDeleteView.as_view(), name="delete"),
]
