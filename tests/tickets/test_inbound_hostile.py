"""receive() against hostile or broken mail, as a QA pass sent it through ``ingest_email``.

These run on PostgreSQL in CI: a NUL in a stored value fails there, not on SQLite.
"""

import pytest
from django.core import mail

from contacts.models import Contact
from tests.factories import ContactFactory, CustomerDomainFactory, CustomerFactory, UserFactory
from tickets.inbound import receive
from tickets.models import InboundMail, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(mail_settings, default_policy):
    customer = CustomerFactory(name="Acme")
    CustomerDomainFactory(customer=customer, domain="acme.example")
    return customer


def raw_mail(*headers: bytes, body: bytes = b"Please help.\r\n") -> bytes:
    defaults = {
        b"from": b"From: Jane Doe <jane@acme.example>",
        b"to": b"To: support@localhost",
        b"subject": b"Subject: Printer on fire",
    }
    given = {h.split(b":", 1)[0].lower(): h for h in headers}
    lines = [h for name, h in defaults.items() if name not in given] + list(headers)
    if b"message-id" not in given:
        lines.append(b"Message-ID: <" + str(id(lines)).encode() + b"@acme.example>")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def stored_values(ticket: Ticket) -> list[str]:
    message = ticket.messages.get()
    values = [ticket.subject, ticket.requester_email, message.body_text, message.body_html]
    values += [message.sender, message.message_id]
    values += [a.filename for a in message.attachments.all()]
    if ticket.requester:
        values += [ticket.requester.first_name, ticket.requester.last_name]
    record = InboundMail.objects.get(ticket=ticket)
    return [*values, record.subject, record.sender, record.message_id or "", record.reason]


# --- 1. NUL and control characters ---------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        raw_mail(b"Subject: print\x00er"),
        raw_mail(b"Subject: =?utf-8?q?print=00er?="),
        raw_mail(body=b"Please\x00 help.\r\n"),
        raw_mail(b"From: Ja\x00ne <jane.nul@acme.example>"),
        raw_mail(b"From: =?utf-8?q?Ja=00ne_Doe?= <jane.nul@acme.example>"),
        raw_mail(b"Message-ID: <nul\x00id@acme.example>"),
        raw_mail(b"From: jane\x00x@acme.example"),
        raw_mail(
            b"MIME-Version: 1.0",
            b'Content-Type: multipart/mixed; boundary="b"',
            body=(
                b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                b"--b\r\nContent-Type: application/octet-stream\r\n"
                b'Content-Disposition: attachment; filename="lo\x00g.txt"\r\n\r\ndata\r\n--b--\r\n'
            ),
        ),
    ],
    ids=["subject", "encoded-subject", "body", "name", "encoded-name", "msgid", "from", "file"],
)
def test_nul_bytes_are_stripped_before_storing(acme, raw):
    result = receive(raw)

    assert result.outcome == "accepted"
    values = stored_values(result.ticket)
    assert not [v for v in values if "\x00" in v]
    assert not [c for c in Contact.objects.all() if "\x00" in c.first_name + c.last_name]


def test_controls_in_a_subject_become_spaces(acme):
    result = receive(raw_mail(b"Subject: a\x01b\x1bc\x7fd\te"))
    assert result.ticket.subject == "a b c d e"


# --- 3. Parser recursion ---------------------------------------------------------------


def nested(depth: int) -> bytes:
    head = b"".join(
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i, i + 1)
        for i in range(depth)
    )
    return raw_mail(
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/mixed; boundary="b0"',
        body=head + b"--b%d\r\nContent-Type: text/plain\r\n\r\nx\r\n" % depth,
    )


def test_deeply_nested_mime_is_refused_as_malformed_not_a_crash(acme):
    result = receive(nested(1000))

    assert result.outcome == "refused"
    assert result.reason.startswith("malformed message")
    record = InboundMail.objects.get()
    assert record.outcome == "refused"
    assert record.raw
    assert Ticket.objects.count() == 0


def test_moderately_nested_mime_is_still_read(acme):
    assert receive(nested(5)).outcome == "accepted"


# --- 4. Folded and encoded line breaks in subjects -----------------------------------


