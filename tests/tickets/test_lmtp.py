"""serve_mail on loopback: LMTP with one reply per recipient; several listener processes."""

import smtplib
import socket
import subprocess
import sys

import pytest

from tests.factories import CustomerDomainFactory, CustomerFactory
from tickets.models import InboundMail, Ticket

from .conftest import build_mail
from .test_commands import ROOT, free_port, wait_for_port


@pytest.mark.django_db(transaction=True)
def test_serve_mail_lmtp_opens_a_ticket_and_answers_each_recipient(worker_env, default_policy):
    customer = CustomerFactory(name="Acme")
    CustomerDomainFactory(customer=customer, domain="acme.example")
    port = free_port()
    env = {**worker_env, "ATERA_SUPPORT_ADDRESSES": "support@localhost,help@localhost"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_mail", "--lmtp", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port, process)
        with smtplib.LMTP("127.0.0.1", port, timeout=20) as lmtp:
            # LMTP greets with LHLO; HELO and EHLO are not LMTP.
            assert lmtp.docmd("EHLO", "mta.example")[0] == 500
            assert lmtp.ehlo("mta.example")[0] == 250  # smtplib.LMTP sends LHLO

            lmtp.mail("jane@acme.example")
            assert lmtp.rcpt("support@localhost")[0] == 250
            assert lmtp.rcpt("nobody@localhost")[0] == 550
            assert lmtp.rcpt("help+billing@localhost")[0] == 250
            raw = build_mail(sender="Jane Doe <jane@acme.example>", subject="VPN down")
            # One reply per accepted recipient: the first answers DATA, the second follows.
            first = lmtp.data(raw)
            second = lmtp.getreply()
            assert first[0] == 250
            assert second[0] == 250
            assert lmtp.noop()[0] == 250  # nothing left over in the reply stream
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)

    assert "LMTP" in output
    ticket = Ticket.objects.get()
    assert ticket.customer == customer
    assert ticket.subject == "VPN down"
    assert ticket.requester.email == "jane@acme.example"
    assert InboundMail.objects.get().outcome == "accepted"


@pytest.mark.django_db(transaction=True)
def test_serve_mail_processes_share_the_port_and_stop_together(worker_env, default_policy):
    port = free_port()
    env = {**worker_env, "ATERA_SUPPORT_ADDRESSES": "support@localhost"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_mail", "--processes", "2", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port, process)
        # Several connections: the kernel hands them to either process.
        for n in range(6):
            with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
                smtp.sendmail(
                    f"p{n}@elsewhere.example",
                    ["support@localhost"],
                    build_mail(sender=f"p{n}@elsewhere.example", subject=f"Mail {n}"),
                )
    finally:
        process.terminate()
        process.communicate(timeout=20)

    assert process.returncode == 0
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        f"Mail {n}" for n in range(6)
    ]
    # No listener process outlives the command.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
