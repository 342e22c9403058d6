"""The contacts API: contacts with their addresses, the main contact and ignore-email."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from atera.api import LoggedDestroyMixin
from atera.api.forms import bind_form
from atera.api.permissions import StaffWriteAdminDelete

from . import services
from .forms import MAX_OTHER_ADDRESSES, ContactForm
from .models import Contact


class OtherAddressesField(serializers.ListField):
    def get_attribute(self, instance):
        return [row.address for row in instance.addresses.all() if not row.is_primary]


class ContactSerializer(serializers.ModelSerializer):
    other_emails = OtherAddressesField(
        child=serializers.CharField(max_length=254),
        required=False,
        max_length=MAX_OTHER_ADDRESSES,
        help_text=_(
            "Further addresses of the contact; every address is unique across all contacts. "
            "Sending the list replaces them."
        ),
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "first_name",
            "last_name",
            "email",
            "other_emails",
            "phone",
            "mobile",
            "department",
            "job_title",
            "notes",
            "active",
            "is_main",
            "ignore_email",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The one-main-contact constraint is kept by set_main_contact, which moves the flag
        # instead of refusing; DRF's generated validator would refuse.
        validators: list = []
        extra_kwargs = {
            "is_main": {
                "help_text": _(
                    "At most one per customer: making a contact main contact moves the flag."
                )
            },
        }

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None and attrs.get("customer", self.instance.customer) != (
            self.instance.customer
        ):
            raise serializers.ValidationError(
                {"customer": [_("A contact cannot move to another customer.")]}
            )
        active = attrs.get("active", self.instance.active if self.instance else True)
        if attrs.get("is_main") and not active:
            raise serializers.ValidationError(
                {"is_main": [_("An inactive contact cannot be the main contact; untick one.")]}
            )

        form_attrs = dict(attrs)
        if "other_emails" in attrs:
            form_attrs["other_emails"] = "\n".join(attrs["other_emails"])
        initial = {}
        instance = self.instance
        if instance is not None:
            initial["other_emails"] = "\n".join(
                instance.addresses.filter(is_primary=False).values_list("address", flat=True)
            )
        else:
            instance = Contact(customer=attrs["customer"])
        self.form = bind_form(ContactForm, form_attrs, instance=instance, initial=initial)
        return attrs

    def create(self, validated_data: dict) -> Contact:
        contact = self.form.instance
        contact.is_main = validated_data.get("is_main", False)
        contact.ignore_email = validated_data.get("ignore_email", False)
        return self.form.save()

    def update(self, instance: Contact, validated_data: dict) -> Contact:
        with transaction.atomic():
            if "ignore_email" in validated_data:
                instance.ignore_email = validated_data["ignore_email"]
            contact = self.form.save()
            wants_main = validated_data.get("is_main")
            if wants_main and not contact.is_main:
                services.set_main_contact(contact)
            elif wants_main is False and contact.is_main:
                services.unset_main_contact(contact)
        return contact


class ContactViewSet(LoggedDestroyMixin, viewsets.ModelViewSet):
    """Contacts. Technicians read, add and edit; only admins delete."""

    serializer_class = ContactSerializer
    permission_classes = [StaffWriteAdminDelete]
    filterset_fields = {
        "customer": ["exact"],
        "is_main": ["exact"],
        "active": ["exact"],
        "ignore_email": ["exact"],
        "email": ["iexact"],
    }
    search_fields = ["first_name", "last_name", "email", "addresses__address"]
    ordering_fields = ["last_name", "first_name", "email", "created_at"]
    ordering = ["last_name", "first_name", "id"]

    def get_queryset(self):
        # DRF's search adds DISTINCT itself when it spans the addresses; every page paying
        # for it made the list several times slower.
        return Contact.objects.prefetch_related("addresses")
