"""Seed a starter rate catalogue so the first contract can be priced; edit the amounts."""

from decimal import Decimal

from django.conf import settings
from django.db import migrations

RATES = [
    ("Standard labour", Decimal("120.00"), "hour"),
    ("After-hours labour", Decimal("180.00"), "hour"),
    ("Managed device", Decimal("5.00"), "device"),
    ("Backup storage", Decimal("0.10"), "gb"),
    ("Monthly retainer", Decimal("1000.00"), "fixed"),
]


def create_rates(apps, schema_editor):
    Rate = apps.get_model("contracts", "Rate")
    if Rate.objects.exists():
        return
    for name, amount, unit in RATES:
        Rate.objects.create(name=name, amount=amount, unit=unit, currency=settings.ATERA_CURRENCY)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(create_rates, migrations.RunPython.noop)]
