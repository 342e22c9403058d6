"""Keeps portal users in the portal, and ends their session once their access ends."""

import logging

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseForbidden
from django.shortcuts import redirect

from accounts.models import Role
from tickets.selectors import portal_contact

logger = logging.getLogger(__name__)


class PortalAccessMiddleware:
    """For a signed-in contact, at every request: an inactive contact or revoked login is
    signed out; any page outside the portal (console, Django admin) redirects to the
    portal, and any API answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_prefixes = ("/portal/", "/i18n/", "/healthz", "/" + settings.STATIC_URL)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.role == Role.CONTACT:
            if portal_contact(user) is None:
                logger.info("portal session ended: user=%s lost access", user.pk)
                logout(request)
                return redirect("portal:login")
            if not request.path_info.startswith(self.open_prefixes):
                if request.path_info.startswith("/api/"):
                    return HttpResponseForbidden()
                return redirect("portal:tickets")
        return self.get_response(request)
