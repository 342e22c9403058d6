"""Monitoring fixtures: enrolled devices, reports built at a controlled time, rules."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from monitoring import services
from monitoring.models import Device, ThresholdProfile, ThresholdRule
from tests.factories import CustomerFactory

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
_sequence = itertools.count(1)


def make_report(
    at: datetime = T0,
    cpu: float = 10.0,
    memory: float = 20.0,
    volumes: tuple[tuple[str, float, float], ...] = (("/", 50.0, 100.0),),
    sequence: int | None = None,
) -> services.Report:
    return services.Report(
        sent_at=at,
        sequence=sequence or next(_sequence),
        cpu_percent=cpu,
        memory_percent=memory,
        uptime_seconds=3600,
        volumes=tuple(
            services.Volume(name=name, used_percent=used, free_gb=free, total_gb=free * 2)
            for name, used, free in volumes
        ),
    )


def send(device: Device, at: datetime = T0, **values) -> services.ReportOutcome:
    """Record a report at ``at`` (server time and agent time alike) as the API does."""
    device.refresh_from_db()
    return services.record_report(device, make_report(at, **values), now=at)


def add_rule(profile: ThresholdProfile, metric: str, threshold, **fields) -> ThresholdRule:
    return ThresholdRule.objects.create(
        profile=profile, metric=metric, threshold=Decimal(str(threshold)), **fields
    )


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def enrol(customer):
    """Enrol a device under ``customer`` (or another) and return (device, key)."""

    def factory(for_customer=None, hostname: str = "pc-01", at: datetime = T0):
        target = for_customer or customer
        token = services.rotate_enrolment_token(target, now=at)
        return services.enrol(token, hostname, "Linux 6.1", "workstation", now=at)

    return factory


@pytest.fixture
def device(enrol) -> Device:
    return enrol()[0]


@pytest.fixture
def empty_profile(db) -> ThresholdProfile:
    return ThresholdProfile.objects.create(name="Quiet")


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
