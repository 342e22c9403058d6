from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.ImportListView.as_view(), name="list"),
    path("template/<str:kind>.<str:file_format>", views.template_download, name="template"),
    path("export/<str:kind>.<str:file_format>", views.export_download, name="export"),
    path("<int:pk>/", views.ImportDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.ImportStatusView.as_view(), name="status"),
    path("<int:pk>/confirm/", views.confirm_view, name="confirm"),
    path("<int:pk>/cancel/", views.cancel_view, name="cancel"),
    path("<int:pk>/errors.xlsx", views.error_report_view, name="errors"),
]
