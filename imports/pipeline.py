"""The import itself: read rows, check them, compare them with the database, write them.

One pass does everything, batch by batch, so memory stays flat as files grow. Validation
is the same pass with ``write=False``. With ``write=True`` the caller wraps the pass in one
transaction and rolls it back when any row fails: a file with an error writes nothing.

This is the narrow fast path beside django-import-export: the Resources in
``imports.columns`` describe the columns, but rows are checked and written here in bulk,
with one set of queries per batch instead of several per row.
"""

import functools
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connection, models
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact, ContactEmail
from customers.domains import parse_domains
from customers.models import Customer, CustomerDomain
from customers.validators import validate_visible_name

from .columns import FALSE_WORDS, RESOURCES, TRUE_WORDS, Column, columns_for, header_key
from .models import Kind
from .readers import UNCACHED, FileRefused, cell_text, column_letters, open_sheet

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
SAMPLE_SIZE = 10
MAX_OTHER_EMAILS = 50
_LIST_SPLIT = re.compile(r"[\s,;]+")
_validate_email = EmailValidator()
# C0 controls other than tab and line breaks: invisible, and refused by XLSX files.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@functools.lru_cache(maxsize=65536)
def _domain_ok(domain: str) -> bool:
    return domain in _validate_email.domain_allowlist or _validate_email.validate_domain_part(
        domain
    )


def _is_email(address: str) -> bool:
    """Django's EmailValidator, step for step, with each domain's verdict remembered.

    A file's addresses share few domains, and the domain check (a long regex, then an IP
    literal check) was most of the cost of validating 250,000 addresses.
    """
    if not address or "@" not in address or len(address) > 320:
        return False
    user_part, domain_part = address.rsplit("@", 1)
    return bool(_validate_email.user_regex.match(user_part)) and _domain_ok(domain_part)


Progress = Callable[[int, int], None]


@dataclass
class RowIssue:
    row: int
    column: str
    message: str
    values: list[str]


@dataclass
class Outcome:
    """What a pass found: counts, the first rows of each kind, and every row error."""

    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    samples: dict[str, list] = field(
        default_factory=lambda: {"new": [], "updated": [], "unchanged": []}
    )
    ignored_columns: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    skipped_example_rows: list[int] = field(default_factory=list)

    def add(self, outcome: str, row: "Row", changes: dict | None = None) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if len(self.samples[outcome]) < SAMPLE_SIZE:
            self.samples[outcome].append(
                {"row": row.number, "values": row.shown(), "changes": changes or {}}
            )


@dataclass
class Row:
    number: int
    cells: list[str]
    values: dict[str, str]
    headers: dict[str, str]

    def shown(self) -> list[tuple[str, str]]:
        # Pairs, not a dict: PostgreSQL's jsonb reorders object keys, and the preview should
        # read in the file's column order.
        return [(self.headers[a], v) for a, v in self.values.items() if v]


class RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def run(
    kind: str,
    path: Path,
    extension: str,
    *,
    write: bool,
    user=None,
    progress: Progress | None = None,
) -> Outcome:
    """Read the file and check every row; with ``write``, also apply each clean batch."""
    sheet = open_sheet(path, extension)
    columns = columns_for(kind)
    rows = iter(sheet.rows)
    positions, ignored, header, ignored_positions = _read_header(
        rows, columns, RESOURCES[kind].ignored
    )
    outcome = Outcome(ignored_columns=ignored, header=header)
    width = len(header)
    # Positions inside the header with no header text: a value there has no column.
    unnamed = [
        i for i in range(width) if i not in ignored_positions and i not in set(positions.values())
    ]
    importer = (CustomerImporter if kind == Kind.CUSTOMERS else ContactImporter)(
        columns, outcome, write=write, user=user
    )
    example_key = next(c.example for c in columns if c.key).casefold()
    key_attribute = next(c.attribute for c in columns if c.key)
    headers = {c.attribute: c.header for c in columns}
    total = max(sheet.estimated_rows - 1, 0)

    batch: list[Row] = []
    for number, raw in rows:
        cells = [cell_text(value) for value in raw]
        if not any(cells):
            continue
        values = {attr: cells[i] if i < len(cells) else "" for attr, i in positions.items()}
        if values.get(key_attribute, "").casefold() == example_key:
            outcome.skipped_example_rows.append(number)
            continue
        outcome.rows += 1
        if outcome.rows > settings.ATERA_IMPORT_MAX_ROWS:
            raise FileRefused(
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": f"{settings.ATERA_IMPORT_MAX_ROWS:,}"}
            )
        row = Row(number, cells, values, headers)
        stray = [i for i in unnamed if i < len(cells) and cells[i]]
        stray += [i for i in range(width, len(cells)) if cells[i]]
        if stray:
            outcome.errors.append(
                RowIssue(
                    number,
                    column_letters(stray[0]),
                    _(
                        "The value “%(value)s” is outside the header's columns; quote values "
                        "that contain the delimiter, or give that column a header."
                    )
                    % {"value": cells[stray[0]][:50]},
                    cells,
                )
            )
        for attr, i in positions.items():
            if i < len(raw) and raw[i] is UNCACHED:
                outcome.errors.append(
                    RowIssue(
                        number,
                        headers[attr],
                        _(
                            "This cell holds a formula with no saved result; open the file "
                            "in Excel, save it, and upload it again (or paste values)."
                        ),
                        cells,
                    )
                )
                values[attr] = ""
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            importer.process(batch)
            batch = []
            if progress:
                progress(outcome.rows, max(total, outcome.rows))
    if batch:
        importer.process(batch)
    if not outcome.rows:
        raise FileRefused(
            _("The file has only the template's example row; add your rows below it.")
            if outcome.skipped_example_rows
            else _("The file has a header but no data rows.")
        )
    if progress:
        progress(outcome.rows, outcome.rows)
    outcome.errors.sort(key=lambda issue: issue.row)
    return outcome


def _read_header(
    rows, columns: tuple[Column, ...], ignorable: Iterable[str]
) -> tuple[dict[str, int], list, list, set]:
    """Find the header (the first non-blank row) and map each column to its position."""
    names: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, column.attribute, *column.aliases):
            names[header_key(name)] = column
    resource_ignored = {header_key(name) for name in ignorable}

    for row_number, raw in rows:
        cells = [cell_text(value) for value in raw]
        if any(cells):
            number = row_number
            break
    else:
        raise FileRefused(_("The file has no header row and no data."))

    positions: dict[str, int] = {}
    unknown, ignored, ignored_positions = [], [], set()
    for index, text in enumerate(cells):
        if not text:
            continue
        column = names.get(header_key(text))
        if column is None:
            if header_key(text) in resource_ignored:
                ignored.append(text)
                ignored_positions.add(index)
            else:
                unknown.append(text)
            continue
        if column.attribute in positions:
            raise FileRefused(
                _("Row %(row)s: the column “%(column)s” appears twice; keep one of them.")
                % {"row": number, "column": column.header}
            )
        positions[column.attribute] = index
    if unknown:
        raise FileRefused(
            _(
                "Row %(row)s: unknown columns %(unknown)s. Rename or remove them; the template's "
                "columns are: %(known)s."
            )
            % {
                "row": number,
                "unknown": ", ".join(f"“{name}”" for name in unknown),
                "known": ", ".join(c.header for c in columns),
            }
        )
    missing = [
        c.header
        for c in columns
        if (c.key or c.kind == "customer") and c.attribute not in positions
    ]
    if missing:
        raise FileRefused(
            _("Row %(row)s is taken as the header, but it has no “%(column)s” column.")
            % {"row": number, "column": missing[0]}
        )
    return positions, ignored, cells, ignored_positions


# --- shared checks -------------------------------------------------------------------------


def _text(row: Row, column: Column, model, field_name: str) -> str | None:
    """The cell's text, None when blank; too long for the field is a row error."""
    value = row.values.get(column.attribute, "")
    if not value:
        return None
    control = _CONTROL.search(value)
    if control:
        raise RowError(
            column.header,
            _("The value contains an invisible control character (U+%(code)s); remove it.")
            % {"code": f"{ord(control.group()):04X}"},
        )
    max_length = _max_length(model, field_name)
    if max_length and len(value) > max_length:
        raise RowError(
            column.header,
            _("%(count)s characters; at most %(max)s fit.")
            % {"count": len(value), "max": max_length},
        )
    return value


@functools.cache
def _max_length(model, field_name: str) -> int | None:
    # _meta.get_field per cell was a measurable share of a 100,000-row pass.
    return model._meta.get_field(field_name).max_length


def _bool(row: Row, column: Column) -> bool | None:
    value = row.values.get(column.attribute, "")
    if not value:
        return None
    word = value.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError(column.header, _("“%(value)s” is not yes or no.") % {"value": value})


