"""Schemathesis against the live schema: nothing a client sends may cause a server error,
and every answer (status code, content type, body) is one the schema documents.

Runs the CLI as a subprocess against pytest-django's live server with an admin token on a
small seeded database, bounded per operation and in total time.
"""

import subprocess
import sys
from pathlib import Path

from accounts.authentication import ApiTokenRateThrottle
from accounts.models import Role, User
from accounts.tokens import issue_token
from monitoring import services as monitoring
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerDomainFactory,
    CustomerFactory,
    ThresholdProfileFactory,
)
from tests.monitoring.conftest import T0, add_rule, send
from tickets import services as tickets

ST = Path(sys.executable).with_name("st")


def seed() -> None:
    customer = CustomerFactory(name="Seeded")
    CustomerDomainFactory(customer=customer, domain="seeded.example")
    contact = ContactFactory(customer=customer, email="ada@seeded.example", is_main=True)
    ContractFactory(customer=customer)
    tickets.create_ticket(
        subject="Seeded",
        source="email",
        customer=customer,
        requester=contact,
        requester_email=contact.email,
        body_text="Hello",
    )
    profile = ThresholdProfileFactory()
    add_rule(profile, "cpu_percent", 80)
    customer.threshold_profile = profile
    customer.save()
    token = monitoring.rotate_enrolment_token(customer, now=T0)
    device, _key = monitoring.enrol(token, "pc-01", "Linux", "workstation", now=T0)
    send(device, T0, cpu=99.0)


def test_no_request_causes_a_server_error(live_server, transactional_db, monkeypatch, tmp_path):
    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "100000/hour"})
    seed()
    admin = User.objects.create_user(email="fuzz@msp.example", role=Role.ADMIN)
    _token, key = issue_token(admin, "schemathesis")

    command = [
        str(ST),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Token {key}",
        "--checks",
        ",".join(
            (
                "not_a_server_error",
                "status_code_conformance",
                "content_type_conformance",
                "response_schema_conformance",
            )
        ),
        "--max-examples",
        "20",
        "--max-time",
        "100",
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",
        "--seed",
        "1",
        "--request-timeout",
        "20",
        # Imports hand files to Celery workers and the agent API has its own key; both
        # have their own hostile-input tests.
        "--exclude-path-regex",
        "^/api/v1/(imports|agent)/",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
        "--report-dir",
        str(tmp_path),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=230, check=False, cwd=tmp_path
    )
    print(result.stdout[-4000:])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
