"""SLA policies: the default policy, unique names, business-hours intervals and targets."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sla.models import (
    BusinessInterval,
    Holiday,
    SLAPolicy,
    SLATarget,
    Weekday,
    validate_pause_statuses,
    validate_time_zone,
)
from tests.factories import SLAPolicyFactory
from tickets.choices import Priority, TicketStatus

pytestmark = pytest.mark.django_db


def t(hour: int, minute: int = 0) -> datetime.time:
    return datetime.time(hour, minute)


@pytest.fixture
def policy():
    return SLAPolicyFactory()


class TestDefaultPolicy:
    def test_the_data_migration_creates_one_default_policy(self):
        default = SLAPolicy.objects.get(is_default=True)

        assert default.name == "Standard business hours"
        assert default.time_zone == "UTC"
        assert default.is_24x7 is False
        assert default.pause_statuses == [TicketStatus.WAITING_FOR_CUSTOMER]

    def test_the_default_policy_has_a_target_per_priority(self):
        default = SLAPolicy.objects.get(is_default=True)

        targets = {
            target.priority: (target.first_response_minutes, target.resolution_minutes)
            for target in default.targets.all()
        }

        assert set(targets) == set(Priority.values)
        assert targets[Priority.CRITICAL] == (30, 240)
        assert targets[Priority.HIGH] == (60, 480)
        for first_response, resolution in targets.values():
            assert resolution >= first_response

    def test_the_default_policy_works_weekdays_nine_to_five(self):
        default = SLAPolicy.objects.get(is_default=True)

        intervals = list(default.intervals.values_list("weekday", "start", "end", "overnight"))

        assert intervals == [(day, t(9), t(17), False) for day in range(5)]

    def test_the_default_policy_passes_its_own_validation(self):
        default = SLAPolicy.objects.get(is_default=True)

        default.full_clean()
        for interval in default.intervals.all():
            interval.full_clean()

        assert default.targets.count() == 4

    def test_the_database_allows_one_default_policy(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            SLAPolicyFactory(is_default=True)

        assert SLAPolicy.objects.filter(is_default=True).count() == 1

    def test_any_number_of_other_policies(self):
        SLAPolicyFactory.create_batch(3, is_default=False)

        assert SLAPolicy.objects.filter(is_default=False).count() == 3

    def test_full_clean_reports_a_second_default(self):
        with pytest.raises(ValidationError) as excinfo:
            SLAPolicyFactory.build(is_default=True).full_clean()

        assert "Only one SLA policy can be the default." in excinfo.value.messages


class TestPolicyFields:
    def test_names_are_unique_ignoring_case(self):
        SLAPolicyFactory(name="Gold")

        with pytest.raises(IntegrityError), transaction.atomic():
            SLAPolicyFactory(name="GOLD")

    def test_full_clean_reports_a_taken_name_after_trimming(self):
        with pytest.raises(ValidationError) as excinfo:
            SLAPolicy(name="  standard BUSINESS hours ").full_clean()

        assert "An SLA policy with this name exists already." in excinfo.value.messages

    def test_validate_time_zone_refuses_an_unknown_zone(self):
        with pytest.raises(ValidationError) as excinfo:
            validate_time_zone("Mars/Base")

        assert excinfo.value.code == "invalid_time_zone"
        assert "“Mars/Base” is not a known IANA time zone" in excinfo.value.messages[0]

    @pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York"])
    def test_validate_time_zone_accepts_iana_zones(self, zone):
        assert validate_time_zone(zone) is None

    def test_full_clean_reports_the_time_zone_on_its_field(self, policy):
        policy.time_zone = "Mars/Base"

        with pytest.raises(ValidationError) as excinfo:
            policy.full_clean()

        assert list(excinfo.value.message_dict) == ["time_zone"]

    @pytest.mark.parametrize(
        "value",
        [[], ["waiting_for_customer"], ["waiting_for_customer", "new"]],
    )
    def test_validate_pause_statuses_accepts_lists_of_statuses(self, value):
        assert validate_pause_statuses(value) is None

    @pytest.mark.parametrize(
        "value",
        [["on_hold"], "waiting_for_customer", {"waiting_for_customer": True}, [None]],
    )
    def test_validate_pause_statuses_refuses_anything_else(self, value):
        with pytest.raises(ValidationError) as excinfo:
            validate_pause_statuses(value)

        assert excinfo.value.code == "invalid_statuses"

    def test_full_clean_reports_a_bad_pause_status_on_its_field(self, policy):
        policy.pause_statuses = ["paused"]

        with pytest.raises(ValidationError) as excinfo:
            policy.full_clean()

        assert list(excinfo.value.message_dict) == ["pause_statuses"]

    @pytest.mark.parametrize("percent", [0, 101])
    def test_the_database_keeps_the_warning_percent_in_range(self, percent):
        with pytest.raises(IntegrityError), transaction.atomic():
            SLAPolicyFactory(warning_percent=percent)

    def test_a_date_is_a_holiday_of_a_policy_once(self, policy):
        Holiday.objects.create(policy=policy, date=datetime.date(2025, 12, 25))

        with pytest.raises(IntegrityError), transaction.atomic():
            Holiday.objects.create(policy=policy, date=datetime.date(2025, 12, 25))


class TestBusinessInterval:
    def interval(self, policy, start, end, overnight=False) -> BusinessInterval:
        return BusinessInterval(
            policy=policy, weekday=Weekday.MONDAY, start=start, end=end, overnight=overnight
        )

    def test_a_day_interval_is_valid(self, policy):
        self.interval(policy, t(9), t(17)).full_clean()

    def test_an_overnight_interval_is_valid_when_marked_so(self, policy):
        interval = self.interval(policy, t(22), t(6), overnight=True)

        interval.full_clean()
        interval.save()

        assert BusinessInterval.objects.get(pk=interval.pk).overnight is True

    def test_end_before_start_is_refused_unless_overnight(self, policy):
        with pytest.raises(ValidationError) as excinfo:
            self.interval(policy, t(17), t(9)).full_clean()

        assert list(excinfo.value.message_dict) == ["end"]
        assert "runs past midnight" in excinfo.value.message_dict["end"][0]

    def test_an_overnight_interval_ending_after_its_start_is_refused(self, policy):
        with pytest.raises(ValidationError) as excinfo:
            self.interval(policy, t(9), t(17), overnight=True).full_clean()

        assert list(excinfo.value.message_dict) == ["overnight"]

    @pytest.mark.parametrize("overnight", [False, True])
    def test_start_equal_to_end_is_refused_overnight_or_not(self, policy, overnight):
        with pytest.raises(ValidationError) as excinfo:
            self.interval(policy, t(9), t(9), overnight=overnight).full_clean()

        assert excinfo.value.message_dict == {
            "end": [
                "The start and the end cannot be the same time; use 24/7 for "
                "round-the-clock hours."
            ]
        }

    @pytest.mark.parametrize(
        ("start", "end", "overnight"),
        [
            (t(17), t(9), False),
            (t(9), t(9), False),
            (t(9), t(9), True),
            (t(0), t(0), True),
            (t(9), t(17), True),
            (t(0), t(23, 59), True),
        ],
    )
    def test_the_database_refuses_an_inverted_interval(self, policy, start, end, overnight):
        with pytest.raises(IntegrityError), transaction.atomic():
            self.interval(policy, start, end, overnight).save()

    @pytest.mark.parametrize(
        ("start", "end", "overnight"),
        [(t(9), t(17), False), (t(22), t(6), True), (t(0), t(23, 59), False)],
    )
    def test_the_database_accepts_a_consistent_interval(self, policy, start, end, overnight):
        self.interval(policy, start, end, overnight).save()

        assert policy.intervals.count() == 1

    @pytest.mark.parametrize("weekday", [-1, 7])
    def test_the_database_refuses_a_weekday_out_of_range(self, policy, weekday):
        interval = self.interval(policy, t(9), t(17))
        interval.weekday = weekday

        with pytest.raises(IntegrityError), transaction.atomic():
            interval.save()

    def test_several_intervals_per_day_are_allowed(self, policy):
        self.interval(policy, t(8), t(12)).save()
        self.interval(policy, t(13), t(17)).save()

        assert policy.intervals.filter(weekday=Weekday.MONDAY).count() == 2


class TestTargets:
    def test_resolution_shorter_than_first_response_is_refused_by_the_database(self, policy):
        with pytest.raises(IntegrityError), transaction.atomic():
            SLATarget.objects.create(
                policy=policy,
                priority=Priority.HIGH,
                first_response_minutes=60,
                resolution_minutes=30,
            )

    def test_resolution_equal_to_first_response_is_accepted(self, policy):
        SLATarget.objects.create(
            policy=policy, priority=Priority.HIGH, first_response_minutes=60, resolution_minutes=60
        )

        assert policy.targets.get().resolution_minutes == 60

    def test_full_clean_explains_the_order_of_targets(self, policy):
        target = SLATarget(
            policy=policy, priority=Priority.LOW, first_response_minutes=90, resolution_minutes=45
        )

        with pytest.raises(ValidationError) as excinfo:
            target.full_clean()

        assert (
            "The resolution target cannot be shorter than the first-response target."
            in excinfo.value.messages
        )

    def test_full_clean_bounds_the_targets_as_the_wizard_does(self, policy):
        target = SLATarget(
            policy=policy,
            priority=Priority.LOW,
            first_response_minutes=525_601,
            resolution_minutes=5_256_001,
        )

        with pytest.raises(ValidationError) as excinfo:
            target.full_clean()

        assert excinfo.value.message_dict == {
            "first_response_minutes": ["Ensure this value is less than or equal to 525600."],
            "resolution_minutes": ["Ensure this value is less than or equal to 5256000."],
        }

    def test_a_zero_first_response_is_refused_by_the_database(self, policy):
        with pytest.raises(IntegrityError), transaction.atomic():
            SLATarget.objects.create(
                policy=policy,
                priority=Priority.LOW,
                first_response_minutes=0,
                resolution_minutes=5,
            )

    def test_one_target_per_priority_in_a_policy(self, policy):
        SLATarget.objects.create(
            policy=policy, priority=Priority.LOW, first_response_minutes=5, resolution_minutes=10
        )

        with pytest.raises(IntegrityError), transaction.atomic():
            SLATarget.objects.create(
                policy=policy,
                priority=Priority.LOW,
                first_response_minutes=6,
                resolution_minutes=9,
            )
