"""Inbound support mail over real SMTP against parsing the same messages with the standard
library alone, on PostgreSQL.

On a database of its own (dropped, created afresh and migrated), seeds 2,000 customers
with 10,000 contacts, starts ``serve_mail`` as a subprocess on a free loopback port, and
has a second process send 5,000 messages over several concurrent SMTP connections: mail
from known contacts, from new senders at customers' domains (who become contacts) and
from unknown domains (triage tickets). Waits until every message has an InboundMail
record, then prints messages per second, the ratio to ``email.message_from_bytes`` with
the default policy over the same bytes, and the messages lost (must be 0).

``--ticket-list`` then seeds 1,000,000 tickets (COPY, in batches) and times the ticket list
and its "needs attention" filter with the test client, in-process, against a bare Django
view that queries the same rows (same filter, order, page of 50 and count) and renders
them in a minimal table: median and p95 of N requests, and the ratio.

    .venv/bin/python -m bench.mail [--messages 5000] [--connections 8] [--lmtp]
        [--processes N] [--ticket-list] [--tickets 1000000] [--requests 30] [--keep]
"""

import argparse
import email
import email.policy
import json
import os
import random
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

from bench.server import free_port

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atera_bench_mail")

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = 2_000
CONTACTS_PER_CUSTOMER = 5
SUPPORT = "support@localhost"


# --- database ------------------------------------------------------------------------------


def admin_connection():
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    )
    connection.autocommit = True
    return connection, db["NAME"]


