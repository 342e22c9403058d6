"""Which rules apply to a device, and the threshold profile editor's writes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer

from ..models import Alert, Device, ThresholdProfile, ThresholdRule
from .alerts import resolve_alerts

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def default_profile_id() -> int | None:
    return ThresholdProfile.objects.filter(is_default=True).values_list("pk", flat=True).first()


def effective_profile(device: Device) -> ThresholdProfile | None:
    """The device's own profile, else its customer's, else the default one."""
    if device.threshold_profile_id:
        return device.threshold_profile
    if device.customer.threshold_profile_id:
        return device.customer.threshold_profile
    return ThresholdProfile.objects.filter(is_default=True).first()


def rules_for(device: Device) -> list[ThresholdRule]:
    """The enabled rules of the device's effective profile, in one query."""
    if device.threshold_profile_id:
        profile = Value(device.threshold_profile_id)
    else:
        profile = Coalesce(
            Subquery(
                Customer.objects.filter(pk=device.customer_id).values("threshold_profile_id")
            ),
            Subquery(ThresholdProfile.objects.filter(is_default=True).values("pk")[:1]),
        )
    return list(
        ThresholdRule.objects.filter(profile_id=profile, enabled=True).select_related("profile")
    )


def save_threshold_profile(form, rules, make_default: bool, by: User | None = None):
    """Save a profile form and its rule formset in one transaction.

    Alerts of rules that are deleted or disabled resolve now: nothing would ever resolve
    them otherwise. Making the profile the default moves the flag from the previous one.
    """
    now = timezone.now()
    with transaction.atomic():
        profile = form.save()
        rules.instance = profile
        retired = [f.instance.pk for f in rules.deleted_forms if f.instance.pk]
        resolve_alerts(Alert.objects.filter(rule_id__in=retired), now)
        rules.save()
        resolve_alerts(Alert.objects.filter(rule__profile=profile, rule__enabled=False), now)
        if make_default and not profile.is_default:
            ThresholdProfile.objects.filter(is_default=True).update(is_default=False)
            ThresholdProfile.objects.filter(pk=profile.pk).update(is_default=True)
            profile.is_default = True
    logger.info(
        "threshold profile=%s saved by user=%s (%s rule(s) deleted)",
        profile.pk,
        by.pk if by else None,
        len(retired),
    )
    return profile


def set_device_profile(device: Device, profile: ThresholdProfile | None) -> None:
    """Give a device its own profile (or back to its customer's); durations start afresh."""
    Device.objects.filter(pk=device.pk).update(threshold_profile=profile, conditions={})
    device.threshold_profile = profile
    device.conditions = {}
    logger.info(
        "device=%s threshold profile set to %s", device.pk, profile.pk if profile else None
    )
