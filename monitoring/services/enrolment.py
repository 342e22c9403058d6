"""Enrolment tokens, device keys, and revoking devices."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer

from ..models import Alert, Device, EnrolmentToken
from .alerts import resolve_alerts
from .errors import DeviceRevoked, UnknownCredential

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def hash_secret(secret: str) -> str:
    """Tokens and keys are stored as their SHA-256: they are long random strings, so a
    plain hash is enough and lets the database look them up by index."""
    return hashlib.sha256(secret.encode()).hexdigest()


def rotate_enrolment_token(
    customer: Customer, by: User | None = None, now: datetime | None = None
) -> str:
    """Give the customer a new enrolment token and return it; the old one stops working.

    Devices enrolled earlier keep reporting: they authenticate with their own keys.
    """
    token = secrets.token_urlsafe(32)
    EnrolmentToken.objects.update_or_create(
        customer=customer,
        defaults={
            "token_hash": hash_secret(token),
            "hint": token[:6],
            "created_at": now or timezone.now(),
            "created_by": by,
        },
    )
    logger.info(
        "enrolment token rotated for customer=%s by user=%s",
        customer.pk,
        by.pk if by else None,
    )
    return token


def enrol(
    token: str, hostname: str, os: str, kind: str, now: datetime | None = None
) -> tuple[Device, str]:
    """Register a device under the customer whose enrolment token this is.

    Returns the device and its key; only the key's hash is kept, so this is the one time
    anyone sees it.
    """
    enrolment = (
        EnrolmentToken.objects.select_related("customer")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if enrolment is None:
        raise UnknownCredential(_("Unknown or rotated enrolment token."), field="token")
    # TODO(duplicates): an agent that lost its state file enrols again as a new device;
    # matching it to the old one needs a machine identity the agent does not send yet.
    key = secrets.token_urlsafe(32)
    device = Device.objects.create(
        customer=enrolment.customer,
        hostname=hostname,
        os=os,
        kind=kind,
        key_hash=hash_secret(key),
        enrolled_at=now or timezone.now(),
    )
    logger.info(
        "device=%s (%s) enrolled under customer=%s",
        device.pk,
        hostname,
        enrolment.customer_id,
    )
    return device, key


def device_for_key(key: str, lock: bool = False) -> Device:
    """The device this key belongs to; refuses unknown keys and revoked devices.

    ``lock`` holds the device's row until the transaction ends, so that two reports of
    one device are evaluated one after the other (sequence and durations stay right).
    """
    devices = Device.objects.all()
    if lock:
        devices = devices.select_for_update()
    device = devices.filter(key_hash=hash_secret(key)).first() if key else None
    if device is None:
        raise UnknownCredential(_("Unknown device key."))
    if device.revoked_at is not None:
        logger.warning("report refused: device=%s is revoked", device.pk)
        raise DeviceRevoked(_("This device has been revoked; enrol it again to report."))
    return device


def revoke_device(device: Device, by: User | None = None, now: datetime | None = None) -> None:
    """Stop a device's reports and close its alerts: nobody watches a revoked device."""
    now = now or timezone.now()
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(revoked_at=now, conditions={})
        resolve_alerts(Alert.objects.filter(device=device), now)
    device.revoked_at = now
    logger.info("device=%s revoked by user=%s", device.pk, by.pk if by else None)
