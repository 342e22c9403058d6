"""Periodic monitoring work run by Celery beat: the offline check."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="monitoring.check_offline")
def check_offline() -> dict[str, int]:
    """Open availability alerts for silent devices and resolve those heard again."""
    opened, resolved = services.check_offline()
    return {"opened": opened, "resolved": resolved}
