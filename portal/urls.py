"""The customer portal's URLs, all under /portal/."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "portal"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:tickets"), name="home"),
    path("login/", views.PortalSignInView.as_view(), name="login"),
    path("logout/", views.PortalSignOutView.as_view(), name="logout"),
    path("password/reset/", views.PortalPasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views.PortalPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/set/<uidb64>/<token>/",
        views.PortalSetPasswordView.as_view(),
        name="set_password",
    ),
    path(
        "password/set/done/", views.PortalSetPasswordDoneView.as_view(), name="set_password_done"
    ),
    path("tickets/", views.TicketListView.as_view(), name="tickets"),
    path("tickets/new/", views.TicketCreateView.as_view(), name="new_ticket"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket"),
    path("tickets/<int:pk>/reply/", views.TicketReplyView.as_view(), name="reply"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
]
