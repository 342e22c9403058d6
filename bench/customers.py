"""Customers pages against the framework floor, side by side, on PostgreSQL.

Seeds 20,000 customers with 100,000 contacts (once; later runs reuse them), then times
the server side of each page with Django's test client (no network in the way) against
a bare view that renders the same number of rows from a plain list. Prints the median
and p95 of each, the ratio to the floor, and the queries each page ran.

    .venv/bin/python -m bench.customers [--requests 40]
"""

import argparse
import os
import statistics
import sys
import time

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django

CUSTOMERS = 20_000
CONTACTS_PER_CUSTOMER = 5
PAGE_SIZE = 50


def ensure_database() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def seed() -> None:
    from django.db import transaction

    from contacts.models import Contact, ContactEmail
    from customers.models import Customer, CustomerDomain

    if Customer.objects.count() >= CUSTOMERS:
        return
    print(
        f"seeding {CUSTOMERS:,} customers and {CUSTOMERS * CONTACTS_PER_CUSTOMER:,} contacts…",
        file=sys.stderr,
    )
    cities = ["Leeds", "Lyon", "Austin", "Porto", "Gent", "Turku", "Cork", "Graz"]
    with transaction.atomic():
        Customer.objects.all().delete()
        customers = Customer.objects.bulk_create(
            Customer(
                name=f"Customer {i:05d} Holdings",
                city=cities[i % len(cities)],
                country="France" if i % 3 else "United Kingdom",
                zip_code=f"{i % 100000:05d}",
            )
            for i in range(CUSTOMERS)
        )
        CustomerDomain.objects.bulk_create(
            (CustomerDomain(customer=c, domain=f"c{c.pk}.example") for c in customers),
            batch_size=5000,
        )
        contacts = Contact.objects.bulk_create(
            (
                Contact(
                    customer=c,
                    first_name=f"First{n}",
                    last_name=f"Last{c.pk}",
                    email=f"person{n}@c{c.pk}.example",
                    is_main=n == 0,
                )
                for c in customers
                for n in range(CONTACTS_PER_CUSTOMER)
            ),
            batch_size=5000,
        )
        ContactEmail.objects.bulk_create(
            (ContactEmail(contact=c, address=c.email, is_primary=True) for c in contacts),
            batch_size=5000,
        )
    with django.db.connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client, url: str, requests: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return timings, len(queries), len(response.content)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()

    django.setup()
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed()

    from django.test import Client

    from accounts.models import Role, User
    from customers.models import Customer

    admin, _ = User.objects.get_or_create(
        email="bench@msp.example", defaults={"role": Role.ADMIN, "is_staff": True}
    )
    client = Client()
    client.force_login(admin)
    sample = Customer.objects.order_by("pk")[CUSTOMERS // 2]
    # (label, url, rows on the page, the same-template floor's url)
    pages = [
        ("Customers list", "/customers/", PAGE_SIZE, f"/bench/same/list/{PAGE_SIZE}/"),
        ("Customers list, 200 per page", "/customers/?per_page=200", 200, "/bench/same/list/200/"),
        (
            "Search by name",
            "/customers/?q=Customer%2012",
            PAGE_SIZE,
            f"/bench/same/list/{PAGE_SIZE}/",
        ),
        ("Search by domain", f"/customers/?q=c{sample.pk}.example", 1, "/bench/same/list/1/"),
        (
            "Search by contact email",
            f"/customers/?q=person3%40c{sample.pk}.example",
            1,
            "/bench/same/list/1/",
        ),
        ("Customer page", f"/customers/{sample.pk}/", 1, "/bench/same/customer/"),
    ]
    print(
        f"\n{'page':30} {'median ms':>9} {'p95 ms':>7} {'queries':>7} | {'same-tpl floor':>14}"
        f" {'ratio':>6} | {'bare floor':>10} {'ratio':>6}"
    )
    for label, url, rows, same_url in pages:
        timings, queries, _size = measure(client, url, args.requests)
        same, _, _ = measure(client, same_url, args.requests)
        bare, _, _ = measure(client, f"/bench/bare/{rows}/", args.requests)
        median = statistics.median(timings)
        same_median, bare_median = statistics.median(same), statistics.median(bare)
        print(
            f"{label:30} {median:9.1f} {p95(timings):7.1f} {queries:7d} | {same_median:14.1f}"
            f" {median / same_median:5.1f}× | {bare_median:10.1f} {median / bare_median:5.1f}×"
        )


if __name__ == "__main__":
    main()
