"""Creating SLA policies from a few answers, as the customer wizard asks them."""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction

from tickets.choices import TicketStatus

from .models import BusinessInterval, SLAPolicy, SLATarget

logger = logging.getLogger(__name__)


@dataclass
class NewPolicy:
    """A policy described by its name, hours and targets; ``targets`` maps priority to
    (first response, resolution) in business minutes."""

    name: str
    time_zone: str
    targets: dict[str, tuple[int, int]]
    is_24x7: bool = False
    weekdays: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])
    day_start: datetime.time = datetime.time(9, 0)
    day_end: datetime.time = datetime.time(17, 0)
    pause_statuses: list[str] = field(
        default_factory=lambda: [TicketStatus.WAITING_FOR_CUSTOMER.value]
    )


def create_policy(new: NewPolicy) -> SLAPolicy:
    """Save a policy with its weekly hours and targets in one transaction."""
    with transaction.atomic():
        policy = SLAPolicy(
            name=new.name.strip(),
            time_zone=new.time_zone,
            is_24x7=new.is_24x7,
            pause_statuses=new.pause_statuses,
        )
        policy.full_clean()
        policy.save()
        if not new.is_24x7:
            overnight = new.day_end <= new.day_start
            BusinessInterval.objects.bulk_create(
                BusinessInterval(
                    policy=policy,
                    weekday=weekday,
                    start=new.day_start,
                    end=new.day_end,
                    overnight=overnight,
                )
                for weekday in sorted(set(new.weekdays))
            )
        SLATarget.objects.bulk_create(
            SLATarget(
                policy=policy,
                priority=priority,
                first_response_minutes=first_response,
                resolution_minutes=resolution,
            )
            for priority, (first_response, resolution) in new.targets.items()
        )
    logger.info("SLA policy created: id=%s name=%r", policy.pk, policy.name)
    return policy


def default_targets() -> dict[str, tuple[int, int]]:
    """The default policy's targets, to prefill a new policy's form."""
    policy = SLAPolicy.objects.filter(is_default=True).prefetch_related("targets").first()
    if policy is None:
        return {}
    return {
        t.priority: (t.first_response_minutes, t.resolution_minutes) for t in policy.targets.all()
    }
