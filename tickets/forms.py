"""Ticket forms: the list's filters, the new-ticket form, replies, notes and updates."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from atera.forms import QueryFilterForm
from customers.models import Customer

from .choices import Priority, TicketStatus
from .models import InboundOutcome

PAGE_SIZE = 50


class TicketFilterForm(QueryFilterForm):
    """The ticket list's filters, read from the query string; a bad value is ignored."""

    customer = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    status = forms.ChoiceField(
        choices=[("", ""), ("active", "active"), *TicketStatus.choices], required=False
    )
    priority = forms.ChoiceField(choices=[("", ""), *Priority.choices], required=False)
    assignee = forms.RegexField(regex=r"^(me|none|[1-9][0-9]{0,17})$", required=False)
    attention = forms.ChoiceField(choices=[("1", "1")], required=False)


class InboundFilterForm(QueryFilterForm):
    outcome = forms.ChoiceField(choices=[("", ""), *InboundOutcome.choices], required=False)


def staff_users():
    return User.objects.filter(role__in=[Role.ADMIN, Role.TECHNICIAN], is_active=True).order_by(
        "email"
    )


class NewTicketForm(forms.Form):
    """A ticket a technician opens for a customer, e.g. from a phone call."""

    customer = forms.ModelChoiceField(
        label=_("Customer"),
        # TODO(no customer picker widget yet): a plain select; fine for hundreds of
        # customers, slow to use with tens of thousands.
        queryset=Customer.objects.order_by("name").only("pk", "name"),
    )
    requester_email = forms.EmailField(
        label=_("Requester's email"),
        required=False,
        help_text=_("An address of one of the customer's contacts; replies go there."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def primary_fields(self):
        return [self[name] for name in self.fields]

    def clean(self):
        cleaned = super().clean()
        customer = cleaned.get("customer")
        address = cleaned.get("requester_email")
        cleaned["requester"] = None
        if customer and address:
            from .inbound import contact_for

            contact = contact_for(address)
            if contact is None or contact.customer_id != customer.pk:
                raise ValidationError(
                    {
                        "requester_email": _(
                            "No contact of %(customer)s has this address; add the contact "
                            "first or leave the field empty."
                        )
                        % {"customer": customer.name}
                    }
                )
            cleaned["requester"] = contact
        return cleaned


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    kind = forms.ChoiceField(
        label=_("Send as"),
        choices=[("public", _("Reply to the requester")), ("internal", _("Internal note"))],
        initial="public",
    )


class TicketUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=staff_users(),
        required=False,
        empty_label=_("Unassigned"),
    )


class ReleaseForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.order_by("name").only("pk", "name"),
        required=False,
        empty_label=_("No customer (triage)"),
    )
