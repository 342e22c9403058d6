"""Customers: the client companies an MSP runs IT for, and their email domains."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length, Lower, Trim
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .domains import display_domain, normalise_domain
from .validators import validate_visible_name


class Customer(models.Model):
    """A client company; contacts, contracts, devices and tickets all hang off it."""

    name = models.CharField(
        verbose_name=_("name"),
        max_length=200,
        validators=[validate_visible_name],
    )
    rank = models.CharField(
        verbose_name=_("rank"),
        max_length=50,
        blank=True,
        help_text=_("Internal only; it changes nothing anywhere."),
    )
    company_id = models.CharField(
        verbose_name=_("company ID"),
        max_length=50,
        blank=True,
        help_text=_("Company identification number, for tax purposes."),
    )
    phone = models.CharField(
        verbose_name=_("phone"),
        max_length=50,
        blank=True,
    )
    fax = models.CharField(
        verbose_name=_("fax"),
        max_length=50,
        blank=True,
    )
    address = models.TextField(
        verbose_name=_("address"),
        blank=True,
    )
    city = models.CharField(
        verbose_name=_("city"),
        max_length=100,
        blank=True,
    )
    state = models.CharField(
        verbose_name=_("state"),
        max_length=100,
        blank=True,
    )
    zip_code = models.CharField(
        verbose_name=_("zip code"),
        max_length=20,
        blank=True,
    )
    country = models.CharField(
        verbose_name=_("country"),
        max_length=100,
        blank=True,
    )
    tickets_by_main_contact_only = models.BooleanField(
        verbose_name=_("tickets by main contact only"),
        default=False,
        help_text=_(
            "New tickets by email are accepted only from the customer's main contact. "
            "Portal tickets are never refused by this setting."
        ),
    )
    allow_subdomains = models.BooleanField(
        verbose_name=_("match sub-domains"),
        default=False,
        help_text=_(
            "Mail from a sub-domain of the customer's domains (e.g. eu.acme.com) matches."
        ),
    )
    sla = models.ForeignKey(
        "sla.SLAPolicy",
        verbose_name=_("SLA policy"),
        on_delete=models.PROTECT,
        related_name="customers",
        null=True,
        blank=True,
        help_text=_("Empty means the default SLA policy."),
    )
    threshold_profile = models.ForeignKey(
        "monitoring.ThresholdProfile",
        verbose_name=_("alert threshold profile"),
        on_delete=models.PROTECT,
        related_name="customers",
        null=True,
        blank=True,
        help_text=_("Empty means the default threshold profile."),
    )
    creation_key = models.UUIDField(
        verbose_name=_("creation key"),
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Identifies the form submission that created the customer, so a replay "
            "of it finds this customer instead of creating another."
        ),
    )
    created_at = models.DateTimeField(
        verbose_name=_("created"),
        auto_now_add=True,
    )
    updated_at = models.DateTimeField(
        verbose_name=_("updated"),
        auto_now=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower(Trim("name")),
                name="%(app_label)s_%(class)s_unique_name_ci",
                violation_error_message=_("A customer with this name exists already."),
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0),
                name="%(app_label)s_%(class)s_name_not_blank",
                violation_error_message=_("Enter the customer's name."),
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at"], name="customers_created_idx"),
            models.Index(fields=["city", "name"], name="customers_city_name_idx"),
            models.Index(fields=["country", "name"], name="customers_country_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    def clean(self) -> None:
        self.name = " ".join((self.name or "").split())


class CustomerDomain(models.Model):
    """An email domain owned by one customer; inbound mail from it maps to that customer."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="domains",
    )
    domain = models.CharField(
        verbose_name=_("domain"),
        max_length=253,
        unique=True,
        error_messages={"unique": _("This domain belongs to another customer already.")},
    )

    class Meta:
        verbose_name = _("customer domain")
        verbose_name_plural = _("customer domains")
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")) & ~models.Q(domain=""),
                name="%(app_label)s_%(class)s_domain_lowercase",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def display(self) -> str:
        return display_domain(self.domain)

    def clean(self) -> None:
        # The same rules as every other path (wizard, edit form, import): normalised,
        # a valid host name, not a free-mail domain.
        try:
            self.domain = normalise_domain(self.domain or "")
        except ValidationError as exc:
            raise ValidationError({"domain": exc.messages}) from exc
