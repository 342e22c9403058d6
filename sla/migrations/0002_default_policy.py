"""Create the default SLA policy: weekdays 09:00–17:00 UTC, waiting for customer pauses."""

import datetime

from django.db import migrations

TARGETS = {
    "low": (8 * 60, 5 * 8 * 60),
    "medium": (4 * 60, 3 * 8 * 60),
    "high": (60, 8 * 60),
    "critical": (30, 4 * 60),
}


def create_default_policy(apps, schema_editor):
    SLAPolicy = apps.get_model("sla", "SLAPolicy")
    if SLAPolicy.objects.filter(is_default=True).exists():
        return
    policy = SLAPolicy.objects.create(
        name="Standard business hours",
        description="Weekdays 09:00–17:00. Edit the time zone and hours to match your desk.",
        is_default=True,
        time_zone="UTC",
        pause_statuses=["waiting_for_customer"],
    )
    for weekday in range(5):
        policy.intervals.create(
            weekday=weekday, start=datetime.time(9, 0), end=datetime.time(17, 0)
        )
    for priority, (first_response, resolution) in TARGETS.items():
        policy.targets.create(
            priority=priority,
            first_response_minutes=first_response,
            resolution_minutes=resolution,
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
