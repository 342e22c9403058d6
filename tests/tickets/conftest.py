"""Fixtures for ticket tests: mail built with EmailMessage, a 24/7 SLA policy."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from sla.models import SLAPolicy, SLATarget
from tests.factories import SLAPolicyFactory


def build_mail(
    sender: str = "Jane Doe <jane@acme.example>",
    subject: str = "Printer on fire",
    body: str = "Please help.",
    to: str = "support@localhost",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
    attachments: list[tuple[str, bytes]] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="acme.example")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, payload in attachments or []:
        message.add_attachment(
            payload, maintype="application", subtype="octet-stream", filename=filename
        )
    return message.as_bytes()


@pytest.fixture
def mail_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ATERA_SUPPORT_ADDRESSES = ["support@localhost", "help@msp.example"]
    return settings


@pytest.fixture
def default_policy(db):
    """The default policy, 24/7: first response in 60 minutes, resolution in 480."""
    # The seeded default policy keeps office hours; these tests want every minute to count.
    SLAPolicy.objects.filter(is_default=True).update(is_default=False)
    policy = SLAPolicyFactory(
        is_default=True, is_24x7=True, pause_statuses=["waiting_for_customer"]
    )
    for priority, (first, resolution) in {
        "low": (240, 2400),
        "medium": (60, 480),
        "high": (30, 240),
        "critical": (15, 60),
    }.items():
        SLATarget.objects.create(
            policy=policy,
            priority=priority,
            first_response_minutes=first,
            resolution_minutes=resolution,
        )
    return policy
