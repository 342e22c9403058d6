"""Contacts: the people at a customer, their email addresses and their permissions."""

from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Contact(models.Model):
    """A person at a customer. Mail from any of their addresses maps to them."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    first_name = models.CharField(
        verbose_name=_("first name"),
        max_length=100,
    )
    last_name = models.CharField(
        verbose_name=_("last name"),
        max_length=100,
    )
    email = models.EmailField(
        verbose_name=_("email"),
        max_length=254,
        help_text=_("The main address; replies and invitations go here."),
    )
    phone = models.CharField(
        verbose_name=_("phone"),
        max_length=50,
        blank=True,
    )
    mobile = models.CharField(
        verbose_name=_("mobile"),
        max_length=50,
        blank=True,
    )
    department = models.CharField(
        verbose_name=_("department"),
        max_length=100,
        blank=True,
    )
    job_title = models.CharField(
        verbose_name=_("job title"),
        max_length=100,
        blank=True,
    )
    notes = models.TextField(
        verbose_name=_("notes"),
        blank=True,
    )
    active = models.BooleanField(
        verbose_name=_("active"),
        default=True,
    )
    is_main = models.BooleanField(
        verbose_name=_("main contact"),
        default=False,
        help_text=_("At most one per customer."),
    )
    ignore_email = models.BooleanField(
        verbose_name=_("ignore email from this contact"),
        default=False,
        help_text=_("Mail from this contact never opens a ticket."),
    )
    created_at = models.DateTimeField(
        verbose_name=_("created"),
        auto_now_add=True,
    )
    updated_at = models.DateTimeField(
        verbose_name=_("updated"),
        auto_now=True,
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_main=True),
                name="%(app_label)s_%(class)s_one_main_per_customer",
                violation_error_message=_("This customer has a main contact already."),
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "last_name", "first_name"], name="contacts_by_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        # The primary address lives in two places (here, for display, and in
        # ContactEmail, where the database keeps every address unique); keep them
        # in step whoever saves the contact, the admin site included.
        self.email = (self.email or "").strip()
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.addresses.filter(is_primary=True).exclude(address__iexact=self.email).delete()
            updated = self.addresses.filter(address__iexact=self.email).update(
                address=self.email, is_primary=True
            )
            if not updated:
                ContactEmail.objects.create(contact=self, address=self.email, is_primary=True)

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ContactEmail(models.Model):
    """One email address of a contact; unique across every contact, ignoring case."""

    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="addresses",
    )
    address = models.EmailField(
        verbose_name=_("email address"),
        max_length=254,
    )
    is_primary = models.BooleanField(
        verbose_name=_("main address"),
        default=False,
    )

    class Meta:
        verbose_name = _("contact email address")
        verbose_name_plural = _("contact email addresses")
        ordering = ["-is_primary", "address"]
        constraints = [
            models.UniqueConstraint(
                Lower("address"),
                name="%(app_label)s_%(class)s_unique_address_ci",
                violation_error_message=_("Another contact uses this email address already."),
            ),
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(is_primary=True),
                name="%(app_label)s_%(class)s_one_primary_per_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.address
