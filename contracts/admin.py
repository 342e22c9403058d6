"""Contracts and the rate catalogue in the Django admin, under the rules of each type."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .choices import RateUnit
from .models import BlockTopUp, Contract, Rate, UsageEntry
from .rules import TYPE_RULES, TYPE_SPECIFIC_FIELDS


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


class ContractAdminForm(forms.ModelForm):
    """Every field of a contract; additional rates are hourly, as the console requires."""

    class Meta:
        model = Contract
        fields = [
            "customer",
            "name",
            "type",
            *TYPE_SPECIFIC_FIELDS,
            "currency",
            "start_date",
            "end_date",
            "active",
            "is_default",
            "taxable",
            "sla",
            "notes",
        ]

    def clean(self):
        cleaned = super().clean()
        rule = TYPE_RULES.get(cleaned.get("type"))
        if rule is None or "additional_rates" not in rule.fields:
            # The admin empties them on save; see ContractAdmin.save_related.
            return cleaned

        not_hourly = [
            r for r in cleaned.get("additional_rates") or [] if r.unit != RateUnit.PER_HOUR
        ]
        if not_hourly:
            self.add_error(
                "additional_rates",
                forms.ValidationError(
                    _("Additional rates are charged per hour; these are not: %(rates)s."),
                    params={"rates": ", ".join(rate.name for rate in not_hourly)},
                    code="additional_rate_unit",
                ),
            )
        return cleaned


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractAdminForm
    list_display = ["name", "customer", "type", "billing_period", "active", "is_default"]
    list_filter = ["type", "active", "billing_period"]
    search_fields = ["name", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    filter_horizontal = ["additional_rates"]
    inlines = [BlockTopUpInline, UsageEntryInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # As Contract.clean empties the other fields a type does not use: no rate lingers
        # unseen on a contract that cannot charge it.
        contract = form.instance
        if "additional_rates" not in TYPE_RULES[contract.type].fields:
            contract.additional_rates.clear()
