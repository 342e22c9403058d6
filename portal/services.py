"""Portal access of a contact: the invitation with a set-password link, and revoking it."""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import Role, User
from contacts.models import Contact

logger = logging.getLogger(__name__)


def set_password_path(user: User) -> str:
    """The one-time link's path. Django's token generator hashes the password and the last
    sign-in into the token, so the link dies once used, and after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("portal:set_password", args=[uid, token])


def invite(contact: Contact, *, base_url: str, by: User | None = None) -> User:
    """Give the contact a portal login (or reopen a revoked one) and mail the link.

    Sending again replaces the password with an unusable one, which invalidates every
    earlier link and ends any session of that login.
    """
    if not contact.active:
        raise ValidationError(
            _("%(contact)s is inactive; activate the contact before inviting them.")
            % {"contact": contact.full_name},
            code="inactive",
        )
    with transaction.atomic():
        user = User.objects.filter(contact=contact).first()
        if user is None:
            if User.objects.filter(email__iexact=contact.email).exists():
                raise ValidationError(
                    _("Another sign-in uses %(email)s already; the contact cannot be invited.")
                    % {"email": contact.email},
                    code="email_taken",
                )
            user = User(email=contact.email, role=Role.CONTACT, contact=contact)
        user.full_name = contact.full_name
        user.is_active = True
        user.set_unusable_password()
        user.save()

    link = base_url.rstrip("/") + set_password_path(user)
    body = _(
        "Hello %(name)s,\n\n"
        "You are invited to the customer portal, where you can open support tickets and "
        "follow them. Choose your password here:\n\n%(link)s\n\n"
        "The link works once and expires in %(days)s days."
    ) % {
        "name": contact.full_name,
        "link": link,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    EmailMessage(
        subject=_("Your invitation to the customer portal"),
        body=body,
        to=[contact.email],
    ).send()
    logger.info(
        "portal invitation sent: contact=%s user=%s by user=%s",
        contact.pk,
        user.pk,
        getattr(by, "pk", None),
    )
    return user


def revoke(contact: Contact, by: User | None = None) -> bool:
    """End the contact's portal access: the login is deactivated and its password (and so
    every open session and pending link) is made unusable. False if there was none."""
    user = User.objects.filter(contact=contact, is_active=True).first()
    if user is None:
        return False
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    logger.info(
        "portal access revoked: contact=%s user=%s by user=%s",
        contact.pk,
        user.pk,
        getattr(by, "pk", None),
    )
    return True
