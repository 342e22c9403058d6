"""receive(): DESIGN §6 rule by rule, with messages built by EmailMessage."""

import datetime
from email.header import Header

import pytest
from django.core import mail

from contacts.models import Contact
from tests.factories import ContactFactory, CustomerDomainFactory, CustomerFactory, UserFactory
from tickets import services
from tickets.inbound import receive, split_name
from tickets.models import InboundMail, Ticket, TicketMessage

from .conftest import build_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(mail_settings, default_policy):
    customer = CustomerFactory(name="Acme")
    CustomerDomainFactory(customer=customer, domain="acme.example")
    return customer


def test_known_contact_opens_a_ticket_of_their_customer_with_due_times(acme):
    contact = ContactFactory(customer=acme, email="Jane@Acme.example")
    result = receive(build_mail(sender="jane@ACME.example"))

    assert result.outcome == "accepted"
    ticket = result.ticket
    assert result.line == f"created ticket #{ticket.pk}"
    assert ticket.customer == acme
    assert ticket.requester == contact
    assert ticket.source == "email"
    assert ticket.sla_policy is not None
    assert ticket.first_response_due == ticket.created_at + datetime.timedelta(minutes=60)
    assert ticket.resolution_due == ticket.created_at + datetime.timedelta(minutes=480)
    assert ticket.messages.get().body_text == "Please help."
    assert InboundMail.objects.get().outcome == "accepted"


def test_same_message_id_is_recorded_once_and_never_adds_twice(acme):
    raw = build_mail(message_id="<once@acme.example>")
    first = receive(raw)
    second = receive(raw)

    assert first.outcome == "accepted"
    assert second.line == "dropped: duplicate Message-ID"
    assert Ticket.objects.count() == 1
    assert InboundMail.objects.count() == 1


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "jane@acme.example", "auto-submitted"),
        ({"Precedence": "bulk"}, "jane@acme.example", "precedence bulk"),
        ({"Precedence": "list"}, "jane@acme.example", "precedence list"),
        ({"Precedence": "junk"}, "jane@acme.example", "precedence junk"),
        ({"X-Autoreply": "yes"}, "jane@acme.example", "auto-reply"),
        ({"X-Autorespond": "yes"}, "jane@acme.example", "auto-reply"),
        ({}, "MAILER-DAEMON@mx.acme.example", "bounce"),
        ({}, "postmaster@acme.example", "bounce"),
        ({}, "support@localhost", "own support address"),
        ({}, "Support+loop@LOCALHOST", "own support address"),
        ({}, "help+x@msp.example", "own support address"),
    ],
)
def test_auto_replies_bounces_and_loops_are_dropped(acme, headers, sender, reason):
    result = receive(build_mail(sender=sender, headers=headers))

    assert result.outcome == "dropped"
    assert reason in result.reason
    assert result.line.startswith("dropped: ")
    assert Ticket.objects.count() == 0
    assert InboundMail.objects.get().outcome == "dropped"


def test_auto_submitted_no_is_a_person(acme):
    result = receive(build_mail(headers={"Auto-Submitted": "no"}))
    assert result.outcome == "accepted"


def test_delivery_report_is_dropped(acme):
    raw = (
        b"From: someone@acme.example\r\nTo: support@localhost\r\nSubject: Undelivered\r\n"
        b"Message-ID: <dsn@acme.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n"
    )
    assert receive(raw).line == "dropped: delivery report"


def test_reply_threads_by_our_message_id(acme):
    contact = ContactFactory(customer=acme, email="jane@acme.example")
    ticket = receive(build_mail()).ticket
    services.reply(ticket, UserFactory(), "Have you tried turning it off?")
    outgoing = mail.outbox[-1]
    our_id = outgoing.extra_headers["Message-ID"]
    assert outgoing.subject.startswith(f"[#{ticket.pk}]")

    result = receive(build_mail(subject="Re: it works", headers={"In-Reply-To": our_id}))

    assert result.line == f"added to ticket #{ticket.pk}"
    assert result.outcome == "threaded"
    assert ticket.messages.last().author_contact == contact
    assert Ticket.objects.count() == 1


def test_reply_threads_by_ticket_number_in_subject(acme):
    ContactFactory(customer=acme, email="jane@acme.example")
    ticket = receive(build_mail()).ticket
    colleague = ContactFactory(customer=acme, email="bob@acme.example")

    result = receive(build_mail(sender="bob@acme.example", subject=f"Re: [#{ticket.pk}] x"))

    assert result.outcome == "threaded"
    assert ticket.messages.last().author_contact == colleague


