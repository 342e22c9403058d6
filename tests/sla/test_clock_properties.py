"""The SLA clock's laws, checked on random calendars, time zones, holidays and starts."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sla.clock import Calendar, WeeklyInterval

UTC = dt.UTC
# Zones with the usual hour of DST on either hemisphere, a half-hour DST and none at all.
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
FIRST_DAY = dt.date(2026, 1, 1)

quarter_hours = st.integers(min_value=0, max_value=95).map(lambda n: dt.time(n // 4, n % 4 * 15))


@st.composite
def intervals(draw):
    weekday = draw(st.integers(min_value=0, max_value=6))
    start = draw(quarter_hours)
    end = draw(quarter_hours.filter(lambda end: end != start))
    return WeeklyInterval(weekday, start, end, overnight=end < start)


@st.composite
def calendars(draw):
    holidays = draw(
        st.lists(
            st.integers(min_value=0, max_value=3 * 365).map(
                lambda n: FIRST_DAY + dt.timedelta(days=n)
            ),
            max_size=30,
        )
    )
    return Calendar(
        draw(st.sampled_from(ZONES)), draw(st.lists(intervals(), min_size=1, max_size=6)), holidays
    )


moments = st.integers(min_value=0, max_value=3 * 365 * 24 * 60).map(
    lambda n: dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=n)
)
# Not only whole minutes: a ticket opens at any second.
precise_moments = st.tuples(moments, st.integers(min_value=0, max_value=59)).map(
    lambda pair: pair[0] + dt.timedelta(seconds=pair[1])
)
minutes = st.integers(min_value=0, max_value=20_000)

LAWS = settings(max_examples=200, deadline=None)


@LAWS
@given(calendars(), precise_moments, precise_moments, minutes)
def test_later_starts_are_never_due_earlier(calendar, a, b, m):
    early, late = sorted([a, b])
    assert calendar.add_business_minutes(early, m) <= calendar.add_business_minutes(late, m)


@LAWS
@given(calendars(), precise_moments, minutes, minutes)
def test_more_minutes_are_never_due_earlier(calendar, t, a, b):
    less, more = sorted([a, b])
    assert calendar.add_business_minutes(t, less) <= calendar.add_business_minutes(t, more)


@LAWS
@given(calendars(), precise_moments, minutes, minutes.filter(bool))
def test_adding_in_two_steps_is_adding_at_once(calendar, t, a, b):
    # For b > 0 this holds from any start; b = 0 would move a result that sits exactly at
    # an interval's end on to the next opening, where add(t, a) itself stays.
    add = calendar.add_business_minutes
    assert add(add(t, a), b) == add(t, a + b)


@LAWS
@given(calendars(), precise_moments, minutes)
def test_adding_nothing_in_two_steps_holds_while_open(calendar, t, a):
    add = calendar.add_business_minutes
    due = add(t, a)
    if calendar.is_open(due):
        assert add(due, 0) == due
    else:
        assert add(due, 0) > due


@LAWS
@given(calendars(), precise_moments, minutes.filter(bool))
def test_the_last_minute_before_a_due_time_is_business_time(calendar, t, m):
    due = calendar.add_business_minutes(t, m)
    assert calendar.is_open(due - dt.timedelta(microseconds=1))


@LAWS
@given(calendars(), precise_moments, minutes)
def test_business_minutes_between_undoes_adding(calendar, t, m):
    assert calendar.business_minutes_between(t, calendar.add_business_minutes(t, m)) == m


@LAWS
@given(calendars(), precise_moments, precise_moments, precise_moments)
def test_business_minutes_add_up_over_consecutive_periods(calendar, a, b, c):
    # Exact in seconds; whole minutes may each lose a fraction, so compare with that slack.
    a, b, c = sorted([a, b, c])
    between = calendar.business_minutes_between
    assert 0 <= between(a, c) - between(a, b) - between(b, c) <= 1


def brute_open(interval_list, holidays, local: dt.datetime) -> bool:
    """Whether a local wall time is open, straight from the weekly intervals."""
    if local.date() in holidays:
        return False
    clock = local.time()
    yesterday = (local.weekday() - 1) % 7
    for interval in interval_list:
        if interval.overnight:
            if interval.weekday == local.weekday() and clock >= interval.start:
                return True
            if interval.weekday == yesterday and clock < interval.end:
                return True
        elif interval.weekday == local.weekday() and interval.start <= clock < interval.end:
            return True
    return False


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["UTC", "Asia/Kolkata"]),
    st.lists(intervals(), min_size=1, max_size=6),
    st.lists(st.integers(min_value=0, max_value=40), max_size=5),
    moments,
    st.integers(min_value=0, max_value=3 * 24 * 60),
)
def test_counting_matches_a_minute_by_minute_count_without_dst(
    zone, interval_list, holiday_offsets, start, length
):
    # Without DST every wall minute is a real minute, so a slow count is the truth; the
    # window spans a few days to exercise the week skipping with long calendars too.
    tz = ZoneInfo(zone)
    holidays = {start.astimezone(tz).date() + dt.timedelta(days=n) for n in holiday_offsets}
    calendar = Calendar(zone, interval_list, holidays)
    end = start + dt.timedelta(minutes=length)
    expected = sum(
        brute_open(interval_list, holidays, (start + dt.timedelta(minutes=n)).astimezone(tz))
        for n in range(length)
    )
    assert calendar.business_minutes_between(start, end) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["UTC", "Asia/Kolkata"]),
    st.lists(intervals(), min_size=1, max_size=6),
    st.lists(st.integers(min_value=0, max_value=60), max_size=8),
    moments.map(lambda t: t.replace(minute=t.minute - t.minute % 15)),
    st.integers(min_value=0, max_value=60 * 24 * 4),
)
def test_counting_weeks_matches_a_quarter_hour_count_without_dst(
    zone, interval_list, holiday_offsets, start, quarters
):
    # Weeks of business time are counted whole; quarter-hour steps are exact here since
    # every boundary, the start and the zone's offset fall on a quarter hour.
    tz = ZoneInfo(zone)
    holidays = {start.astimezone(tz).date() + dt.timedelta(days=n) for n in holiday_offsets}
    calendar = Calendar(zone, interval_list, holidays)
    step = dt.timedelta(minutes=15)
    expected = 15 * sum(
        brute_open(interval_list, holidays, (start + step * n).astimezone(tz))
        for n in range(quarters)
    )
    assert calendar.business_minutes_between(start, start + step * quarters) == expected


# Boundaries from 04:00 on, or at midnight: never inside the hours the clocks change.
clear_times = st.integers(min_value=16, max_value=96).map(
    lambda n: dt.time(0, 0) if n == 96 else dt.time(n // 4, n % 4 * 15)
)


@st.composite
def clear_intervals(draw):
    weekday = draw(st.integers(min_value=0, max_value=6))
    start = draw(clear_times)
    end = draw(clear_times.filter(lambda end: end != start))
    return WeeklyInterval(weekday, start, end, overnight=end < start)


DST_CHANGES = {
    "Europe/Paris": [
        dt.datetime(2027, 3, 28, 1, tzinfo=UTC),
        dt.datetime(2027, 10, 31, 1, tzinfo=UTC),
    ],
    "America/New_York": [
        dt.datetime(2027, 3, 14, 7, tzinfo=UTC),
        dt.datetime(2027, 11, 7, 6, tzinfo=UTC),
    ],
}


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(sorted(DST_CHANGES)),
    st.integers(min_value=0, max_value=1),
    st.lists(clear_intervals(), min_size=1, max_size=6),
    st.integers(min_value=-3 * 24 * 4, max_value=0),
    st.integers(min_value=0, max_value=5 * 24 * 4),
)
def test_counting_across_a_dst_change_matches_a_wall_clock_count(
    zone, change, interval_list, offset, quarters
):
    # Where no interval starts or ends in the changing hours, a business minute is simply a
    # real minute whose wall time lies in an interval; count those one quarter at a time.
    tz = ZoneInfo(zone)
    step = dt.timedelta(minutes=15)
    start = DST_CHANGES[zone][change] + step * offset
    calendar = Calendar(zone, interval_list)
    expected = 15 * sum(
        brute_open(interval_list, set(), (start + step * n).astimezone(tz))
        for n in range(quarters)
    )
    assert calendar.business_minutes_between(start, start + step * quarters) == expected
