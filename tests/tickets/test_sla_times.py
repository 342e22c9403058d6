"""Ticket due times on a business-hours calendar: priority changes, pauses, warnings."""

import datetime

import pytest

from sla.models import BusinessInterval, SLATarget
from tests.factories import ContactFactory, CustomerFactory, SLAPolicyFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
FRIDAY_1630 = datetime.datetime(2026, 12, 4, 16, 30, tzinfo=UTC)


@pytest.fixture
def office_hours():
    """Monday to Friday, 09:00–17:00 UTC; high priority: 30 min to answer, 240 to resolve."""
    policy = SLAPolicyFactory(pause_statuses=["waiting_for_customer"], warning_percent=50)
    for weekday in range(5):
        BusinessInterval.objects.create(
            policy=policy, weekday=weekday, start=datetime.time(9), end=datetime.time(17)
        )
    SLATarget.objects.create(
        policy=policy, priority="high", first_response_minutes=30, resolution_minutes=240
    )
    SLATarget.objects.create(
        policy=policy, priority="low", first_response_minutes=480, resolution_minutes=2400
    )
    return policy


def friday_ticket(policy) -> Ticket:
    customer = CustomerFactory(sla=policy)
    requester = ContactFactory(customer=customer)
    ticket = services.create_ticket(
        subject="x", source="console", customer=customer, requester=requester, priority="low"
    )
    Ticket.objects.filter(pk=ticket.pk).update(created_at=FRIDAY_1630)
    ticket.refresh_from_db()
    return ticket


def test_ticket_captures_the_customers_policy(office_hours):
    ticket = friday_ticket(office_hours)
    assert ticket.sla_policy == office_hours
    assert ticket.first_response_due is not None


def test_priority_change_recomputes_due_times_in_business_time(office_hours):
    ticket = friday_ticket(office_hours)

    services.change_priority(ticket, "high")

    # 30 business minutes from Friday 16:30: 30 on Friday, so Friday 17:00.
    assert ticket.first_response_due == datetime.datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    # 240: 30 on Friday, 210 on Monday from 09:00.
    assert ticket.resolution_due == datetime.datetime(2026, 12, 7, 12, 30, tzinfo=UTC)
    # Warning at half the business time of the nearest target: Friday 16:45.
    assert ticket.attention_at == datetime.datetime(2026, 12, 4, 16, 45, tzinfo=UTC)
    assert ticket.next_due == ticket.first_response_due


def test_a_pause_over_the_weekend_extends_by_business_minutes_only(office_hours, monkeypatch):
    ticket = friday_ticket(office_hours)
    services.change_priority(ticket, "high")
    monkeypatch.setattr(
        services, "_now", lambda: datetime.datetime(2026, 12, 4, 16, 40, tzinfo=UTC)
    )
    services.change_status(ticket, "waiting_for_customer")
    assert ticket.next_due is None

    monkeypatch.setattr(
        services, "_now", lambda: datetime.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    )
    services.change_status(ticket, "open")

    # Paused Friday 16:40–17:00 and Monday 09:00–10:00: 80 business minutes.
    assert ticket.paused_minutes == 80
    assert ticket.resolution_due == datetime.datetime(2026, 12, 7, 13, 50, tzinfo=UTC)
    assert ticket.first_response_due == datetime.datetime(2026, 12, 7, 10, 20, tzinfo=UTC)

    # A later priority change keeps the paused minutes.
    services.change_priority(ticket, "low")
    services.change_priority(ticket, "high")
    assert ticket.resolution_due == datetime.datetime(2026, 12, 7, 13, 50, tzinfo=UTC)


def test_resolving_stamps_and_reopening_clears(office_hours):
    ticket = friday_ticket(office_hours)
    services.change_status(ticket, "resolved")
    assert ticket.resolved_at is not None
    assert ticket.next_due is None and ticket.attention_at is None
    services.change_status(ticket, "open")
    assert ticket.resolved_at is None
    assert ticket.next_due is not None
