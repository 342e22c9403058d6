"""Monitoring rules in one place: enrolment, reports and their evaluation, the offline
check, alert actions and notifications, and the threshold profile editor."""

from .alerts import acknowledge, notify_opened, resolve_alerts, send_alert_email, snooze
from .enrolment import device_for_key, enrol, hash_secret, revoke_device, rotate_enrolment_token
from .errors import AgentRefused, DeviceRevoked, ReplayedReport, UnknownCredential
from .offline import check_offline, devices_with_effective_profile
from .profiles import (
    default_profile_id,
    effective_profile,
    rules_for,
    save_threshold_profile,
    set_device_profile,
)
from .reports import (
    MAX_CLOCK_SKEW,
    Evaluation,
    Report,
    ReportOutcome,
    Volume,
    apply_evaluation,
    check_report_freshness,
    evaluate,
    record_report,
)

__all__ = [
    "MAX_CLOCK_SKEW",
    "AgentRefused",
    "DeviceRevoked",
    "Evaluation",
    "ReplayedReport",
    "Report",
    "ReportOutcome",
    "UnknownCredential",
    "Volume",
    "acknowledge",
    "apply_evaluation",
    "check_offline",
    "check_report_freshness",
    "default_profile_id",
    "device_for_key",
    "devices_with_effective_profile",
    "effective_profile",
    "enrol",
    "evaluate",
    "hash_secret",
    "notify_opened",
    "record_report",
    "resolve_alerts",
    "revoke_device",
    "rotate_enrolment_token",
    "rules_for",
    "save_threshold_profile",
    "send_alert_email",
    "set_device_profile",
    "snooze",
]