# --- bulk writes ---------------------------------------------------------------------------

# Values of these fields go to psycopg2 as they are: Django's own preparation of them is a
# no-op on PostgreSQL, but costs several calls per cell in bulk_create.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.DateTimeField,
    models.ForeignKey,
)


def _db_value(field, obj):
    value = getattr(obj, field.attname)
    if value is None or isinstance(field, _PLAIN_FIELDS):
        return value
    return field.get_db_prep_save(value, connection)


def _bulk_insert(objs: Iterable[models.Model]) -> None:
    """``bulk_create``, with one multi-row INSERT per batch on PostgreSQL.

    Like bulk_create: no save() or signals, auto_now fields set, the new primary keys set
    on the objects. On other databases it is bulk_create itself.
    """
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        return
    from psycopg2.extras import execute_values

    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    now = timezone.now()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    # Identifiers from the model's metadata, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES %s RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH_SIZE):
            page = objs[start : start + BATCH_SIZE]
            for obj in page:
                for f in stamped:
                    setattr(obj, f.attname, now)
            keys = execute_values(
                cursor.cursor,
                sql,
                [tuple(_db_value(f, obj) for f in fields) for obj in page],
                page_size=len(page),
                fetch=True,
            )
            # PostgreSQL returns the rows of INSERT … VALUES in order (bulk_create relies
            # on it too).
            for obj, (pk,) in zip(page, keys, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


def _bulk_update(objs: list[models.Model], field_names: list[str]) -> None:
    """``bulk_update``, as one UPDATE … FROM (VALUES …) per batch on PostgreSQL.

    bulk_update writes ``SET f = CASE WHEN id=1 THEN … WHEN id=2 …`` per field, which
    PostgreSQL evaluates row by row against every branch: quadratic in the batch, about
    4 ms a row at 2,000 rows. A join on a VALUES list is linear.
    """
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, field_names, batch_size=BATCH_SIZE)
        return
    from psycopg2.extras import execute_values

    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    pk = meta.pk
    template = "({})".format(", ".join(f"%s::{f.db_type(connection)}" for f in [pk, *fields]))
    sql = (
        # Identifiers from the model's metadata, quoted; every value is a parameter.
        f"UPDATE {quote(meta.db_table)} AS t SET "  # noqa: S608
        + ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
        + f" FROM (VALUES %s) AS v({', '.join(quote(f.column) for f in [pk, *fields])})"
        + f" WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
        # The keys again, as a list: rows inserted earlier in the same transaction are
        # not in the table's statistics, and without this the planner hashes the whole
        # table for every batch (a sequential scan per 2,000 rows).
        + f" AND t.{quote(pk.column)} = ANY(%s)"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH_SIZE):
            page = objs[start : start + BATCH_SIZE]
            keys = [int(obj.pk) for obj in page]
            execute_values(
                cursor.cursor,
                # Only the VALUES placeholder may remain; the keys are integers, so their
                # array literal holds no "%".
                sql.replace("= ANY(%s)", f"= ANY(ARRAY[{','.join(map(str, keys))}])"),
                [(obj.pk, *(_db_value(f, obj) for f in fields)) for obj in page],
                template=template,
                page_size=len(page),
            )


class Importer:
    model = None

    def __init__(self, columns, outcome: Outcome, *, write: bool, user=None) -> None:
        self.columns = {c.attribute: c for c in columns}
        # Plain text and yes/no columns are read alike; the others need their own rules.
        self.text_fields = tuple(c.attribute for c in columns if c.kind == "text" and not c.key)
        self.bool_fields = tuple(c.attribute for c in columns if c.kind == "bool")
        self.outcome = outcome
        self.write = write
        self.user = user

    def fail(self, row: Row, column: str, message: str) -> None:
        self.outcome.errors.append(RowIssue(row.number, column, message, row.cells))

    @property
    def writing(self) -> bool:
        # All-or-nothing: after the first error nothing more is written; the caller rolls
        # back what was, but the pass goes on so that every error is reported.
        return self.write and not self.outcome.errors

    def read_fields(self, row: Row) -> dict:
        """The row's non-blank simple fields, checked; a blank cell is absent."""
        data = {}
        for name in self.text_fields:
            if name in self.columns:
                value = _text(row, self.columns[name], self.model, name)
                if value is not None:
                    data[name] = value
        for name in self.bool_fields:
            if name in self.columns:
                value = _bool(row, self.columns[name])
                if value is not None:
                    data[name] = value
        return data

    def changes(self, stored, data: dict) -> dict:
        return {
            self.columns[name].header: [getattr(stored, name), value]
            for name, value in data.items()
            if getattr(stored, name) != value
        }


