"""What people do with alerts (acknowledge, snooze), resolving, and email notifications."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer

from ..models import Alert, AlertState, Comparison, Device, ThresholdProfile
from ..models.alerts import ACTIVE_STATES

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def acknowledge(alert: Alert, by: User, now: datetime | None = None) -> bool:
    """Mark an open alert as seen by someone; it still resolves on its own."""
    now = now or timezone.now()
    changed = Alert.objects.filter(pk=alert.pk, state=AlertState.OPEN).update(
        state=AlertState.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=by
    )
    if changed:
        logger.info("alert=%s acknowledged by user=%s", alert.pk, by.pk)
    return bool(changed)


def snooze(alert: Alert, until: datetime, by: User) -> bool:
    """Silence an active alert until ``until``: no email, out of the attention counts."""
    changed = Alert.objects.filter(pk=alert.pk, state__in=ACTIVE_STATES).update(
        snoozed_until=until
    )
    if changed:
        logger.info("alert=%s snoozed until %s by user=%s", alert.pk, until, by.pk)
    return bool(changed)


def notify_opened(alerts: list[Alert], device: Device, profile: ThresholdProfile | None) -> None:
    if profile is None:
        return
    for alert in alerts:
        if profile.emails(alert.severity):
            send_alert_email(alert, device, alert.opened_at)


# TODO(latency): the email goes out in the request that opened the alert (on commit); a slow
# SMTP server slows that report. A Celery task would decouple them.
def send_alert_email(alert: Alert, device: Device, now: datetime) -> None:
    """Tell the MSP's alert address; a mail failure is logged, never lost in a 500."""
    recipient = settings.ATERA_ALERT_EMAIL
    if not recipient:
        return
    customer = Customer.objects.filter(pk=device.customer_id).values_list("name", flat=True)
    subject = _("[%(severity)s] %(metric)s on %(device)s (%(customer)s)") % {
        "severity": alert.get_severity_display(),
        "metric": alert.get_metric_display(),
        "device": device.hostname,
        "customer": customer.first() or "",
    }
    body = _(
        "%(metric)s%(volume)s is %(value)s (threshold %(comparison)s %(threshold)s) "
        "on %(device)s since %(opened)s."
    ) % {
        "metric": alert.get_metric_display(),
        "volume": f" {alert.volume}" if alert.volume else "",
        "value": alert.last_value,
        "comparison": dict(Comparison.choices).get(alert.comparison, alert.comparison),
        "threshold": alert.threshold,
        "device": device.hostname,
        "opened": alert.opened_at.isoformat(timespec="seconds"),
    }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except OSError:
        logger.exception("alert email for device=%s could not be sent", device.pk)
        return
    Alert.objects.filter(device=device, rule=alert.rule, opened_at=alert.opened_at).update(
        emailed_at=now
    )


def resolve_alerts(alerts, now: datetime) -> int:
    return alerts.filter(state__in=ACTIVE_STATES).update(
        state=AlertState.RESOLVED, resolved_at=now, updated_at=now
    )
