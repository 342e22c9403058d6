"""Console pages for monitoring: roles, CSRF forms, query counts that do not grow, no 500s."""

import re

import pytest
from django.urls import reverse

from monitoring import services
from monitoring.models import Alert, AlertState, EnrolmentToken, Metric, ThresholdProfile
from tests.factories import CustomerFactory

from .conftest import T0, minutes, send

pytestmark = pytest.mark.django_db


def devices_url(customer) -> str:
    return reverse("customers:devices", args=[customer.pk])


def make_devices(enrol, customer, count: int, alerting: bool = True):
    devices = []
    for n in range(count):
        device, _key = enrol(for_customer=customer, hostname=f"host-{n:03d}")
        send(device, T0, cpu=33.3, volumes=(("/", 95.0 if alerting else 10.0, 5.0),))
        devices.append(device)
    return devices


class TestDevicesTab:
    def test_lists_devices_with_values_and_open_alerts(self, technician_client, enrol, customer):
        make_devices(enrol, customer, 2)

        page = technician_client.get(devices_url(customer)).content.decode()

        assert "host-000" in page and "host-001" in page
        assert "33.3" in page
        assert 'aria-current="page">Devices' in page
        assert "Rotate token" not in page

    @pytest.mark.parametrize("count", [1, 12])
    def test_query_count_does_not_grow_with_devices(
        self, admin_client, enrol, customer, count, django_assert_max_num_queries
    ):
        make_devices(enrol, customer, count)

        with django_assert_max_num_queries(10):
            assert admin_client.get(devices_url(customer)).status_code == 200

    def test_an_admin_rotates_the_token_and_sees_it_once(self, admin_client, customer):
        answer = admin_client.post(devices_url(customer))

        page = answer.content.decode()
        token = re.search(r'id="enrolment-token" type="text" readonly value="([^"]+)"', page)[1]
        assert answer["Cache-Control"] == "no-store"
        assert EnrolmentToken.objects.get().token_hash == services.hash_secret(token)
        assert token not in admin_client.get(devices_url(customer)).content.decode()

    def test_a_technician_cannot_rotate_the_token(self, technician_client, customer):
        assert technician_client.post(devices_url(customer)).status_code == 403
        assert not EnrolmentToken.objects.exists()

    def test_an_unknown_customer_is_404(self, admin_client):
        assert admin_client.get("/customers/999999/devices/").status_code == 404


class TestDevicePage:
    def test_shows_history_chart_values_and_alerts(self, technician_client, device):
        for n in range(5):
            send(device, T0 + minutes(n), cpu=10.0 * n, volumes=(("/", 95.0, 5.0),))

        page = technician_client.get(device.get_absolute_url()).content.decode()

        assert '<polyline class="cpu"' in page
        assert "Last 5 reports" in page
        assert "Disk used % (per volume)" in page
        assert "Revoke device" not in page

    @pytest.mark.parametrize("reports", [1, 30])
    def test_query_count_does_not_grow_with_history_or_alerts(
        self, admin_client, device, reports, django_assert_max_num_queries
    ):
        for n in range(reports):
            send(device, T0 + minutes(n), volumes=(("/", 95.0 if n % 2 else 10.0, 5.0),))

        with django_assert_max_num_queries(12):
            assert admin_client.get(device.get_absolute_url()).status_code == 200

    def test_an_admin_revokes_a_device(self, admin_client, device):
        answer = admin_client.post(reverse("monitoring:device_revoke", args=[device.pk]))

        assert answer.status_code == 302
        device.refresh_from_db()
        assert device.revoked_at is not None

    def test_a_technician_cannot_revoke_or_change_the_profile(self, technician_client, device):
        assert (
            technician_client.post(reverse("monitoring:device_revoke", args=[device.pk]))
        ).status_code == 403
        assert (
            technician_client.post(reverse("monitoring:device_profile", args=[device.pk]))
        ).status_code == 403

    def test_an_admin_gives_the_device_its_own_profile(self, admin_client, device):
        own = ThresholdProfile.objects.create(name="Servers")

        admin_client.post(
            reverse("monitoring:device_profile", args=[device.pk]),
            {"threshold_profile": own.pk},
        )

        device.refresh_from_db()
        assert device.threshold_profile == own

    def test_a_bad_profile_choice_is_a_message_not_a_500(self, admin_client, device):
        answer = admin_client.post(
            reverse("monitoring:device_profile", args=[device.pk]),
            {"threshold_profile": "nope"},
            follow=True,
        )

        assert answer.status_code == 200
        assert "Choose a threshold profile" in answer.content.decode()

    def test_an_unknown_device_is_404(self, admin_client):
        assert admin_client.get("/monitoring/devices/424242/").status_code == 404


