"""DRF authentication and throttling for personal API tokens."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.throttling import UserRateThrottle

from .models import ApiToken
from .tokens import token_for_key


def token_from_header(request, header: str, keyword: str | None) -> str | None:
    """The key in ``header``; with a keyword (``Token``), the header must start with it."""
    raw = request.META.get(header, "")
    if not raw:
        return None
    if keyword is not None:
        scheme, _space, raw = raw.partition(" ")
        if scheme.lower() != keyword.lower():
            return None
    key = raw.strip()
    if not key or " " in key:
        raise exceptions.AuthenticationFailed(_("Malformed API token header."))
    return key


def authenticate_key(key: str):
    token = token_for_key(key)
    if token is None:
        raise exceptions.AuthenticationFailed(_("Invalid or revoked API token."))
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("This token's user is inactive."))
    return token.user, token


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` with a key from the user's API tokens page."""

    keyword = "Token"

    def authenticate(self, request):
        key = token_from_header(request, "HTTP_AUTHORIZATION", self.keyword)
        return None if key is None else authenticate_key(key)

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return self.keyword


class ApiTokenRateThrottle(UserRateThrottle):
    """Requests per token (scope ``api_token``); sessions and agents are not limited here."""

    scope = "api_token"

    def get_cache_key(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        # The hash, not the id: ids can be reused after a rollback, hashes cannot.
        return self.cache_format % {"scope": self.scope, "ident": token.key_hash}