def test_ticket_number_from_another_customer_opens_new_mail(acme):
    ContactFactory(customer=acme, email="jane@acme.example")
    ticket = receive(build_mail()).ticket
    other = CustomerFactory(name="Globex")
    ContactFactory(customer=other, email="eve@globex.example")

    result = receive(build_mail(sender="eve@globex.example", subject=f"[#{ticket.pk}] peek"))

    assert result.outcome == "accepted"
    assert result.ticket.pk != ticket.pk
    assert result.ticket.customer == other
    assert ticket.messages.count() == 1


def test_unknown_sender_of_known_domain_becomes_a_contact_with_decoded_names(acme):
    # Written into the raw bytes: EmailMessage would re-fold the header and split the
    # name at its comma, which is exactly the mistake the pipeline must not make.
    display = Header("Doe, Jäne", "utf-8").encode().encode("ascii")
    raw = build_mail(sender="placeholder@acme.example").replace(
        b"From: placeholder@acme.example", b"From: " + display + b" <jane.doe@acme.example>"
    )
    result = receive(raw)

    contact = Contact.objects.get(email="jane.doe@acme.example")
    assert (contact.first_name, contact.last_name) == ("Jäne", "Doe")
    assert contact.customer == acme
    assert result.ticket.requester == contact


def test_split_name():
    assert split_name("Doe, Jane", "x@y") == ("Jane", "Doe")
    assert split_name("Jane van Doe", "x@y") == ("Jane van", "Doe")
    assert split_name("", "jdoe@acme.example") == ("jdoe", "")


def test_sub_domain_matches_only_where_the_customer_allows_it(acme):
    assert receive(build_mail(sender="a@eu.acme.example")).ticket.customer is None
    acme.allow_subdomains = True
    acme.save()
    assert receive(build_mail(sender="b@eu.acme.example")).ticket.customer == acme
    # Suffixes align on a dot: "notacme.example" is not a sub-domain of "acme.example".
    assert receive(build_mail(sender="c@notacme.example")).ticket.customer is None


def test_free_mail_sender_is_triaged_not_matched(acme, settings):
    settings.ATERA_FREEMAIL_ALLOW = []
    result = receive(build_mail(sender="someone@gmail.com"))
    assert result.outcome == "accepted"
    assert result.ticket.customer is None
    assert result.ticket.requester is None
    assert result.ticket.assignee is None
    assert not Contact.objects.filter(email="someone@gmail.com").exists()


def test_ignored_contact_opens_nothing(acme):
    ContactFactory(customer=acme, email="noisy@acme.example", ignore_email=True)
    result = receive(build_mail(sender="noisy@acme.example"))
    assert result.line == "refused: contact's email is ignored"
    assert Ticket.objects.count() == 0
    assert InboundMail.objects.get().outcome == "refused"


def test_main_contact_only_refuses_others_but_accepts_requester_replies(acme):
    acme.tickets_by_main_contact_only = True
    acme.save()
    main = ContactFactory(customer=acme, email="boss@acme.example", is_main=True)
    ContactFactory(customer=acme, email="jane@acme.example")

    refused = receive(build_mail(sender="jane@acme.example"))
    new_sender = receive(build_mail(sender="stranger@acme.example"))
    accepted = receive(build_mail(sender="boss@acme.example"))
    reply = receive(build_mail(sender="boss@acme.example", subject=f"Re: [#{accepted.ticket.pk}]"))

    assert refused.line == "refused: tickets by main contact only"
    assert new_sender.outcome == "refused"
    assert not Contact.objects.filter(email="stranger@acme.example").exists()
    assert accepted.ticket.requester == main
    assert reply.outcome == "threaded"
    assert InboundMail.objects.filter(outcome="refused").count() == 2


def test_inactive_main_contact_is_refused(acme):
    acme.tickets_by_main_contact_only = True
    acme.save()
    ContactFactory(customer=acme, email="boss@acme.example", is_main=True, active=False)
    assert receive(build_mail(sender="boss@acme.example")).outcome == "refused"


