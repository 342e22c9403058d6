from django.contrib import admin

from .models import Contact, ContactEmail


class ContactEmailInline(admin.TabularInline):
    model = ContactEmail
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "customer", "is_main", "ignore_email", "active"]
    list_filter = ["is_main", "ignore_email", "active"]
    search_fields = ["first_name", "last_name", "addresses__address", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    inlines = [ContactEmailInline]
