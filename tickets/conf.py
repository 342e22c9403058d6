"""Ticket and inbound-mail settings, with the defaults that suit a local install.

TODO(atera/settings.py is outside the tickets work): move these into the settings block
that reads the environment; until then each is read here, settings first, then the
environment.
"""

import os

from django.conf import settings


def _setting(name: str, default: str) -> str:
    return str(getattr(settings, name, os.environ.get(name, default)))


def support_addresses() -> frozenset[str]:
    """The product's own support addresses, lower-cased: mail goes to them, never from."""
    raw = getattr(settings, "ATERA_SUPPORT_ADDRESSES", None)
    if raw is None:
        raw = os.environ.get("ATERA_SUPPORT_ADDRESSES", "support@localhost").split(",")
    return frozenset(a.strip().lower() for a in raw if a.strip())


def reply_address() -> str:
    """The address replies are sent from: the first support address."""
    return sorted(support_addresses())[0] if support_addresses() else settings.DEFAULT_FROM_EMAIL


def max_attachment_bytes() -> int:
    return int(_setting("ATERA_MAIL_MAX_ATTACHMENT_BYTES", str(10 * 1000 * 1000)))


def max_message_bytes() -> int:
    return int(_setting("ATERA_MAIL_MAX_MESSAGE_BYTES", str(30 * 1000 * 1000)))


def rate_limit() -> tuple[int, int]:
    """At most this many messages per sender in this many seconds; more are quarantined."""
    return (
        int(_setting("ATERA_MAIL_RATE_LIMIT", "20")),
        int(_setting("ATERA_MAIL_RATE_WINDOW_SECONDS", "600")),
    )
