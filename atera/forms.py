"""Form helpers shared by every app's forms: required fields first, the rest behind "Show more"."""

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
