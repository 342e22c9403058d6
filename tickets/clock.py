"""SLA due times for tickets, on top of the SLA policy's business-hours calendar."""

import datetime
import logging

from sla.clock import Calendar, CalendarError, target_for
from sla.models import SLAPolicy

logger = logging.getLogger(__name__)


def _calendar(policy: SLAPolicy):
    # Kept on the policy instance: one ticket update asks the calendar several questions,
    # and building it costs two queries.
    calendar = getattr(policy, "_ticket_calendar", None)
    if calendar is None:
        calendar = policy._ticket_calendar = Calendar.for_policy(policy)
    return calendar


def business_minutes_between(
    policy: SLAPolicy, start: datetime.datetime, end: datetime.datetime
) -> int:
    if end <= start:
        return 0
    return _calendar(policy).business_minutes_between(start, end)


def add_business_minutes(
    policy: SLAPolicy, start: datetime.datetime, minutes: int
) -> datetime.datetime:
    """The moment ``minutes`` business minutes after ``start`` (a due time pushed back)."""
    if minutes <= 0:
        return start
    return _calendar(policy).add_business_minutes(start, minutes)


def targets_for(
    policy: SLAPolicy | None, priority: str, start: datetime.datetime
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """(first response due, resolution due), or Nones when no target applies."""
    if policy is None:
        return None, None
    try:
        # Not sla.clock.due_times: that builds a fresh calendar, and the warning time
        # computed next asks the same calendar again.
        target = target_for(policy, priority)
        calendar = _calendar(policy)
        return (
            calendar.add_business_minutes(start, target.first_response_minutes),
            calendar.add_business_minutes(start, target.resolution_minutes),
        )
    except LookupError:
        # A policy without a target for this priority sets no due time; not an error.
        logger.info("SLA policy=%s has no target for priority=%s", policy.pk, priority)
    except CalendarError as exc:
        logger.warning("SLA policy=%s gives no due time: %s; fix its hours", policy.pk, exc)
    return None, None


def warning_time(
    policy: SLAPolicy, start: datetime.datetime, due: datetime.datetime
) -> datetime.datetime:
    """When the policy's warning share of the business time from ``start`` to ``due`` is
    used up."""
    span = business_minutes_between(policy, start, due)
    return add_business_minutes(policy, start, span * policy.warning_percent // 100)
