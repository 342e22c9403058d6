"""The upload form of the import page."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Kind
from .readers import EXTENSIONS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.CUSTOMERS,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("A filled template, as .xlsx or .csv."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file"),
        required=False,
        help_text=_("Shows the preview and the errors; never imports."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(_("Upload a .xlsx or .csv file."), code="extension")
        if upload.size > settings.ATERA_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.")
                % {"limit": f"{settings.ATERA_IMPORT_MAX_BYTES / 1e6:.0f}"},
                code="too_large",
            )
        return upload
