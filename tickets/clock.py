"""SLA due times for tickets, on top of the SLA policy's business-hours calendar."""

import datetime
import logging

from sla.models import SLAPolicy

logger = logging.getLogger(__name__)

try:
    from sla.clock import Calendar, due_times
except ImportError:  # pragma: no cover - only while the SLA clock is not merged
    # TODO(sla.clock is written in parallel): this stand-in counts every minute as a
    # business minute; it goes away once sla.clock lands.
    Calendar = None

    def due_times(
        policy: SLAPolicy, priority: str, start: datetime.datetime
    ) -> tuple[datetime.datetime, datetime.datetime]:
        target = policy.targets.filter(priority=priority).first()
        if target is None:
            raise LookupError(priority)
        return (
            start + datetime.timedelta(minutes=target.first_response_minutes),
            start + datetime.timedelta(minutes=target.resolution_minutes),
        )


def business_minutes_between(
    policy: SLAPolicy, start: datetime.datetime, end: datetime.datetime
) -> int:
    if end <= start:
        return 0
    if Calendar is None:
        return int((end - start).total_seconds() // 60)
    return Calendar.for_policy(policy).business_minutes_between(start, end)


def targets_for(
    policy: SLAPolicy | None, priority: str, start: datetime.datetime
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """(first response due, resolution due), or Nones when no target applies."""
    if policy is None:
        return None, None
    try:
        return due_times(policy, priority, start)
    except LookupError:
        # A policy without a target for this priority sets no due time; not an error.
        logger.info("SLA policy=%s has no target for priority=%s", policy.pk, priority)
        return None, None


def add_business_minutes(
    policy: SLAPolicy, start: datetime.datetime, minutes: int
) -> datetime.datetime:
    """The earliest moment with ``minutes`` business minutes after ``start``.

    The calendar only counts minutes between two moments, so the end is found by
    bisection: counts only grow as the end moves later.
    """
    if minutes <= 0:
        return start
    step = datetime.timedelta(minutes=minutes)
    high = start + step
    limit = start + datetime.timedelta(days=366 * 20)
    while business_minutes_between(policy, start, high) < minutes:
        if high >= limit:
            return limit
        step *= 2
        high = min(start + step, limit)
    low = start
    while high - low > datetime.timedelta(minutes=1):
        middle = low + (high - low) / 2
        if business_minutes_between(policy, start, middle) >= minutes:
            high = middle
        else:
            low = middle
    return high
