"""Rule evaluation with durations; alerts open once, update, resolve; profile inheritance.

The clock is injected (``now``): no test sleeps.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from monitoring import services
from monitoring.models import (
    Alert,
    AlertState,
    Comparison,
    Device,
    Metric,
    Severity,
    ThresholdProfile,
)
from monitoring.models.devices import HISTORY_SLOTS

from .conftest import T0, add_rule, make_report, minutes, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def cpu_profile(customer):
    """The customer's own profile: CPU above 80 % for 10 minutes is a warning."""
    profile = ThresholdProfile.objects.create(name="CPU watch")
    rule = add_rule(profile, Metric.CPU_PERCENT, 80, duration_minutes=10)
    customer.threshold_profile = profile
    customer.save()
    return profile, rule


class TestDurations:
    def test_a_rule_fires_only_once_its_condition_has_held_for_its_duration(
        self, device, cpu_profile
    ):
        assert send(device, T0, cpu=95).opened == []
        assert send(device, T0 + minutes(5), cpu=96).opened == []
        assert (
            send(
                device,
                T0
                + minutes(
                    9,
                ),
                cpu=97,
            ).opened
            == []
        )

        opened = send(device, T0 + minutes(10), cpu=98).opened

        assert len(opened) == 1
        alert = Alert.objects.get()
        assert alert.opened_at == T0 + minutes(10)
        assert alert.last_value == 98
        assert alert.severity == Severity.WARNING

    def test_a_dip_below_the_threshold_restarts_the_duration(self, device, cpu_profile):
        send(device, T0, cpu=95)
        send(device, T0 + minutes(6), cpu=50)
        send(device, T0 + minutes(7), cpu=95)

        assert send(device, T0 + minutes(12), cpu=95).opened == []
        assert len(send(device, T0 + minutes(17), cpu=95).opened) == 1

    def test_a_rule_without_duration_fires_on_the_first_report(self, device, customer):
        # The default profile: a disk over 90 % is a warning at once, over 97 % critical.
        outcome = send(device, T0, volumes=(("/", 98.0, 2.0), ("/data", 10.0, 900.0)))

        assert sorted(a.severity for a in outcome.opened) == ["critical", "warning"]
        assert {a.volume for a in outcome.opened} == {"/"}

    @pytest.mark.parametrize(
        ("comparison", "value", "fires"),
        [
            (Comparison.ABOVE, 80, False),
            (Comparison.AT_LEAST, 80, True),
            (Comparison.BELOW, 80, False),
            (Comparison.AT_MOST, 80, True),
            (Comparison.BELOW, 79.9, True),
        ],
    )
    def test_comparisons(self, device, customer, comparison, value, fires):
        profile = ThresholdProfile.objects.create(name="Edge")
        add_rule(profile, Metric.MEMORY_PERCENT, 80, comparison=comparison)
        customer.threshold_profile = profile
        customer.save()

        assert bool(send(device, T0, memory=value).opened) is fires

    def test_a_volume_rule_looks_at_its_volume_only(self, device, customer):
        profile = ThresholdProfile.objects.create(name="Data disk")
        add_rule(profile, Metric.DISK_FREE_GB, 5, comparison=Comparison.BELOW, volume="D:")
        customer.threshold_profile = profile
        customer.save()

        outcome = send(device, T0, volumes=(("C:", 99.0, 1.0), ("d:", 50.0, 4.0)))

        assert [(a.metric, a.volume, a.last_value) for a in outcome.opened] == [
            (Metric.DISK_FREE_GB, "d:", 4.0)
        ]

    def test_disabled_rules_are_not_evaluated(self, device, cpu_profile):
        _profile, rule = cpu_profile
        rule.duration_minutes = 0
        rule.enabled = False
        rule.save()

        assert send(device, T0, cpu=99).opened == []


