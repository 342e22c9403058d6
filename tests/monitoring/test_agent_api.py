"""The agent API: enrolment, reports, and refusals of bad input with a clear 4xx."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from monitoring import services
from monitoring.models import Alert, Device

pytestmark = pytest.mark.django_db

ENROL = "/api/v1/agent/enrol/"
REPORTS = "/api/v1/agent/reports/"


@pytest.fixture
def api():
    # Agents have no session and no CSRF token: enforce CSRF checks as a browser would.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def token(customer):
    return services.rotate_enrolment_token(customer)


@pytest.fixture
def key(api, token):
    answer = api.post(
        ENROL,
        {"token": token, "hostname": "srv-01", "os": "Debian 12", "kind": "server"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    return answer.json()["key"]


def report(**changes) -> dict:
    body = {
        "sent_at": timezone.now().isoformat(),
        "sequence": 1,
        "cpu_percent": 12.5,
        "memory_percent": 40,
        "uptime_seconds": 7200,
        "volumes": [{"name": "/", "used_percent": 99, "free_gb": 1.5, "total_gb": 100}],
        "agent_version": "1.0.0",
    }
    body.update(changes)
    return body


def post_report(api, key, body, raw: bytes | None = None):
    return api.post(
        REPORTS,
        raw if raw is not None else json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {key}",
    )


class TestEnrolment:
    def test_the_token_registers_a_device_under_its_customer(self, key, customer):
        device = Device.objects.get()

        assert device.customer == customer
        assert (device.hostname, device.os, device.kind) == ("srv-01", "Debian 12", "server")
        assert device.key_hash == services.hash_secret(key)
        assert key not in device.key_hash

    def test_an_unknown_token_is_refused(self, api, customer):
        answer = api.post(
            ENROL, {"token": "nope", "hostname": "x"}, content_type="application/json"
        )

        assert answer.status_code == 401
        assert answer.json()["fields"] == {"token": ["Unknown or rotated enrolment token."]}
        assert not Device.objects.exists()

    def test_a_rotated_token_stops_enrolling_but_devices_keep_reporting(
        self, api, key, token, customer
    ):
        services.rotate_enrolment_token(customer)

        again = api.post(ENROL, {"token": token, "hostname": "x"}, content_type="application/json")

        assert again.status_code == 401
        assert post_report(api, key, report()).status_code == 202

    def test_a_bad_kind_names_the_field(self, api, token):
        answer = api.post(
            ENROL,
            {"token": token, "hostname": "x", "kind": "toaster"},
            content_type="application/json",
        )

        assert answer.status_code == 400
        assert "kind" in answer.json()["fields"]


class TestReports:
    def test_a_report_stores_values_and_opens_alerts(self, api, key):
        answer = post_report(api, key, report())

        assert answer.status_code == 202
        assert answer.json() == {"accepted": True, "opened": 2, "resolved": 0}
        device = Device.objects.get()
        assert device.cpu_percent == 12.5
        assert device.last_sequence == 1
        assert device.samples.count() == 1

    def test_a_revoked_device_is_refused(self, api, key):
        services.revoke_device(Device.objects.get())

        answer = post_report(api, key, report())

        assert answer.status_code == 403
        assert Device.objects.get().report_count == 0

    @pytest.mark.parametrize(
        "header", ["", "Device ", "Bearer abc", "Device unknown-key", "Token x"]
    )
    def test_unknown_or_missing_keys_are_refused(self, api, key, header):
        answer = api.post(
            REPORTS,
            json.dumps(report()),
            content_type="application/json",
            HTTP_AUTHORIZATION=header,
        )

        assert answer.status_code == 401
        assert answer.json()["detail"]
        assert not Alert.objects.exists()


class TestBadInput:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"cpu_percent": -1}, "cpu_percent"),
            ({"cpu_percent": 100.01}, "cpu_percent"),
            ({"memory_percent": 1e308}, "memory_percent"),
            ({"cpu_percent": "50"}, "cpu_percent"),
            ({"cpu_percent": True}, "cpu_percent"),
            ({"cpu_percent": None}, "cpu_percent"),
            ({"uptime_seconds": -5}, "uptime_seconds"),
            ({"uptime_seconds": 10**12}, "uptime_seconds"),
            ({"uptime_seconds": 1.5}, "uptime_seconds"),
            ({"sequence": 0}, "sequence"),
            ({"sequence": "1"}, "sequence"),
            ({"sent_at": "yesterday"}, "sent_at"),
            ({"sent_at": "2026-12-04T12:00:00"}, "sent_at"),
            ({"volumes": "C:"}, "volumes"),
            (
                {"volumes": [{"name": "/", "used_percent": 101, "free_gb": 1, "total_gb": 2}]},
                "volumes",
            ),
            (
                {"volumes": [{"name": "/", "used_percent": 1, "free_gb": -1, "total_gb": 2}]},
                "volumes",
            ),
            (
                {"volumes": [{"name": "x", "used_percent": 1, "free_gb": 1, "total_gb": 2}] * 65},
                "volumes",
            ),
        ],
    )
    def test_absurd_values_are_refused_naming_the_field(self, api, key, changes, field):
        answer = post_report(api, key, report(**changes))

        assert answer.status_code == 400, answer.content
        assert field in answer.json()["fields"]
        assert not Alert.objects.exists()
        assert Device.objects.get().report_count == 0

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"cpu_percent": 10**400}, "cpu_percent", "less than or equal to 100"),
            ({"memory_percent": 10**400}, "memory_percent", "less than or equal to 100"),
            ({"memory_percent": -(10**400)}, "memory_percent", "greater than or equal to 0"),
            ({"sequence": 10**400}, "sequence", "less than or equal to"),
        ],
    )
    def test_integers_too_large_for_a_float_are_refused_not_a_500(
        self, api, key, changes, field, message
    ):
        answer = post_report(api, key, report(**changes))

        assert answer.status_code == 400, answer.content
        assert answer.json()["detail"] == "The request has invalid fields."
        assert message in answer.json()["fields"][field][0]
        assert Device.objects.get().report_count == 0

    @pytest.mark.parametrize("name", ["used_percent", "free_gb", "total_gb"])
    def test_a_volume_integer_too_large_for_a_float_is_refused_not_a_500(self, api, key, name):
        volume = {"name": "/", "used_percent": 50, "free_gb": 1, "total_gb": 2, name: 10**400}

        answer = post_report(api, key, report(volumes=[volume]))

        assert answer.status_code == 400, answer.content
        # DRF names the bad volume by its index.
        assert "less than or equal to" in answer.json()["fields"]["volumes"]["0"][name][0]
        assert Device.objects.get().report_count == 0

    @pytest.mark.parametrize(
        "sent_at",
        [
            lambda now: now.replace(tzinfo=None).isoformat(),  # the server's own clock
            lambda now: now.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds"),
        ],
    )
    def test_a_naive_sent_at_is_refused_even_when_the_clock_agrees(self, api, key, sent_at):
        # settings.TIME_ZONE is UTC: made aware by DRF, this would pass the skew check.
        answer = post_report(api, key, report(sent_at=sent_at(timezone.now())))

        assert answer.status_code == 400, answer.content
        assert answer.json()["fields"]["sent_at"] == ["Must carry a time zone (e.g. +00:00 or Z)."]
        assert Device.objects.get().report_count == 0

    @pytest.mark.parametrize("suffix", ["Z", "+00:00", "+02:00"])
    def test_a_sent_at_with_an_offset_is_accepted(self, api, key, suffix):
        now = timezone.now()
        if suffix == "+02:00":
            now += timedelta(hours=2)
        stamp = now.replace(tzinfo=None).isoformat() + suffix

        answer = post_report(api, key, report(sent_at=stamp, volumes=[]))

        assert answer.status_code == 202, answer.content

    @pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
    def test_nan_and_infinity_are_refused_naming_the_field(self, api, key, constant):
        raw = json.dumps(report(cpu_percent=0)).replace(
            '"cpu_percent": 0', f'"cpu_percent": {constant}'
        )

        answer = post_report(api, key, None, raw=raw.encode())

        assert answer.status_code == 400
        assert answer.json()["fields"]["cpu_percent"] == [
            "Must be a finite number (not NaN or Infinity)."
        ]

    @pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[1, 2]", b"42"])
    def test_malformed_bodies_are_refused(self, api, key, raw):
        answer = post_report(api, key, None, raw=raw)

        assert answer.status_code == 400
        assert "body" in answer.json()["fields"]

    def test_a_huge_body_is_refused_with_413(self, api, key):
        raw = json.dumps(report(padding="x" * 70_000)).encode()

        answer = post_report(api, key, None, raw=raw)

        assert answer.status_code == 413
        assert "body" in answer.json()["fields"]

    @pytest.mark.parametrize("skew", [timedelta(minutes=6), -timedelta(minutes=6)])
    def test_clock_skew_is_refused(self, api, key, skew):
        answer = post_report(api, key, report(sent_at=(timezone.now() + skew).isoformat()))

        assert answer.status_code == 400
        assert "sent_at" in answer.json()["fields"]
        assert not Alert.objects.exists()

    def test_a_replayed_report_is_refused_and_opens_nothing(self, api, key):
        body = report(volumes=[])
        assert post_report(api, key, body).status_code == 202
        Alert.objects.all().delete()

        replay = post_report(api, key, report(sequence=1))

        assert replay.status_code == 409
        assert replay.json()["last_sequence"] == 1
        assert "sequence" in replay.json()["fields"]
        assert not Alert.objects.exists()

    def test_other_media_types_are_refused(self, api, key):
        answer = api.post(
            REPORTS, "cpu=1", content_type="text/plain", HTTP_AUTHORIZATION=f"Device {key}"
        )

        assert answer.status_code == 415
