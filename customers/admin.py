from django.contrib import admin

from .models import Customer, CustomerDomain


class CustomerDomainInline(admin.TabularInline):
    model = CustomerDomain
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "sla", "threshold_profile", "created_at"]
    list_filter = ["tickets_by_main_contact_only", "sla", "threshold_profile"]
    search_fields = ["name", "domains__domain"]
    list_select_related = ["sla", "threshold_profile"]
    raw_id_fields = ["created_by"]
    inlines = [CustomerDomainInline]
