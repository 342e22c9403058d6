"""The SLA report: medians, shares and breaches on a fixed data set, CSV, filters, roles,
query counts."""

import csv
import datetime
import io
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sla.models import BusinessInterval
from tests.factories import CustomerFactory, SLAPolicyFactory
from tickets.models import Ticket
from tickets.reports import sla_report

pytestmark = pytest.mark.django_db

REPORT = "/tickets/reports/sla/"
UTC = datetime.UTC
# A Friday; the period below runs from Sunday 1 March to this day.
NOW = datetime.datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
PERIOD = {"date_from": "2026-03-01", "date_to": "2026-03-20"}


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def ticket(customer, policy, created_at, status="resolved", **times) -> Ticket:
    """A ticket with the given times; created_at is set after the insert (auto_now_add)."""
    record = Ticket.objects.create(
        subject="Report", source="console", customer=customer, sla_policy=policy, status=status
    )
    Ticket.objects.filter(pk=record.pk).update(created_at=created_at, **times)
    return record


@pytest.fixture
def office_policy(db):
    """Monday to Friday, 09:00–17:00 UTC."""
    policy = SLAPolicyFactory(name="Office hours")
    for weekday in range(5):
        BusinessInterval.objects.create(
            policy=policy, weekday=weekday, start=datetime.time(9), end=datetime.time(17)
        )
    return policy


@pytest.fixture
def data(default_policy, office_policy):
    """Acme on the 24/7 policy, Beta on office hours, one ticket awaiting triage."""
    acme = CustomerFactory(name="Acme")
    beta = CustomerFactory(name="Beta")
    # Acme, 24/7: first response due after 60 minutes, resolution after 480.
    ticket(
        acme,
        default_policy,
        at(2, 10),
        first_response_due=at(2, 11),
        first_responded_at=at(2, 10, 30),
        resolution_due=at(2, 18),
        resolved_at=at(2, 12),
    )
    ticket(
        acme,
        default_policy,
        at(3, 10),
        first_response_due=at(3, 11),
        first_responded_at=at(3, 11, 30),
        resolution_due=at(3, 18),
        resolved_at=at(3, 20),
    )
    # Paused for 120 minutes: the resolution due time moved on by as much.
    ticket(
        acme,
        default_policy,
        at(4, 10),
        first_response_due=at(4, 11),
        first_responded_at=at(4, 10, 50),
        resolution_due=at(4, 20),
        resolved_at=at(4, 19),
        paused_minutes=120,
    )
    # Still open and past both due times: two targets missed, one ticket breached.
    ticket(
        acme,
        default_policy,
        at(19, 9),
        status="open",
        first_response_due=at(19, 10),
        resolution_due=at(19, 17),
    )
    # Open and not due yet: nothing decided.
    ticket(
        acme,
        default_policy,
        at(20, 11, 30),
        status="open",
        first_response_due=at(20, 12, 30),
        resolution_due=at(20, 19, 30),
    )
    # Outside the period.
    ticket(
        acme,
        default_policy,
        at(28, 10, month=2),
        first_response_due=at(28, 11, month=2),
        first_responded_at=at(28, 15, month=2),
    )

    # Beta, office hours: Friday 16:00 to Monday 09:30 is 90 business minutes.
    ticket(
        beta,
        office_policy,
        at(13, 16),
        first_response_due=at(16, 10),
        first_responded_at=at(16, 9, 30),
        resolution_due=at(17, 16),
        resolved_at=at(16, 10),
    )
    ticket(
        beta,
        office_policy,
        at(16, 9),
        status="open",
        first_response_due=at(16, 11),
        first_responded_at=at(16, 9, 15),
        resolution_due=at(16, 12),
    )
    # Waiting for the customer since before its due time: the clock stopped, not missed.
    ticket(
        beta,
        office_policy,
        at(17, 9),
        status="waiting_for_customer",
        first_response_due=at(17, 11),
        first_responded_at=at(17, 9, 20),
        resolution_due=at(17, 11),
        paused_at=at(17, 9, 30),
    )

    # Awaiting triage: no customer, no policy, no due times.
    ticket(None, None, at(5, 8), status="new")
    return acme, beta


def frozen(now=NOW):
    return mock.patch("django.utils.timezone.now", return_value=now)


def test_medians_shares_and_breaches(admin_user, data):
    report = sla_report(
        admin_user,
        date_from=datetime.date(2026, 3, 1),
        date_to=datetime.date(2026, 3, 20),
        now=NOW,
    )
    acme, beta, triage = report.rows
    assert (acme.name, beta.name, triage.customer_id) == ("Acme", "Beta", None)

    assert acme.opened == 5
    assert acme.median_first_response == 50.0  # 30, 50, 90
    assert acme.median_resolution == 420.0  # 120, 420 (540 less 120 paused), 600
    assert (acme.first_response_met, acme.first_response_decided) == (2, 4)
    assert (acme.resolution_met, acme.resolution_decided) == (2, 4)
    assert acme.first_response_share == 50.0
    assert acme.breached == 2

    assert beta.opened == 3
    assert sorted(beta.first_response_minutes) == [15, 20, 90]
    assert beta.median_first_response == 20.0
    assert beta.median_resolution == 120.0  # Friday 16:00 to Monday 10:00 in business time
    assert (beta.first_response_met, beta.first_response_decided) == (3, 3)
    assert (beta.resolution_met, beta.resolution_decided) == (1, 2)
    assert beta.breached == 1

    assert triage.opened == 1
    assert triage.median_first_response is None
    assert triage.first_response_share is None
    assert triage.breached == 0

    total = report.total
    assert total.opened == 9
    assert total.median_first_response == 40.0  # 15, 20, 30, 50, 90, 90
    assert total.median_resolution == 270.0  # 120, 120, 420, 600
    assert total.first_response_share == 71.4  # 5 of 7
    assert total.resolution_share == 50.0  # 3 of 6
    assert total.breached == 3


