"""The SLA clock: business minutes over a policy's calendar, and a ticket's due times.

Business hours are wall-clock intervals in the policy's time zone; a business minute is a
real elapsed minute during which the wall clock is inside one of them. So an interval of
01:00–04:00 lasts two real hours on the night clocks spring forward and four on the night
they fall back. Wall times that do not exist or exist twice are resolved like this:

* a skipped wall time (spring forward) stands for the instant the clocks jumped, whether
  it opens or closes an interval;
* a repeated wall time (fall back) opens an interval at its first occurrence and closes
  one at its second, so the interval keeps the repeated hour.

A holiday closes its whole local date: an overnight interval is cut at midnight, and only
the part on the holiday is lost. A 24/7 calendar counts every minute and ignores holidays.
The clock starts at the next opening when started outside business hours; a calendar that
never opens, or whose due time lies more than a century ahead, raises a ``CalendarError``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import SLAPolicy

UTC = dt.UTC
DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
MIDNIGHT = dt.time(0, 0)

# How long the clock looks for an opening before it gives up: a calendar whose holidays
# close every working day for three years has, for all practical purposes, no working time.
MAX_IDLE_DAYS = 3 * 366
# How far ahead a due time may be: bounds the work (and a ticket's creation) on a calendar
# with a minute a week and a ten-year target; no SLA is meant to run for a century.
MAX_HORIZON = dt.timedelta(days=100 * 366)


class CalendarError(ValueError):
    """A business-time computation that has no answer on this calendar."""


class NoWorkingTime(CalendarError):
    """The calendar never opens (no intervals, or holidays cover every working day)."""


class OutOfRange(CalendarError):
    """The answer would fall outside the dates Python can represent."""


class MissingTarget(LookupError):
    """The policy has no target for the ticket's priority."""


class IntervalLike(Protocol):
    weekday: int
    start: dt.time
    end: dt.time
    overnight: bool


@dataclass(frozen=True)
class WeeklyInterval:
    """A business-hours interval without the database: for tests and computed calendars."""

    weekday: int
    start: dt.time
    end: dt.time
    overnight: bool = False


def _since_midnight(value: dt.time) -> dt.timedelta:
    return dt.timedelta(
        hours=value.hour,
        minutes=value.minute,
        seconds=value.second,
        microseconds=value.microsecond,
    )


def _merge(pieces: list[tuple[dt.timedelta, dt.timedelta]]):
    """Overlapping or touching pieces of one day as one, so no minute counts twice."""
    merged: list[tuple[dt.timedelta, dt.timedelta]] = []
    for start, end in sorted(pieces):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _weekly_pieces(intervals: Iterable[IntervalLike]):
    """Each weekday's open pieces as offsets from local midnight, overnight ones split."""
    pieces: dict[int, list[tuple[dt.timedelta, dt.timedelta]]] = {day: [] for day in range(7)}
    for interval in intervals:
        if not 0 <= interval.weekday <= 6:
            raise ValueError(f"weekday {interval.weekday} is not 0 (Monday) to 6 (Sunday)")
        start, end = _since_midnight(interval.start), _since_midnight(interval.end)
        if interval.overnight:
            if end >= start:
                raise ValueError(f"overnight interval {interval} ends after it starts")
            pieces[interval.weekday].append((start, DAY))
            if end:
                pieces[(interval.weekday + 1) % 7].append((dt.timedelta(0), end))
        else:
            if end <= start:
                raise ValueError(f"interval {interval} ends before it starts")
            pieces[interval.weekday].append((start, end))
    return tuple(_merge(pieces[day]) for day in range(7))


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