@pytest.mark.parametrize(
    ("subject", "stored"),
    [
        (b"Subject: long\r\n folded", "long folded"),
        (
            b"Subject: =?utf-8?q?hello=0D=0ABcc:_victim@evil.example?=",
            "hello Bcc: victim@evil.example",
        ),
    ],
)
def test_subject_line_breaks_are_unfolded_and_a_reply_is_mailed(acme, subject, stored):
    result = receive(raw_mail(subject))
    ticket = result.ticket
    assert ticket.subject == stored
    assert InboundMail.objects.get().subject == stored

    services_reply(ticket)
    sent = mail.outbox[-1]
    assert sent.subject == f"[#{ticket.pk}] {stored}"
    assert "\n" not in sent.message()["Subject"].replace("\n ", " ").replace("\r", "")
    assert "Bcc" not in sent.message()


def services_reply(ticket):
    from tickets import services

    services.reply(ticket, UserFactory(), "Have you tried turning it off?")


def test_an_already_stored_bad_subject_cannot_500_a_reply(acme, admin_client):
    ContactFactory(customer=acme, email="jane@acme.example")
    ticket = receive(raw_mail()).ticket
    Ticket.objects.filter(pk=ticket.pk).update(subject="hello\r\nBcc: victim@evil.example")

    response = admin_client.post(f"/tickets/{ticket.pk}/reply/", {"body": "ok", "kind": "public"})

    assert response.status_code == 302
    sent = mail.outbox[-1]
    assert sent.subject == f"[#{ticket.pk}] hello Bcc: victim@evil.example"
    assert sent.bcc == []


@pytest.fixture
def smtp_like_outbox(monkeypatch):
    """The test outbox, encoding each recipient as the SMTP backend does before it sends."""
    from django.core.mail.backends.locmem import EmailBackend
    from django.core.mail.message import sanitize_address

    original = EmailBackend.send_messages

    def send_messages(self, messages):
        for message in messages:
            for address in message.recipients():
                sanitize_address(address, message.encoding or "utf-8")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def test_an_unmailable_requester_address_is_a_form_error_not_a_500(
    acme, admin_client, smtp_like_outbox
):
    ticket = receive(raw_mail(b"From: x@gmail.com")).ticket
    Ticket.objects.filter(pk=ticket.pk).update(requester_email="y@" + "a" * 70 + ".example")

    response = admin_client.post(
        f"/tickets/{ticket.pk}/reply/", {"body": "ok", "kind": "public"}, follow=True
    )

    assert response.status_code == 200
    assert "cannot be mailed" in response.content.decode()
    assert ticket.messages.count() == 1


# --- 2. Attachment file names ----------------------------------------------------------


def with_attachment(disposition: bytes) -> bytes:
    return raw_mail(
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/mixed; boundary="b"',
        body=(
            b"--b\r\nContent-Type: text/plain\r\n\r\nlog attached\r\n"
            b"--b\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Disposition: attachment; " + disposition + b"\r\n\r\ndata\r\n--b--\r\n"
        ),
    )


@pytest.mark.parametrize(
    ("disposition", "shown"),
    [
        (b'filename=".."', "attachment"),
        (b'filename="."', "attachment"),
        (b"filename*=utf-8''%2E%2E", "attachment"),
        (b'filename="../../etc/passwd"', ".._.._etc_passwd"),
        ('filename="{}.txt"'.format("é" * 200).encode(), "é" * 200 + ".txt"),
        ('filename="{}"'.format("😀" * 70).encode(), "😀" * 70),
        ('filename="{}.pdf"'.format("a" * 300).encode(), "a" * 251 + ".pdf"),
    ],
    ids=["dotdot", "dot", "encoded-dotdot", "traversal", "e-acute", "emoji", "long"],
)
def test_attachments_are_stored_under_a_safe_name_and_shown_by_theirs(acme, disposition, shown):
    result = receive(with_attachment(disposition))

    assert result.outcome == "accepted"
    attachment = result.ticket.messages.get().attachments.get()
    assert attachment.filename == shown
    stored = attachment.file.name.rpartition("/")[2]
    assert len(stored) <= 43
    assert stored.split(".")[0].isalnum()
    assert attachment.file.read() == b"data"


def test_a_plain_extension_is_kept_on_the_stored_file(acme):
    attachment = receive(with_attachment(b'filename="Report.PDF"')).ticket.messages.get()
    stored = attachment.attachments.get()
    assert stored.filename == "Report.PDF"
    assert stored.file.name.endswith(".pdf")


# --- 5. Raw UTF-8 headers (RFC 6532) and internationalised domains -------------------


