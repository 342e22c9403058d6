"""Agent reports at fleet scale: simulated devices against gunicorn on PostgreSQL.

Enrols N devices (5,000 by default) in a dedicated database, starts gunicorn with the
production settings on 127.0.0.1, and sends reports from this process at the rate N
devices reporting every 60 s would (83.3/s for 5,000), for a shortened wall-clock run
(60 s by default: each device reports once). Prints sustained reports/s, p50/p95
latency, errors, and database rows written per report (from pg_stat_user_tables).

Then the evaluation-cost check: the same request rate from 500 devices and from 5,000
(on a table of 5,000 devices either way), and the ratio of their latencies and rows per
report. Constant cost means a ratio near 1.

    .venv/bin/python -m bench.agents [--devices 5000] [--seconds 60] [--workers 4]
"""

import argparse
import http.client
import json
import math
import os
import queue
import random
import secrets
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

DATABASE = os.environ.get(
    "BENCH_AGENTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atera_mon_bench"
)
os.environ["DATABASE_URL"] = DATABASE
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atera.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django  # noqa: E402

from bench.server import free_port, start_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
INTERVAL = 60.0


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


def seed(count: int) -> list[str]:
    """A fresh fleet of ``count`` devices under 50 customers; returns their keys."""
    from django.db import transaction

    from customers.models import Customer
    from monitoring.models import Alert, Device
    from monitoring.services import hash_secret

    with transaction.atomic():
        Alert.objects.all().delete()
        Device.objects.all().delete()
        Customer.objects.filter(name__startswith="Bench fleet ").delete()
        customers = Customer.objects.bulk_create(
            Customer(name=f"Bench fleet {n:02d}") for n in range(50)
        )
        keys = [secrets.token_urlsafe(32) for _ in range(count)]
        now = datetime.now(UTC)
        Device.objects.bulk_create(
            (
                Device(
                    customer=customers[n % len(customers)],
                    hostname=f"bench-{n:05d}",
                    os="Linux",
                    key_hash=hash_secret(key),
                    enrolled_at=now,
                )
                for n, key in enumerate(keys)
            ),
            batch_size=2000,
        )
    with django.db.connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return keys


def rows_written() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables"
        )
        return int(cursor.fetchone()[0])


class Sender(threading.Thread):
    """One keep-alive connection taking (due time, key, sequence) jobs off a queue."""

    def __init__(self, port: int, jobs: queue.Queue, results: list) -> None:
        super().__init__(daemon=True)
        self.port, self.jobs, self.results = port, jobs, results

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while (job := self.jobs.get()) is not None:
            due, key, sequence, disk = job
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            body = json.dumps(
                {
                    "sent_at": datetime.now(UTC).isoformat(),
                    "sequence": sequence,
                    "cpu_percent": round(random.uniform(2, 99), 1),
                    "memory_percent": round(random.uniform(20, 95), 1),
                    "uptime_seconds": 86400,
                    "volumes": [
                        {"name": "/", "used_percent": disk, "free_gb": 20.0, "total_gb": 200.0}
                    ],
                    "agent_version": "bench",
                }
            )
            start = time.perf_counter()
            try:
                connection.request(
                    "POST",
                    "/api/v1/agent/reports/",
                    body=body,
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Device {key}",
                    },
                )
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                status = 0
            self.results.append((time.perf_counter() - start, status, time.monotonic()))


def run_load(port: int, keys: list[str], rate: float, seconds: float, sequences: dict) -> dict:
    """Send ``rate`` reports/s for ``seconds``, cycling through ``keys`` in order."""
    jobs: queue.Queue = queue.Queue()
    results: list = []
    senders = [Sender(port, jobs, results) for _ in range(48)]
    for sender in senders:
        sender.start()
    total = int(rate * seconds)
    written_before = rows_written()
    start = time.monotonic() + 0.5
    for n in range(total):
        key = keys[n % len(keys)]
        sequences[key] = sequences.get(key, 0) + 1
        # One device in ten has a nearly full disk, so alerts open and resolve as they go.
        disk = 95.0 if random.random() < 0.1 else 40.0
        jobs.put((start + n / rate, key, sequences[key], disk))
    for _ in senders:
        jobs.put(None)
    for sender in senders:
        sender.join()
    elapsed = max(r[2] for r in results) - start
    time.sleep(1.5)  # PostgreSQL flushes table statistics about once a second
    written = rows_written() - written_before
    latencies = sorted(r[0] * 1000 for r in results)
    errors = sum(1 for r in results if r[1] != 202)
    return {
        "reports": len(results),
        "errors": errors,
        "rate": len(results) / elapsed,
        "p50": statistics.median(latencies),
        "p95": statistics.quantiles(latencies, n=20)[-1],
        "rows": written / max(len(results), 1),
        "seconds": elapsed,
    }


def print_row(label: str, result: dict) -> None:
    print(
        f"| {label:<34} | {result['reports']:>7,} | {result['errors']:>6} "
        f"| {result['rate']:>9.1f} | {result['p50']:>8.1f} | {result['p95']:>8.1f} "
        f"| {result['rows']:>9.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--small", type=int, default=500, help="fleet for the cost ratio")
    parser.add_argument("--seconds", type=float, default=60.0, help="wall-clock per run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()

    django.setup()
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    keys = seed(args.devices)
    # 5,000 / 60 s is 83.3/s: round up so the goal of 84/s is what is sent.
    rate = float(math.ceil(args.devices / INTERVAL))
    port = free_port()
    server = start_server(port, args.workers)
    sequences: dict = {}
    try:
        print(
            f"{args.devices:,} devices reporting every {INTERVAL:.0f} s = {rate:.1f} reports/s; "
            f"run shortened to {args.seconds:.0f} s of wall clock per row; gunicorn "
            f"{args.workers} workers on PostgreSQL; load from a second process over loopback."
        )
        print(
            "| run                                | reports | errors | reports/s "
            "| p50 (ms) | p95 (ms) | rows/report |"
        )
        print(
            "| ---------------------------------- | ------: | -----: | --------: "
            "| -------: | -------: | --------: |"
        )
        shuffled = keys[:]
        random.shuffle(shuffled)
        full = run_load(port, shuffled, rate, args.seconds, sequences)
        print_row(f"{args.devices:,} devices, every 60 s", full)
        small = run_load(port, shuffled[: args.small], rate, args.seconds, sequences)
        print_row(f"{args.small:,} devices, same rate", small)
        large = run_load(port, shuffled, rate, args.seconds, sequences)
        print_row(f"{args.devices:,} devices, same rate", large)
        print(
            f"cost ratio {args.devices:,} vs {args.small:,} devices: "
            f"p50 ×{large['p50'] / small['p50']:.2f}, p95 ×{large['p95'] / small['p95']:.2f}, "
            f"rows/report ×{large['rows'] / max(small['rows'], 0.01):.2f}"
        )
        goal = full["errors"] == 0 and full["rate"] >= 84 * 0.99
        print(f"goal (zero errors, ≥ 84 reports/s sustained): {'met' if goal else 'NOT met'}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
