"""The monitoring API: threshold profiles with rules, devices, alerts and acknowledging."""

from monitoring import services
from monitoring.models import Alert, ThresholdProfile
from tests.factories import CustomerFactory, ThresholdProfileFactory
from tests.monitoring.conftest import T0, add_rule, send

PROFILES = "/api/v1/threshold-profiles/"


def rule(**fields) -> dict:
    return {
        "metric": "cpu_percent",
        "comparison": "gt",
        "threshold": "90",
        "duration_minutes": 0,
        "severity": "warning",
        "enabled": True,
        **fields,
    }


def test_an_admin_creates_a_profile_with_rules_and_replaces_them(admin_api):
    response = admin_api.post(
        PROFILES,
        {"name": "Servers", "rules": [rule(), rule(metric="memory_percent")]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    profile = ThresholdProfile.objects.get(name="Servers")
    assert profile.rules.count() == 2

    kept = profile.rules.get(metric="cpu_percent")
    response = admin_api.patch(
        f"{PROFILES}{profile.pk}/",
        {"rules": [{"id": kept.pk, **rule(threshold="95")}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [str(r.threshold) for r in profile.rules.all()] == ["95.00"]


def test_duplicate_rules_are_refused(admin_api):
    response = admin_api.post(
        PROFILES, {"name": "Twice", "rules": [rule(), rule()]}, format="json"
    )
    assert response.status_code == 400
    assert "rules" in response.json()


def test_a_rule_of_another_profile_cannot_be_edited(admin_api):
    other = ThresholdProfileFactory()
    foreign = add_rule(other, "cpu_percent", 50)
    mine = ThresholdProfileFactory()
    response = admin_api.patch(
        f"{PROFILES}{mine.pk}/", {"rules": [{"id": foreign.pk, **rule()}]}, format="json"
    )
    assert response.status_code == 400
    assert "rules" in response.json()


def test_technicians_read_profiles_but_do_not_write(tech_api):
    profile = ThresholdProfileFactory()
    assert tech_api.get(f"{PROFILES}{profile.pk}/").status_code == 200
    assert tech_api.post(PROFILES, {"name": "X"}, format="json").status_code == 403


def test_devices_and_alerts_are_read_and_alerts_acknowledged(tech_api):
    customer = CustomerFactory()
    profile = ThresholdProfileFactory()
    add_rule(profile, "cpu_percent", 80)
    customer.threshold_profile = profile
    customer.save()
    token = services.rotate_enrolment_token(customer, now=T0)
    device, _key = services.enrol(token, "pc-01", "Linux", "workstation", now=T0)
    send(device, T0, cpu=99.0)
    alert = Alert.objects.get()

    devices = tech_api.get("/api/v1/devices/", {"customer": customer.pk}).json()
    assert [row["hostname"] for row in devices["results"]] == ["pc-01"]
    assert "key_hash" not in devices["results"][0]
    alerts = tech_api.get("/api/v1/alerts/", {"state": "open"}).json()
    assert [row["id"] for row in alerts["results"]] == [alert.pk]

    response = tech_api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    response = tech_api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 409
    assert list(response.json()) == ["state"]
    assert tech_api.delete(f"/api/v1/alerts/{alert.pk}/").status_code == 405