def test_breaches_depend_on_now(admin_user, data):
    # Before the open Acme ticket's first response was due, it has breached nothing yet.
    report = sla_report(
        admin_user,
        date_from=datetime.date(2026, 3, 1),
        date_to=datetime.date(2026, 3, 20),
        now=at(19, 9, 30),
    )
    assert report.rows[0].breached == 1


def test_page_shows_the_table_and_the_chart(admin_client, data):
    with frozen():
        page = admin_client.get(REPORT, PERIOD)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Median first response (business minutes)" in body
    assert "Awaiting triage" in body
    assert "<svg" in body and 'class="first-response"' in body
    rows = page.context["report"].rows
    assert [row.name for row in rows] == ["Acme", "Beta", "Awaiting triage"]
    assert page.context["chart"].rows[0].bars[0].share == 50.0
    assert "format=csv" in body


def test_csv_export(admin_client, data):
    acme, _beta = data
    acme.name = "=HYPERLINK(1)"
    acme.save(update_fields=["name"])
    with frozen():
        response = admin_client.get(REPORT, {**PERIOD, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "sla-report-2026-03-01-2026-03-20.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "Customer",
            "Tickets opened",
            "Median first response (business minutes)",
            "Median resolution (business minutes)",
            "First response met (%)",
            "Resolution met (%)",
            "Tickets breached",
        ],
        ["'=HYPERLINK(1)", "5", "50", "420", "50", "50", "2"],
        ["Beta", "3", "20", "120", "100", "50", "1"],
        ["Awaiting triage", "1", "", "", "", "", "0"],
        ["All customers", "9", "40", "270", "71.4", "50", "3"],
    ]


def test_customer_filter(admin_client, data):
    _acme, beta = data
    with frozen():
        response = admin_client.get(REPORT, {**PERIOD, "customer": beta.pk, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1:] == [["Beta", "3", "20", "120", "100", "50", "1"]]


def test_default_period_is_the_last_30_days(admin_client, default_policy):
    acme = CustomerFactory(name="Acme")
    ticket(acme, default_policy, NOW - datetime.timedelta(days=29, hours=12))
    ticket(acme, default_policy, NOW - datetime.timedelta(days=31))
    with frozen():
        page = admin_client.get(REPORT)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.cleaned_data["date_from"] == datetime.date(2026, 2, 19)
    assert form.cleaned_data["date_to"] == datetime.date(2026, 3, 20)
    assert page.context["report"].total.opened == 1


def test_empty_period(admin_client, data):
    with frozen():
        page = admin_client.get(REPORT, {"date_from": "2025-01-01", "date_to": "2025-01-31"})
    assert page.status_code == 200
    assert "No tickets were opened in this period." in page.content.decode()


@pytest.mark.parametrize(
    "query, field",
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2026-02-30"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"customer": "999999"}, "customer"),
        ({"customer": "99999999999999999999999"}, "customer"),
        ({"customer": "abc"}, "customer"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "__all__"),
    ],
)
def test_bad_input_is_a_form_error(admin_client, data, query, field):
    with frozen():
        page = admin_client.get(REPORT, query)
        export = admin_client.get(REPORT, {**query, "format": "csv"})
    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert page.context["report"] is None
    # The export refuses the same input with the page and its errors, never a file.
    assert export.status_code == 400
    assert export["Content-Type"].startswith("text/html")


def test_anonymous_is_sent_to_sign_in():
    response = Client().get(REPORT)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_technicians_may_see_the_report(technician_client, data):
    with frozen():
        assert technician_client.get(REPORT, PERIOD).status_code == 200


def test_the_list_links_to_the_report(admin_client, default_policy):
    assert REPORT in admin_client.get("/tickets/").content.decode()


def seed(count: int, customers, policies) -> None:
    for index in range(count):
        ticket(
            customers[index % len(customers)],
            policies[index % len(policies)],
            at(2 + index % 15, 9 + index % 7),
            first_response_due=at(2 + index % 15, 10),
            first_responded_at=at(2 + index % 15, 9 + index % 7, 30),
            resolution_due=at(2 + index % 15, 17),
            resolved_at=at(2 + index % 15, 16),
        )


def count_queries(client, query) -> int:
    with frozen(), CaptureQueriesContext(connection) as queries:
        assert client.get(REPORT, query).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_tickets(
    admin_client, default_policy, office_policy, django_assert_max_num_queries
):
    customers = [CustomerFactory(name=f"Customer {n}") for n in range(3)]
    policies = [default_policy, office_policy]
    seed(5, customers, policies)
    few = count_queries(admin_client, PERIOD)
    seed(45, customers, policies)
    assert Ticket.objects.count() == 50
    with django_assert_max_num_queries(few), frozen():
        page = admin_client.get(REPORT, PERIOD)
    assert page.context["report"].total.opened == 50
    with django_assert_max_num_queries(few), frozen():
        admin_client.get(REPORT, {**PERIOD, "format": "csv"})


def test_french_page_takes_iso_dates_and_shows_local_numbers(admin_client, data):
    with frozen():
        page = admin_client.get(REPORT, PERIOD, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert page.status_code == 200
    assert "71,4" in page.content.decode()  # the share of first responses met, all customers
