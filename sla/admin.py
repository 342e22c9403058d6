"""SLA policies in the Django admin: targets, weekly business hours and holidays."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import BusinessInterval, Holiday, SLAPolicy, SLATarget, Weekday

DAY_SECONDS = 24 * 60 * 60


def _seconds(value: datetime.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


@dataclass(frozen=True)
class _Span:
    """The part of an interval that falls on one weekday, in seconds since midnight."""

    weekday: int
    start: int
    end: int
    interval: BusinessInterval


def _spans(interval: BusinessInterval) -> list[_Span]:
    """An overnight interval covers its start to midnight, then midnight to its end on
    the next weekday (Sunday's runs into Monday)."""
    start, end = _seconds(interval.start), _seconds(interval.end)
    if not interval.overnight:
        return [_Span(interval.weekday, start, end, interval)]
    spans = [_Span(interval.weekday, start, DAY_SECONDS, interval)]
    if end > 0:
        spans.append(_Span((interval.weekday + 1) % 7, 0, end, interval))
    return spans


class BusinessIntervalFormSet(forms.BaseInlineFormSet):
    """Refuses business hours that overlap on a weekday: each minute counts once."""

    def clean(self) -> None:
        super().clean()
        intervals = [
            form.instance
            for form in self.forms
            if form.cleaned_data
            and not self._should_delete_form(form)
            and not form.errors
            and form.instance.start is not None
            and form.instance.end is not None
        ]

        by_weekday: dict[int, list[_Span]] = {}
        for interval in intervals:
            for span in _spans(interval):
                by_weekday.setdefault(span.weekday, []).append(span)

        errors = []
        for weekday, spans in sorted(by_weekday.items()):
            spans.sort(key=lambda span: (span.start, span.end))
            # Compare each span with the one reaching furthest among those before it.
            reaching = spans[0]
            for later in spans[1:]:
                if later.start < reaching.end:
                    errors.append(
                        forms.ValidationError(
                            _("Business hours overlap on %(weekday)s: %(first)s and %(second)s."),
                            params={
                                "weekday": Weekday(weekday).label,
                                "first": reaching.interval,
                                "second": later.interval,
                            },
                            code="overlap",
                        )
                    )
                if later.end > reaching.end:
                    reaching = later
        if errors:
            raise forms.ValidationError(errors)


class BusinessIntervalInline(admin.TabularInline):
    model = BusinessInterval
    formset = BusinessIntervalFormSet
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
