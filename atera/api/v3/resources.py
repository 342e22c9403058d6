"""Customers and contacts in the shapes of the console MSPs migrate from."""

from __future__ import annotations

from django.db.models import Prefetch

from atera.api.permissions import StaffReadAdminWrite, StaffWriteAdminDelete
from contacts.api import ContactSerializer
from contacts.models import Contact
from customers.api import CustomerSerializer
from customers.domains import split_domains
from customers.models import Customer, CustomerDomain

from .base import CompatViewSet


def stamp(value) -> str | None:
    return value.isoformat() if value else None


class CustomerViewSet(CompatViewSet):
    permission_classes = [StaffReadAdminWrite]
    v1_serializer = CustomerSerializer
    writable = {
        "CustomerName": "name",
        "BusinessNumber": "company_id",
        "Domain": "domains",
        "Address": "address",
        "City": "city",
        "State": "state",
        "ZipCodeStr": "zip_code",
        "Country": "country",
        "Phone": "phone",
        "Fax": "fax",
    }

    def get_queryset(self):
        return Customer.objects.prefetch_related(
            Prefetch("domains", queryset=CustomerDomain.objects.order_by("domain"))
        ).order_by("pk")

    def to_v1(self, data) -> dict:
        values = super().to_v1(data)
        # There, Domain is one string of domains separated by semicolons.
        if isinstance(values.get("domains"), str):
            values["domains"] = split_domains(values["domains"])
        return values

    def render(self, customer: Customer) -> dict:
        return {
            "CustomerID": customer.pk,
            "CustomerName": customer.name,
            "BusinessNumber": customer.company_id,
            "Domain": ";".join(row.domain for row in customer.domains.all()),
            "Address": customer.address,
            "City": customer.city,
            "State": customer.state,
            "ZipCodeStr": customer.zip_code,
            "Country": customer.country,
            "Phone": customer.phone,
            "Fax": customer.fax,
            "CreatedOn": stamp(customer.created_at),
            "LastModified": stamp(customer.updated_at),
        }


class ContactViewSet(CompatViewSet):
    permission_classes = [StaffWriteAdminDelete]
    v1_serializer = ContactSerializer
    writable = {
        "CustomerID": "customer",
        "Email": "email",
        "FirstName": "first_name",
        "LastName": "last_name",
        "JobTitle": "job_title",
        "Phone": "phone",
        "MobilePhone": "mobile",
        "IsContactPerson": "is_main",
        "InIgnoreMode": "ignore_email",
    }

    def get_queryset(self):
        return Contact.objects.select_related("customer").order_by("pk")

    def render(self, contact: Contact) -> dict:
        return {
            "EndUserID": contact.pk,
            "ContactID": contact.pk,
            "CustomerID": contact.customer_id,
            "CustomerName": contact.customer.name,
            "Email": contact.email,
            "FirstName": contact.first_name,
            "LastName": contact.last_name,
            "JobTitle": contact.job_title,
            "Phone": contact.phone,
            "MobilePhone": contact.mobile,
            "IsContactPerson": contact.is_main,
            "InIgnoreMode": contact.ignore_email,
            "CreatedOn": stamp(contact.created_at),
            "LastModified": stamp(contact.updated_at),
        }
