"""The SLA report: per customer, how fast the tickets opened in a period were answered and
resolved, and how many missed their due times.

Times are business minutes on each ticket's own SLA policy (the one captured at creation),
so a ticket opened on Friday evening and answered on Monday morning counts the few
business minutes in between, as its due times do. Every ticket of the period is read in one
query (only the columns needed) and its policies in three more; the medians and the
business-minute arithmetic then run in Python, so the query count does not grow with the
number of tickets.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from customers.models import Customer
from imports.exports import neutralise
from sla.clock import Calendar, CalendarError
from sla.models import SLAPolicy

from .models import DONE_STATUSES
from .selectors import tickets_visible_to

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 30
# Bounds that keep a period's ends representable as aware datetimes in every time zone.
EARLIEST = datetime.date(1970, 1, 1)
LATEST = datetime.date(2999, 12, 31)


class SLAReportForm(forms.Form):
    """The report's filters: an optional customer and a period of whole local days."""

    customer = forms.ModelChoiceField(
        label=_lazy("Customer"),
        queryset=Customer.objects.order_by("name").only("pk", "name"),
        required=False,
        empty_label=_lazy("All customers"),
    )
    date_from = forms.DateField(
        label=_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_lazy("To (included)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    @classmethod
    def from_query(cls, query, today: datetime.date) -> SLAReportForm:
        """The form bound to the query string, an empty date meaning the last 30 days."""
        data = query.copy()
        if not data.get("date_to"):
            data["date_to"] = today.isoformat()
        if not data.get("date_from"):
            data["date_from"] = (today - datetime.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        for name in ("date_from", "date_to"):
            value = cleaned.get(name)
            if value is not None and not EARLIEST <= value <= LATEST:
                self.add_error(name, _("Enter a date between 1970 and 2999."))
                cleaned.pop(name, None)
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(
                _("The period starts after it ends: swap the dates."), code="inverted_period"
            )
        return cleaned


@dataclass
class CustomerSLA:
    """One line of the report: a customer (or the tickets awaiting triage) or the total."""

    name: str
    customer_id: int | None = None
    opened: int = 0
    first_response_minutes: list[int] = field(default_factory=list)
    resolution_minutes: list[int] = field(default_factory=list)
    first_response_met: int = 0
    first_response_missed: int = 0
    resolution_met: int = 0
    resolution_missed: int = 0
    breached: int = 0

    @property
    def median_first_response(self) -> float | None:
        return _median(self.first_response_minutes)

    @property
    def median_resolution(self) -> float | None:
        return _median(self.resolution_minutes)

    @property
    def first_response_decided(self) -> int:
        return self.first_response_met + self.first_response_missed

    @property
    def resolution_decided(self) -> int:
        return self.resolution_met + self.resolution_missed

    @property
    def first_response_share(self) -> float | None:
        return _share(self.first_response_met, self.first_response_decided)

    @property
    def resolution_share(self) -> float | None:
        return _share(self.resolution_met, self.resolution_decided)

    def add(self, other: CustomerSLA) -> None:
        self.opened += other.opened
        self.first_response_minutes += other.first_response_minutes
        self.resolution_minutes += other.resolution_minutes
        self.first_response_met += other.first_response_met
        self.first_response_missed += other.first_response_missed
        self.resolution_met += other.resolution_met
        self.resolution_missed += other.resolution_missed
        self.breached += other.breached


@dataclass
class SLAReport:
    start: datetime.datetime
    end: datetime.datetime
    rows: list[CustomerSLA]
    total: CustomerSLA


class _TicketRow(NamedTuple):
    customer_id: int | None
    customer_name: str | None
    sla_policy_id: int | None
    status: str
    created_at: datetime.datetime
    first_response_due: datetime.datetime | None
    first_responded_at: datetime.datetime | None
    resolution_due: datetime.datetime | None
    resolved_at: datetime.datetime | None
    paused_at: datetime.datetime | None
    paused_minutes: int
    updated_at: datetime.datetime


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _share(met: int, decided: int) -> float | None:
    return round(100 * met / decided, 1) if decided else None


def period_bounds(
    date_from: datetime.date, date_to: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of whole days in the current time zone, ``date_to`` included."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def _clock_stopped_at(ticket: _TicketRow, now: datetime.datetime) -> datetime.datetime:
    """Up to when a target still unmet could have been met: now for a running ticket, the
    start of the pause for a paused one (its due times move on when the pause ends), the
    resolution (or, for a ticket closed without one, its last change) for a done one."""
    if ticket.status in DONE_STATUSES:
        return ticket.resolved_at or ticket.updated_at
    if ticket.paused_at is not None:
        return ticket.paused_at
    return now


def _outcome(
    done_at: datetime.datetime | None,
    due: datetime.datetime | None,
    stopped_at: datetime.datetime,
) -> bool | None:
    """True when the target was met, False when missed, None when not decided yet (or no
    target applies)."""
    if due is None:
        return None
    if done_at is not None:
        return done_at <= due
    if stopped_at > due:
        return False
    return None


def _calendars(policy_ids) -> dict[int, Calendar]:
    policies = SLAPolicy.objects.filter(pk__in=policy_ids).prefetch_related(
        "intervals", "holidays"
    )
    return {policy.pk: Calendar.for_policy(policy) for policy in policies}


def _business_minutes(
    calendar: Calendar | None, start: datetime.datetime, end: datetime.datetime
) -> int | None:
    if calendar is None:
        return None
    try:
        return calendar.business_minutes_between(start, end)
    except CalendarError:
        logger.warning("SLA report: no business time between %s and %s", start, end)
        return None


def _count(line: CustomerSLA, ticket: _TicketRow, calendar, now: datetime.datetime) -> None:
    line.opened += 1

    if ticket.first_responded_at is not None:
        minutes = _business_minutes(calendar, ticket.created_at, ticket.first_responded_at)
        if minutes is not None:
            line.first_response_minutes.append(minutes)
    if ticket.resolved_at is not None:
        minutes = _business_minutes(calendar, ticket.created_at, ticket.resolved_at)
        if minutes is not None:
            # Time waiting for the customer is not ours: the due time moved on by as much.
            line.resolution_minutes.append(max(minutes - ticket.paused_minutes, 0))

    stopped_at = _clock_stopped_at(ticket, now)
    first = _outcome(ticket.first_responded_at, ticket.first_response_due, stopped_at)
    resolution = _outcome(ticket.resolved_at, ticket.resolution_due, stopped_at)
    line.first_response_met += first is True
    line.first_response_missed += first is False
    line.resolution_met += resolution is True
    line.resolution_missed += resolution is False
    line.breached += first is False or resolution is False


def sla_report(
    user: User,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    now: datetime.datetime,
    customer: Customer | None = None,
) -> SLAReport:
    """The report for the tickets ``user`` may see, opened from ``date_from`` to
    ``date_to`` (both included), as of ``now``: four queries whatever the ticket count."""
    start, end = period_bounds(date_from, date_to)
    tickets = tickets_visible_to(user).filter(created_at__gte=start, created_at__lt=end)
    if customer is not None:
        tickets = tickets.filter(customer=customer)

    columns = [name.replace("customer_name", "customer__name") for name in _TicketRow._fields]
    rows = [_TicketRow(*values) for values in tickets.values_list(*columns)]
    calendars = _calendars(tickets.values("sla_policy_id")) if rows else {}

    lines: dict[int | None, CustomerSLA] = {}
    for ticket in rows:
        line = lines.get(ticket.customer_id)
        if line is None:
            name = ticket.customer_name or _("Awaiting triage")
            line = lines[ticket.customer_id] = CustomerSLA(name, ticket.customer_id)
        _count(line, ticket, calendars.get(ticket.sla_policy_id), now)

    # Customers by name; the tickets awaiting triage last.
    ordered = sorted(
        lines.values(), key=lambda line: (line.customer_id is None, line.name.casefold())
    )
    total = CustomerSLA(_("All customers"))
    for line in ordered:
        total.add(line)
    return SLAReport(start=start, end=end, rows=ordered, total=total)


# CSV export


def csv_header() -> list[str]:
    return [
        _("Customer"),
        _("Tickets opened"),
        _("Median first response (business minutes)"),
        _("Median resolution (business minutes)"),
        _("First response met (%)"),
        _("Resolution met (%)"),
        _("Tickets breached"),
    ]


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def csv_rows(report: SLAReport) -> Iterator[list[str]]:
    yield csv_header()
    lines = [*report.rows, report.total] if len(report.rows) > 1 else report.rows
    for line in lines:
        yield [
            line.name,
            str(line.opened),
            _number(line.median_first_response),
            _number(line.median_resolution),
            _number(line.first_response_share),
            _number(line.resolution_share),
            str(line.breached),
        ]


def as_csv(rows: Iterable[list[str]]) -> str:
    """The rows as CSV text, every cell neutralised so none runs as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


# The chart: share of targets met per customer, two bars each.

CHART_WIDTH = 640
LABEL_WIDTH = 180
BAR_HEIGHT = 12
ROW_HEIGHT = 40
CHART_TOP = 8
LABEL_CHARACTERS = 26


@dataclass(frozen=True)
class ChartBar:
    css_class: str
    y: int
    width: float
    share: float | None


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: int
    bars: tuple[ChartBar, ...]


@dataclass(frozen=True)
class ShareChart:
    width: int
    height: int
    plot_x: int
    plot_width: int
    half_x: float
    rows: tuple[ChartRow, ...]


def _bar(css_class: str, y: int, share: float | None, plot_width: int) -> ChartBar:
    width = 0.0 if share is None else round(share / 100 * plot_width, 1)
    return ChartBar(css_class, y, width, share)


def share_chart(lines: list[CustomerSLA]) -> ShareChart:
    """Bar positions for the SVG in the template: first response and resolution met (%)."""
    plot_x = LABEL_WIDTH
    plot_width = CHART_WIDTH - LABEL_WIDTH - 60
    rows = []
    for index, line in enumerate(lines):
        top = CHART_TOP + index * ROW_HEIGHT
        label = line.name
        if len(label) > LABEL_CHARACTERS:
            label = label[: LABEL_CHARACTERS - 1] + "…"
        rows.append(
            ChartRow(
                label=label,
                label_y=top + BAR_HEIGHT + 4,
                bars=(
                    _bar("first-response", top, line.first_response_share, plot_width),
                    _bar("resolution", top + BAR_HEIGHT + 2, line.resolution_share, plot_width),
                ),
            )
        )
    return ShareChart(
        width=CHART_WIDTH,
        height=CHART_TOP * 2 + len(lines) * ROW_HEIGHT,
        plot_x=plot_x,
        plot_width=plot_width,
        half_x=plot_x + plot_width / 2,
        rows=tuple(rows),
    )
