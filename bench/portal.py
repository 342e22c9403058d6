"""The portal's ticket list under load: signed-in contacts against gunicorn on PostgreSQL.

Seeds a dedicated database with 100,000 tickets of 200 contacts (20 customers of 10
contacts, one of them the main contact, who sees the customer's 5,000 tickets; the others
see their own 500), starts gunicorn with the production settings on 127.0.0.1, and from
this (second) process runs closed-loop clients, each with its own keep-alive connection
and a signed-in contact's session, asking for random pages of the portal ticket list (a
search by subject one time in five). The same clients then ask for the bare health view
(one ``SELECT 1``) for comparison. Prints requests/s, p50/p95/p99 latency and errors.

    .venv/bin/python -m bench.portal [--tickets 100000] [--seconds 20] [--clients 16]
"""

import argparse
import http.client
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

DATABASE = os.environ.get(
    "BENCH_PORTAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atera_portal_bench"
)
os.environ["DATABASE_URL"] = DATABASE
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atera.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
# Manifest static storage needs collected files; the run collects into a temporary folder.
os.environ.setdefault("DJANGO_STATIC_ROOT", tempfile.mkdtemp(prefix="portal-bench-static-"))

import django  # noqa: E402

from bench.server import free_port, start_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = 20
CONTACTS_PER_CUSTOMER = 10
PAGE_SIZE = 25


def ensure_database() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    admin = psycopg2.connect(dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"])
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def seed(ticket_count: int) -> list[tuple[int, bool]]:
    """A fresh set of customers, contacts with portal logins and tickets; returns each
    portal user's id and whether their contact is the main contact."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from accounts.models import Role, User
    from contacts.models import Contact, ContactEmail
    from customers.models import Customer
    from tickets.models import Ticket, TicketSource

    with transaction.atomic():
        Ticket.objects.filter(customer__name__startswith="Portal bench ").delete()
        User.objects.filter(email__endswith=".portal-bench.example").delete()
        Customer.objects.filter(name__startswith="Portal bench ").delete()
        customers = Customer.objects.bulk_create(
            Customer(name=f"Portal bench {n:02d}") for n in range(CUSTOMERS)
        )
        contacts = Contact.objects.bulk_create(
            Contact(
                customer=customer,
                first_name=f"Person{n}",
                last_name=customer.name,
                email=f"person{n}@c{c}.portal-bench.example",
                is_main=n == 0,
            )
            for c, customer in enumerate(customers)
            for n in range(CONTACTS_PER_CUSTOMER)
        )
        ContactEmail.objects.bulk_create(
            ContactEmail(contact=contact, address=contact.email, is_primary=True)
            for contact in contacts
        )
        # One hash for every login: hashing 200 passwords would dominate the seeding.
        password = make_password("bench-portal-password")
        users = User.objects.bulk_create(
            User(
                email=contact.email,
                role=Role.CONTACT,
                contact=contact,
                password=password,
                full_name=contact.full_name,
            )
            for contact in contacts
        )
        words = ["Printer", "VPN", "Mailbox", "Laptop", "Backup", "Phone", "Wi-Fi", "Server"]
        statuses = ["new", "open", "waiting_for_customer", "resolved", "closed"]
        Ticket.objects.bulk_create(
            (
                Ticket(
                    subject=f"{random.choice(words)} problem {n}",
                    status=random.choice(statuses),
                    source=TicketSource.PORTAL,
                    customer_id=contacts[n % len(contacts)].customer_id,
                    requester=contacts[n % len(contacts)],
                    requester_email=contacts[n % len(contacts)].email,
                )
                for n in range(ticket_count)
            ),
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return [(user.pk, contact.is_main) for user, contact in zip(users, contacts, strict=True)]


def session_cookies(users: list[tuple[int, bool]]) -> list[str]:
    """A signed-in session per portal user, made as django.contrib.auth.login makes it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    cookies = []
    for user in User.objects.filter(pk__in=[pk for pk, _ in users]):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return cookies


def portal_path() -> str:
    page = random.randint(1, 20)
    if random.random() < 0.2:
        return f"/portal/tickets/?q={random.choice(['printer', 'vpn', 'backup'])}&page={page}"
    return f"/portal/tickets/?page={page}"


def run_load(port: int, cookies: list[str], clients: int, seconds: float, path_for) -> dict:
    """``clients`` closed-loop clients for ``seconds``; each request waits for the last."""
    results: list = []
    stop = time.monotonic() + seconds

    def client(cookie: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                connection.request("GET", path_for(), headers={"Cookie": cookie})
                response = connection.getresponse()
                body = response.read()
                # A 200 that is the sign-in page would be a silent failure: check the page.
                ok = response.status == 200 and (b"Portal bench" in body or b'"ok"' in body)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            results.append((time.perf_counter() - start, ok))

    threads = [
        threading.Thread(target=client, args=(cookies[n % len(cookies)],), daemon=True)
        for n in range(clients)
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies = sorted(r[0] * 1000 for r in results)
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(results),
        "errors": sum(1 for r in results if not r[1]),
        "rate": len(results) / elapsed,
        "p50": statistics.median(latencies),
        "p95": cuts[94],
        "p99": cuts[98],
    }


def print_row(label: str, result: dict) -> None:
    print(
        f"| {label:<38} | {result['requests']:>8,} | {result['errors']:>6} "
        f"| {result['rate']:>7.1f} | {result['p50']:>7.1f} | {result['p95']:>7.1f} "
        f"| {result['p99']:>7.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="wall clock per run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()

    django.setup()
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    began = time.monotonic()
    users = seed(args.tickets)
    seconds = time.monotonic() - began
    print(f"seeded {args.tickets:,} tickets, {len(users)} contacts in {seconds:.1f} s")
    main_cookies = session_cookies([u for u in users if u[1]])
    regular_cookies = session_cookies([u for u in users if not u[1]])
    port = free_port()
    server = start_server(port, args.workers)
    try:
        print(
            f"gunicorn {args.workers} workers on PostgreSQL; {args.clients} concurrent "
            f"signed-in clients from a second process over loopback; {args.seconds:.0f} s "
            "per row."
        )
        print(
            "| run                                    | requests | errors |   req/s "
            "| p50 ms  | p95 ms  | p99 ms  |"
        )
        print(
            "| -------------------------------------- | -------: | -----: | ------: "
            "| ------: | ------: | ------: |"
        )
        mixed = main_cookies + regular_cookies
        print_row(
            "bare view /healthz (SELECT 1)",
            run_load(port, mixed, args.clients, args.seconds, lambda: "/healthz"),
        )
        print_row(
            "portal list, regular contacts (500)",
            run_load(port, regular_cookies, args.clients, args.seconds, portal_path),
        )
        print_row(
            "portal list, main contacts (5,000)",
            run_load(port, main_cookies, args.clients, args.seconds, portal_path),
        )
        print_row(
            "portal list, all 200 contacts",
            run_load(port, mixed, args.clients, args.seconds, portal_path),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
