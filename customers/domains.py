"""Email domains of customers: parsing a typed list, normalising and validating each one."""

import re

import idna
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

# Enough for any real company (brands, countries, acquisitions); a longer list is a paste
# gone wrong, and every domain is checked against every other customer's.
MAX_DOMAINS = 100


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
        # IDNA 2008 with UTS 46 mapping, as browsers and mail servers do: "straße.de" stays
        # xn--strae-oqa.de instead of becoming the different domain strasse.de.
        ascii_value = idna.encode(value, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
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


def display_domain(domain: str) -> str:
    """The stored (ASCII) form of a domain as people read it: xn--bcher-kva.example shows
    as bücher.example."""
    if "xn--" not in domain:
        return domain
    try:
        return idna.decode(domain)
    except (idna.IDNAError, UnicodeError):
        return domain


def parse_domains(text: str) -> list[str]:
    """Normalise a typed list of domains, dropping repeats; every bad entry is reported."""
    raw_domains = split_domains(text)
    if len(raw_domains) > MAX_DOMAINS:
        raise ValidationError(
            _("Enter at most %(max)s domains; this list has %(count)s.")
            % {"max": MAX_DOMAINS, "count": len(raw_domains)},
            code="too_many",
        )

    domains: dict[str, None] = {}
    errors: list[ValidationError] = []
    for raw in raw_domains:
        try:
            domains[normalise_domain(raw)] = None
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
    return list(domains)
