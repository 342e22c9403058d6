"""Console pages for monitoring: alerts, devices and the threshold profile editor."""

from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("alerts/", views.AlertListView.as_view(), name="alerts"),
    path(
        "alerts/<int:pk>/acknowledge/",
        views.AlertActionView.as_view(action="acknowledge"),
        name="alert_acknowledge",
    ),
    path(
        "alerts/<int:pk>/snooze/",
        views.AlertActionView.as_view(action="snooze"),
        name="alert_snooze",
    ),
    path("monitoring/devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device"),
    path(
        "monitoring/devices/<int:pk>/revoke/",
        views.DeviceRevokeView.as_view(),
        name="device_revoke",
    ),
    path(
        "monitoring/devices/<int:pk>/profile/",
        views.DeviceProfileView.as_view(),
        name="device_profile",
    ),
    path("monitoring/profiles/", views.ThresholdProfileListView.as_view(), name="profiles"),
    path(
        "monitoring/profiles/new/",
        views.ThresholdProfileEditView.as_view(),
        name="profile_new",
    ),
    path(
        "monitoring/profiles/<int:pk>/",
        views.ThresholdProfileEditView.as_view(),
        name="profile",
    ),
]
