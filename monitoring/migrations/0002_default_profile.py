"""Create the default alert threshold profile that every new customer starts with."""

from decimal import Decimal

from django.db import migrations

RULES = [
    ("cpu_percent", "gt", Decimal(90), 15, "", "warning"),
    ("memory_percent", "gt", Decimal(90), 15, "", "warning"),
    ("disk_used_percent", "gt", Decimal(90), 0, "", "warning"),
    ("disk_used_percent", "gt", Decimal(97), 0, "", "critical"),
    ("offline_minutes", "gte", Decimal(10), 0, "", "critical"),
]


def create_default_profile(apps, schema_editor):
    ThresholdProfile = apps.get_model("monitoring", "ThresholdProfile")
    if ThresholdProfile.objects.filter(is_default=True).exists():
        return
    profile = ThresholdProfile.objects.create(
        name="Standard",
        description="Sustained CPU or memory over 90 %, full disks, devices offline.",
        is_default=True,
    )
    for metric, comparison, threshold, duration, volume, severity in RULES:
        profile.rules.create(
            metric=metric,
            comparison=comparison,
            threshold=threshold,
            duration_minutes=duration,
            volume=volume,
            severity=severity,
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(create_default_profile, migrations.RunPython.noop)]
