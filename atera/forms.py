"""Form helpers shared by every app: sectioned forms ("Show more") and list-page filters."""

from django import forms


class SectionedFormMixin:
    """Split a form's visible fields into primary ones and ``optional`` ones.

    Templates render ``primary_fields`` at once and ``optional_fields`` inside a
    "Show more" disclosure, which opens by itself when one of them has an error.
    """

    optional: tuple[str, ...] = ()

    @property
    def primary_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name not in self.optional]

    @property
    def optional_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name in self.optional]

    @property
    def optional_has_errors(self) -> bool:
        return any(f.errors for f in self.optional_fields)


class QueryFilterForm(forms.Form):
    """Filters read from a list page's query string: a bad value is ignored, not an error."""

    def value(self, name: str, default=None):
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value
