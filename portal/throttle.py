"""Sign-in throttling: after repeated failures for one address, sign-in is locked a while.

A small counter in the shared cache, keyed by the address typed (hashed), so that the
lock holds across web processes. The same message is shown whether the address exists or
not, so the lock tells an attacker nothing about which addresses have accounts.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(email: str) -> str:
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return f"portal:signin-failures:{digest}"


def is_locked(email: str) -> bool:
    return cache.get(_key(email), 0) >= settings.PORTAL_SIGNIN_MAX_FAILURES


def record_failure(email: str) -> None:
    key = _key(email)
    # add() starts the window only once; incr() keeps it, so the lock ends on time.
    cache.add(key, 0, timeout=settings.PORTAL_SIGNIN_LOCKOUT_SECONDS)
    try:
        failures = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.PORTAL_SIGNIN_LOCKOUT_SECONDS)
        failures = 1
    if failures == settings.PORTAL_SIGNIN_MAX_FAILURES:
        logger.warning("portal sign-in locked after %s failures (key=%s)", failures, key[-8:])


def reset(email: str) -> None:
    cache.delete(_key(email))
