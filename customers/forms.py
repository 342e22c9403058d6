"""Forms for customers: details with their domains, and the security setting."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from atera.forms import QueryFilterForm, SectionedFormMixin

from . import services
from .domains import display_domain, parse_domains
from .models import Customer
from .selectors import PAGE_SIZES, SORTS

# Shown behind "Show more": everything but the name and the domains.
OPTIONAL_FIELDS = (
    "company_id",
    "phone",
    "fax",
    "address",
    "city",
    "state",
    "zip_code",
    "country",
    "rank",
    "allow_subdomains",
)


class DomainsField(forms.CharField):
    """Domains typed one per line or separated by commas or semicolons; cleans to a list."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "acme.com\nacme.co.uk"})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(display_domain(domain) for domain in value)
        return value

    def to_python(self, value) -> list[str]:
        return parse_domains(super().to_python(value) or "")


class CustomerForm(SectionedFormMixin, forms.ModelForm):
    domains = DomainsField(
        label=_("Domains"),
        required=False,
        help_text=_(
            "Email domains without “@”, one per line or separated by commas. Mail from "
            "these domains is matched to this customer."
        ),
    )

    optional = OPTIONAL_FIELDS

    class Meta:
        model = Customer
        fields = ["name", "domains", *OPTIONAL_FIELDS]
        labels = {"company_id": _("Company ID")}
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "fax": forms.TextInput(attrs={"type": "tel"}),
            "zip_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["domains"] = list(self.instance.domains.values_list("domain", flat=True))

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the customer's name."), code="required")
        if services.name_taken(name, exclude=self.instance):
            raise forms.ValidationError(
                _("A customer named “%(name)s” exists already; customer names must be unique."),
                params={"name": name},
                code="name_taken",
            )
        return name

    def clean_domains(self) -> list[str]:
        domains = self.cleaned_data["domains"]
        owners = services.domain_owners(domains, exclude=self.instance)
        if owners:
            raise forms.ValidationError(
                [
                    gettext("“%(domain)s” belongs to the customer %(customer)s already.")
                    % {"domain": domain, "customer": customer.name}
                    for domain, customer in owners.items()
                ],
                code="domain_taken",
            )
        return domains

    def save(self, commit: bool = True) -> Customer:
        customer = super().save(commit=commit)
        if commit:
            services.set_domains(customer, self.cleaned_data["domains"])
        return customer


class CustomerSecurityForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["tickets_by_main_contact_only", "allow_subdomains"]


class CustomerServiceForm(forms.ModelForm):
    """The SLA policy and alert threshold profile a customer is served under."""

    class Meta:
        model = Customer
        fields = ["sla", "threshold_profile"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sla"].empty_label = gettext("The default policy")
        self.fields["threshold_profile"].empty_label = gettext("The default profile")


class CustomerFilterForm(QueryFilterForm):
    """The Customers list's search, filters, sort and page size, read from the query string.

    A value that does not clean is ignored rather than refused: a mistyped or stale link
    still shows the list.
    """

    q = forms.CharField(max_length=200, required=False, strip=True)
    country = forms.CharField(max_length=100, required=False, strip=True)
    sla = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    security = forms.ChoiceField(choices=[("on", "on"), ("off", "off")], required=False)
    sort = forms.ChoiceField(choices=[(key, key) for key in SORTS], required=False)
    per_page = forms.TypedChoiceField(
        choices=[(size, size) for size in PAGE_SIZES], coerce=int, required=False
    )
