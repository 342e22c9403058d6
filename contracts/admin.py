from django.contrib import admin

from .models import BlockTopUp, Contract, Rate, UsageEntry


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = ["name", "amount", "currency", "unit", "active"]
    list_filter = ["unit", "active"]
    search_fields = ["name"]


class BlockTopUpInline(admin.TabularInline):
    model = BlockTopUp
    extra = 0
    raw_id_fields = ["created_by"]


class UsageEntryInline(admin.TabularInline):
    model = UsageEntry
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "type", "billing_period", "active", "is_default"]
    list_filter = ["type", "active", "billing_period"]
    search_fields = ["name", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    filter_horizontal = ["additional_rates"]
    inlines = [BlockTopUpInline, UsageEntryInline]