def test_raw_utf8_headers_are_read_as_utf8_and_the_idn_domain_matches(
    mail_settings, default_policy
):
    buecher = CustomerFactory(name="Bücher")
    CustomerDomainFactory(customer=buecher, domain="xn--bcher-kva.example")

    result = receive(
        raw_mail("From: Jäne Müller <y@bücher.example>".encode(), "Subject: Grüße".encode())
    )

    assert result.outcome == "accepted"
    ticket = result.ticket
    assert ticket.subject == "Grüße"
    assert ticket.customer == buecher
    assert ticket.requester_email == "y@xn--bcher-kva.example"
    assert (ticket.requester.first_name, ticket.requester.last_name) == ("Jäne", "Müller")
    assert InboundMail.objects.get().sender == "y@xn--bcher-kva.example"

    services_reply(ticket)
    assert mail.outbox[-1].to == ["y@xn--bcher-kva.example"]


def test_latin1_raw_header_is_not_garbage(acme):
    result = receive(raw_mail("Subject: caf\xe9".encode("latin-1")))
    assert result.ticket.subject == "café"


def test_contact_typed_with_a_unicode_domain_is_matched(mail_settings, default_policy):
    buecher = CustomerFactory(name="Bücher")
    contact = ContactFactory(customer=buecher, email="y@bücher.example")
    result = receive(raw_mail("From: y@bücher.example".encode()))
    assert result.ticket.requester == contact


@pytest.mark.parametrize(
    "sender",
    ["From: jäne@acme.example".encode(), b"From: y@" + b"a" * 70 + b".example"],
    ids=["utf8-local-part", "label-too-long"],
)
def test_an_address_that_cannot_be_mailed_is_refused_with_a_reason(acme, sender):
    result = receive(raw_mail(sender))

    assert result.outcome == "refused"
    assert result.reason.startswith("sender address cannot be mailed")
    assert Ticket.objects.count() == 0
    assert not Contact.objects.exclude(email="").filter(email__contains="a" * 70).exists()


# --- 6./7. One form per address: trailing dot, case, quoted local part ---------------


@pytest.mark.parametrize(
    "sender",
    ["bob@acme.example.", "BOB@ACME.EXAMPLE.", '"bob"@acme.example', '"bob"@Acme.Example.'],
)
def test_variants_of_an_ignored_contacts_address_are_still_ignored(acme, sender):
    ContactFactory(customer=acme, email="bob@acme.example", ignore_email=True)

    result = receive(raw_mail(b"From: " + sender.encode()))

    assert result.line == "refused: contact's email is ignored"
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("sender", ["bob@acme.example.", '"bob"@acme.example'])
def test_variants_of_an_address_never_make_a_second_contact(acme, sender):
    contact = ContactFactory(customer=acme, email="bob@acme.example")

    result = receive(raw_mail(b"From: " + sender.encode()))

    assert result.ticket.requester == contact
    assert result.ticket.requester_email == "bob@acme.example"
    assert Contact.objects.count() == 1


def test_a_new_contact_gets_the_normalised_address(acme):
    result = receive(raw_mail(b'From: "new.one"@ACME.example.'))
    assert result.ticket.requester.email == "new.one@acme.example"


def test_a_quoted_local_part_that_needs_quotes_keeps_them(acme):
    result = receive(raw_mail(b'From: "john doe"@acme.example'))
    assert result.ticket.requester_email == '"john doe"@acme.example'


def test_triage_reply_from_a_variant_of_the_requester_threads(acme):
    ticket = receive(raw_mail(b"From: who@gmail.com")).ticket
    result = receive(raw_mail(b"From: WHO@gmail.com.", f"Subject: Re: [#{ticket.pk}]".encode()))
    assert result.outcome == "threaded"


@pytest.mark.parametrize(
    "sender",
    ["support@localhost.", '"support"@localhost', '"support"@LOCALHOST.', "Help@MSP.example."],
)
def test_variants_of_our_own_address_are_dropped(acme, sender):
    result = receive(raw_mail(b"From: " + sender.encode()))
    assert result.line == "dropped: mail from our own support address"
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("sender", ["mailer-daemon+x@acme.example", "postmaster+y@acme.example"])
def test_tagged_bounce_senders_are_dropped(acme, sender):
    assert receive(raw_mail(b"From: " + sender.encode())).line == "dropped: bounce"


