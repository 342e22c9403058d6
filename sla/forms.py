"""SLA forms: the wizard's SLA and threshold step, and the due-time preview on a policy's
page."""

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import ThresholdProfile
from tickets.choices import Priority

from .models import SLAPolicy, Weekday
from .services import NewPolicy, default_targets

TIME_ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


class SLAStepForm(forms.Form):
    MODE_EXISTING = "existing"
    MODE_NEW = "new"

    sla_mode = forms.ChoiceField(
        label=_("SLA policy"),
        choices=[
            (MODE_EXISTING, _("Use an existing SLA policy")),
            (MODE_NEW, _("Add a new SLA policy")),
        ],
        initial=MODE_EXISTING,
        widget=forms.RadioSelect,
    )
    sla = forms.ModelChoiceField(
        label=_("Existing SLA policy"),
        queryset=SLAPolicy.objects.order_by("-is_default", "name"),
        required=False,
        empty_label=_("The default policy"),
    )
    new_name = forms.CharField(label=_("Policy name"), max_length=100, required=False)
    new_time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(tz, tz) for tz in TIME_ZONES],
        initial="UTC",
        required=False,
    )
    new_24x7 = forms.BooleanField(label=_("24/7 (every minute counts)"), required=False)
    new_weekdays = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=Weekday.choices,
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_day_start = forms.TimeField(
        label=_("Working hours start"),
        initial="09:00",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    new_day_end = forms.TimeField(
        label=_("Working hours end"),
        initial="17:00",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    new_overnight = forms.BooleanField(
        label=_("Working hours run past midnight"),
        required=False,
        help_text=_("Tick this when the end time is on the next day, e.g. 22:00–06:00."),
    )
    threshold_profile = forms.ModelChoiceField(
        label=_("Alert threshold profile"),
        queryset=ThresholdProfile.objects.order_by("-is_default", "name"),
        empty_label=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = default_targets()
        for priority in Priority:
            first, resolution = defaults.get(priority.value, (None, None))
            self.fields[f"{priority.value}_first_response"] = forms.IntegerField(
                label=_("%(priority)s: first response (minutes)") % {"priority": priority.label},
                min_value=1,
                max_value=525600,
                initial=first,
                required=False,
            )
            self.fields[f"{priority.value}_resolution"] = forms.IntegerField(
                label=_("%(priority)s: resolution (minutes)") % {"priority": priority.label},
                min_value=1,
                max_value=5256000,
                initial=resolution,
                required=False,
            )
        if "threshold_profile" not in self.initial:
            default = ThresholdProfile.objects.filter(is_default=True).first()
            self.fields["threshold_profile"].initial = default

    def target_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (p.label, self[f"{p.value}_first_response"], self[f"{p.value}_resolution"])
            for p in Priority
        ]

    def clean(self):
        cleaned = super().clean()
        cleaned["new_policy"] = None
        if cleaned.get("sla_mode") != self.MODE_NEW:
            return cleaned

        name = " ".join((cleaned.get("new_name") or "").split())
        if "new_name" in self.errors:
            pass  # too long or otherwise refused already; one message is enough
        elif not name:
            self.add_error("new_name", _("Give the new SLA policy a name."))
        elif SLAPolicy.objects.filter(name__iexact=name).exists():
            self.add_error(
                "new_name",
                _(
                    "An SLA policy named “%(name)s” exists already; pick it from the list "
                    "or choose another name."
                )
                % {"name": name},
            )
        if not cleaned.get("new_time_zone") and "new_time_zone" not in self.errors:
            self.add_error("new_time_zone", _("Choose the time zone of the working hours."))

        is_24x7 = cleaned.get("new_24x7", False)
        start, end = cleaned.get("new_day_start"), cleaned.get("new_day_end")
        if not is_24x7:
            if not cleaned.get("new_weekdays"):
                self.add_error("new_weekdays", _("Choose at least one working day."))
            if start is None:
                self.add_error("new_day_start", _("Enter when working hours start."))
            if end is None:
                self.add_error("new_day_end", _("Enter when working hours end."))
            if start is not None and end is not None:
                self._check_hours(start, end, cleaned.get("new_overnight", False))

        targets = self._clean_targets(cleaned)
        if not self.errors:
            cleaned["new_policy"] = NewPolicy(
                name=name,
                time_zone=cleaned["new_time_zone"],
                targets=targets,
                is_24x7=is_24x7,
                weekdays=cleaned.get("new_weekdays") or [],
                day_start=start or NewPolicy.day_start,
                day_end=end or NewPolicy.day_end,
            )
        return cleaned

    def _check_hours(self, start, end, overnight: bool) -> None:
        if start == end:
            self.add_error("new_day_end", _("The working hours cannot start and end at once."))
        elif end < start and not overnight:
            self.add_error(
                "new_day_end",
                _(
                    "The end is before the start. Tick “Working hours run past midnight” for "
                    "overnight hours, or correct the times."
                ),
            )
        elif end > start and overnight:
            self.add_error("new_overnight", _("These hours end on the same day; untick this box."))

    def _clean_targets(self, cleaned) -> dict[str, tuple[int, int]]:
        targets: dict[str, tuple[int, int]] = {}
        for priority in Priority:
            first_name = f"{priority.value}_first_response"
            resolution_name = f"{priority.value}_resolution"
            first, resolution = cleaned.get(first_name), cleaned.get(resolution_name)
            if first is None and first_name not in self.errors:
                self.add_error(first_name, _("Enter the first-response target."))
            if resolution is None and resolution_name not in self.errors:
                self.add_error(resolution_name, _("Enter the resolution target."))
            if first is not None and resolution is not None:
                if resolution < first:
                    self.add_error(
                        resolution_name,
                        _("The resolution target cannot be shorter than the first response."),
                    )
                targets[priority.value] = (first, resolution)
        return targets


class SLAPreviewForm(forms.Form):
    """The policy page's "when would it be due?" form; a naive start is in the policy's
    time zone (the view activates it while the form is cleaned)."""

    start = forms.DateTimeField(
        label=_("Ticket opened at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.HIGH,
    )
