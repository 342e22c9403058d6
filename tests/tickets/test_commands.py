"""ingest_email prints one line per message; serve_mail takes real SMTP on loopback."""

import io
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import ContactFactory, CustomerDomainFactory, CustomerFactory
from tickets.models import InboundMail, Ticket

from .conftest import build_mail

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def ingest(raw: bytes, tmp_path) -> str:
    path = tmp_path / f"m{len(list(tmp_path.iterdir()))}.eml"
    path.write_bytes(raw)
    out = io.StringIO()
    call_command("ingest_email", str(path), stdout=out)
    return out.getvalue()


def test_ingest_email_prints_exactly_one_line_per_outcome(
    mail_settings, default_policy, tmp_path, monkeypatch
):
    customer = CustomerFactory(tickets_by_main_contact_only=True)
    ContactFactory(customer=customer, email="boss@acme.example", is_main=True)
    ContactFactory(customer=customer, email="jane@acme.example")
    inbox = tmp_path / "in"
    inbox.mkdir()

    created = ingest(build_mail(sender="boss@acme.example"), inbox)
    number = Ticket.objects.get().pk
    assert created == f"created ticket #{number}\n"
    reply = build_mail(sender="boss@acme.example", subject=f"Re: [#{number}] Printer")
    assert ingest(reply, inbox) == f"added to ticket #{number}\n"
    assert ingest(build_mail(sender="jane@acme.example"), inbox) == (
        "refused: tickets by main contact only\n"
    )
    assert ingest(build_mail(headers={"Precedence": "bulk"}), inbox) == (
        "dropped: precedence bulk\n"
    )

    # "-" reads standard input, as an MTA pipe delivers.
    monkeypatch.setattr(
        "sys.stdin", io.TextIOWrapper(io.BytesIO(build_mail(sender="new@gmail.com")))
    )
    out = io.StringIO()
    call_command("ingest_email", "-", stdout=out)
    assert out.getvalue().startswith("created ticket #")
    assert InboundMail.objects.count() == 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("serve_mail did not start listening")


@pytest.mark.django_db(transaction=True)
def test_serve_mail_takes_smtp_and_opens_a_ticket_for_the_right_customer(
    worker_env, default_policy
):
    customer = CustomerFactory(name="Acme")
    CustomerDomainFactory(customer=customer, domain="acme.example")
    port = free_port()
    env = {**worker_env, "ATERA_SUPPORT_ADDRESSES": "support@localhost"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_mail", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port, process)
        with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                smtp.sendmail("jane@acme.example", ["nobody@localhost"], b"Subject: x\r\n\r\nx")
            smtp.sendmail(
                "jane@acme.example",
                ["support+tag@localhost"],
                build_mail(sender="Jane Doe <jane@acme.example>", subject="VPN down"),
            )
    finally:
        process.terminate()
        process.wait(timeout=20)

    ticket = Ticket.objects.get()
    assert ticket.customer == customer
    assert ticket.subject == "VPN down"
    assert ticket.requester.email == "jane@acme.example"
    assert (ticket.requester.first_name, ticket.requester.last_name) == ("Jane", "Doe")
    assert ticket.first_response_due > ticket.created_at
    assert ticket.resolution_due > ticket.first_response_due
    assert InboundMail.objects.get().outcome == "accepted"
