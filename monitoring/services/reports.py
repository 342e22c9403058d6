"""Agent reports: refuse replays and skewed clocks, store values, evaluate the rules.

A report touches only its own device's rows, with a constant number of queries, so the
cost of a report does not grow with the number of devices.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Alert, Comparison, Device, Metric, MetricSample, ThresholdRule
from ..models.alerts import ACTIVE_STATES
from ..models.devices import HISTORY_SLOTS
from .alerts import notify_opened, resolve_alerts
from .errors import AgentRefused, ReplayedReport
from .profiles import rules_for

logger = logging.getLogger(__name__)

# A report whose sent_at is further than this from the server's clock is refused: it is
# either a replay or comes from a machine whose clock would make durations meaningless.
MAX_CLOCK_SKEW = timedelta(minutes=5)

COMPARE: dict[str, Callable[[float, float], bool]] = {
    Comparison.ABOVE: operator.gt,
    Comparison.AT_LEAST: operator.ge,
    Comparison.BELOW: operator.lt,
    Comparison.AT_MOST: operator.le,
}


@dataclass(frozen=True)
class Volume:
    name: str
    used_percent: float
    free_gb: float
    total_gb: float


@dataclass(frozen=True)
class Report:
    """One validated agent report (the API checks ranges before this is built)."""

    sent_at: datetime
    sequence: int
    cpu_percent: float
    memory_percent: float
    uptime_seconds: int
    volumes: tuple[Volume, ...] = ()
    agent_version: str = ""

    def observations(self) -> list[tuple[str, str, float]]:
        """(metric, volume, value) for every value a rule can look at."""
        values = [
            (Metric.CPU_PERCENT.value, "", self.cpu_percent),
            (Metric.MEMORY_PERCENT.value, "", self.memory_percent),
        ]
        for volume in self.volumes:
            values.append((Metric.DISK_USED_PERCENT.value, volume.name, volume.used_percent))
            values.append((Metric.DISK_FREE_GB.value, volume.name, volume.free_gb))
        return values


@dataclass
class Evaluation:
    """What the rules say about one report: which conditions hold since when, which fire."""

    conditions: dict[str, str] = field(default_factory=dict)
    firing: dict[str, tuple[ThresholdRule, str, float]] = field(default_factory=dict)


def condition_key(rule_id: int | None, volume: str) -> str:
    return f"{rule_id}:{volume}"


def rule_applies(rule: ThresholdRule, metric: str, volume: str) -> bool:
    if rule.metric != metric:
        return False
    return not rule.volume or rule.volume.casefold() == volume.casefold()


def evaluate(
    rules: Iterable[ThresholdRule],
    observations: list[tuple[str, str, float]],
    conditions: dict[str, str],
    now: datetime,
) -> Evaluation:
    """Check each rule against the reported values.

    ``conditions`` maps each condition that held at the previous report to when it began
    to hold; a rule fires once its condition has held for ``duration_minutes``. A condition
    that no longer holds is dropped, so it starts from zero next time.
    """
    result = Evaluation()
    for rule in rules:
        if rule.metric == Metric.OFFLINE_MINUTES:
            continue
        threshold = float(rule.threshold)
        compare = COMPARE[rule.comparison]
        for metric, volume, value in observations:
            if not rule_applies(rule, metric, volume) or not compare(value, threshold):
                continue
            key = condition_key(rule.pk, volume)
            since_text = conditions.get(key)
            since = datetime.fromisoformat(since_text) if since_text else now
            result.conditions[key] = since.isoformat()
            if now - since >= timedelta(minutes=rule.duration_minutes):
                result.firing[key] = (rule, volume, value)
    return result


@dataclass
class ReportOutcome:
    opened: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)


def check_report_freshness(device: Device, report: Report, now: datetime) -> None:
    """Refuse replays and reports from a skewed clock before anything is written."""
    skew = abs((report.sent_at - now).total_seconds())
    if skew > MAX_CLOCK_SKEW.total_seconds():
        logger.warning("report refused: device=%s clock skew %.0f s", device.pk, skew)
        raise AgentRefused(
            _("is %(skew)d s away from the server's clock; at most %(max)d s is allowed.")
            % {"skew": skew, "max": MAX_CLOCK_SKEW.total_seconds()},
            field="sent_at",
        )
    if report.sequence <= device.last_sequence:
        logger.warning(
            "report refused: device=%s sequence %s <= last accepted %s",
            device.pk,
            report.sequence,
            device.last_sequence,
        )
        raise ReplayedReport(
            _("must be greater than %(last)d, the last one accepted (a replay?).")
            % {"last": device.last_sequence},
            field="sequence",
            last_sequence=device.last_sequence,
        )


def record_report(device: Device, report: Report, now: datetime | None = None) -> ReportOutcome:
    """Store a device's report and open, update or resolve its alerts.

    Call inside a transaction with the device row locked (``device_for_key(lock=True)``).
    Constant work per report: the profile's rules, the device's active alerts, one history
    row, one device row, and only the alerts that change.
    """
    now = now or timezone.now()
    check_report_freshness(device, report, now)

    rules = rules_for(device)
    active = list(device.alerts.filter(state__in=ACTIVE_STATES))
    evaluation = evaluate(rules, report.observations(), device.conditions or {}, now)
    outcome = apply_evaluation(device, evaluation, active, now)

    fullest = max((v.used_percent for v in report.volumes), default=None)
    MetricSample.objects.bulk_create(
        [
            MetricSample(
                device=device,
                slot=device.report_count % HISTORY_SLOTS,
                received_at=now,
                cpu_percent=report.cpu_percent,
                memory_percent=report.memory_percent,
                disk_used_percent=fullest,
            )
        ],
        update_conflicts=True,
        unique_fields=["device", "slot"],
        update_fields=["received_at", "cpu_percent", "memory_percent", "disk_used_percent"],
    )
    Device.objects.filter(pk=device.pk).update(
        last_seen_at=now,
        last_sequence=report.sequence,
        report_count=F("report_count") + 1,
        cpu_percent=report.cpu_percent,
        memory_percent=report.memory_percent,
        uptime_seconds=report.uptime_seconds,
        volumes=[vars(volume) for volume in report.volumes],
        conditions=evaluation.conditions,
        agent_version=report.agent_version,
    )
    if outcome.opened:
        profile = rules[0].profile if rules else None
        transaction.on_commit(lambda: notify_opened(outcome.opened, device, profile))
    return outcome


def apply_evaluation(
    device: Device, evaluation: Evaluation, active: list[Alert], now: datetime
) -> ReportOutcome:
    """Turn an evaluation into alert changes: open once per (device, rule, volume), update
    while the condition holds, resolve when it clears. Offline alerts end with any report."""
    outcome = ReportOutcome()
    by_key: dict[str, Alert] = {}
    for alert in active:
        if alert.metric == Metric.OFFLINE_MINUTES:
            outcome.resolved.append(alert)
        else:
            by_key[condition_key(alert.rule_id, alert.volume)] = alert

    for key, (rule, volume, value) in evaluation.firing.items():
        alert = by_key.get(key)
        if alert is None:
            outcome.opened.append(
                Alert(
                    device=device,
                    rule=rule,
                    metric=rule.metric,
                    volume=volume,
                    comparison=rule.comparison,
                    threshold=rule.threshold,
                    severity=rule.severity,
                    last_value=value,
                    opened_at=now,
                    updated_at=now,
                )
            )
        else:
            alert.last_value = value
            alert.updated_at = now
            alert.severity = rule.severity
            alert.threshold = rule.threshold
            alert.comparison = rule.comparison
            outcome.updated.append(alert)
    # An alert stays while its condition holds, even before a changed duration is met again.
    outcome.resolved.extend(
        alert for key, alert in by_key.items() if key not in evaluation.conditions
    )

    if outcome.opened:
        Alert.objects.bulk_create(outcome.opened)
    if outcome.updated:
        Alert.objects.bulk_update(
            outcome.updated, ["last_value", "updated_at", "severity", "threshold", "comparison"]
        )
    if outcome.resolved:
        resolve_alerts(Alert.objects.filter(pk__in=[a.pk for a in outcome.resolved]), now)
    for alert in outcome.opened:
        logger.info(
            "alert opened: device=%s rule=%s %s%s value=%s",
            device.pk,
            alert.rule_id,
            alert.metric,
            f" volume={alert.volume}" if alert.volume else "",
            alert.last_value,
        )
    for alert in outcome.resolved:
        logger.info("alert resolved: device=%s alert=%s", device.pk, alert.pk)
    return outcome
