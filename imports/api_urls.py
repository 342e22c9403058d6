from django.urls import path

from . import api

app_name = "imports-api"

urlpatterns = [
    path("", api.ImportJobListView.as_view(), name="list"),
    path("<int:pk>/", api.ImportJobDetailView.as_view(), name="detail"),
    path("<int:pk>/confirm/", api.ImportJobConfirmView.as_view(), name="confirm"),
]