def test_html_is_sanitised_and_attachments_kept_within_the_limit(acme, mail_settings):
    mail_settings.ATERA_MAIL_MAX_ATTACHMENT_BYTES = 100
    html = '<p onclick="x()">Hi<script>alert(1)</script><img src="http://t.example/x"></p>'
    result = receive(
        build_mail(html=html, attachments=[("log.txt", b"small"), ("big.bin", b"x" * 500)])
    )
    message = result.ticket.messages.get(kind="public")
    assert "script" not in message.body_html
    assert "onclick" not in message.body_html
    assert "<img" not in message.body_html
    assert "Hi" in message.body_html
    assert [a.filename for a in message.attachments.all()] == ["log.txt"]
    assert message.attachments.get().file.read() == b"small"
    # The file not kept is named where staff read the ticket.
    note = result.ticket.messages.get(kind="internal")
    assert note.author_user is None
    assert "big.bin" in note.body_text
    assert "log.txt" not in note.body_text


def test_html_only_mail_gets_a_text_body(acme):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "jane@acme.example"
    msg["Subject"] = "html"
    msg.set_content("<p>Only <b>HTML</b></p>", subtype="html")
    result = receive(msg.as_bytes())
    assert "Only HTML" in result.ticket.messages.get().body_text


def test_rate_limit_quarantines_a_looping_sender(acme, mail_settings):
    mail_settings.ATERA_MAIL_RATE_LIMIT = 3
    outcomes = [receive(build_mail(sender="loop@acme.example")).outcome for _ in range(5)]
    assert outcomes == ["accepted"] * 3 + ["quarantined"] * 2
    assert Ticket.objects.count() == 3


def test_every_message_leaves_a_record_with_the_raw_message(acme):
    raw = build_mail(sender="x@gmail.com")
    receive(raw)
    record = InboundMail.objects.get()
    assert record.raw.read() == raw
    assert record.ticket is not None


def test_reply_to_triage_ticket_threads_for_the_same_sender_only(acme):
    ticket = receive(build_mail(sender="who@gmail.com")).ticket
    same = receive(build_mail(sender="WHO@gmail.com", subject=f"Re: [#{ticket.pk}]"))
    other = receive(build_mail(sender="else@gmail.com", subject=f"Re: [#{ticket.pk}]"))
    assert same.outcome == "threaded"
    assert other.outcome == "accepted"
    assert TicketMessage.objects.filter(ticket=ticket).count() == 2


def test_a_failure_of_ours_keeps_nothing_so_the_retry_is_handled(acme, monkeypatch):
    raw = build_mail(message_id="<retry@acme.example>")

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "create_ticket", broken)
    with pytest.raises(RuntimeError):
        receive(raw)
    assert InboundMail.objects.count() == 0

    monkeypatch.undo()
    assert receive(raw).outcome == "accepted"


def test_over_long_header_values_are_bounded(acme):
    long_id = "<" + "x" * 400 + "@acme.example>"
    result = receive(build_mail(message_id=long_id, subject="s" * 400))
    assert result.outcome == "accepted"
    assert len(result.record.message_id) == 255
    assert len(result.ticket.subject) == 255
    huge_sender = "a" * 300 + "@acme.example"
    assert receive(build_mail(sender=huge_sender)).line == "dropped: no sender address"


def test_a_ticket_opened_by_email_gets_a_receipt_that_threads_back(
    acme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = receive(build_mail(message_id="<first@acme.example>"))
    ticket = result.ticket
    assert len(mailoutbox) == 1
    receipt = mailoutbox[0]
    assert receipt.to == ["jane@acme.example"]
    assert receipt.subject == f"[#{ticket.pk}] Printer on fire"
    assert receipt.extra_headers["Auto-Submitted"] == "auto-replied"
    assert receipt.extra_headers["In-Reply-To"] == "<first@acme.example>"
    # The receipt is not a first response: only a technician's public reply is.
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None

    answer = build_mail(
        subject="Re: it still burns", headers={"In-Reply-To": receipt.extra_headers["Message-ID"]}
    )
    assert receive(answer).ticket == ticket


def test_no_receipt_for_unknown_senders_or_when_turned_off(
    acme, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        receive(build_mail(sender="someone@nowhere.example"))
    assert mailoutbox == []

    settings.ATERA_MAIL_ACKNOWLEDGE = False
    with django_capture_on_commit_callbacks(execute=True):
        receive(build_mail())
    assert mailoutbox == []
