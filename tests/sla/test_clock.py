"""The SLA clock by example: weekends, holidays, split and overnight hours, DST, 24/7."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sla.clock import (
    Calendar,
    MissingTarget,
    NoWorkingTime,
    OutOfRange,
    WeeklyInterval,
    due_times,
)
from sla.models import BusinessInterval, Holiday, SLAPolicy, SLATarget, Weekday

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def office(time_zone="Europe/Paris", holidays=(), days=range(5), hours=((9, 17),)):
    """Weekdays 09:00–17:00 unless told otherwise."""
    intervals = [
        WeeklyInterval(day, dt.time(start), dt.time(end)) for day in days for start, end in hours
    ]
    return Calendar(time_zone, intervals, holidays)


def at(tz, *args):
    return dt.datetime(*args, tzinfo=tz)


def test_the_result_is_utc():
    due = office().add_business_minutes(at(PARIS, 2027, 1, 4, 10), 30)
    assert due.tzinfo is UTC
    assert due == at(PARIS, 2027, 1, 4, 10, 30)


def test_minutes_past_friday_evening_continue_on_monday():
    friday = at(PARIS, 2027, 1, 8, 16)
    assert office().add_business_minutes(friday, 120) == at(PARIS, 2027, 1, 11, 10)


def test_a_holiday_closes_the_whole_day():
    friday = at(PARIS, 2027, 1, 8, 16)
    calendar = office(holidays=[dt.date(2027, 1, 11)])
    assert calendar.add_business_minutes(friday, 120) == at(PARIS, 2027, 1, 12, 10)


def test_two_intervals_a_day_skip_the_lunch_break():
    calendar = office(hours=((8, 12), (13, 17)))
    assert calendar.add_business_minutes(at(PARIS, 2027, 1, 4, 11), 120) == at(
        PARIS, 2027, 1, 4, 14
    )
    assert calendar.business_minutes_between(at(PARIS, 2027, 1, 4, 7), at(PARIS, 2027, 1, 5)) == (
        480
    )


def test_overlapping_intervals_count_each_minute_once():
    calendar = office(hours=((9, 12), (11, 14)))
    monday = at(PARIS, 2027, 1, 4)
    assert calendar.business_minutes_between(monday, monday + dt.timedelta(days=1)) == 300


def night_desk(holidays=()):
    """Friday 22:00 to Saturday 06:00, nothing else."""
    interval = WeeklyInterval(Weekday.FRIDAY, dt.time(22), dt.time(6), overnight=True)
    return Calendar("Europe/Paris", [interval], holidays)


def test_an_overnight_interval_runs_into_the_next_day():
    friday = at(PARIS, 2027, 1, 8, 21)
    calendar = night_desk()
    assert calendar.add_business_minutes(friday, 60) == at(PARIS, 2027, 1, 8, 23)
    assert calendar.add_business_minutes(friday, 180) == at(PARIS, 2027, 1, 9, 1)
    # Using the interval up exactly ends at its end, one minute more waits a week.
    assert calendar.add_business_minutes(friday, 480) == at(PARIS, 2027, 1, 9, 6)
    assert calendar.add_business_minutes(friday, 481) == at(PARIS, 2027, 1, 15, 22, 1)


def test_a_holiday_cuts_an_overnight_interval_at_midnight():
    calendar = night_desk(holidays=[dt.date(2027, 1, 9)])
    friday = at(PARIS, 2027, 1, 8, 21)
    assert calendar.add_business_minutes(friday, 180) == at(PARIS, 2027, 1, 15, 23)


def test_a_start_outside_business_hours_waits_for_the_next_opening():
    saturday = at(PARIS, 2027, 1, 9, 12)
    assert office().add_business_minutes(saturday, 30) == at(PARIS, 2027, 1, 11, 9, 30)
    early = at(PARIS, 2027, 1, 11, 6)
    assert office().add_business_minutes(early, 30) == at(PARIS, 2027, 1, 11, 9, 30)


def test_zero_minutes_is_when_the_clock_starts():
    calendar = office()
    inside = at(PARIS, 2027, 1, 4, 10, 15)
    assert calendar.add_business_minutes(inside, 0) == inside
    assert calendar.add_business_minutes(at(PARIS, 2027, 1, 9), 0) == at(PARIS, 2027, 1, 11, 9)
    # An interval's end is closed: the clock starts at the next opening.
    assert calendar.add_business_minutes(at(PARIS, 2027, 1, 4, 17), 0) == at(PARIS, 2027, 1, 5, 9)


def test_a_24x7_calendar_counts_every_minute_and_ignores_holidays():
    calendar = Calendar("Europe/Paris", holidays=[dt.date(2027, 1, 9)], always_open=True)
    saturday = at(PARIS, 2027, 1, 9, 12)
    assert calendar.add_business_minutes(saturday, 1440) == at(PARIS, 2027, 1, 10, 12)
    assert calendar.business_minutes_between(saturday, at(PARIS, 2027, 1, 10, 12)) == 1440


def test_a_24x7_calendar_counts_real_minutes_across_fall_back():
    calendar = Calendar("America/New_York", always_open=True)
    midnight = at(NEW_YORK, 2027, 11, 7)
    # The clocks show 01:00–02:00 twice: three real hours after midnight it is 02:00 EST.
    assert calendar.add_business_minutes(midnight, 180) == dt.datetime(2027, 11, 7, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("time_zone", "sunday", "minutes"),
    [
        ("Europe/Paris", dt.date(2027, 3, 28), 120),  # spring forward: 02:00 is skipped
        ("Europe/Paris", dt.date(2027, 10, 31), 240),  # fall back: 02:00–03:00 twice
        ("America/New_York", dt.date(2027, 3, 14), 120),
        ("America/New_York", dt.date(2027, 11, 7), 240),
    ],
)
def test_a_night_interval_lasts_its_real_length_on_dst_nights(time_zone, sunday, minutes):
    tz = ZoneInfo(time_zone)
    calendar = Calendar(time_zone, [WeeklyInterval(Weekday.SUNDAY, dt.time(1), dt.time(4))])
    opening = dt.datetime.combine(sunday, dt.time(1), tzinfo=tz)
    closing = dt.datetime.combine(sunday, dt.time(4), tzinfo=tz)
    assert calendar.business_minutes_between(opening - dt.timedelta(hours=3), closing) == minutes
    assert calendar.add_business_minutes(opening, minutes) == closing
    next_week = dt.datetime.combine(sunday + dt.timedelta(days=7), dt.time(1, 1), tzinfo=tz)
    assert calendar.add_business_minutes(opening, minutes + 1) == next_week


@pytest.mark.parametrize(
    ("time_zone", "friday", "monday"),
    [
        ("Europe/Paris", dt.date(2027, 3, 26), dt.date(2027, 3, 29)),
        ("Europe/Paris", dt.date(2027, 10, 29), dt.date(2027, 11, 1)),
        ("America/New_York", dt.date(2027, 3, 12), dt.date(2027, 3, 15)),
        ("America/New_York", dt.date(2027, 11, 5), dt.date(2027, 11, 8)),
    ],
)
def test_office_hours_keep_their_wall_clock_across_a_dst_weekend(time_zone, friday, monday):
    tz = ZoneInfo(time_zone)
    start = dt.datetime.combine(friday, dt.time(16), tzinfo=tz)
    due = office(time_zone).add_business_minutes(start, 120)
    assert due == dt.datetime.combine(monday, dt.time(10), tzinfo=tz)
    assert due.astimezone(tz).hour == 10


def test_a_skipped_opening_time_opens_when_the_clocks_jump():
    calendar = Calendar(
        "Europe/Paris", [WeeklyInterval(Weekday.SUNDAY, dt.time(2, 30), dt.time(5))]
    )
    night = at(PARIS, 2027, 3, 28)
    assert calendar.add_business_minutes(night, 0) == dt.datetime(2027, 3, 28, 1, tzinfo=UTC)
    assert calendar.business_minutes_between(night, at(PARIS, 2027, 3, 28, 12)) == 120


def test_a_repeated_closing_time_closes_at_its_second_occurrence():
    calendar = Calendar(
        "Europe/Paris", [WeeklyInterval(Weekday.SUNDAY, dt.time(0), dt.time(2, 30))]
    )
    night = at(PARIS, 2027, 10, 31)
    # 00:00 CEST to the second 02:30, in CET: three and a half real hours.
    assert calendar.business_minutes_between(night, at(PARIS, 2027, 10, 31, 12)) == 210
    assert calendar.add_business_minutes(night, 210) == dt.datetime(
        2027, 10, 31, 1, 30, tzinfo=UTC
    )


def test_business_minutes_between_is_zero_backwards_and_counts_across_weekends():
    calendar = office()
    friday, monday = at(PARIS, 2027, 1, 8, 16), at(PARIS, 2027, 1, 11, 10)
    assert calendar.business_minutes_between(friday, monday) == 120
    assert calendar.business_minutes_between(monday, friday) == 0
    year = calendar.business_minutes_between(at(PARIS, 2027, 1, 4), at(PARIS, 2028, 1, 3))
    assert year == 52 * 5 * 480


def test_a_long_target_on_a_narrow_calendar_is_still_quick():
    calendar = Calendar(
        "America/New_York",
        [WeeklyInterval(Weekday.TUESDAY, dt.time(10), dt.time(11))],
        holidays=[dt.date(2030, 1, 1)],
    )
    start = at(NEW_YORK, 2027, 1, 5, 10)
    due = calendar.add_business_minutes(start, 60 * 1000)
    assert calendar.business_minutes_between(start, due) == 60 * 1000
    assert due.astimezone(NEW_YORK).time() == dt.time(11)


def test_a_calendar_without_working_time_says_so():
    with pytest.raises(NoWorkingTime):
        Calendar("UTC").add_business_minutes(at(UTC, 2027, 1, 4), 1)
    every_monday = [dt.date(2027, 1, 4) + dt.timedelta(weeks=n) for n in range(4 * 53)]
    mondays_only = office(days=[Weekday.MONDAY], holidays=every_monday)
    with pytest.raises(NoWorkingTime):
        mondays_only.add_business_minutes(at(PARIS, 2027, 1, 4), 1)


def test_naive_datetimes_and_negative_minutes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        office().add_business_minutes(dt.datetime(2027, 1, 4, 10), 1)
    with pytest.raises(ValueError, match="negative"):
        office().add_business_minutes(at(PARIS, 2027, 1, 4, 10), -1)


def test_inverted_intervals_are_refused_at_construction():
    with pytest.raises(ValueError):
        Calendar("UTC", [WeeklyInterval(0, dt.time(17), dt.time(9))])
    with pytest.raises(ValueError):
        Calendar("UTC", [WeeklyInterval(0, dt.time(9), dt.time(17), overnight=True)])


@pytest.fixture
def paris_policy(db):
    policy = SLAPolicy.objects.create(name="Paris office", time_zone="Europe/Paris")
    BusinessInterval.objects.bulk_create(
        BusinessInterval(policy=policy, weekday=day, start=dt.time(9), end=dt.time(17))
        for day in range(5)
    )
    Holiday.objects.create(policy=policy, date=dt.date(2027, 1, 11), name="Closed")
    SLATarget.objects.create(
        policy=policy, priority="high", first_response_minutes=60, resolution_minutes=600
    )
    return SLAPolicy.objects.get(pk=policy.pk)


@pytest.mark.django_db
def test_due_times_use_the_policy_calendar_in_three_queries(
    paris_policy, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        first_response, resolution = due_times(paris_policy, "high", at(PARIS, 2027, 1, 8, 16))
    assert first_response == at(PARIS, 2027, 1, 8, 17)
    assert resolution == at(PARIS, 2027, 1, 13, 10)


@pytest.mark.django_db
def test_a_calendar_for_a_policy_takes_at_most_two_queries(
    paris_policy, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        calendar = Calendar.for_policy(paris_policy)
    assert calendar.time_zone == PARIS
    paris_policy.is_24x7 = True
    with django_assert_max_num_queries(0):
        assert Calendar.for_policy(paris_policy).always_open


@pytest.mark.django_db
def test_due_times_without_a_target_for_the_priority(paris_policy):
    with pytest.raises(MissingTarget):
        due_times(paris_policy, "low", at(PARIS, 2027, 1, 8, 16))


def test_a_due_time_a_century_away_is_refused_quickly():
    one_minute_a_week = Calendar(
        "Europe/Paris", [WeeklyInterval(Weekday.TUESDAY, dt.time(10), dt.time(10, 1))]
    )
    with pytest.raises(OutOfRange):
        one_minute_a_week.add_business_minutes(at(PARIS, 2027, 1, 4), 5_256_000)


def test_a_due_time_past_the_last_representable_date_is_refused():
    with pytest.raises(OutOfRange):
        office().add_business_minutes(dt.datetime(9999, 12, 31, 16, tzinfo=UTC), 60 * 24)