# --- customers -----------------------------------------------------------------------------


def customer_key(name: str) -> str:
    return " ".join(name.split()).lower()


class CustomerImporter(Importer):
    model = Customer

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seen_names: dict[str, int] = {}
        self.seen_domains: dict[str, tuple[int, str]] = {}

    def process(self, rows: list[Row]) -> None:
        parsed = []
        for row in rows:
            try:
                parsed.append((row, *self.parse(row)))
            except RowError as error:
                self.fail(row, error.column, error.message)

        keys = [customer_key(name) for _row, name, _data, _domains in parsed]
        existing = {
            c.key: c
            for c in Customer.objects.annotate(key=Lower(Trim("name"))).filter(key__in=keys)
        }
        stored_domains: dict[int, set[str]] = {}
        all_domains = {d for *_rest, domains in parsed if domains for d in domains}
        owners = dict(
            CustomerDomain.objects.filter(domain__in=all_domains).values_list(
                "domain", "customer__name"
            )
        )
        for customer_id, domain in CustomerDomain.objects.filter(
            customer__in=existing.values()
        ).values_list("customer_id", "domain"):
            stored_domains.setdefault(customer_id, set()).add(domain)

        new, updated, domain_updates = [], [], []
        for row, name, data, domains in parsed:
            key = customer_key(name)
            customer = existing.get(key)
            if not self.check_domains(row, key, customer, domains, owners):
                continue
            if customer is None:
                customer = Customer(name=name, created_by=self.user, **data)
                new.append((customer, domains or []))
                self.outcome.add("new", row)
                continue
            changes = self.changes(customer, data)
            if name != customer.name:
                changes[self.columns["name"].header] = [customer.name, name]
                data["name"] = name
            if domains is not None and set(domains) != stored_domains.get(customer.pk, set()):
                changes[self.columns["domains"].header] = [
                    "; ".join(sorted(stored_domains.get(customer.pk, ()))),
                    "; ".join(domains),
                ]
                domain_updates.append((customer, domains))
            if not changes:
                self.outcome.add("unchanged", row)
                continue
            for attr, value in data.items():
                setattr(customer, attr, value)
            customer.updated_at = timezone.now()
            updated.append(customer)
            self.outcome.add("updated", row, changes)

        if self.writing:
            self.save(new, updated, domain_updates)

    def parse(self, row: Row) -> tuple[str, dict, list[str] | None]:
        name_column = self.columns["name"]
        name = " ".join(row.values.get("name", "").split())
        if not name:
            raise RowError(name_column.header, _("Enter the customer's name."))
        try:
            validate_visible_name(name)
        except ValidationError as exc:
            raise RowError(name_column.header, exc.messages[0]) from exc
        if len(name) > Customer._meta.get_field("name").max_length:
            raise RowError(name_column.header, _("The name is too long."))
        key = customer_key(name)
        if key in self.seen_names:
            raise RowError(
                name_column.header,
                _("“%(name)s” is in the file twice: rows %(first)s and %(row)s.")
                % {"name": name, "first": self.seen_names[key], "row": row.number},
            )
        self.seen_names[key] = row.number

        data = self.read_fields(row)
        domains = None
        if "domains" in self.columns and row.values.get("domains"):
            try:
                domains = parse_domains(row.values["domains"])
            except ValidationError as exc:
                raise RowError(self.columns["domains"].header, " ".join(exc.messages)) from exc
        return name, data, domains

    def check_domains(self, row, key, customer, domains, owners) -> bool:
        header = self.columns["domains"].header if "domains" in self.columns else ""
        for domain in domains or ():
            owner = owners.get(domain)
            if owner is not None and (customer is None or customer_key(owner) != key):
                self.fail(
                    row,
                    header,
                    _("“%(domain)s” belongs to the customer “%(owner)s” already.")
                    % {"domain": domain, "owner": owner},
                )
                return False
            first = self.seen_domains.setdefault(domain, (row.number, key))
            if first[1] != key:
                self.fail(
                    row,
                    header,
                    _("“%(domain)s” is given to another customer in row %(first)s.")
                    % {"domain": domain, "first": first[0]},
                )
                return False
        return True

    def save(self, new, updated, domain_updates) -> None:
        if new:
            created = [customer for customer, _d in new]
            _bulk_insert(created)
            _bulk_insert(
                CustomerDomain(customer=customer, domain=domain)
                for customer, (_c, domains) in zip(created, new, strict=True)
                for domain in domains
            )
        if updated:
            fields = sorted(
                {f for f in self.text_fields + self.bool_fields if f in self.columns}
                | {"name", "updated_at"}
            )
            _bulk_update(updated, fields)
        if domain_updates:
            CustomerDomain.objects.filter(customer__in=[c for c, _d in domain_updates]).delete()
            _bulk_insert(
                [
                    CustomerDomain(customer=customer, domain=domain)
                    for customer, domains in domain_updates
                    for domain in domains
                ]
            )


