"""Monitoring: threshold profiles, enrolled devices with their metrics, and alerts."""

from .alerts import Alert, AlertState
from .devices import Device, DeviceKind, EnrolmentToken, MetricSample
from .profiles import (
    PERCENT_METRICS,
    Comparison,
    Metric,
    Severity,
    ThresholdProfile,
    ThresholdRule,
)

__all__ = [
    "PERCENT_METRICS",
    "Alert",
    "AlertState",
    "Comparison",
    "Device",
    "DeviceKind",
    "EnrolmentToken",
    "Metric",
    "MetricSample",
    "Severity",
    "ThresholdProfile",
    "ThresholdRule",
]