class Calendar:
    """A policy's business hours, loaded once and then computed on without queries."""

    def __init__(
        self,
        time_zone: str | ZoneInfo,
        intervals: Iterable[IntervalLike] = (),
        holidays: Iterable[dt.date] = (),
        always_open: bool = False,
    ) -> None:
        self.time_zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
        self.always_open = always_open
        self._pieces = _weekly_pieces(intervals)
        self._week_length = sum(
            (end - start for day in self._pieces for start, end in day), dt.timedelta(0)
        )
        self._holidays = frozenset(holidays)
        self._sorted_holidays = sorted(self._holidays)

    @classmethod
    def for_policy(cls, policy: SLAPolicy) -> Calendar:
        """The policy's calendar: two queries, none when intervals and holidays are
        prefetched or the policy is 24/7."""
        if policy.is_24x7:
            return cls(policy.time_zone, always_open=True)
        return cls(
            policy.time_zone,
            intervals=list(policy.intervals.all()),
            holidays=[holiday.date for holiday in policy.holidays.all()],
        )

    def __repr__(self) -> str:
        return f"<Calendar {self.time_zone.key} always_open={self.always_open}>"

    # Public API

    def add_business_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """The instant ``minutes`` business minutes after ``start``, in UTC.

        The clock starts at ``start`` if the calendar is open then, else at the next
        opening; zero minutes therefore gives that starting instant. A result that uses up
        an interval exactly is the interval's end, not the next opening.
        """
        _require_aware(start, "start")
        if minutes < 0:
            raise ValueError("minutes cannot be negative")
        try:
            return self._add(start.astimezone(UTC), dt.timedelta(minutes=minutes))
        except OverflowError as error:
            raise OutOfRange(_("The due time falls outside the supported dates.")) from error

    def business_minutes_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Whole business minutes from ``start`` to ``end`` (0 when end is not after start)."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        try:
            elapsed = self._between(start.astimezone(UTC), end.astimezone(UTC))
        except OverflowError as error:
            raise OutOfRange(_("The period falls outside the supported dates.")) from error
        return elapsed // dt.timedelta(minutes=1)

    def is_open(self, moment: dt.datetime) -> bool:
        """Whether the clock runs at ``moment`` (an interval's end itself is closed)."""
        _require_aware(moment, "moment")
        if self.always_open:
            return True
        moment = moment.astimezone(UTC)
        day = moment.astimezone(self.time_zone).date()
        return any(
            start <= moment < end for date in (day - DAY, day) for start, end in self._spans(date)
        )

    # Wall clock to UTC

    def _to_utc(self, wall: dt.datetime, *, closing: bool) -> dt.datetime:
        """A naive local wall time as a UTC instant, resolving DST as the module says."""
        first = wall.replace(tzinfo=self.time_zone, fold=0).astimezone(UTC)
        second = wall.replace(tzinfo=self.time_zone, fold=1).astimezone(UTC)
        if first == second:
            return first
        if first < second:
            return second if closing else first
        # A skipped wall time: fold=1 lands before the jump and fold=0 after it.
        return self._jump_between(second, first)

    def _jump_between(self, before: dt.datetime, after: dt.datetime) -> dt.datetime:
        """The first instant in (before, after] with ``after``'s UTC offset, to the second."""
        target = after.astimezone(self.time_zone).utcoffset()
        low, high = 0, int((after - before).total_seconds())
        while high - low > 1:
            middle = (low + high) // 2
            probe = before + dt.timedelta(seconds=middle)
            if probe.astimezone(self.time_zone).utcoffset() == target:
                high = middle
            else:
                low = middle
        return before + dt.timedelta(seconds=high)

    def _offsets(self, date: dt.date) -> tuple[dt.timedelta | None, dt.timedelta | None]:
        midnight = dt.datetime.combine(date, MIDNIGHT, tzinfo=self.time_zone)
        return midnight.utcoffset(), midnight.replace(fold=1).utcoffset()

    def _steady(self, first: dt.date, days: int) -> bool:
        """Whether the UTC offset is the same at every local midnight from ``first`` on
        for ``days`` days (time zones never change offset twice within one day)."""
        offsets = self._offsets(first)
        if offsets[0] != offsets[1]:
            return False
        return all(self._offsets(first + DAY * n) == offsets for n in range(1, days + 1))

    def _midnight(self, date: dt.date) -> dt.datetime:
        return self._to_utc(dt.datetime.combine(date, MIDNIGHT), closing=False)

    def _spans(self, date: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The date's open spans as UTC instants, in order."""
        if date in self._holidays:
            return []
        pieces = self._pieces[date.weekday()]
        if not pieces:
            return []
        wall_midnight = dt.datetime.combine(date, MIDNIGHT)
        if self._steady(date, 1):
            # The usual day: one offset throughout, plain arithmetic.
            offset = self._offsets(date)[0]
            base = (wall_midnight - offset).replace(tzinfo=UTC)
            return [(base + start, base + end) for start, end in pieces]
        # A day with a change of offset: each boundary on its own. A piece running to
        # midnight closes where the next date opens, so the two never overlap.
        spans = sorted(
            (
                self._to_utc(wall_midnight + start, closing=False),
                self._to_utc(wall_midnight + end, closing=end < DAY),
            )
            for start, end in pieces
        )
        # Pieces a repeated hour apart can overlap once resolved; count such minutes once.
        merged: list[tuple[dt.datetime, dt.datetime]] = []
        for start, end in spans:
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def _plain_week(self, first: dt.date) -> bool:
        """Whether the seven days from ``first`` hold exactly one calendar week of business
        time: no holiday and no change of UTC offset."""
        index = bisect.bisect_left(self._sorted_holidays, first)
        if index < len(self._sorted_holidays) and self._sorted_holidays[index] < first + WEEK:
            return False
        return self._steady(first, 7)

    # The two walks

    def _check_open_at_all(self) -> None:
        if not self._week_length:
            raise NoWorkingTime(_("This SLA policy has no business hours."))

    def _add(self, start: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
        if self.always_open:
            return start + remaining
        self._check_open_at_all()

        first_day = day = start.astimezone(self.time_zone).date()
        horizon = first_day + MAX_HORIZON
        idle_days = 0
        while True:
            if day > horizon:
                raise OutOfRange(_("The due time is more than a century away on this calendar."))
            # Whole weeks at once; only after the first day, so no span is before start.
            if day > first_day and remaining > self._week_length and self._plain_week(day):
                remaining -= self._week_length
                day += WEEK
                idle_days = 0
                continue

            spans = self._spans(day)
            for span_start, span_end in spans:
                if span_end <= start:
                    continue
                span_start = max(span_start, start)
                if remaining <= span_end - span_start:
                    return span_start + remaining
                remaining -= span_end - span_start

            idle_days = 0 if spans else idle_days + 1
            if idle_days > MAX_IDLE_DAYS:
                raise NoWorkingTime(
                    _("This SLA policy's holidays leave it no business hours for years.")
                )
            day += DAY

    def _between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        if end <= start:
            return dt.timedelta(0)
        if self.always_open:
            return end - start

        total = dt.timedelta(0)
        first_day = day = start.astimezone(self.time_zone).date()
        last_day = end.astimezone(self.time_zone).date()
        while day <= last_day:
            if (
                day > first_day
                and day + WEEK <= last_day
                and self._plain_week(day)
                and self._midnight(day + WEEK) <= end
            ):
                total += self._week_length
                day += WEEK
                continue
            for span_start, span_end in self._spans(day):
                overlap = min(span_end, end) - max(span_start, start)
                if overlap > dt.timedelta(0):
                    total += overlap
            day += DAY
        return total


def target_for(policy: SLAPolicy, priority: str):
    """The policy's target for ``priority``, from the prefetch cache when there is one."""
    for target in policy.targets.all():
        if target.priority == priority:
            return target
    raise MissingTarget(_("This SLA policy has no target for this priority."))


def due_times(
    policy: SLAPolicy, priority: str, start: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """(first response due, resolution due) in UTC for a ticket opened at ``start``.

    At most three queries (targets, intervals, holidays), none when they are prefetched.
    """
    target = target_for(policy, priority)
    calendar = Calendar.for_policy(policy)
    return (
        calendar.add_business_minutes(start, target.first_response_minutes),
        calendar.add_business_minutes(start, target.resolution_minutes),
    )
