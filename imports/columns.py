"""The columns of the import templates, described once per kind.

A django-import-export Resource per kind is the one description of the columns: their
order, the header each template and export shows, and how each value is read from and
written to the model. The importer's fast path (``imports.pipeline``) and the templates
read the same Resources through :func:`columns_for`.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from contacts.models import Contact, ContactEmail
from customers.domains import display_domain
from customers.models import Customer, CustomerDomain

from .models import Kind

# Written as yes/no, read in every usual spelling.
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x", "oui", "vrai", "on"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "non", "faux", "off"})

LIST_SEPARATOR = "; "


class YesNoWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs) -> str:
        return "yes" if value else "no"


class ListWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs) -> str:
        return LIST_SEPARATOR.join(value or [])


@dataclass(frozen=True)
class Column:
    """One column as the importer sees it."""

    attribute: str
    header: str
    help: str
    example: str
    kind: str = "text"  # text, bool, domains, emails, customer
    required_for_new: bool = False
    key: bool = False
    aliases: tuple[str, ...] = field(default=())


def _field(attribute: str, header: str, widget=None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, widget=widget)


class CustomerResource(resources.ModelResource):
    name = _field("name", "Name")
    domains = _field("domains", "Domains", ListWidget())
    company_id = _field("company_id", "Company ID")
    rank = _field("rank", "Rank")
    phone = _field("phone", "Phone")
    fax = _field("fax", "Fax")
    address = _field("address", "Address")
    city = _field("city", "City")
    state = _field("state", "State")
    zip_code = _field("zip_code", "Zip code")
    country = _field("country", "Country")
    tickets_by_main_contact_only = _field(
        "tickets_by_main_contact_only", "Tickets by main contact only", YesNoWidget()
    )
    allow_subdomains = _field("allow_subdomains", "Match sub-domains", YesNoWidget())

    columns = (
        Column(
            "name",
            "Name",
            _("The customer's name; the key that finds an existing customer (any case)."),
            "Example Customer Ltd",
            required_for_new=True,
            key=True,
            aliases=("CustomerName", "Customer name", "Customer", "Company", "Company name"),
        ),
        Column(
            "domains",
            "Domains",
            _("Email domains, separated by semicolons; mail from them reaches this customer."),
            "example.com; example.org",
            kind="domains",
            aliases=("Domain", "Email domains", "Website"),
        ),
        Column(
            "company_id",
            "Company ID",
            _("Company identification number, for tax purposes."),
            "GB123456789",
            aliases=("BusinessNumber", "Business number", "VAT number", "Tax ID"),
        ),
        Column("rank", "Rank", _("Internal only; it changes nothing."), "Gold"),
        Column("phone", "Phone", _("Main phone number; kept as text."), "+44 20 7946 0000"),
        Column("fax", "Fax", _("Fax number; kept as text."), ""),
        Column(
            "address",
            "Address",
            _("Street address."),
            "1 Example Street",
            aliases=("Street", "Address line 1"),
        ),
        Column("city", "City", _("City."), "London"),
        Column("state", "State", _("State, county or region."), "", aliases=("Region",)),
        Column(
            "zip_code",
            "Zip code",
            _("Postal code; kept as text, leading zeros included."),
            "01234",
            aliases=("ZipCodeStr", "ZipCode", "Zip", "Postcode", "Postal code"),
        ),
        Column("country", "Country", _("Country."), "United Kingdom"),
        Column(
            "tickets_by_main_contact_only",
            "Tickets by main contact only",
            _("yes or no: accept new email tickets only from the main contact."),
            "no",
            kind="bool",
        ),
        Column(
            "allow_subdomains",
            "Match sub-domains",
            _("yes or no: mail from sub-domains of the domains (eu.example.com) matches."),
            "no",
            kind="bool",
            aliases=("Allow sub-domains", "Subdomains"),
        ),
    )
    # Columns other consoles export that have no equivalent here: read past, and named
    # in the preview so nobody wonders where they went.
    ignored = ("CustomerID", "CreatedOn", "LastModified", "Longitude", "Latitude", "Links")

    class Meta:
        model = Customer
        fields = (
            "name",
            "domains",
            "company_id",
            "rank",
            "phone",
            "fax",
            "address",
            "city",
            "state",
            "zip_code",
            "country",
            "tickets_by_main_contact_only",
            "allow_subdomains",
        )
        export_order = fields

    def get_queryset(self):
        return Customer.objects.prefetch_related(
            Prefetch("domains", queryset=CustomerDomain.objects.order_by("domain"))
        ).order_by("name", "pk")

    def dehydrate_domains(self, customer: Customer) -> str:
        return LIST_SEPARATOR.join(display_domain(d.domain) for d in customer.domains.all())


class ContactResource(resources.ModelResource):
    customer = _field("customer__name", "Customer")
    email = _field("email", "Email")
    first_name = _field("first_name", "First name")
    last_name = _field("last_name", "Last name")
    other_emails = _field("other_emails", "Other emails", ListWidget())
    phone = _field("phone", "Phone")
    mobile = _field("mobile", "Mobile")
    department = _field("department", "Department")
    job_title = _field("job_title", "Job title")
    notes = _field("notes", "Notes")
    active = _field("active", "Active", YesNoWidget())
    is_main = _field("is_main", "Main contact", YesNoWidget())
    ignore_email = _field("ignore_email", "Ignore email", YesNoWidget())

    columns = (
        Column(
            "customer",
            "Customer",
            _("The name of an existing customer; one file can cover many customers."),
            "Example Customer Ltd",
            kind="customer",
            required_for_new=True,
            aliases=("CustomerName", "Customer name", "Company"),
        ),
        Column(
            "email",
            "Email",
            _("The contact's main address; the key that finds an existing contact."),
            "jane.doe@example.com",
            kind="email",
            required_for_new=True,
            key=True,
            aliases=("Email address", "E-mail", "Mail"),
        ),
        Column(
            "first_name",
            "First name",
            _("Required for a new contact."),
            "Jane",
            required_for_new=True,
            aliases=("FirstName", "Firstname", "Given name"),
        ),
        Column(
            "last_name",
            "Last name",
            _("Required for a new contact."),
            "Doe",
            required_for_new=True,
            aliases=("LastName", "Lastname", "Surname", "Family name"),
        ),
        Column(
            "other_emails",
            "Other emails",
            _("Further addresses of the same person, separated by semicolons."),
            "jane@example.org",
            kind="emails",
            aliases=("Additional emails", "Aliases"),
        ),
        Column("phone", "Phone", _("Kept as text, leading zeros included."), "020 7946 0001"),
        Column(
            "mobile",
            "Mobile",
            _("Kept as text."),
            "07700 900000",
            aliases=("MobilePhone", "Mobile phone", "Cell"),
        ),
        Column("department", "Department", _("Department."), "Finance"),
        Column("job_title", "Job title", _("Job title."), "Controller", aliases=("JobTitle",)),
        Column("notes", "Notes", _("Free text."), ""),
        Column(
            "active",
            "Active",
            _("yes or no; a new contact is active unless no."),
            "yes",
            kind="bool",
        ),
        Column(
            "is_main",
            "Main contact",
            _("yes makes this the customer's main contact (one per customer)."),
            "yes",
            kind="bool",
            aliases=("IsContactPerson", "Is main contact", "Main"),
        ),
        Column(
            "ignore_email",
            "Ignore email",
            _("yes: mail from this contact never opens a ticket."),
            "no",
            kind="bool",
            aliases=("InIgnoreMode", "Ignore mode"),
        ),
    )
    ignored = ("EndUserID", "ContactID", "CustomerID", "CreatedOn", "LastModified")

    class Meta:
        model = Contact
        fields = (
            "customer",
            "email",
            "first_name",
            "last_name",
            "other_emails",
            "phone",
            "mobile",
            "department",
            "job_title",
            "notes",
            "active",
            "is_main",
            "ignore_email",
        )
        export_order = fields

    def get_queryset(self):
        return (
            Contact.objects.select_related("customer")
            .prefetch_related(
                Prefetch(
                    "addresses",
                    queryset=ContactEmail.objects.filter(is_primary=False).order_by("address"),
                    to_attr="extra_addresses",
                )
            )
            .order_by("customer__name", "email", "pk")
        )

    def dehydrate_other_emails(self, contact: Contact) -> str:
        return LIST_SEPARATOR.join(row.address for row in contact.extra_addresses)


RESOURCES = {Kind.CUSTOMERS: CustomerResource, Kind.CONTACTS: ContactResource}


def columns_for(kind: str) -> tuple[Column, ...]:
    resource = RESOURCES[kind]
    headers = [f.column_name for f in resource().get_export_fields()]
    columns = resource.columns
    # The Resource's fields and the column notes must describe the same columns.
    if headers != [c.header for c in columns]:
        raise AssertionError(f"{resource.__name__}: fields and column notes differ")
    return columns


def header_key(text: str) -> str:
    """Compare headers as people mean them: any case, spacing, '_' or '-' alike."""
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())