class TestTransitions:
    def test_open_once_update_while_holding_resolve_when_clear(self, device, cpu_profile):
        send(device, T0, cpu=95)
        send(device, T0 + minutes(10), cpu=95)
        update = send(device, T0 + minutes(11), cpu=99)

        assert update.opened == [] and len(update.updated) == 1
        alert = Alert.objects.get()
        assert alert.state == AlertState.OPEN
        assert alert.last_value == 99
        assert alert.updated_at == T0 + minutes(11)

        resolved = send(device, T0 + minutes(12), cpu=20)

        assert len(resolved.resolved) == 1
        alert.refresh_from_db()
        assert alert.state == AlertState.RESOLVED
        assert alert.resolved_at == T0 + minutes(12)
        assert Alert.objects.count() == 1

    def test_a_new_breach_after_resolution_opens_a_new_alert(self, device, customer):
        send(device, T0, volumes=(("/", 95.0, 5.0),))
        send(device, T0 + minutes(1), volumes=(("/", 50.0, 50.0),))
        send(device, T0 + minutes(2), volumes=(("/", 95.0, 5.0),))

        states = list(Alert.objects.order_by("pk").values_list("state", flat=True))
        assert states == [AlertState.RESOLVED, AlertState.OPEN]

    def test_an_acknowledged_alert_updates_and_resolves_like_an_open_one(self, device, admin_user):
        send(device, T0, volumes=(("/", 95.0, 5.0),))
        alert = Alert.objects.get()
        assert services.acknowledge(alert, admin_user, now=T0)

        assert send(device, T0 + minutes(1), volumes=(("/", 96.0, 4.0),)).opened == []
        send(device, T0 + minutes(2), volumes=(("/", 10.0, 90.0),))

        alert.refresh_from_db()
        assert alert.state == AlertState.RESOLVED
        assert alert.acknowledged_by == admin_user

    def test_the_database_keeps_one_active_alert_per_device_rule_and_volume(self, device):
        send(device, T0, volumes=(("/", 95.0, 5.0),))
        alert = Alert.objects.get()
        alert.pk = None

        with pytest.raises(IntegrityError), transaction.atomic():
            alert.save()

    def test_a_disabled_rules_alert_resolves_at_the_next_report(self, device):
        send(device, T0, volumes=(("/", 95.0, 5.0),))
        alert = Alert.objects.get()
        alert.rule.enabled = False
        alert.rule.save()

        send(device, T0 + minutes(1), volumes=(("/", 95.0, 5.0),))

        alert.refresh_from_db()
        assert alert.state == AlertState.RESOLVED

    def test_critical_alerts_are_emailed_and_warnings_are_not_by_default(
        self, device, settings, django_capture_on_commit_callbacks
    ):
        settings.ATERA_ALERT_EMAIL = "noc@msp.example"
        with django_capture_on_commit_callbacks(execute=True):
            send(device, T0, volumes=(("/", 98.0, 2.0),))

        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["noc@msp.example"]
        assert "Critical" in mail.outbox[0].subject
        assert "pc-01" in mail.outbox[0].subject
        assert Alert.objects.get(severity="critical").emailed_at == T0
        assert Alert.objects.get(severity="warning").emailed_at is None

    def test_a_profile_can_email_warnings_too(
        self, device, customer, settings, django_capture_on_commit_callbacks
    ):
        settings.ATERA_ALERT_EMAIL = "noc@msp.example"
        ThresholdProfile.objects.filter(is_default=True).update(email_warning=True)

        with django_capture_on_commit_callbacks(execute=True):
            send(device, T0, volumes=(("/", 98.0, 2.0),))

        assert len(mail.outbox) == 2


class TestProfileInheritance:
    def test_a_device_uses_the_default_profile_when_its_customer_has_none(self, device):
        assert device.customer.threshold_profile is None

        assert services.effective_profile(device).is_default
        assert {r.profile.name for r in services.rules_for(device)} == {"Standard"}

    def test_the_customers_profile_overrides_the_default(self, device, cpu_profile):
        profile, _rule = cpu_profile
        device = Device.objects.get(pk=device.pk)

        assert services.effective_profile(device) == profile
        assert [r.metric for r in services.rules_for(device)] == [Metric.CPU_PERCENT]
        # The default's disk rule does not apply any more.
        assert send(device, T0, volumes=(("/", 99.0, 1.0),)).opened == []

    def test_the_devices_own_profile_overrides_the_customers(
        self, device, cpu_profile, empty_profile
    ):
        add_rule(empty_profile, Metric.MEMORY_PERCENT, 10)
        services.set_device_profile(device, empty_profile)

        outcome = send(device, T0, cpu=99, memory=50)

        assert services.effective_profile(device) == empty_profile
        assert [a.metric for a in outcome.opened] == [Metric.MEMORY_PERCENT]

    def test_alerts_of_the_previous_profile_resolve_at_the_next_report(
        self, device, empty_profile
    ):
        send(device, T0, volumes=(("/", 95.0, 5.0),))
        services.set_device_profile(device, empty_profile)

        send(device, T0 + minutes(1), volumes=(("/", 95.0, 5.0),))

        assert Alert.objects.get().state == AlertState.RESOLVED


