"""The vocabulary of contracts: types, billing periods, rate units, what is counted."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractType(models.TextChoices):
    RETAINER = "retainer", _("Retainer / flat fee")
    HOURLY = "hourly", _("Hourly")
    BLOCK_HOURS = "block_hours", _("Block of hours")
    BLOCK_MONEY = "block_money", _("Block of money")
    REMOTE_MONITORING = "remote_monitoring", _("Remote monitoring")
    ONLINE_BACKUP = "online_backup", _("Online backup")
    PROJECT_FIXED = "project_fixed", _("Project: one-time fee")
    PROJECT_HOURLY = "project_hourly", _("Project: hourly rate")


class BillingPeriod(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    BIMONTHLY = "bimonthly", _("Every two months")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Twice a year")
    YEARLY = "yearly", _("Yearly")
    ON_DEMAND = "on_demand", _("On demand")


class RateUnit(models.TextChoices):
    PER_HOUR = "hour", _("per hour")
    PER_DEVICE = "device", _("per device")
    PER_GB = "gb", _("per GB")
    FIXED = "fixed", _("fixed")


class DeviceScope(models.TextChoices):
    WORKSTATIONS = "workstations", _("Workstations")
    SERVERS = "servers", _("Servers")
    MACS = "macs", _("Macs")
    OTHER = "other", _("Other devices")
    ALL_AGENTS = "all", _("All agents")


class BackupScope(models.TextChoices):
    WORKSTATIONS_GB = "workstations_gb", _("GB of workstations")
    SERVERS_GB = "servers_gb", _("GB of servers")
    TOTAL_GB = "total_gb", _("Total GB")


class NewDeviceBilling(models.TextChoices):
    NOW = "now", _("Bill in the current period")
    NEXT_PERIOD = "next_period", _("Bill from the next period")
