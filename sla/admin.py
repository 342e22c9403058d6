from django.contrib import admin

from .models import BusinessInterval, Holiday, SLAPolicy, SLATarget


class BusinessIntervalInline(admin.TabularInline):
    model = BusinessInterval
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


class SLATargetInline(admin.TabularInline):
    model = SLATarget
    extra = 0


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "is_24x7", "is_default"]
    search_fields = ["name"]
    inlines = [SLATargetInline, BusinessIntervalInline, HolidayInline]
