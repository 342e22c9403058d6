from django.urls import path

from . import views

app_name = "sla"

urlpatterns = [
    path("", views.SLAPolicyListView.as_view(), name="list"),
    path("<int:pk>/", views.SLAPolicyDetailView.as_view(), name="detail"),
]
