"""Contact imports against the parse-and-COPY floor and django-import-export, side by side.

On a PostgreSQL database of its own (dropped and created afresh, then migrated), imports
10,000 customers through the product's pipeline, then generates XLSX and CSV files of
10,000 and 100,000 contacts across them and measures, for each file:

(a) the floor: the fastest parse available (python-calamine, the csv module) plus a
    PostgreSQL COPY of the rows into a scratch table;
(b) a default django-import-export ``ModelResource.import_data`` (customer as a
    ForeignKeyWidget by name), at 10,000 rows only; the 100,000-row figure is that time
    multiplied by ten;
(c) this product's pipeline end to end (create job, validate, confirm, import), fresh,
    as a re-import of the unchanged file, and as a re-import with every row changed.

Every measured run happens in a child process of its own, so the peak RSS shown is that
run's alone (``os.wait4`` returns each child's rusage). ``--million`` also runs a
1,000,000-row CSV through (a) and (c).

    .venv/bin/python -m bench.imports [--sizes 10000,100000] [--million] [--keep]
"""

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atera_bench_import"
)

CUSTOMERS = 10_000
MILLION = 1_000_000
HEADER = [
    "Customer",
    "Email",
    "First name",
    "Last name",
    "Phone",
    "Job title",
    "Main contact",
    "Other emails",
]
FIRST_NAMES = ["Ada", "Bruno", "Chloé", "Dmitri", "Eva", "Farid", "Greta", "Hugo", "Inès"]
TITLES = ["Controller", "Engineer", "Office manager", "Director", "Buyer", "Accountant"]
# The 1,000,000-row CSV is about 100 MB; the product's default upload limit is 50 MB.
MILLION_MAX_BYTES = str(300 * 1000 * 1000)


# --- files ---------------------------------------------------------------------------------


def customer_name(index: int) -> str:
    return f"Customer {index:05d} Holdings"


def contact_rows(count: int, changed: bool = False):
    """Synthetic contacts: one main contact per customer, every 7th with another address."""
    for i in range(count):
        c = i % CUSTOMERS
        title = TITLES[i % len(TITLES)]
        yield [
            customer_name(c),
            f"person{i}@c{c}.example",
            FIRST_NAMES[i % len(FIRST_NAMES)],
            f"Last{i}",
            f"0{(i * 7919) % 10**9:09d}",  # leading zero: must stay text
            f"Senior {title}" if changed else title,
            "yes" if i < CUSTOMERS else "",
            f"alt{i}@c{c}.example; p{i}@c{c}.example" if i % 7 == 3 else "",
        ]


def write_csv(path: Path, header, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header, rows) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(header)
    for row in rows:
        sheet.append(row)  # strings throughout: the phone numbers keep their leading zero
    workbook.save(path)


def make_files(folder: Path, sizes: list[int], million: bool) -> dict:
    files = {}
    customers = folder / "customers.csv"
    write_csv(
        customers,
        ["Name", "Domains", "City", "Country"],
        ([customer_name(c), f"c{c}.example", "Lyon", "France"] for c in range(CUSTOMERS)),
    )
    files["customers"] = customers
    for size in sizes:
        for fmt, writer in (("xlsx", write_xlsx), ("csv", write_csv)):
            for changed in (False, True):
                path = folder / f"contacts-{size}{'-changed' if changed else ''}.{fmt}"
                start = time.perf_counter()
                writer(path, HEADER, contact_rows(size, changed))
                print(
                    f"  wrote {path.name} ({path.stat().st_size / 1e6:.1f} MB)"
                    f" in {time.perf_counter() - start:.1f} s",
                    file=sys.stderr,
                )
                files[(size, fmt, changed)] = path
    if million:
        path = folder / f"contacts-{MILLION}.csv"
        write_csv(path, HEADER, contact_rows(MILLION))
        files[(MILLION, "csv", False)] = path
    return files


# --- the database --------------------------------------------------------------------------


def admin_connection():
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    )


def recreate_database() -> None:
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    if name != "atera_bench_import":
        # This bench drops its database: never point it at one it did not create.
        sys.exit(f"refusing to drop {name!r}; the bench only uses atera_bench_import")
    admin = admin_connection()
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop_database() -> None:
    from django.conf import settings

    admin = admin_connection()
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            f'DROP DATABASE IF EXISTS "{settings.DATABASES["default"]["NAME"]}" WITH (FORCE)'
        )
    admin.close()


def clear_contacts() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE contacts_contactemail, contacts_contact CASCADE")
        cursor.execute("ANALYZE")


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the measured runs, each in a child process -------------------------------------------