class TestAlertList:
    @pytest.mark.parametrize("count", [1, 15])
    def test_query_count_does_not_grow_with_alerts(
        self, technician_client, enrol, customer, count, django_assert_max_num_queries
    ):
        make_devices(enrol, customer, count)

        with django_assert_max_num_queries(10):
            page = technician_client.get(reverse("monitoring:alerts"))

        assert page.status_code == 200
        assert page.content.decode().count("host-0") >= count

    def test_filters_by_customer_severity_and_state(self, admin_client, enrol, customer):
        other = CustomerFactory(name="Other Co")
        make_devices(enrol, customer, 1)
        (other_device,) = make_devices(enrol, other, 1)
        send(other_device, T0 + minutes(1), volumes=(("/", 10.0, 90.0),))
        url = reverse("monitoring:alerts")

        mine = admin_client.get(url, {"customer": customer.pk}).context["alerts"]
        warnings = admin_client.get(url, {"severity": "warning"}).context["alerts"]
        resolved = admin_client.get(url, {"state": "resolved"}).context["alerts"]

        assert {a.device.customer_id for a in mine} == {customer.pk}
        assert {a.severity for a in warnings} == {"warning"}
        assert {a.device.customer_id for a in resolved} == {other.pk}

    @pytest.mark.parametrize(
        "query",
        [
            {"customer": "x"},
            {"customer": "-1"},
            {"customer": "99999999999999999999999"},
            {"severity": "<script>"},
            {"state": "gone"},
            {"page": "999"},
            {"page": "abc"},
        ],
    )
    def test_bad_filters_never_500(self, technician_client, query):
        assert technician_client.get(reverse("monitoring:alerts"), query).status_code == 200

    def test_acknowledge_and_snooze(self, technician_client, technician, device):
        send(device, T0, volumes=(("/", 95.0, 5.0),))
        alert = Alert.objects.get()

        technician_client.post(reverse("monitoring:alert_acknowledge", args=[alert.pk]))
        technician_client.post(
            reverse("monitoring:alert_snooze", args=[alert.pk]),
            {"hours": "4", "next": "https://evil.example/"},
        )

        alert.refresh_from_db()
        assert alert.state == AlertState.ACKNOWLEDGED
        assert alert.acknowledged_by == technician
        assert alert.snoozed_until is not None
        snoozed = technician_client.get(reverse("monitoring:alerts"), {"state": "snoozed"})
        assert list(snoozed.context["alerts"]) == [alert]

    def test_actions_need_post_and_a_csrf_token(self, technician, device):
        from django.test import Client

        send(device, T0, volumes=(("/", 95.0, 5.0),))
        alert = Alert.objects.get()
        client = Client(enforce_csrf_checks=True)
        client.force_login(technician)
        url = reverse("monitoring:alert_acknowledge", args=[alert.pk])

        assert client.get(url).status_code == 405
        assert client.post(url).status_code == 403
        assert Alert.objects.get().state == AlertState.OPEN

    def test_unknown_alert_is_404(self, technician_client):
        url = reverse("monitoring:alert_acknowledge", args=[999999])
        assert technician_client.post(url).status_code == 404

    def test_anonymous_users_are_sent_to_sign_in(self, client):
        assert client.get(reverse("monitoring:alerts")).status_code == 302


