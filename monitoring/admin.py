from django.contrib import admin

from .models import ThresholdProfile, ThresholdRule


class ThresholdRuleInline(admin.TabularInline):
    model = ThresholdRule
    extra = 0


@admin.register(ThresholdProfile)
class ThresholdProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]
    search_fields = ["name"]
    inlines = [ThresholdRuleInline]