def child_floor(path: Path) -> dict:
    """(a) Parse with the fastest reader, then COPY every row into a scratch table."""
    from django.db import connection

    start = time.perf_counter()
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    parsed = time.perf_counter()
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows[1:])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE scratch (customer text, email text, first_name text, "
            "last_name text, phone text, job_title text, is_main text, others text)"
        )
        cursor.cursor.copy_expert("COPY scratch FROM STDIN WITH (FORMAT csv)", buffer)
    done = time.perf_counter()
    return {"seconds": done - start, "parse": parsed - start, "rows": len(rows) - 1}


def child_pipeline(kind: str, path: Path) -> dict:
    """(c) The product's pipeline, in process, as ``import_file --inline`` runs it."""
    from django.core.files import File

    from imports import services
    from imports.models import ImportJob

    start = time.perf_counter()
    with path.open("rb") as handle:
        job = services.create_job(kind, File(handle, name=path.name), None)
    services.validate(job.pk)
    job.refresh_from_db()
    validated = time.perf_counter()
    if services.confirm(job, None):
        services.run_import(job.pk)
    done = time.perf_counter()
    job = ImportJob.objects.get(pk=job.pk)
    return {
        "seconds": done - start,
        "validate": validated - start,
        "rows": job.rows_total,
        "status": job.status,
        "new": job.new_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "errors": job.error_count,
        "message": job.message,
    }


def child_import_export(path: Path) -> dict:
    """(b) django-import-export as most projects use it: a plain ModelResource."""
    import tablib
    from import_export import fields, resources, widgets

    from contacts.models import Contact
    from customers.models import Customer

    class ContactResource(resources.ModelResource):
        customer = fields.Field(
            attribute="customer",
            column_name="Customer",
            widget=widgets.ForeignKeyWidget(Customer, field="name"),
        )
        email = fields.Field(attribute="email", column_name="Email")
        first_name = fields.Field(attribute="first_name", column_name="First name")
        last_name = fields.Field(attribute="last_name", column_name="Last name")
        phone = fields.Field(attribute="phone", column_name="Phone")
        job_title = fields.Field(attribute="job_title", column_name="Job title")
        is_main = fields.Field(
            attribute="is_main", column_name="Main contact", widget=widgets.BooleanWidget()
        )

        class Meta:
            model = Contact
            fields = (
                "customer",
                "email",
                "first_name",
                "last_name",
                "phone",
                "job_title",
                "is_main",
            )
            import_id_fields = ("email",)

        def before_import_row(self, row, **kwargs):
            # BooleanWidget reads "1"/"0"; the file says yes or nothing.
            row["Main contact"] = "1" if row.get("Main contact") == "yes" else "0"

    start = time.perf_counter()
    if path.suffix == ".xlsx":
        dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    else:
        dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    result = ContactResource().import_data(dataset, dry_run=False, raise_errors=False)
    done = time.perf_counter()
    return {
        "seconds": done - start,
        "rows": len(dataset),
        "errors": len(result.row_errors()) + len(result.invalid_rows),
        "totals": dict(result.totals),
    }


def child(args) -> None:
    import django

    django.setup()
    if args.child == "floor":
        result = child_floor(Path(args.path))
    elif args.child == "pipeline":
        result = child_pipeline(args.kind, Path(args.path))
    else:
        result = child_import_export(Path(args.path))
    print(json.dumps(result, default=str))


