"""Customers in the Django admin: the same validated form and services as the console."""

from django.contrib import admin

from . import services
from .forms import CustomerForm
from .models import Customer


class CustomerAdminForm(CustomerForm):
    """The console's customer form with the settings the admin site edits as well.

    Domains are typed in one field, parsed and checked against free-mail and every other
    customer's domains, as everywhere else; the admin has no per-domain rows to edit.
    """

    class Meta(CustomerForm.Meta):
        fields = [
            *CustomerForm.Meta.fields,
            "tickets_by_main_contact_only",
            "sla",
            "threshold_profile",
        ]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ["name", "city", "country", "sla", "threshold_profile", "created_at"]
    list_filter = ["tickets_by_main_contact_only", "sla", "threshold_profile"]
    search_fields = ["name", "domains__domain"]
    list_select_related = ["sla", "threshold_profile"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj: Customer, form: CustomerAdminForm, change: bool) -> None:
        # The admin's change view runs in one transaction: the customer and its domains
        # are written together or not at all.
        if not change:
            obj.created_by = request.user
        obj.save()
        services.set_domains(obj, form.cleaned_data["domains"])
