from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("", views.TicketListView.as_view(), name="list"),
    path("new/", views.TicketCreateView.as_view(), name="new"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="detail"),
    path("<int:pk>/reply/", views.TicketReplyView.as_view(), name="reply"),
    path("<int:pk>/update/", views.TicketUpdateView.as_view(), name="update"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("reports/sla/", views.SLAReportView.as_view(), name="sla_report"),
    path("inbound/", views.InboundListView.as_view(), name="inbound"),
    path("inbound/<int:pk>/release/", views.InboundReleaseView.as_view(), name="release"),
    path("inbound/<int:pk>/discard/", views.InboundDiscardView.as_view(), name="discard"),
]