def measure(mode: str, path: Path, kind: str = "contacts", env: dict | None = None) -> dict:
    """Run one measurement in a child process; its result plus its own peak RSS."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.imports", "--child", mode, "--kind", kind, str(path)],
        stdout=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        text=True,
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{mode} {path.name}: child failed ({process.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    result["rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


# --- the report ----------------------------------------------------------------------------


def line(label: str, rows: int, result: dict, floor: dict | None, iie: float | None) -> str:
    seconds = result["seconds"]
    ratio_a = f"{seconds / floor['seconds']:6.1f}×" if floor else " " * 7
    ratio_b = f"{iie / seconds:6.1f}×" if iie else " " * 7
    note = ""
    if "status" in result:
        note = (
            f"{result['status']}: new={result['new']} updated={result['updated']} "
            f"unchanged={result['unchanged']} errors={result['errors']}"
        )
    elif "totals" in result:
        note = " ".join(f"{k}={v}" for k, v in result["totals"].items() if v)
    elif "parse" in result:
        note = f"parse {result['parse']:.2f} s"
    return (
        f"{label:34} {rows:>9,} {seconds:9.2f} {rows / seconds:9,.0f} {result['rss_mb']:7.0f}"
        f" {ratio_a} {ratio_b}  {note}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--million", action="store_true", help="also a 1,000,000-row CSV")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--child", choices=["floor", "pipeline", "import_export"])
    parser.add_argument("--kind", default="contacts")
    parser.add_argument("path", nargs="?")
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="atera-bench-import-"))
    # Job files, the progress cache and the broker folders go here, not in var/.
    os.environ["ATERA_DATA_DIR"] = str(folder / "data")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

    import django

    django.setup()
    recreate_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"generating files in {folder}…", file=sys.stderr)
    files = make_files(folder, sizes, args.million)

    customers = measure("pipeline", files["customers"], kind="customers")
    assert customers["new"] == CUSTOMERS, customers
    analyze()

    print(
        f"\n{'file / run':34} {'rows':>9} {'seconds':>9} {'rows/s':>9} {'RSS MB':>7}"
        f" {'(c)/(a)':>7} {'(b)/(c)':>7}"
    )
    print(line("customers.csv (c) fresh", CUSTOMERS, customers, None, None))
    goals = []
    for size in sizes:
        for fmt in ("xlsx", "csv"):
            plain, changed = files[(size, fmt, False)], files[(size, fmt, True)]
            print(f"-- {plain.name}")
            floor = measure("floor", plain)
            print(line("(a) calamine/csv + COPY", size, floor, None, None))
            iie = {}
            if size <= 10_000:
                clear_contacts()
                for label, path in (("fresh", plain), ("unchanged", plain), ("changed", changed)):
                    result = measure("import_export", path)
                    iie[label] = result["seconds"]
                    print(line(f"(b) import-export {label}", size, result, None, None))
            else:
                scale = size / 10_000
                iie = {k: v * scale for k, v in BASELINE.get(fmt, {}).items()}
                for label, seconds in iie.items():
                    print(
                        f"{'(b) import-export ' + label + ' (extrap.)':34} {size:>9,}"
                        f" {seconds:9.2f} {size / seconds:9,.0f}     n/a"
                        f"   (10,000-row time × {scale:g}, not measured)"
                    )
            BASELINE.setdefault(fmt, iie)
            clear_contacts()
            for label, path in (("fresh", plain), ("unchanged", plain), ("changed", changed)):
                result = measure("pipeline", path)
                if result["errors"] or result["status"] != "done":
                    print(f"   !! {label}: {result['status']} {result['message']}")
                print(line(f"(c) pipeline {label}", size, result, floor, iie.get(label)))
                analyze()
                if size >= 100_000:
                    goals.append((f"{plain.name} {label}", result, floor, iie.get(label)))

    if args.million:
        path = files[(MILLION, "csv", False)]
        env = {"ATERA_IMPORT_MAX_BYTES": MILLION_MAX_BYTES}
        print(f"-- {path.name} (upload limit raised to {int(MILLION_MAX_BYTES) // 10**6} MB)")
        floor = measure("floor", path)
        print(line("(a) csv + COPY", MILLION, floor, None, None))
        clear_contacts()
        for label in ("fresh", "unchanged"):
            result = measure("pipeline", path, env=env)
            if result["errors"] or result["status"] != "done":
                print(f"   !! {label}: {result['status']} {result['message']}")
            print(line(f"(c) pipeline {label}", MILLION, result, floor, None))
            analyze()

    if goals:
        print("\ngoals at 100,000 rows:")
        for name, result, floor, iie in goals:
            ratio_a = result["seconds"] / floor["seconds"]
            ratio_b = iie / result["seconds"] if iie else float("nan")
            verdict = (
                "ok" if ratio_a <= 4 and ratio_b >= 20 and result["rss_mb"] < 300 else "MISSED"
            )
            print(
                f"  {name:34} (c)/(a) {ratio_a:4.1f}× (≤4)  (b)/(c) {ratio_b:5.1f}× (≥20)"
                f"  RSS {result['rss_mb']:4.0f} MB (<300)  {verdict}"
            )

    if args.keep:
        print(f"\nkept {folder} and the database", file=sys.stderr)
    else:
        from django.db import connections

        connections.close_all()
        drop_database()
        shutil.rmtree(folder, ignore_errors=True)


# The 10,000-row django-import-export times per format, for the extrapolation.
BASELINE: dict[str, dict[str, float]] = {}


if __name__ == "__main__":
    main()
