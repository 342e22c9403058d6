"""The support addresses as the mail pipeline compares them, from ``ATERA_SUPPORT_ADDRESSES``.

Sizes and the rate limit are plain settings (``settings.ATERA_MAIL_*``); only the addresses
need normalising before use.
"""

from django.conf import settings


def support_addresses() -> frozenset[str]:
    """The product's own support addresses, lower-cased: mail goes to them, never from."""
    return frozenset(a.strip().lower() for a in settings.ATERA_SUPPORT_ADDRESSES if a.strip())


def is_support_address(address: str) -> bool:
    """Whether ``address`` is one of ours, "+tag" sub-addresses included."""
    base, _, domain = address.strip().lower().rpartition("@")
    return f"{base.partition('+')[0]}@{domain}" in support_addresses()


def reply_address() -> str:
    """The address replies are sent from: the first support address as configured."""
    for address in settings.ATERA_SUPPORT_ADDRESSES:
        if address.strip():
            return address.strip()
    return settings.DEFAULT_FROM_EMAIL
