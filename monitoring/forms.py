"""Console forms for monitoring: alert filters, snoozing, the threshold profile editor."""

from django import forms
from django.utils.translation import gettext_lazy as _

from atera.forms import QueryFilterForm

from .models import Severity, ThresholdProfile, ThresholdRule

ALERT_STATES = [
    ("active", _("Active")),
    ("open", _("Open")),
    ("acknowledged", _("Acknowledged")),
    ("snoozed", _("Snoozed")),
    ("resolved", _("Resolved")),
    ("all", _("All")),
]
SNOOZE_HOURS = [(1, _("1 hour")), (4, _("4 hours")), (24, _("1 day")), (72, _("3 days"))]


class AlertFilterForm(QueryFilterForm):
    """The alerts list's filters, read from the query string; bad values are ignored."""

    customer = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("Any")), *Severity.choices], required=False
    )
    state = forms.ChoiceField(label=_("State"), choices=ALERT_STATES, required=False)


class SnoozeForm(forms.Form):
    hours = forms.TypedChoiceField(label=_("Snooze for"), choices=SNOOZE_HOURS, coerce=int)


class ThresholdProfileForm(forms.ModelForm):
    # Not the model field: making a profile the default moves the flag from another one,
    # which the service does in one transaction.
    make_default = forms.BooleanField(
        label=_("Default profile"),
        required=False,
        help_text=_("Customers without a profile of their own use the default one."),
    )

    class Meta:
        model = ThresholdProfile
        fields = ["name", "description", "email_information", "email_warning", "email_critical"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["make_default"].initial = self.instance.is_default
        if self.instance.is_default:
            # There must always be a default: it moves by choosing another profile.
            self.fields["make_default"].disabled = True


class ThresholdRuleForm(forms.ModelForm):
    class Meta:
        model = ThresholdRule
        fields = [
            "metric",
            "comparison",
            "threshold",
            "duration_minutes",
            "volume",
            "severity",
            "enabled",
        ]


class BaseThresholdRuleFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """Refuse two rules on the same metric, comparison, threshold and volume: both
        would fire on the same values and open the same alert twice."""
        super().clean()
        seen: dict[tuple, forms.Form] = {}
        duplicates: list[forms.Form] = []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue  # the empty extra row
            if self.can_delete and self._should_delete_form(form):
                continue
            if not form.is_valid():
                continue
            data = form.cleaned_data
            identity = (
                data.get("metric"),
                data.get("comparison"),
                data.get("threshold"),  # Decimal: 90 and 90.00 are the same threshold
                (data.get("volume") or "").strip().casefold(),  # as the evaluation compares
            )
            if identity in seen:
                duplicates.extend(f for f in (seen[identity], form) if f not in duplicates)
            else:
                seen[identity] = form
        if duplicates:
            # Django's own (translated) formset messages for duplicates.
            for form in duplicates:
                form.add_error(None, self.get_form_error())
            fields = ThresholdRule._meta
            raise forms.ValidationError(
                self.get_unique_error_message(
                    [
                        fields.get_field(name).verbose_name
                        for name in ("metric", "comparison", "threshold", "volume")
                    ]
                )
            )


ThresholdRuleFormSet = forms.inlineformset_factory(
    ThresholdProfile,
    ThresholdRule,
    form=ThresholdRuleForm,
    formset=BaseThresholdRuleFormSet,
    extra=1,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


class DeviceProfileForm(forms.Form):
    threshold_profile = forms.ModelChoiceField(
        label=_("Alert threshold profile"),
        queryset=ThresholdProfile.objects.order_by("name"),
        required=False,
        empty_label=_("The customer's profile"),
    )
