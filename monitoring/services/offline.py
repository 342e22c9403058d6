"""The periodic offline check: silent devices get an availability alert."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Alert, Comparison, Device, Metric, ThresholdProfile, ThresholdRule
from ..models.alerts import ACTIVE_STATES
from .alerts import resolve_alerts, send_alert_email

logger = logging.getLogger(__name__)


def devices_with_effective_profile():
    """Live devices annotated with their effective profile and when they were last heard."""
    return Device.objects.filter(revoked_at__isnull=True).annotate(
        effective_profile_id=Coalesce(
            "threshold_profile_id",
            "customer__threshold_profile_id",
            Subquery(ThresholdProfile.objects.filter(is_default=True).values("pk")[:1]),
        ),
        heard_at=Coalesce("last_seen_at", "enrolled_at"),
    )


def check_offline(now: datetime | None = None) -> tuple[int, int]:
    """Open an availability alert for each device silent past its offline rule, and resolve
    the ones whose device is heard again or whose rule no longer applies.

    Runs periodically; its cost grows with devices, not with reports. Returns
    (opened, resolved).
    """
    now = now or timezone.now()
    opened: list[Alert] = []
    resolved = 0
    offline_alerts = Alert.objects.filter(metric=Metric.OFFLINE_MINUTES, state__in=ACTIVE_STATES)
    rules = list(
        ThresholdRule.objects.filter(metric=Metric.OFFLINE_MINUTES, enabled=True).select_related(
            "profile"
        )
    )
    with transaction.atomic():
        resolved += resolve_alerts(
            offline_alerts.filter(Q(rule__isnull=True) | Q(rule__enabled=False)), now
        )
        for rule in rules:
            minutes = float(rule.threshold) + rule.duration_minutes
            cutoff = now - timedelta(minutes=minutes)
            silent = Q(heard_at__lt=cutoff)
            if rule.comparison == Comparison.AT_LEAST:
                silent |= Q(heard_at=cutoff)
            governed = devices_with_effective_profile().filter(
                effective_profile_id=rule.profile_id
            )

            # Heard again, or now under another profile: the alert has no reason to stay.
            resolved += resolve_alerts(
                offline_alerts.filter(rule=rule).exclude(
                    device__in=governed.filter(silent).values("pk")
                ),
                now,
            )
            stale = governed.filter(silent).exclude(
                pk__in=offline_alerts.filter(rule=rule).values("device_id")
            )
            for device in stale.only("pk", "last_seen_at", "enrolled_at"):
                heard = device.last_seen_at or device.enrolled_at
                opened.append(
                    Alert(
                        device=device,
                        rule=rule,
                        metric=rule.metric,
                        comparison=rule.comparison,
                        threshold=rule.threshold,
                        severity=rule.severity,
                        last_value=round((now - heard).total_seconds() / 60, 1),
                        opened_at=now,
                        updated_at=now,
                    )
                )
        # Another run racing this one may have opened some already; the constraint keeps one.
        Alert.objects.bulk_create(opened, ignore_conflicts=True)
    if opened or resolved:
        logger.info("offline check: %s alert(s) opened, %s resolved", len(opened), resolved)
    for alert in opened:
        if alert.rule.profile.emails(alert.severity):
            send_alert_email(alert, alert.device, now)
    return len(opened), resolved
