"""Email domains of customers: parsing a typed list, normalising and validating each one."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Shared mailbox providers: a domain here says nothing about which customer a sender
# works for. Deployments extend or trim it with ATERA_FREEMAIL_EXTRA/ATERA_FREEMAIL_ALLOW.
FREEMAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "gmail.com",
        "googlemail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "hotmail.co.uk",
        "hotmail.com",
        "hotmail.fr",
        "icloud.com",
        "laposte.net",
        "live.com",
        "mac.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "orange.fr",
        "outlook.com",
        "outlook.fr",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "t-online.de",
        "web.de",
        "yahoo.co.uk",
        "yahoo.com",
        "yahoo.fr",
        "yandex.com",
        "yandex.ru",
        "ymail.com",
        "zoho.com",
    }
)

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SEPARATORS = re.compile(r"[\s,;]+")


def freemail_domains() -> frozenset[str]:
    extra = {d.lower() for d in settings.ATERA_FREEMAIL_EXTRA}
    allowed = {d.lower() for d in settings.ATERA_FREEMAIL_ALLOW}
    return (FREEMAIL_DOMAINS | extra) - allowed


def split_domains(text: str) -> list[str]:
    """Split what a person typed (lines, commas, semicolons) into raw domain entries."""
    return [part for part in _SEPARATORS.split(text or "") if part]


def normalise_domain(raw: str) -> str:
    """Return the stored form of one domain, or raise ValidationError saying what is wrong."""
    value = raw.strip().strip(".").lower()
    if value.startswith("@"):
        value = value[1:]
    if not value:
        raise ValidationError(_("Enter a domain such as example.com."), code="empty")
    if "@" in value or "/" in value or ":" in value:
        raise ValidationError(
            _("“%(domain)s” is not a domain; enter it without “@”, such as example.com.")
            % {"domain": raw.strip()},
            code="invalid",
        )

    try:
        ascii_value = value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(
            _("“%(domain)s” is not a valid domain name.") % {"domain": raw.strip()},
            code="invalid",
        ) from exc

    labels = ascii_value.split(".")
    if (
        len(ascii_value) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError(
            _("“%(domain)s” is not a valid domain name.") % {"domain": raw.strip()},
            code="invalid",
        )

    if ascii_value in freemail_domains():
        raise ValidationError(
            _(
                "“%(domain)s” is a shared free-mail domain; it cannot identify one customer. "
                "Add the people who write from it as contacts instead."
            )
            % {"domain": ascii_value},
            code="freemail",
        )
    return ascii_value


def parse_domains(text: str) -> list[str]:
    """Normalise a typed list of domains, dropping repeats; every bad entry is reported."""
    domains: list[str] = []
    errors: list[ValidationError] = []
    for raw in split_domains(text):
        try:
            domain = normalise_domain(raw)
        except ValidationError as exc:
            errors.append(exc)
            continue
        if domain not in domains:
            domains.append(domain)
    if errors:
        raise ValidationError(errors)
    return domains
