"""Contract forms: the common fields, and the figures of the chosen type."""

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from atera.forms import SectionedFormMixin

from .choices import RateUnit
from .models import Contract, Rate
from .rules import TYPE_SPECIFIC_FIELDS, types_using

# The fields every type has besides its name and type, shown behind "Show more".
COMMON_OPTIONAL_FIELDS = (
    "start_date",
    "end_date",
    "active",
    "is_default",
    "taxable",
    "sla",
    "notes",
)


class ContractForm(SectionedFormMixin, forms.ModelForm):
    optional = COMMON_OPTIONAL_FIELDS

    class Meta:
        model = Contract
        fields = ["name", "type", *TYPE_SPECIFIC_FIELDS, *COMMON_OPTIONAL_FIELDS]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "additional_rates": forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "rate": _(
                "From the rate catalogue: per hour for hourly work and blocks, per device "
                "for monitoring, per GB for backup."
            ),
            "additional_rates": _("Other hourly rates that can be charged, e.g. after hours."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rates = Rate.objects.filter(active=True).order_by("name")
        for name in ("rate", "overage_rate"):
            self.fields[name].queryset = rates
        # Additional rates are further hourly prices (after hours, senior engineer, …).
        self.fields["additional_rates"].queryset = rates.filter(unit=RateUnit.PER_HOUR)
        self.fields["type"].widget.attrs["data-contract-type"] = ""
        for name in TYPE_SPECIFIC_FIELDS:
            if name in self.fields:
                self.fields[name].data_types = " ".join(types_using(name))

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class WizardContractForm(ContractForm):
    """The wizard's contract step, which the admin may skip."""

    optional = tuple(name for name in ContractForm.optional if name != "is_default")

    class Meta(ContractForm.Meta):
        fields = [name for name in ContractForm.Meta.fields if name != "is_default"]

    @property
    def skipped(self) -> bool:
        return self.is_bound and bool(self.data.get(self.add_prefix("skip")))

    def full_clean(self) -> None:
        if self.skipped:
            self._errors = ErrorDict()
            self.cleaned_data = {"skip": True}
            return
        super().full_clean()
