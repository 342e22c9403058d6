"""The Django admin's SLA policy pages: business hours that are never empty nor overlap."""

import datetime

import pytest

from sla.models import BusinessInterval, SLAPolicy, Weekday
from tests.factories import SLAPolicyFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/django-admin/sla/slapolicy/add/"

MON, TUE, SUN = Weekday.MONDAY, Weekday.TUESDAY, Weekday.SUNDAY


def change_url(policy: SLAPolicy) -> str:
    return f"/django-admin/sla/slapolicy/{policy.pk}/change/"


def management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def interval_rows(rows: list[tuple], first_index: int = 0) -> dict:
    """Rows of (weekday, start, end, overnight) as the intervals inline posts them."""
    data = {}
    for index, (weekday, start, end, overnight) in enumerate(rows, start=first_index):
        data[f"intervals-{index}-weekday"] = str(int(weekday))
        data[f"intervals-{index}-start"] = start
        data[f"intervals-{index}-end"] = end
        if overnight:
            data[f"intervals-{index}-overnight"] = "on"
    return data


def form_data(rows: list[tuple], name: str = "Night shift") -> dict:
    return {
        "name": name,
        "description": "",
        "time_zone": "Europe/Paris",
        "pause_statuses": "[]",
        "warning_percent": "80",
        **management("targets"),
        **management("intervals", total=len(rows)),
        **management("holidays"),
        **interval_rows(rows),
    }


def intervals_formset(response):
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    return formsets["intervals"]


def interval_errors(response) -> list[str]:
    return list(intervals_formset(response).non_form_errors())


def saved_intervals(name: str = "Night shift") -> list[tuple]:
    policy = SLAPolicy.objects.get(name=name)
    return list(policy.intervals.values_list("weekday", "start", "end", "overnight"))


def t(hour: int, minute: int = 0) -> datetime.time:
    return datetime.time(hour, minute)


class TestEmptyIntervals:
    @pytest.mark.parametrize("overnight", [False, True])
    def test_the_same_start_and_end_is_refused(self, admin_client, overnight):
        response = admin_client.post(ADD_URL, form_data([(MON, "09:00", "09:00", overnight)]))

        assert response.status_code == 200
        assert intervals_formset(response).errors[0]["end"] == [
            "The start and the end cannot be the same time; use 24/7 for round-the-clock hours."
        ]
        assert not SLAPolicy.objects.filter(name="Night shift").exists()


class TestOverlaps:
    @pytest.mark.parametrize(
        ("rows", "message"),
        [
            (
                [(MON, "09:00", "17:00", False), (MON, "10:00", "12:00", False)],
                "Business hours overlap on Monday: Monday 09:00–17:00 and Monday 10:00–12:00.",
            ),
            (
                [(MON, "12:00", "18:00", False), (MON, "08:00", "12:30", False)],
                "Business hours overlap on Monday: Monday 08:00–12:30 and Monday 12:00–18:00.",
            ),
            (
                [(MON, "22:00", "06:00", True), (TUE, "05:00", "09:00", False)],
                "Business hours overlap on Tuesday: Monday 22:00–06:00 (next day) and "
                "Tuesday 05:00–09:00.",
            ),
            (
                [(SUN, "22:00", "02:00", True), (MON, "01:00", "03:00", False)],
                "Business hours overlap on Monday: Sunday 22:00–02:00 (next day) and "
                "Monday 01:00–03:00.",
            ),
            (
                [(MON, "20:00", "23:00", False), (MON, "22:00", "06:00", True)],
                "Business hours overlap on Monday: Monday 20:00–23:00 and "
                "Monday 22:00–06:00 (next day).",
            ),
        ],
    )
    def test_overlapping_hours_are_refused_naming_the_weekday(self, admin_client, rows, message):
        response = admin_client.post(ADD_URL, form_data(rows))

        assert response.status_code == 200
        assert interval_errors(response) == [message]
        assert not SLAPolicy.objects.filter(name="Night shift").exists()
        assert not BusinessInterval.objects.filter(policy__name="Night shift").exists()

    def test_every_overlap_of_a_day_is_listed(self, admin_client):
        rows = [
            (MON, "09:00", "17:00", False),
            (MON, "10:00", "11:00", False),
            (MON, "13:00", "14:00", False),
        ]

        response = admin_client.post(ADD_URL, form_data(rows))

        assert interval_errors(response) == [
            "Business hours overlap on Monday: Monday 09:00–17:00 and Monday 10:00–11:00.",
            "Business hours overlap on Monday: Monday 09:00–17:00 and Monday 13:00–14:00.",
        ]

    def test_hours_that_touch_or_fall_on_other_days_are_accepted(self, admin_client):
        rows = [
            (MON, "08:00", "12:00", False),
            (MON, "12:00", "17:00", False),
            (MON, "22:00", "06:00", True),
            (TUE, "06:00", "12:00", False),
            (TUE, "12:00", "00:00", True),
            (SUN, "23:00", "08:00", True),
        ]

        response = admin_client.post(ADD_URL, form_data(rows))

        assert response.status_code == 302
        assert len(saved_intervals()) == 6

    def test_an_interval_added_to_a_saved_policy_is_checked_against_the_saved_ones(
        self, admin_client
    ):
        policy = SLAPolicyFactory(name="Night shift")
        saved = BusinessInterval.objects.create(policy=policy, weekday=MON, start=t(9), end=t(17))
        data = form_data([])
        data.update(management("intervals", total=2, initial=1))
        data.update(
            {
                "intervals-0-id": str(saved.pk),
                "intervals-0-policy": str(policy.pk),
                **interval_rows([(MON, "09:00", "17:00", False)]),
                **interval_rows([(MON, "16:00", "18:00", False)], first_index=1),
            }
        )

        response = admin_client.post(change_url(policy), data)

        assert response.status_code == 200
        assert interval_errors(response) == [
            "Business hours overlap on Monday: Monday 09:00–17:00 and Monday 16:00–18:00."
        ]
        assert saved_intervals() == [(MON, t(9), t(17), False)]

    def test_an_interval_being_deleted_does_not_count(self, admin_client):
        policy = SLAPolicyFactory(name="Night shift")
        saved = BusinessInterval.objects.create(policy=policy, weekday=MON, start=t(9), end=t(17))
        data = form_data([])
        data.update(management("intervals", total=2, initial=1))
        data.update(
            {
                "intervals-0-id": str(saved.pk),
                "intervals-0-policy": str(policy.pk),
                "intervals-0-DELETE": "on",
                **interval_rows([(MON, "09:00", "17:00", False)]),
                **interval_rows([(MON, "10:00", "18:00", False)], first_index=1),
            }
        )

        response = admin_client.post(change_url(policy), data)

        assert response.status_code == 302
        assert saved_intervals() == [(MON, t(10), t(18), False)]
