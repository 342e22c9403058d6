"""Contacts in the Django admin: the same validated form and services as the console."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import ContactForm
from .models import Contact, ContactEmail


class ContactAdminForm(ContactForm):
    """The console's contact form with the fields only the admin site edits.

    Every address, the main one and the others, is checked against every other contact
    here, so the database's unique index is never what refuses a duplicate.
    """

    class Meta(ContactForm.Meta):
        fields = [
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
        ]

    def _get_validation_exclusions(self) -> set[str]:
        # Ticking "main contact" moves the flag from another contact (see
        # services.set_main_contact), so the one-main-per-customer constraint is not
        # an error of this form.
        return {*super()._get_validation_exclusions(), "is_main"}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_main") and not cleaned.get("active") and not self.has_error("is_main"):
            self.add_error(
                "is_main",
                forms.ValidationError(
                    _("An inactive contact cannot be the main contact; untick one."),
                    code="inactive_main",
                ),
            )
        return cleaned


class ContactEmailInline(admin.TabularInline):
    """The contact's addresses as stored; they are edited through "Other email addresses"."""

    model = ContactEmail
    extra = 0
    can_delete = False
    fields = ["address", "is_primary"]
    readonly_fields = ["address", "is_primary"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    form = ContactAdminForm
    list_display = ["__str__", "email", "customer", "is_main", "ignore_email", "active"]
    list_filter = ["is_main", "ignore_email", "active"]
    search_fields = ["first_name", "last_name", "addresses__address", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    inlines = [ContactEmailInline]

    def save_model(self, request, obj: Contact, form: ContactAdminForm, change: bool) -> None:
        other_emails = form.cleaned_data["other_emails"]
        if not change:
            services.add_contact(obj, other_emails)
            return

        with transaction.atomic():
            wants_main = obj.is_main
            # Unless the contact is its customer's main contact already, the flag is moved
            # by set_main_contact: saving it directly would clash with the current one.
            if (
                wants_main
                and not Contact.objects.filter(
                    pk=obj.pk, customer_id=obj.customer_id, is_main=True
                ).exists()
            ):
                obj.is_main = False
            obj.save()
            services.set_extra_addresses(obj, other_emails)
            if wants_main:
                services.set_main_contact(obj)
