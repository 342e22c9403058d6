"""Querysets that the customer pages read: the searchable, sortable list and one customer."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from contacts.models import Contact, ContactEmail

from .models import Customer, CustomerDomain

SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "city": ("city", "name", "pk"),
    "-city": ("-city", "-name", "-pk"),
    "contacts": ("contact_count", "name", "pk"),
    "-contacts": ("-contact_count", "name", "pk"),
}
DEFAULT_SORT = "name"


def search_customers(query: str) -> Q:
    """Match a customer by its name, one of its domains, or one of its contacts' emails."""
    query = query.strip()
    if not query:
        return Q()
    domain_match = CustomerDomain.objects.filter(
        customer=OuterRef("pk"), domain__icontains=query.lstrip("@")
    )
    email_match = ContactEmail.objects.filter(
        contact__customer=OuterRef("pk"), address__icontains=query
    )
    return Q(name__icontains=query) | Q(Exists(domain_match)) | Q(Exists(email_match))


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
    contact_count = (
        Contact.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    customers = (
        Customer.objects.filter(search_customers(query))
        .select_related("sla")
        .annotate(contact_count=Coalesce(Subquery(contact_count), 0))
        .prefetch_related(
            Prefetch("domains", queryset=CustomerDomain.objects.order_by("domain")),
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(is_main=True),
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


def customer_countries() -> list[str]:
    return list(
        Customer.objects.exclude(country="")
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )
