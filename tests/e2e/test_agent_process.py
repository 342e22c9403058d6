"""The reference agent as a real process against the live server, and the console showing it.

Done when: the agent makes its device appear under a customer with live values, and
lowering a threshold below the current value raises an alert within one interval.
"""

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accounts.models import Role
from customers.models import Customer
from monitoring import services
from monitoring.models import Alert, Device, Metric, ThresholdProfile

from .conftest import screenshot, sign_in

AGENT = Path(__file__).resolve().parents[2] / "agent" / "agent.py"


def wait_for(predicate, timeout: float = 30.0):
    """Poll the database for what the agent process did (a deadline, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail("the agent did not get there in time")


@pytest.fixture
def agent(live_server, tmp_path):
    processes = []

    def start(token: str, interval: float = 1.0):
        process = subprocess.Popen(
            [
                sys.executable,
                str(AGENT),
                "--server",
                live_server.url,
                "--token",
                token,
                "--interval",
                str(interval),
                "--allow-short-interval",  # seconds, not minutes, to see a few reports
                "--state",
                str(tmp_path / "agent.json"),
            ],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        print(output)


@pytest.mark.browser
def test_the_agent_reports_and_a_lowered_threshold_raises_an_alert(
    live_server, agent, tmp_path, page, staff_user
):
    customer = Customer.objects.create(name="Agent Test Co")
    token = services.rotate_enrolment_token(customer)

    agent(token, interval=1.0)

    device = wait_for(
        lambda: Device.objects.filter(customer=customer, report_count__gte=3).first()
    )
    state = json.loads((tmp_path / "agent.json").read_text())
    assert stat.S_IMODE((tmp_path / "agent.json").stat().st_mode) == 0o600
    assert state["device_id"] == device.pk
    assert device.key_hash == services.hash_secret(state["key"])
    assert 0 <= device.cpu_percent <= 100
    assert 0 < device.memory_percent <= 100
    assert device.uptime_seconds > 0
    assert device.volumes and 0 <= device.volumes[0]["used_percent"] <= 100
    assert device.samples.count() >= 3

    staff_user(role=Role.ADMIN)
    sign_in(page, live_server, "admin@msp.example")
    page.goto(f"{live_server.url}/customers/{customer.pk}/devices/")
    page.get_by_role("link", name=device.hostname).wait_for()
    screenshot(page, "monitoring-devices-tab")

    # Lower the default profile's memory rule below the current value, in the editor.
    profile = ThresholdProfile.objects.get(is_default=True)
    memory_rule = profile.rules.get(metric=Metric.MEMORY_PERCENT)
    page.goto(f"{live_server.url}/monitoring/profiles/{profile.pk}/")
    row = page.locator("tr", has=page.locator(f'input[name$="-id"][value="{memory_rule.pk}"]'))
    row.locator('input[name$="-threshold"]').fill("0")
    row.locator('input[name$="-duration_minutes"]').fill("0")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Threshold profile “Standard” saved.").wait_for()
    saved_at = time.monotonic()

    alert = wait_for(
        lambda: Alert.objects.filter(device=device, metric=Metric.MEMORY_PERCENT).first(),
        timeout=10,
    )
    assert time.monotonic() - saved_at < 2.5  # within one interval (1 s), plus slack
    assert alert.state == "open"

    page.goto(f"{live_server.url}/alerts/")
    page.get_by_role("link", name=device.hostname).first.wait_for()
    assert page.get_by_text("Memory %").count() >= 1
    screenshot(page, "monitoring-alerts")
    page.goto(f"{live_server.url}{device.get_absolute_url()}")
    page.locator("svg polyline.cpu").wait_for()
    screenshot(page, "monitoring-device")


def test_a_revoked_agent_stops(live_server, agent):
    customer = Customer.objects.create(name="Revoked Co")
    process = agent(services.rotate_enrolment_token(customer), interval=0.5)
    device = wait_for(
        lambda: Device.objects.filter(customer=customer, report_count__gte=1).first()
    )

    services.revoke_device(device)

    assert process.wait(timeout=20) == 3