# --- contacts ------------------------------------------------------------------------------


@dataclass
class ContactRow:
    row: Row
    email: str
    others: list[str] | None
    customer_name: str
    data: dict


class ContactImporter(Importer):
    model = Contact

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seen_addresses: dict[str, int] = {}
        self.customers: dict[str, Customer | None] = {}
        self.mains: dict[int, int] = {}

    def process(self, rows: list[Row]) -> None:
        parsed = []
        for row in rows:
            try:
                parsed.append(self.parse(row))
            except RowError as error:
                self.fail(row, error.column, error.message)
        self.load_customers({customer_key(p.customer_name) for p in parsed if p.customer_name})

        addresses = {a.lower() for p in parsed for a in [p.email, *(p.others or [])]}
        owner_of = dict(
            ContactEmail.objects.annotate(key=Lower("address"))
            .filter(key__in=addresses)
            .values_list("key", "contact_id")
        )
        contacts = Contact.objects.in_bulk(set(owner_of.values()))
        extras: dict[int, dict[str, str]] = {}
        for contact_id, address in ContactEmail.objects.filter(
            contact_id__in=contacts, is_primary=False
        ).values_list("contact_id", "address"):
            extras.setdefault(contact_id, {})[address.lower()] = address

        new, updated, readdressed, promoted = [], [], [], []
        for item in parsed:
            try:
                result = self.classify(item, owner_of, contacts, extras)
            except RowError as error:
                self.fail(item.row, error.column, error.message)
                continue
            outcome, contact, changes, address_change = result
            if contact.is_main and (outcome == "new" or "is_main" in item.data):
                promoted.append(contact)
            if outcome == "new":
                new.append((contact, item))
            elif outcome == "updated":
                updated.append(contact)
                if address_change:
                    readdressed.append((contact, item))
            self.outcome.add(outcome, item.row, changes)

        if self.writing:
            self.save(new, updated, readdressed, promoted)

    def parse(self, row: Row) -> ContactRow:
        header = self.columns["email"].header
        email = row.values.get("email", "")
        if not email:
            raise RowError(header, _("Enter the contact's email address."))
        others = None
        if "other_emails" in self.columns and row.values.get("other_emails"):
            header_others = self.columns["other_emails"].header
            others = [a for a in _LIST_SPLIT.split(row.values["other_emails"]) if a]
            if len(others) > MAX_OTHER_EMAILS:
                raise RowError(
                    header_others,
                    _("At most %(max)s further addresses.") % {"max": MAX_OTHER_EMAILS},
                )
            for address in others:
                self.check_address(address, header_others)
        self.check_address(email, header)
        for address in [email, *(others or [])]:
            first = self.seen_addresses.setdefault(address.lower(), row.number)
            if first != row.number:
                raise RowError(
                    header,
                    _("“%(address)s” is in the file twice: rows %(first)s and %(row)s.")
                    % {"address": address, "first": first, "row": row.number},
                )
        if others is not None:
            others = [a for a in dict.fromkeys(others) if a.lower() != email.lower()]
        customer_name = " ".join(row.values.get("customer", "").split())
        return ContactRow(row, email, others, customer_name, self.read_fields(row))

    def check_address(self, address: str, header: str) -> None:
        if len(address) > 254 or not _is_email(address):
            raise RowError(
                header, _("“%(address)s” is not a valid email address.") % {"address": address}
            )

    def load_customers(self, keys: set[str]) -> None:
        missing = keys - self.customers.keys()
        if not missing:
            return
        found = {
            c.key: c
            for c in Customer.objects.annotate(key=Lower(Trim("name")))
            .filter(key__in=missing)
            .only("pk", "name")
        }
        for key in missing:
            self.customers[key] = found.get(key)

    def classify(self, item: ContactRow, owner_of, contacts, extras):
        columns = self.columns
        data = item.data
        customer = None
        if item.customer_name:
            customer = self.customers.get(customer_key(item.customer_name))
            if customer is None:
                raise RowError(
                    columns["customer"].header,
                    _("There is no customer named “%(name)s”; import or create it first.")
                    % {"name": item.customer_name},
                )
        owners = {
            owner_of[a.lower()]
            for a in [item.email, *(item.others or [])]
            if a.lower() in owner_of
        }
        if len(owners) > 1:
            names = ", ".join(sorted(contacts[pk].full_name for pk in owners))
            raise RowError(
                columns["email"].header,
                _("These addresses belong to different contacts (%(names)s).") % {"names": names},
            )
        contact = contacts[owners.pop()] if owners else None

        if contact is None:
            missing = [
                c
                for c in ("customer", "first_name", "last_name")
                if c in columns and not (item.customer_name if c == "customer" else data.get(c))
            ]
            if missing:
                raise RowError(columns[missing[0]].header, _("A new contact needs this value."))
            # customer_id, not customer: the FK descriptor is costly on 100,000 rows.
            contact = Contact(customer_id=customer and customer.pk, email=item.email, **data)
            self.check_main(item, contact)
            return "new", contact, {}, False

        if customer is not None and customer.pk != contact.customer_id:
            raise RowError(
                columns["customer"].header,
                _("This contact belongs to another customer; move contacts in the console."),
            )
        changes = self.changes(contact, data)
        address_change = False
        if item.email.lower() != contact.email.lower():
            changes[columns["email"].header] = [contact.email, item.email]
            address_change = True
        stored = extras.get(contact.pk, {})
        if item.others is None and address_change:
            # The main address moves to one of the contact's others: keep every address.
            kept = {**stored, contact.email.lower(): contact.email}
            kept.pop(item.email.lower(), None)
            item.others = sorted(kept.values())
        elif item.others is not None:
            wanted = {a.lower() for a in item.others}
            if wanted != set(stored) - {item.email.lower()} or address_change:
                changes[columns["other_emails"].header] = [
                    "; ".join(sorted(stored.values())),
                    "; ".join(item.others),
                ]
                address_change = True
        for attr, value in data.items():
            setattr(contact, attr, value)
        contact.email = item.email
        contact.updated_at = timezone.now()
        self.check_main(item, contact)
        if not changes:
            return "unchanged", contact, {}, False
        return "updated", contact, changes, address_change

    def check_main(self, item: ContactRow, contact: Contact) -> None:
        if not contact.is_main:
            return
        if not contact.active:
            raise RowError(
                self.columns["is_main"].header,
                _("An inactive contact cannot be the main contact."),
            )
        first = self.mains.setdefault(contact.customer_id, item.row.number)
        if first != item.row.number:
            raise RowError(
                self.columns["is_main"].header,
                _("Two main contacts for one customer: rows %(first)s and %(row)s.")
                % {"first": first, "row": item.row.number},
            )

    def save(self, new, updated, readdressed, promoted) -> None:
        if promoted:
            # Move the flag: the database allows one main contact per customer.
            Contact.objects.filter(
                customer_id__in={c.customer_id for c in promoted}, is_main=True
            ).exclude(pk__in=[c.pk for c in promoted if c.pk]).update(is_main=False)
        if updated:
            fields = sorted(
                {f for f in self.text_fields + self.bool_fields if f in self.columns}
                | {"email", "updated_at"}
            )
            _bulk_update(updated, fields)
        if readdressed:
            ContactEmail.objects.filter(contact__in=[c for c, _i in readdressed]).delete()
            _bulk_insert(self.addresses(readdressed))
        if new:
            _bulk_insert([contact for contact, _i in new])
            _bulk_insert(self.addresses(new))

    @staticmethod
    def addresses(pairs) -> list[ContactEmail]:
        rows = []
        for contact, item in pairs:
            pk = contact.pk
            rows.append(ContactEmail(contact_id=pk, address=item.email, is_primary=True))
            rows.extend(ContactEmail(contact_id=pk, address=a) for a in item.others or ())
        return rows
