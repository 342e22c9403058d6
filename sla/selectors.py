"""Read-side helpers for SLA policies: usage counts, the week's hours, targets in words."""

from dataclasses import dataclass

from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from customers.models import Customer
from tickets.choices import Priority

from .models import BusinessInterval, SLAPolicy, SLATarget, Weekday


def _count(queryset: QuerySet, field: str = "pk", distinct: bool = False) -> Coalesce:
    """A subquery counting ``queryset``'s rows (or distinct values of ``field``), 0 if none.

    A plain COUNT without GROUP BY: the subquery answers one row for each outer row.
    """
    extra = {"template": "%(function)s(DISTINCT %(expressions)s)"} if distinct else {}
    counted = Func(F(field), function="COUNT", output_field=IntegerField(), **extra)
    rows = queryset.order_by().annotate(n=counted).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def policies_with_usage() -> QuerySet[SLAPolicy]:
    """Every policy with its working days and the customers it applies to, in one query.

    Customers without a policy of their own fall back to the default policy, so the
    default policy counts them too (as ``fallback_customers``).
    """
    policies = SLAPolicy.objects.annotate(
        working_days=_count(
            BusinessInterval.objects.filter(policy=OuterRef("pk")), "weekday", distinct=True
        ),
        own_customers=_count(Customer.objects.filter(sla=OuterRef("pk"))),
        fallback_customers=Case(
            When(is_default=True, then=_count(Customer.objects.filter(sla__isnull=True))),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )
    return policies.annotate(
        customer_count=F("own_customers") + F("fallback_customers"),
    ).order_by("-is_default", "name")


@dataclass
class TargetRow:
    priority: str
    first_response_minutes: int
    resolution_minutes: int

    @property
    def first_response(self) -> str:
        return format_minutes(self.first_response_minutes)

    @property
    def resolution(self) -> str:
        return format_minutes(self.resolution_minutes)


def format_minutes(minutes: int) -> str:
    """Business minutes as hours and minutes, e.g. 90 → "1 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": rest}


def week_of(policy: SLAPolicy) -> list[dict]:
    """Each weekday with its working intervals, Monday first; days without any are closed."""
    by_day: dict[int, list[BusinessInterval]] = {day: [] for day in Weekday.values}
    for interval in policy.intervals.all():
        by_day[interval.weekday].append(interval)
    return [{"label": Weekday(day).label, "intervals": by_day[day]} for day in Weekday.values]


def target_rows(policy: SLAPolicy) -> list[TargetRow]:
    """The policy's targets from the lowest priority to the most urgent."""
    order = {value: index for index, value in enumerate(Priority.values)}
    targets: list[SLATarget] = sorted(policy.targets.all(), key=lambda t: order[t.priority])
    return [
        TargetRow(
            priority=t.get_priority_display(),
            first_response_minutes=t.first_response_minutes,
            resolution_minutes=t.resolution_minutes,
        )
        for t in targets
    ]
