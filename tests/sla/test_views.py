"""The SLA policy pages: the list with usage counts, and one policy's calendar and targets."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer
from sla.models import BusinessInterval, Holiday, SLAPolicy, SLATarget, Weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_policy():
    # The data migration creates it; the tests rely on its being there.
    return SLAPolicy.objects.get(is_default=True)


@pytest.fixture
def policy():
    policy = SLAPolicy.objects.create(
        name="Night desk",
        description="Evenings and Saturdays.",
        time_zone="Europe/Paris",
        pause_statuses=["waiting_for_customer", "resolved"],
        warning_percent=75,
    )
    BusinessInterval.objects.bulk_create(
        [
            BusinessInterval(
                policy=policy,
                weekday=Weekday.MONDAY,
                start=datetime.time(13, 0),
                end=datetime.time(17, 0),
            ),
            BusinessInterval(
                policy=policy,
                weekday=Weekday.MONDAY,
                start=datetime.time(8, 0),
                end=datetime.time(12, 0),
            ),
            BusinessInterval(
                policy=policy,
                weekday=Weekday.FRIDAY,
                start=datetime.time(22, 0),
                end=datetime.time(6, 0),
                overnight=True,
            ),
            BusinessInterval(
                policy=policy,
                weekday=Weekday.SATURDAY,
                start=datetime.time(10, 0),
                end=datetime.time(14, 0),
            ),
        ]
    )
    Holiday.objects.create(policy=policy, date=datetime.date(2027, 12, 25), name="Christmas")
    SLATarget.objects.bulk_create(
        [
            SLATarget(
                policy=policy,
                priority="critical",
                first_response_minutes=15,
                resolution_minutes=90,
            ),
            SLATarget(
                policy=policy,
                priority="low",
                first_response_minutes=480,
                resolution_minutes=2400,
            ),
            SLATarget(
                policy=policy,
                priority="high",
                first_response_minutes=60,
                resolution_minutes=125,
            ),
        ]
    )
    return policy


def policy_rows(response) -> dict[str, SLAPolicy]:
    return {policy.name: policy for policy in response.context["policies"]}


# List


def test_list_shows_every_policy_with_hours_and_usage(client, technician, default_policy, policy):
    always = SLAPolicy.objects.create(name="Always on", is_24x7=True)
    Customer.objects.create(name="Acme", sla=policy)
    Customer.objects.create(name="Globex", sla=policy)
    Customer.objects.create(name="Initech")  # no policy of its own: the default applies
    client.force_login(technician)

    response = client.get(reverse("sla:list"))

    assert response.status_code == 200
    rows = policy_rows(response)
    assert (rows["Night desk"].working_days, rows["Night desk"].customer_count) == (3, 2)
    assert rows["Always on"].customer_count == 0
    assert rows[default_policy.name].working_days == 5
    assert rows[default_policy.name].customer_count == 1
    assert rows[default_policy.name].fallback_customers == 1
    html = response.content.decode()
    assert "Europe/Paris" in html
    assert "3 working days a week" in html
    assert "5 working days a week" in html
    assert "24/7" in html
    assert html.count('class="badge ok">Default<') == 1
    assert reverse("sla:detail", args=[always.pk]) in html
    assert "(incl. 1 without a policy of its own)" in html
    # The default policy comes first.
    assert next(iter(rows)) == default_policy.name


def test_list_query_count_does_not_grow_with_the_policies(
    client, technician, policy, django_assert_max_num_queries
):
    client.force_login(technician)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("sla:list"))

    for number in range(28):
        other = SLAPolicy.objects.create(name=f"Policy {number:02d}", time_zone="Asia/Tokyo")
        other.intervals.create(
            weekday=Weekday.TUESDAY, start=datetime.time(9), end=datetime.time(18)
        )
        Customer.objects.create(name=f"Customer {number:02d}", sla=other)
    assert SLAPolicy.objects.count() == 30

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("sla:list"))

    assert len(response.context["policies"]) == 30
    assert "Policy 27" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, default_policy):
    for url in (reverse("sla:list"), reverse("sla:detail", args=[default_policy.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# Detail


def test_detail_shows_the_calendar_grouped_by_weekday(client, technician, policy):
    client.force_login(technician)

    response = client.get(reverse("sla:detail", args=[policy.pk]))

    assert response.status_code == 200
    week = response.context["week"]
    assert [day["label"] for day in week] == [label for _, label in Weekday.choices]
    monday = [(i.start, i.end) for i in week[Weekday.MONDAY]["intervals"]]
    assert monday == [
        (datetime.time(8), datetime.time(12)),
        (datetime.time(13), datetime.time(17)),
    ]
    assert week[Weekday.SUNDAY]["intervals"] == []
    html = response.content.decode()
    assert "08:00–12:00" in html
    assert "13:00–17:00" in html
    assert "22:00–06:00 (next day)" in html
    assert "10:00–14:00 (next day)" not in html
    assert "Closed" in html
    assert "Europe/Paris" in html
    assert "Christmas" in html


def test_detail_shows_targets_in_minutes_and_hours_by_priority(client, technician, policy):
    client.force_login(technician)

    response = client.get(reverse("sla:detail", args=[policy.pk]))

    targets = response.context["targets"]
    assert [str(t.priority) for t in targets] == ["Low", "High", "Critical"]
    assert [(t.first_response, t.resolution) for t in targets] == [
        ("8 h", "40 h"),
        ("1 h", "2 h 5 min"),
        ("15 min", "1 h 30 min"),
    ]
    html = response.content.decode()
    assert "480 business minutes" in html
    assert "(1 h 30 min)" in html


def test_detail_shows_pausing_statuses_by_label_and_the_warning(client, technician, policy):
    client.force_login(technician)

    response = client.get(reverse("sla:detail", args=[policy.pk]))

    assert response.context["pause_labels"] == ["Waiting for customer", "Resolved"]
    html = response.content.decode()
    assert "Waiting for customer" in html
    assert "waiting_for_customer" not in html
    assert "75 % of the target used" in html


def test_admin_link_is_for_admins_only(client, admin_user, technician, policy):
    admin_url = reverse("admin:sla_slapolicy_change", args=[policy.pk])

    client.force_login(technician)
    assert admin_url not in client.get(reverse("sla:detail", args=[policy.pk])).content.decode()

    client.force_login(admin_user)
    html = client.get(reverse("sla:detail", args=[policy.pk])).content.decode()
    assert admin_url in html
    assert "Edit in the admin site" in html


def test_detail_of_a_24x7_policy_says_so(client, technician):
    always = SLAPolicy.objects.create(name="Always on", is_24x7=True)
    client.force_login(technician)

    response = client.get(reverse("sla:detail", args=[always.pk]))

    html = response.content.decode()
    assert "24/7: every minute counts" in html
    assert "Closed" not in html
    assert "The clock never pauses." in html


def test_detail_runs_a_fixed_number_of_queries(
    client, technician, policy, django_assert_max_num_queries
):
    client.force_login(technician)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("sla:detail", args=[policy.pk]))

    assert response.status_code == 200


def test_unknown_policy_is_404(client, technician):
    client.force_login(technician)

    assert client.get(reverse("sla:detail", args=[999_999])).status_code == 404
