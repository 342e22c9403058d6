"""Personal API tokens: issuing, revoking and looking up keys, which are stored hashed."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import ApiToken, User

logger = logging.getLogger(__name__)

# Writing last_used on every request would turn each API read into a write; once a
# minute is precise enough to tell a live token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; the key is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_key(key), hint=key[:6])
    logger.info("api token issued: id=%s user=%s", token.pk, user.pk)
    return token, key


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("api token revoked: id=%s user=%s", token.pk, token.user_id)


def token_for_key(key: str) -> ApiToken | None:
    """The active token with this key, its user loaded; None if unknown or revoked."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