# --- 8./9. Message-ID keys -------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second",
    [
        (b"Message-ID: nobracket-1@x", b"Message-ID: nobracket-1@x"),
        (b"Message-ID: nobracket-2@x", b"Message-ID: <nobracket-2@x>"),
        (b"Message-ID:  <spaced@x> ", b"Message-ID: <spaced@x>"),
    ],
)
def test_message_ids_without_brackets_are_deduplicated(acme, first, second):
    assert receive(raw_mail(first)).outcome == "accepted"
    assert receive(raw_mail(second)).line == "dropped: duplicate Message-ID"
    assert Ticket.objects.count() == 1
    assert InboundMail.objects.get().message_id.startswith("<")


def test_long_message_ids_sharing_a_start_never_collide(acme):
    start = "x" * 300
    one = receive(raw_mail(f"Message-ID: <{start}1@acme.example>".encode()))
    two = receive(raw_mail(f"Message-ID: <{start}2@acme.example>".encode()))
    again = receive(raw_mail(f"Message-ID: <{start}1@acme.example>".encode()))

    assert (one.outcome, two.outcome) == ("accepted", "accepted")
    assert again.line == "dropped: duplicate Message-ID"
    assert one.record.message_id != two.record.message_id
    assert len(one.record.message_id) == 255


def test_a_reply_threads_on_a_long_message_id(acme):
    ContactFactory(customer=acme, email="jane@acme.example")
    long_id = "<" + "y" * 300 + "@acme.example>"
    ticket = receive(raw_mail(f"Message-ID: {long_id}".encode())).ticket

    result = receive(raw_mail(f"In-Reply-To: {long_id}".encode(), b"Subject: Re: more"))

    assert result.outcome == "threaded"
    assert result.ticket == ticket


# --- 10.-16. Held mail, bodies, headers ------------------------------------------------


def test_a_released_quarantined_reply_joins_its_ticket(acme, mail_settings):
    from tickets.inbound import release

    ContactFactory(customer=acme, email="jane@acme.example")
    ticket = receive(raw_mail()).ticket
    mail_settings.ATERA_MAIL_RATE_LIMIT = 0
    held = receive(raw_mail(f"Subject: Re: [#{ticket.pk}] still burning".encode()))
    assert held.outcome == "quarantined"

    released = release(held.record, acme, UserFactory())

    assert released == ticket
    assert ticket.messages.count() == 2
    assert Ticket.objects.count() == 1
    held.record.refresh_from_db()
    assert held.record.outcome == "threaded"


def test_a_released_reply_from_an_outsider_opens_a_new_ticket(acme, mail_settings):
    from tickets.inbound import release

    ContactFactory(customer=acme, email="jane@acme.example")
    ticket = receive(raw_mail()).ticket
    mail_settings.ATERA_MAIL_RATE_LIMIT = 0
    held = receive(raw_mail(b"From: eve@gmail.com", f"Subject: [#{ticket.pk}]".encode()))

    released = release(held.record, None, UserFactory())

    assert released != ticket
    assert ticket.messages.count() == 1


@pytest.mark.parametrize(
    ("body", "text"),
    [("Grüße aus Köln".encode(), "Grüße aus Köln"), ("Grüße".encode("latin-1"), "Grüße")],
    ids=["utf-8", "latin-1"],
)
def test_8bit_body_without_charset_is_read_as_utf8_then_latin1(acme, body, text):
    raw = raw_mail(
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain",
        b"Content-Transfer-Encoding: 8bit",
        body=body,
    )
    assert receive(raw).ticket.messages.get().body_text == text


def test_more_than_one_from_header_is_held(acme):
    ContactFactory(customer=acme, email="boss@acme.example", is_main=True)
    result = receive(raw_mail(b"From: eve@evil.example", b"From: boss@acme.example"))

    assert result.outcome == "quarantined"
    assert result.line == "refused: held for review: more than one From header"
    assert Ticket.objects.count() == 0


def test_auto_submitted_no_with_a_comment_is_a_person(acme):
    assert receive(raw_mail(b"Auto-Submitted: no (manual)")).outcome == "accepted"


def test_precedence_auto_reply_is_dropped(acme):
    result = receive(raw_mail(b"Precedence: auto_reply"))
    assert result.line == "dropped: precedence auto_reply"


def test_rate_limited_mail_says_it_is_held_for_review(acme, mail_settings):
    mail_settings.ATERA_MAIL_RATE_LIMIT = 0
    receive(raw_mail())
    result = receive(raw_mail())
    assert result.outcome == "quarantined"
    assert result.line.startswith("refused: held for review: more than 0 messages")