def recreate_database() -> None:
    connection, name = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    connection, name = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def seed() -> None:
    from django.db import connection, transaction

    from contacts.models import Contact, ContactEmail
    from customers.models import Customer, CustomerDomain

    with transaction.atomic():
        customers = Customer.objects.bulk_create(
            Customer(name=f"Customer {i:05d}", allow_subdomains=i % 4 == 0)
            for i in range(CUSTOMERS)
        )
        CustomerDomain.objects.bulk_create(
            (CustomerDomain(customer=c, domain=f"c{i}.example") for i, c in enumerate(customers)),
            batch_size=5000,
        )
        contacts = Contact.objects.bulk_create(
            (
                Contact(
                    customer=c,
                    first_name=f"First{n}",
                    last_name=f"Last{i}",
                    email=f"person{n}@c{i}.example",
                    is_main=n == 0,
                )
                for i, c in enumerate(customers)
                for n in range(CONTACTS_PER_CUSTOMER)
            ),
            batch_size=5000,
        )
        ContactEmail.objects.bulk_create(
            (ContactEmail(contact=c, address=c.email, is_primary=True) for c in contacts),
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- messages ------------------------------------------------------------------------------


def build_messages(count: int) -> list[bytes]:
    """A realistic mix: 60 % known contacts, 30 % new senders at customers' domains (some at
    sub-domains), 10 % unknown domains; a fifth in HTML too, a tenth with an attachment."""
    rng = random.Random(42)
    messages = []
    for n in range(count):
        customer = rng.randrange(CUSTOMERS)
        kind = n % 10
        if kind < 6:
            sender = f"First{n % 5} Last{customer} <person{n % 5}@c{customer}.example>"
        elif kind < 9:
            host = f"eu.c{customer}.example" if customer % 4 == 0 else f"c{customer}.example"
            sender = f'"Nouveau, Né {n}" <new{n}@{host}>'
        else:
            sender = f"Stranger {n} <someone{n}@unknown{n}.example>"
        message = EmailMessage()
        message["From"] = sender
        message["To"] = SUPPORT
        message["Subject"] = f"Ticket {n}: the printer on floor {n % 7} is down"
        message["Message-ID"] = f"<bench-{n}@c{customer}.example>"
        message["Date"] = "Fri, 04 Dec 2026 12:00:00 +0000"
        body = f"Hello,\n\nrequest {n}: nothing prints since this morning.\n" + "Details. " * 40
        message.set_content(body)
        if n % 5 == 0:
            message.add_alternative(f"<p>Hello,</p><p>request <b>{n}</b></p>", subtype="html")
        if n % 10 == 3:
            message.add_attachment(
                bytes(rng.randrange(256) for _ in range(2048)),
                maintype="application",
                subtype="octet-stream",
                filename=f"log-{n}.bin",
            )
        # CRLF line ends, as on the wire: smtplib sends bytes as they are.
        messages.append(message.as_bytes(policy=email.policy.SMTP))
    return messages


def stdlib_rate(messages: list[bytes]) -> float:
    """Messages per second that parsing alone reaches: the floor of any mail pipeline."""
    start = time.perf_counter()
    for raw in messages:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        parsed.get_body(preferencelist=("plain",))
    return len(messages) / (time.perf_counter() - start)


# --- the sender (a process of its own) -----------------------------------------------------


def send(path: str, port: int, connections: int, lmtp: bool) -> None:
    """Deliver every message in ``path`` over ``connections`` concurrent sessions; print
    a JSON summary of the replies."""
    messages = [file.read_bytes() for file in sorted(Path(path).glob("*.eml"))]
    failures: list[str] = []
    lock = threading.Lock()

    def worker(share: list[bytes]) -> None:
        client_class = smtplib.LMTP if lmtp else smtplib.SMTP
        with client_class("127.0.0.1", port, timeout=120) as client:
            for raw in share:
                try:
                    client.sendmail("mta@relay.example", [SUPPORT], raw)
                except smtplib.SMTPException as exc:
                    with lock:
                        failures.append(repr(exc)[:200])

    threads = [
        threading.Thread(target=worker, args=(messages[i::connections],))
        for i in range(connections)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    print(json.dumps({"sent": len(messages), "failures": failures, "seconds": elapsed}))


# --- the ticket list ------------------------------------------------------------------------

LIST_PAGE = 50
BARE_LIST = (
    "<!doctype html><html><body><table>{% for t in rows %}<tr><td>#{{ t.pk }}</td>"
    "<td>{{ t.subject }}</td><td>{{ t.customer__name }}</td><td>{{ t.status }}</td>"
    "<td>{{ t.priority }}</td><td>{{ t.next_due }}</td></tr>{% endfor %}</table>"
    "<p>{{ count }}</p></body></html>"
)


def bare_ticket_list(request):
    """The floor: the same rows as the product's list, fetched and shown as plainly as
    Django allows."""
    from django.db.models import F
    from django.http import HttpResponse
    from django.template import engines
    from django.utils import timezone

    from tickets.models import DONE_STATUSES, Ticket

    tickets = Ticket.objects.all()
    if request.GET.get("attention") == "1":
        tickets = tickets.filter(attention_at__lte=timezone.now()).exclude(
            status__in=DONE_STATUSES
        )
    rows = tickets.order_by(F("next_due").asc(nulls_last=True), "-pk").values(
        "pk", "subject", "customer__name", "status", "priority", "next_due"
    )[:LIST_PAGE]
    template = engines["django"].from_string(BARE_LIST)
    return HttpResponse(template.render({"rows": list(rows), "count": tickets.count()}))


def seed_tickets(total: int) -> None:
    """``total`` tickets in batches of COPY: a fifth done, the rest due over the next days
    (some overdue), a tenth without a customer."""
    import datetime
    import io

    from django.db import connection

    from customers.models import Customer

    customer_ids = list(Customer.objects.values_list("pk", flat=True))
    now = datetime.datetime.now(datetime.UTC)
    statuses = ["new", "open", "open", "waiting_for_customer", "resolved"]
    priorities = ["low", "medium", "medium", "high", "critical"]
    columns = (
        "subject, status, priority, source, customer_id, requester_email, paused_minutes,"
        " first_response_due, resolution_due, next_due, attention_at, created_at, updated_at"
    )
    batch = 100_000
    with connection.cursor() as cursor:
        for offset in range(0, total, batch):
            out = io.StringIO()
            for n in range(offset, min(offset + batch, total)):
                status = statuses[n % 5]
                created = now - datetime.timedelta(minutes=n % 20_000)
                due = created + datetime.timedelta(minutes=480 + n % 5000)
                attention = due - datetime.timedelta(minutes=96)
                customer = "\\N" if n % 10 == 0 else customer_ids[n % len(customer_ids)]
                open_marks = status not in ("resolved", "closed")
                next_due = due.isoformat() if open_marks else "\\N"
                attention_at = attention.isoformat() if open_marks else "\\N"
                out.write(
                    f"Ticket {n}\t{status}\t{priorities[n % 5]}\temail\t{customer}\t"
                    f"p{n}@c{n % 2000}.example\t0\t{due.isoformat()}\t{due.isoformat()}\t"
                    f"{next_due}\t{attention_at}\t{created.isoformat()}\t"
                    f"{created.isoformat()}\n"
                )
            out.seek(0)
            cursor.copy_expert(f"COPY tickets_ticket ({columns}) FROM STDIN", out)
        cursor.execute("ANALYZE tickets_ticket")


def time_pages(requests: int) -> list[tuple[str, list[float], list[float]]]:
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import Role, User

    admin, _ = User.objects.get_or_create(
        email="bench@msp.example", defaults={"role": Role.ADMIN, "is_staff": True}
    )
    client = Client()
    client.force_login(admin)

    def measure(url: str) -> list[float]:
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        return timings

    results = []
    with override_settings(ROOT_URLCONF="bench.mail"):
        for label, query in (("Ticket list", ""), ("Needs attention", "?attention=1")):
            product = measure(f"/tickets/{query}")
            floor = measure(f"/bench/bare-tickets/{query}")
            results.append((label, product, floor))
    return results


def print_pages(results, tickets: int) -> None:
    print(
        f"\n{tickets:,} tickets, page of {LIST_PAGE}"
        f"\n{'page':20} {'median ms':>9} {'p95 ms':>7} | {'bare view':>9} {'p95 ms':>7}"
        f" {'ratio':>6}"
    )
    for label, product, floor in results:
        median, floor_median = statistics.median(product), statistics.median(floor)
        print(
            f"{label:20} {median:9.1f} {p95(product):7.1f} | {floor_median:9.1f}"
            f" {p95(floor):7.1f} {median / floor_median:5.1f}×"
        )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _urls():
    from django.urls import include, path

    return [
        path("bench/bare-tickets/", bare_ticket_list),
        path("", include("atera.urls")),
    ]


def __getattr__(name: str):
    # Read by Django when this module is the URLconf (``--ticket-list`` only), after setup.
    if name == "urlpatterns":
        return _urls()
    raise AttributeError(name)


# --- the run -------------------------------------------------------------------------------


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("serve_mail exited before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("serve_mail did not start listening")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of serve_mail and of the listener processes it forked."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(cpu_seconds(int(child)) for child in children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--lmtp", action="store_true", help="deliver over LMTP instead")
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count(), help="serve_mail's processes"
    )
    parser.add_argument("--ticket-list", action="store_true", help="also time the ticket list")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--send", nargs=2, metavar=("FOLDER", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send:
        send(args.send[0], int(args.send[1]), args.connections, args.lmtp)
        return

    workdir = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    os.environ["ATERA_DATA_DIR"] = str(workdir)
    os.environ["ATERA_SUPPORT_ADDRESSES"] = SUPPORT
    import django

    django.setup()
    recreate_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"seeding {CUSTOMERS:,} customers, {CUSTOMERS * 5:,} contacts…", file=sys.stderr)
    seed()

    from django.db.models import Count

    from tickets.models import InboundMail, Ticket

    messages = build_messages(args.messages)
    floor = stdlib_rate(messages)
    batch = workdir / "outbox"
    batch.mkdir()
    for n, raw in enumerate(messages):
        (batch / f"{n:06d}.eml").write_bytes(raw)

    port = free_port()
    server_command = [sys.executable, "manage.py", "serve_mail", "--port", str(port)]
    server_command += ["--processes", str(args.processes)]
    # The server's log goes to a file: a pipe nobody reads would fill and stall it.
    server_log = workdir / "serve_mail.log"
    server = subprocess.Popen(
        server_command + (["--lmtp"] if args.lmtp else []),
        cwd=ROOT,
        env=dict(os.environ),
        stdout=server_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, server)
        print(f"sending {len(messages):,} messages…", file=sys.stderr)
        start = time.perf_counter()
        sender = subprocess.run(
            [sys.executable, "-m", "bench.mail", "--send", str(batch), str(port)]
            + ["--connections", str(args.connections)]
            + (["--lmtp"] if args.lmtp else []),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        summary = json.loads(sender.stdout)
        deadline = time.monotonic() + 120
        while InboundMail.objects.count() < len(messages) and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        server_cpu = process_tree_cpu(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    recorded = InboundMail.objects.count()
    outcomes = dict(InboundMail.objects.values_list("outcome").annotate(n=Count("pk")))
    rate = recorded / elapsed
    print(
        f"\n{'inbound mail, ' + ('LMTP' if args.lmtp else 'SMTP'):34} {'messages':>8}"
        f" {'seconds':>8} {'msg/s':>8} {'ratio':>7}"
    )
    print(
        f"{'stdlib parse only (floor)':34} {len(messages):8,d} {len(messages) / floor:8.2f}"
        f" {floor:8.0f} {1:6.1f}×"
    )
    print(
        f"{'serve_mail → InboundMail recorded':34} {recorded:8,d} {elapsed:8.2f} {rate:8.0f}"
        f" {floor / rate:6.1f}×"
    )
    lost = len(messages) - recorded
    print(
        f"\nconnections {args.connections}; serve_mail processes {args.processes};"
        f" client send time {summary['seconds']:.2f} s;"
        f" SMTP failures {len(summary['failures'])}; lost {lost}; outcomes {outcomes};"
        f" tickets {Ticket.objects.count():,}; serve_mail CPU {server_cpu:.1f} s"
        f" ({server_cpu * 1000 / max(recorded, 1):.1f} ms a message); {os.cpu_count()} CPUs"
    )
    for failure in summary["failures"][:5]:
        print(f"  {failure}")
    if lost or summary["failures"]:
        print(f"serve_mail's log: {server_log}")
    if args.ticket_list:
        print(f"seeding {args.tickets:,} tickets…", file=sys.stderr)
        seed_tickets(args.tickets)
        print_pages(time_pages(args.requests), Ticket.objects.count())
    if not args.keep:
        drop_database()
    if lost or summary["failures"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