class TestOfflineCheck:
    def test_no_report_for_n_minutes_opens_an_availability_alert(self, device):
        send(device, T0)

        assert services.check_offline(now=T0 + minutes(9)) == (0, 0)
        assert services.check_offline(now=T0 + minutes(10)) == (1, 0)

        alert = Alert.objects.get()
        assert alert.metric == Metric.OFFLINE_MINUTES
        assert alert.severity == Severity.CRITICAL
        assert alert.last_value == 10.0

    def test_the_check_opens_one_alert_however_often_it_runs(self, device):
        send(device, T0)

        services.check_offline(now=T0 + minutes(15))
        services.check_offline(now=T0 + minutes(16))

        assert Alert.objects.count() == 1

    def test_the_next_report_resolves_it(self, device):
        send(device, T0)
        services.check_offline(now=T0 + minutes(12))

        outcome = send(device, T0 + minutes(13))

        assert [a.metric for a in outcome.resolved] == [Metric.OFFLINE_MINUTES]
        assert Alert.objects.get().state == AlertState.RESOLVED

    def test_a_device_that_never_reported_counts_from_its_enrolment(self, enrol):
        enrol(at=T0)

        assert services.check_offline(now=T0 + minutes(11)) == (1, 0)

    def test_the_rule_of_the_effective_profile_decides(self, device, customer):
        patient = ThresholdProfile.objects.create(name="Patient")
        add_rule(patient, Metric.OFFLINE_MINUTES, 60, comparison=Comparison.AT_LEAST)
        customer.threshold_profile = patient
        customer.save()
        send(device, T0)

        assert services.check_offline(now=T0 + minutes(30)) == (0, 0)
        assert services.check_offline(now=T0 + minutes(60)) == (1, 0)

    def test_revoked_devices_are_not_watched(self, device):
        send(device, T0)
        services.revoke_device(device, now=T0)

        assert services.check_offline(now=T0 + minutes(30)) == (0, 0)

    def test_disabling_the_offline_rule_resolves_its_alerts(self, device):
        send(device, T0)
        services.check_offline(now=T0 + minutes(12))
        ThresholdProfile.objects.get(is_default=True).rules.filter(
            metric=Metric.OFFLINE_MINUTES
        ).update(enabled=False)

        assert services.check_offline(now=T0 + minutes(13)) == (0, 1)

    def test_the_beat_task_runs_the_check(self, device, monkeypatch):
        from monitoring.tasks import check_offline

        send(device, T0)
        monkeypatch.setattr(timezone, "now", lambda: T0 + minutes(20))

        assert check_offline.apply().get() == {"opened": 1, "resolved": 0}

    def test_the_beat_schedule_runs_the_check_every_minute(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["monitoring-check-offline"]

        assert entry["task"] == "monitoring.check_offline"
        assert entry["schedule"] == 60


class TestHistoryAndCost:
    def test_history_is_bounded_per_device(self, device):
        for n in range(HISTORY_SLOTS + 15):
            send(device, T0 + minutes(n))

        samples = device.samples.order_by("received_at")
        assert samples.count() == HISTORY_SLOTS
        assert samples.first().received_at == T0 + minutes(15)
        device.refresh_from_db()
        assert device.report_count == HISTORY_SLOTS + 15

    def test_latest_values_are_stored_on_the_device(self, device):
        send(device, T0, cpu=12.5, memory=40.0, volumes=(("C:", 70.0, 30.0),))

        device.refresh_from_db()
        assert (device.cpu_percent, device.memory_percent) == (12.5, 40.0)
        assert device.volumes == [
            {"name": "C:", "used_percent": 70.0, "free_gb": 30.0, "total_gb": 60.0}
        ]
        assert device.last_seen_at == T0

    @pytest.mark.parametrize("other_devices", [0, 40])
    def test_a_report_costs_the_same_queries_whatever_the_number_of_devices(
        self, enrol, customer, other_devices, django_assert_max_num_queries
    ):
        for n in range(other_devices):
            other, _key = enrol(hostname=f"other-{n}")
            send(other, T0, volumes=(("/", 95.0, 5.0),))
        device, key = enrol(hostname="measured")
        send(device, T0, cpu=10, volumes=(("/", 95.0, 5.0),))

        # Lock + rules + active alerts + history + device + alert changes (+ savepoint).
        with django_assert_max_num_queries(9), transaction.atomic():
            locked = services.device_for_key(key, lock=True)
            services.record_report(
                locked, make_report(T0 + minutes(1), volumes=(("/", 50.0, 50.0),)), T0
            )

    def test_evaluate_is_pure(self):
        from monitoring.models import ThresholdRule

        rule = ThresholdRule(
            pk=7,
            metric=Metric.CPU_PERCENT,
            comparison="gt",
            threshold=Decimal(50),
            duration_minutes=5,
        )
        report = make_report(cpu=60)

        first = services.evaluate([rule], report.observations(), {}, T0)
        later = services.evaluate([rule], report.observations(), first.conditions, T0 + minutes(5))

        assert first.firing == {} and first.conditions == {"7:": T0.isoformat()}
        assert list(later.firing) == ["7:"]
