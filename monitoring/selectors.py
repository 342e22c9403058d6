"""Querysets the monitoring pages read: device rows, alert lists, dashboard counts."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Alert, AlertState, Device, MetricSample, Severity
from .models.alerts import ACTIVE_STATES

ALERT_STATE_FILTERS = {
    "active": Q(state__in=ACTIVE_STATES),
    "open": Q(state=AlertState.OPEN),
    "acknowledged": Q(state=AlertState.ACKNOWLEDGED),
    "resolved": Q(state=AlertState.RESOLVED),
    "all": Q(),
}


def device_rows(devices: QuerySet[Device]) -> QuerySet[Device]:
    """Devices with their count of active alerts, in one query whatever the page size."""
    active = (
        Alert.objects.filter(device=OuterRef("pk"), state__in=ACTIVE_STATES)
        .order_by()
        .values("device")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return devices.annotate(active_alerts=Coalesce(Subquery(active), 0))


def alert_list(
    now: datetime,
    customer_id: int | None = None,
    severity: str | None = None,
    state: str = "active",
) -> QuerySet[Alert]:
    alerts = Alert.objects.select_related("device", "device__customer", "acknowledged_by")
    if state == "snoozed":
        alerts = alerts.filter(state__in=ACTIVE_STATES, snoozed_until__gt=now)
    else:
        alerts = alerts.filter(ALERT_STATE_FILTERS.get(state, ALERT_STATE_FILTERS["active"]))
    if customer_id:
        alerts = alerts.filter(device__customer_id=customer_id)
    if severity:
        alerts = alerts.filter(severity=severity)
    return alerts.order_by("-opened_at", "-pk")


def alert_counts(now: datetime) -> dict[str, int]:
    """Active, unsnoozed alerts per severity, plus offline devices, in one query."""
    unsnoozed = Q(state__in=ACTIVE_STATES) & (
        Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)
    )
    counts = Alert.objects.filter(unsnoozed).aggregate(
        total=Count("pk"),
        **{
            severity.value: Count("pk", filter=Q(severity=severity.value)) for severity in Severity
        },
        offline=Count("pk", filter=Q(metric="offline_minutes")),
    )
    return counts


def history(device: Device) -> list[MetricSample]:
    return list(MetricSample.objects.filter(device=device).order_by("received_at"))
