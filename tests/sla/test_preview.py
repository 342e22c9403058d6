"""The due-time preview: the form on a policy's page and its API twin."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sla.models import BusinessInterval, Holiday, SLAPolicy, SLATarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy():
    policy = SLAPolicy.objects.create(name="Paris office", time_zone="Europe/Paris")
    BusinessInterval.objects.bulk_create(
        BusinessInterval(policy=policy, weekday=day, start=dt.time(9), end=dt.time(17))
        for day in range(5)
    )
    Holiday.objects.create(policy=policy, date=dt.date(2027, 1, 11), name="Closed")
    SLATarget.objects.create(
        policy=policy, priority="high", first_response_minutes=60, resolution_minutes=600
    )
    return policy


def page(policy):
    return reverse("sla:detail", args=[policy.pk])


def api(policy_pk):
    return reverse("sla-api:preview", args=[policy_pk])


def test_the_page_shows_an_unbound_form(admin_client, policy):
    response = admin_client.get(page(policy))
    assert response.status_code == 200
    assert not response.context["preview_form"].is_bound
    assert "first_response_due" not in response.context


def test_the_page_previews_due_times_in_the_policy_time_zone(admin_client, policy):
    response = admin_client.get(page(policy), {"start": "2027-01-08T16:00", "priority": "high"})
    assert response.status_code == 200
    # A start without an offset is Paris time: 16:00 Friday, an hour left that day.
    assert response.context["first_response_due"] == dt.datetime(2027, 1, 8, 16, tzinfo=dt.UTC)
    assert response.context["resolution_due"] == dt.datetime(2027, 1, 13, 9, tzinfo=dt.UTC)
    body = response.content.decode()
    assert 'datetime="2027-01-08T17:00:00+01:00"' in body
    assert 'datetime="2027-01-13T10:00:00+01:00"' in body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "not a date", "priority": "high"}, "start"),
        ({"start": "2027-01-08T16:00", "priority": "urgent"}, "priority"),
        ({"priority": "high"}, "start"),
        # Missing from the wall clock: Paris jumps from 02:00 to 03:00 that night.
        ({"start": "2027-03-28T02:30", "priority": "high"}, "start"),
        # The policy has no target for low priority.
        ({"start": "2027-01-08T16:00", "priority": "low"}, "priority"),
    ],
)
def test_bad_preview_input_is_a_form_error(admin_client, policy, query, field):
    response = admin_client.get(page(policy), query)
    assert response.status_code == 200
    assert field in response.context["preview_form"].errors
    assert "first_response_due" not in response.context


def test_a_policy_without_hours_is_a_form_error_not_a_500(admin_client):
    policy = SLAPolicy.objects.create(name="Never open", time_zone="UTC")
    SLATarget.objects.create(
        policy=policy, priority="high", first_response_minutes=60, resolution_minutes=600
    )
    response = admin_client.get(page(policy), {"start": "2027-01-08T16:00", "priority": "high"})
    assert response.status_code == 200
    assert response.context["preview_form"].non_field_errors()


def test_technicians_may_preview(technician_client, policy):
    response = technician_client.get(
        page(policy), {"start": "2027-01-08T16:00", "priority": "high"}
    )
    assert response.status_code == 200
    assert "first_response_due" in response.context


def test_anonymous_visitors_are_sent_to_sign_in(policy):
    response = Client().get(page(policy), {"start": "2027-01-08T16:00", "priority": "high"})
    assert response.status_code == 302


def test_the_api_answers_iso_8601_in_the_policy_time_zone(admin_client, policy):
    response = admin_client.get(api(policy.pk), {"start": "2027-01-08T15:00Z", "priority": "high"})
    assert response.status_code == 200
    assert response.json() == {
        "first_response_due": "2027-01-08T17:00:00+01:00",
        "resolution_due": "2027-01-13T10:00:00+01:00",
    }


def test_the_api_reads_a_start_without_offset_as_policy_time(technician_client, policy):
    response = technician_client.get(
        api(policy.pk), {"start": "2027-01-08T16:30:00", "priority": "high"}
    )
    assert response.status_code == 200
    # Half an hour on Friday; Monday is a holiday; the other half on Tuesday.
    assert response.json()["first_response_due"] == "2027-01-12T09:30:00+01:00"


def test_the_api_keeps_the_offset_it_is_given(admin_client, policy):
    # 10:00 in New York is 16:00 in Paris.
    response = admin_client.get(
        api(policy.pk), {"start": "2027-01-08T10:00:00-05:00", "priority": "high"}
    )
    assert response.json()["first_response_due"] == "2027-01-08T17:00:00+01:00"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "yesterday", "priority": "high"}, "start"),
        ({"priority": "high"}, "start"),
        ({"start": "2027-01-08T16:00", "priority": "urgent"}, "priority"),
        ({"start": "2027-01-08T16:00"}, "priority"),
        ({"start": "2027-03-28T02:30", "priority": "high"}, "start"),
        # Twice on the wall clock: 02:30 comes back when Paris falls back.
        ({"start": "2027-10-31T02:30", "priority": "high"}, "start"),
        ({"start": "9999-12-31T16:00:00+00:00", "priority": "high"}, "start"),
        ({"start": "2027-01-08T16:00", "priority": "low"}, "priority"),
    ],
)
def test_the_api_refuses_bad_input_with_field_errors(admin_client, policy, query, field):
    response = admin_client.get(api(policy.pk), query)
    assert response.status_code == 400
    assert field in response.json()


def test_the_api_answers_404_for_an_unknown_policy(admin_client):
    response = admin_client.get(api(999_999), {"start": "2027-01-08T16:00", "priority": "high"})
    assert response.status_code == 404


def test_the_api_refuses_anonymous_callers(policy):
    response = Client().get(api(policy.pk), {"start": "2027-01-08T16:00", "priority": "high"})
    # 401 with a challenge: the API takes tokens as well as sessions.
    assert response.status_code == 401


def test_the_api_refuses_deactivated_staff(technician, policy):
    client = Client()
    client.force_login(technician)
    technician.is_active = False
    technician.save(update_fields=["is_active"])
    response = client.get(api(policy.pk), {"start": "2027-01-08T16:00", "priority": "high"})
    assert response.status_code == 401


def test_the_api_refuses_a_policy_without_hours(admin_client):
    policy = SLAPolicy.objects.create(name="Never open", time_zone="UTC")
    SLATarget.objects.create(
        policy=policy, priority="high", first_response_minutes=60, resolution_minutes=600
    )
    response = admin_client.get(api(policy.pk), {"start": "2027-01-08T16:00", "priority": "high"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_the_api_previews_a_24x7_policy(admin_client):
    policy = SLAPolicy.objects.create(name="Always", time_zone="America/New_York", is_24x7=True)
    SLATarget.objects.create(
        policy=policy, priority="critical", first_response_minutes=15, resolution_minutes=240
    )
    response = admin_client.get(
        api(policy.pk), {"start": "2027-11-07T00:30:00-04:00", "priority": "critical"}
    )
    assert response.json() == {
        "first_response_due": "2027-11-07T00:45:00-04:00",
        "resolution_due": "2027-11-07T03:30:00-05:00",
    }


def test_the_api_takes_a_repeated_wall_time_with_its_offset(admin_client, policy):
    # Sunday: closed, so the clock starts on Monday at 09:00.
    response = admin_client.get(
        api(policy.pk), {"start": "2027-10-31T02:30:00+01:00", "priority": "high"}
    )
    assert response.status_code == 200
    assert response.json()["first_response_due"] == "2027-11-01T10:00:00+01:00"


def test_form_errors_are_shown_on_the_page(admin_client, policy):
    response = admin_client.get(page(policy), {"start": "soon", "priority": "high"})
    body = response.content.decode()
    assert 'class="alert error"' in body
    assert 'id="id_start_error1"' in body


def test_the_preview_adds_no_queries_to_the_page(
    admin_client, policy, django_assert_max_num_queries
):
    # Intervals, holidays and targets are prefetched for the page; the clock reuses them.
    with CaptureQueriesContext(connection) as plain:
        admin_client.get(page(policy))
    with django_assert_max_num_queries(len(plain.captured_queries)):
        response = admin_client.get(
            page(policy), {"start": "2027-01-08T16:00", "priority": "high"}
        )
    assert "first_response_due" in response.context
