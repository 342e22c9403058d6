"""The v1 REST API lists against the framework floor, side by side, on PostgreSQL.

Seeds 20,000 customers with 100,000 contacts in ``atera_api_bench`` (with
bench/customers.py's seeding; later runs reuse them), creates an admin with an API token
and times the server side of ``/api/v1/customers/`` and ``/api/v1/contacts/`` (100 per
page, first page and a middle one) with Django's test client, ``Authorization: Token``,
against a bare view returning ``JsonResponse(list(Model.objects.values(...)[:100]))``
for the same columns, order and offset. Prints the median and p95, requests/s
(sequential, in-process), the queries each page ran and the ratio to the floor.

    .venv/bin/python -m bench.api [--requests 40] [--drop]
"""

import argparse
import os
import statistics
import time

os.environ["BENCH_DATABASE_URL"] = os.environ.get(
    "BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atera_api_bench"
)
# The per-token throttle still runs (a cache read and write per request), but must not
# answer 429 to a benchmark that sends a few thousand requests.
os.environ["ATERA_API_TOKEN_RATE"] = "10000000/hour"

from bench import customers as customers_bench  # sets DJANGO_SETTINGS_MODULE

PAGE_SIZE = 100
# The serializers' list fields read from related rows; the floor has the columns only.
RELATED_LISTS = {"domains", "other_emails"}


def floor_fields(serializer) -> list[str]:
    return [name for name in serializer.Meta.fields if name not in RELATED_LISTS]


def floor_view(model, serializer, ordering: list[str]):
    from django.http import JsonResponse

    fields = floor_fields(serializer)

    def view(request):
        page = int(request.GET.get("page", 1))
        start = (page - 1) * PAGE_SIZE
        rows = model.objects.order_by(*ordering).values(*fields)[start : start + PAGE_SIZE]
        return JsonResponse(list(rows), safe=False)

    return view


def build_urlpatterns() -> list:
    from django.urls import include, path

    from contacts.api import ContactSerializer, ContactViewSet
    from contacts.models import Contact
    from customers.api import CustomerSerializer, CustomerViewSet
    from customers.models import Customer

    return [
        path(
            "bench/floor/customers/",
            floor_view(Customer, CustomerSerializer, CustomerViewSet.ordering),
        ),
        path(
            "bench/floor/contacts/",
            floor_view(Contact, ContactSerializer, ContactViewSet.ordering),
        ),
        path("", include("atera.urls")),
    ]


def __getattr__(name: str):
    # This module is the run's urlconf; its patterns are built once the apps are ready.
    if name == "urlpatterns":
        return build_urlpatterns()
    raise AttributeError(name)


def measure(client, url: str, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Counted now: the context reads the connection's log lazily, which the next request
    # clears.
    queries = len(captured)
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert len(rows) == PAGE_SIZE, (url, len(rows))
    timings = []
    begin = time.perf_counter()
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    elapsed = time.perf_counter() - begin
    return {
        "median": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20)[-1],
        "rps": requests / elapsed,
        "queries": queries,
        "kb": len(response.content) / 1024,
    }


def drop_database() -> None:
    import psycopg2
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    db = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
    admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.api"
    customers_bench.ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    customers_bench.seed()

    from django.test import Client

    from accounts.models import Role, User
    from accounts.tokens import issue_token
    from contacts.models import Contact
    from customers.models import Customer

    admin, _ = User.objects.get_or_create(
        email="bench-api@msp.example", defaults={"role": Role.ADMIN, "is_staff": True}
    )
    admin.api_tokens.all().delete()
    _token, key = issue_token(admin, "bench.api")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")

    customers_page = Customer.objects.count() // PAGE_SIZE // 2
    contacts_page = Contact.objects.count() // PAGE_SIZE // 2
    pages = [
        ("customers", 1),
        ("customers", customers_page),
        ("contacts", 1),
        ("contacts", contacts_page),
    ]
    print(
        f"\n{'page (100 rows)':22} {'median ms':>9} {'p95 ms':>7} {'req/s':>6} {'queries':>7}"
        f" {'KB':>5} | {'floor ms':>8} {'req/s':>6} {'queries':>7} {'KB':>5} | {'ratio':>6}"
    )
    for resource, page in pages:
        api = measure(
            client, f"/api/v1/{resource}/?page_size={PAGE_SIZE}&page={page}", args.requests
        )
        floor = measure(client, f"/bench/floor/{resource}/?page={page}", args.requests)
        print(
            f"{f'{resource}, page {page}':22} {api['median']:9.1f} {api['p95']:7.1f}"
            f" {api['rps']:6.0f} {api['queries']:7d} {api['kb']:5.0f} |"
            f" {floor['median']:8.1f} {floor['rps']:6.0f} {floor['queries']:7d}"
            f" {floor['kb']:5.0f} | {api['median'] / floor['median']:5.1f}×"
        )
    if args.drop:
        drop_database()


if __name__ == "__main__":
    main()
