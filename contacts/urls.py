from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("new/<int:customer_pk>/", views.ContactCreateView.as_view(), name="new"),
    path("<int:pk>/", views.ContactDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ContactEditView.as_view(), name="edit"),
    path("<int:pk>/main/", views.SetMainContactView.as_view(), name="set_main"),
    path("<int:pk>/permissions/", views.ContactPermissionsView.as_view(), name="permissions"),
    path("<int:pk>/portal/invite/", views.PortalInviteView.as_view(), name="portal_invite"),
    path("<int:pk>/portal/revoke/", views.PortalRevokeView.as_view(), name="portal_revoke"),
    path("<int:pk>/delete/", views.ContactDeleteView.as_view(), name="delete"),
]
