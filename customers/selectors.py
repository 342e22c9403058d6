"""Querysets that the customer pages read: the searchable, sortable list and one customer."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower, Trim

from contacts.models import Contact, ContactEmail

from .models import Customer, CustomerDomain

# Names sort as people read them (case-insensitively), on the expression that the unique
# name index already covers.
NAME_KEY = Lower(Trim("name"))

SORTS = {
    "name": (NAME_KEY.asc(),),
    "-name": (NAME_KEY.desc(),),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "city": ("city", NAME_KEY.asc()),
    "-city": ("-city", NAME_KEY.desc()),
    "contacts": ("contact_count", NAME_KEY.asc()),
    "-contacts": ("-contact_count", NAME_KEY.asc()),
}
DEFAULT_SORT = "name"
# What a row of the list shows; loading only these keeps wide customers cheap.
LIST_COLUMNS = ("name", "city", "country", "created_at", "sla__name")
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
SEARCH_ID_LIMIT = 200


def search_customers(query: str) -> Q:
    """Match a customer by its name, one of its domains, or one of its contacts' emails."""
    query = query.strip()
    if not query:
        return Q()

    # One union of ids, each part answered by a trigram index on PostgreSQL (see the
    # migrations), instead of an OR that would force a scan of every customer.
    by_name = Customer.objects.filter(name__icontains=query).order_by().values_list("pk")
    by_domain = (
        CustomerDomain.objects.filter(domain__icontains=query.lstrip("@"))
        .order_by()
        .values_list("customer_id")
    )
    by_email = (
        ContactEmail.objects.filter(address__icontains=query)
        .order_by()
        .values_list("contact__customer_id")
    )
    matches = by_name.union(by_domain, by_email)

    # Most searches find a handful of customers: run the union once and hand the page
    # and its count a short list of ids, rather than running it for each.
    ids = [pk for (pk,) in matches[: SEARCH_ID_LIMIT + 1]]
    if len(ids) <= SEARCH_ID_LIMIT:
        return Q(pk__in=ids)
    return Q(pk__in=matches)


def count_per_customer(queryset: QuerySet) -> Coalesce:
    """A subquery counting ``queryset``'s rows of each customer, for ``annotate``; cheaper
    than a join with COUNT(DISTINCT) when a page annotates several counts."""
    counts = (
        queryset.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def customer_list(
    *,
    query: str = "",
    country: str = "",
    sla_id: int | None = None,
    main_contact_only: bool | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Customer]:
    """The Customers list: filtered, sorted, each row with its domains, main contact and
    number of contacts, in a fixed number of queries whatever the page size."""
    customers = (
        Customer.objects.filter(search_customers(query))
        .select_related("sla")
        .only(*LIST_COLUMNS)
        .annotate(contact_count=count_per_customer(Contact.objects.all()))
        .prefetch_related(
            Prefetch(
                "domains",
                queryset=CustomerDomain.objects.order_by("domain").only("customer", "domain"),
                to_attr="domain_list",
            ),
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(is_main=True).only(
                    "customer", "first_name", "last_name", "email"
                ),
                to_attr="main_contacts",
            ),
        )
    )
    if country:
        customers = customers.filter(country__iexact=country)
    if sla_id:
        customers = customers.filter(sla_id=sla_id)
    if main_contact_only is not None:
        customers = customers.filter(tickets_by_main_contact_only=main_contact_only)
    return customers.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