class TestDashboard:
    def test_shows_alert_counts(self, technician_client, device):
        send(device, T0, volumes=(("/", 98.0, 2.0),))
        services.check_offline(now=T0 + minutes(30))

        context = technician_client.get("/").context

        assert context["alert_counts"]["critical"] == 2
        assert context["alert_counts"]["warning"] == 1
        assert context["alert_counts"]["offline"] == 1
        assert context["device_count"] == 1


class TestProfileEditor:
    def formset_data(self, profile, rules: list[dict], **fields) -> dict:
        data = {
            "name": profile.name if profile else "Servers",
            "description": "",
            "email_critical": "on",
            "rules-TOTAL_FORMS": str(len(rules)),
            "rules-INITIAL_FORMS": str(sum(1 for r in rules if r.get("id"))),
            "rules-MIN_NUM_FORMS": "0",
            "rules-MAX_NUM_FORMS": "1000",
        }
        for index, rule in enumerate(rules):
            for key, value in rule.items():
                data[f"rules-{index}-{key}"] = value
        data.update(fields)
        return data

    def test_technicians_cannot_open_the_editor(self, technician_client):
        assert technician_client.get(reverse("monitoring:profiles")).status_code == 403
        assert technician_client.get(reverse("monitoring:profile_new")).status_code == 403

    def test_the_sidebar_links_to_the_console_editor(self, admin_client):
        page = admin_client.get("/").content.decode()
        assert reverse("monitoring:profiles") in page
        assert reverse("monitoring:alerts") in page

    def test_an_admin_creates_a_profile_with_rules(self, admin_client):
        rule = {
            "metric": Metric.CPU_PERCENT,
            "comparison": "gt",
            "threshold": "85",
            "duration_minutes": "5",
            "volume": "",
            "severity": "critical",
            "enabled": "on",
        }

        answer = admin_client.post(
            reverse("monitoring:profile_new"),
            self.formset_data(None, [rule], email_warning="on"),
        )

        assert answer.status_code == 302, answer.context and answer.context["rules"].errors
        profile = ThresholdProfile.objects.get(name="Servers")
        assert profile.email_warning and profile.email_critical and not profile.email_information
        assert list(profile.rules.values_list("metric", "severity")) == [
            ("cpu_percent", "critical")
        ]

    def test_a_new_profile_emails_only_critical_alerts_by_default(self, admin_client):
        form = admin_client.get(reverse("monitoring:profile_new")).context["form"]

        assert form["email_critical"].value() is True
        assert form["email_warning"].value() is False
        assert form["email_information"].value() is False

    def test_lowering_a_threshold_and_disabling_a_rule(self, admin_client, device):
        send(device, T0, cpu=50, volumes=(("/", 95.0, 5.0),))
        profile = ThresholdProfile.objects.get(is_default=True)
        url = reverse("monitoring:profile", args=[profile.pk])
        rules = []
        for rule in profile.rules.order_by("metric", "threshold", "pk"):
            row = {
                "id": str(rule.pk),
                "metric": rule.metric,
                "comparison": rule.comparison,
                "threshold": str(rule.threshold),
                "duration_minutes": str(rule.duration_minutes),
                "volume": rule.volume,
                "severity": rule.severity,
            }
            if rule.metric == Metric.CPU_PERCENT:
                row.update(threshold="40", duration_minutes="0")
            if rule.metric != Metric.DISK_USED_PERCENT:
                row["enabled"] = "on"
            rules.append(row)

        answer = admin_client.post(url, self.formset_data(profile, rules, name="Standard"))

        assert answer.status_code == 302
        # Disabling the disk rules resolved their alerts at once...
        assert not Alert.objects.filter(state=AlertState.OPEN).exists()
        # ...and the next report raises the CPU alert against the lowered threshold.
        send(device, T0 + minutes(1), cpu=50, volumes=(("/", 95.0, 5.0),))
        assert list(Alert.objects.filter(state="open").values_list("metric", flat=True)) == [
            "cpu_percent"
        ]

    def test_invalid_rules_show_errors_not_a_500(self, admin_client):
        bad = {
            "metric": Metric.MEMORY_PERCENT,
            "comparison": "gt",
            "threshold": "250",
            "duration_minutes": "-1",
            "severity": "critical",
        }

        answer = admin_client.post(
            reverse("monitoring:profile_new"), self.formset_data(None, [bad])
        )

        assert answer.status_code == 200
        assert "A percentage threshold cannot be above 100." in answer.content.decode()
        assert not ThresholdProfile.objects.filter(name="Servers").exists()

    DISK_RULE = {
        "metric": Metric.DISK_USED_PERCENT,
        "comparison": "gt",
        "threshold": "90",
        "duration_minutes": "0",
        "volume": "C:",
        "severity": "warning",
        "enabled": "on",
    }

    def test_two_identical_rules_are_refused(self, admin_client):
        # Same metric, comparison, threshold and volume, written differently.
        twin = {**self.DISK_RULE, "threshold": "90.00", "volume": "c:", "severity": "critical"}

        answer = admin_client.post(
            reverse("monitoring:profile_new"), self.formset_data(None, [self.DISK_RULE, twin])
        )

        assert answer.status_code == 200
        rules = answer.context["rules"]
        assert rules.non_form_errors() == [
            "Please correct the duplicate data for metric, comparison, threshold and volume,"
            " which must be unique."
        ]
        assert [form.non_field_errors() for form in rules.forms] == [
            ["Please correct the duplicate values below."]
        ] * 2
        assert "Please correct the duplicate data for metric" in answer.content.decode()
        assert not ThresholdProfile.objects.filter(name="Servers").exists()

    def test_a_duplicate_of_a_saved_rule_is_refused_unless_it_is_deleted(self, admin_client):
        profile = ThresholdProfile.objects.create(name="Servers")
        saved = profile.rules.create(
            metric=Metric.DISK_USED_PERCENT, comparison="gt", threshold=90, volume="C:"
        )
        existing = {**self.DISK_RULE, "id": str(saved.pk)}
        url = reverse("monitoring:profile", args=[profile.pk])

        refused = admin_client.post(url, self.formset_data(profile, [existing, self.DISK_RULE]))
        replaced = admin_client.post(
            url, self.formset_data(profile, [{**existing, "DELETE": "on"}, self.DISK_RULE])
        )

        assert refused.status_code == 200
        assert refused.context["rules"].non_form_errors()
        assert replaced.status_code == 302
        assert profile.rules.count() == 1

    @pytest.mark.parametrize(
        "change",
        [
            {"threshold": "95"},
            {"comparison": "gte"},
            {"volume": "D:"},
            {"volume": ""},
            {"metric": Metric.DISK_FREE_GB},
        ],
    )
    def test_rules_differing_in_one_of_those_fields_are_accepted(self, admin_client, change):
        other = {**self.DISK_RULE, **change}

        answer = admin_client.post(
            reverse("monitoring:profile_new"), self.formset_data(None, [self.DISK_RULE, other])
        )

        assert answer.status_code == 302, answer.context["rules"].non_form_errors()
        assert ThresholdProfile.objects.get(name="Servers").rules.count() == 2

    def test_making_a_profile_the_default_moves_the_flag(self, admin_client):
        answer = admin_client.post(
            reverse("monitoring:profile_new"), self.formset_data(None, [], make_default="on")
        )

        assert answer.status_code == 302
        assert list(
            ThresholdProfile.objects.filter(is_default=True).values_list("name", flat=True)
        ) == ["Servers"]

    def test_unknown_profile_is_404(self, admin_client):
        assert admin_client.get("/monitoring/profiles/987654/").status_code == 404
