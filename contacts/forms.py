"""Forms for contacts: details, further email addresses, and the permissions."""

import re

from django import forms
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from atera.forms import SectionedFormMixin

from . import services
from .models import Contact

_SEPARATORS = re.compile(r"[\s,;]+")

# Shared and role mailboxes a person also writes from; a longer list is a paste gone wrong.
MAX_OTHER_ADDRESSES = 50


# Shown behind "Show more": everything but the name and the main address.
OPTIONAL_FIELDS = (
    "other_emails",
    "phone",
    "mobile",
    "department",
    "job_title",
    "notes",
    "active",
)


class AddressesField(forms.CharField):
    """Further email addresses, one per line or separated by commas; cleans to a list."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        raw_addresses = [part for part in _SEPARATORS.split(text) if part]
        if len(raw_addresses) > MAX_OTHER_ADDRESSES:
            raise forms.ValidationError(
                gettext("Enter at most %(max)s other addresses; this list has %(count)s.")
                % {"max": MAX_OTHER_ADDRESSES, "count": len(raw_addresses)},
                code="too_many",
            )
        addresses: list[str] = []
        seen: set[str] = set()
        errors: list[forms.ValidationError] = []
        for raw in raw_addresses:
            try:
                validate_email(raw)
            except forms.ValidationError:
                errors.append(
                    forms.ValidationError(
                        gettext("“%(address)s” is not a valid email address.") % {"address": raw},
                        code="invalid",
                    )
                )
                continue
            if raw.lower() not in seen:
                seen.add(raw.lower())
                addresses.append(raw)
        if errors:
            raise forms.ValidationError(errors)
        return addresses


class ContactForm(SectionedFormMixin, forms.ModelForm):
    demoted_main = False

    other_emails = AddressesField(
        label=_("Other email addresses"),
        required=False,
        help_text=_("Mail from any of these addresses is matched to this contact as well."),
    )

    optional = OPTIONAL_FIELDS

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "email", *OPTIONAL_FIELDS]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "mobile": forms.TextInput(attrs={"type": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["other_emails"] = list(
                self.instance.addresses.filter(is_primary=False).values_list("address", flat=True)
            )

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def clean_email(self) -> str:
        email = services.normalise_address(self.cleaned_data["email"])
        self._refuse_addresses_in_use([email])
        return email

    def clean_other_emails(self) -> list[str]:
        addresses = self.cleaned_data["other_emails"]
        self._refuse_addresses_in_use(addresses)
        return addresses

    def _refuse_addresses_in_use(self, addresses: list[str]) -> None:
        in_use = services.addresses_in_use(addresses, exclude=self.instance)
        if in_use:
            raise forms.ValidationError(
                [
                    gettext("%(address)s is used by %(contact)s (%(customer)s) already.")
                    % {
                        "address": address,
                        "contact": contact.full_name,
                        "customer": contact.customer.name,
                    }
                    for address, contact in in_use.items()
                ],
                code="address_taken",
            )

    def clean(self):
        cleaned = super().clean()
        email = (cleaned.get("email") or "").lower()
        cleaned["other_emails"] = [
            a for a in cleaned.get("other_emails") or [] if a.lower() != email
        ]
        return cleaned

    def save(self, commit: bool = True) -> Contact:
        contact = super().save(commit=False)
        if commit:
            if contact.pk:
                # A main contact who is deactivated stops being main contact: "tickets by
                # main contact only" would otherwise accept nobody.
                self.demoted_main = contact.is_main and not contact.active
                with transaction.atomic():
                    contact.save()
                    services.set_extra_addresses(contact, self.cleaned_data["other_emails"])
                    if self.demoted_main:
                        services.unset_main_contact(contact)
            else:
                services.add_contact(contact, self.cleaned_data["other_emails"])
        return contact


class WizardContactForm(ContactForm):
    """The wizard's last step: the first contact, who usually becomes the main contact."""

    is_main = forms.BooleanField(
        label=_("Main contact"),
        required=False,
        initial=True,
        help_text=_("The main contact sees every ticket of the customer in the portal."),
    )

    optional = (*ContactForm.optional, "is_main")

    class Meta(ContactForm.Meta):
        fields = [*ContactForm.Meta.fields, "is_main"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_main") and not cleaned.get("active", True):
            self.add_error(
                "is_main", _("An inactive contact cannot be the main contact; untick one.")
            )
        return cleaned


class ContactPermissionsForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["ignore_email"]
