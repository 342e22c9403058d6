"""Validators for what people type as names: visible text, no hidden control characters."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_visible_name(value: str) -> None:
    """Refuse names that are empty to the eye or carry hidden characters.

    Zero-width and direction-override characters (Unicode "format" and "control" categories)
    can make a name blank on screen or display it reversed ("\\u202eevil"), so that one
    customer looks like another.
    """
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in value):
        raise ValidationError(
            _("The name contains invisible control or formatting characters; retype it."),
            code="invisible_characters",
        )
    if not value.strip():
        raise ValidationError(_("Enter the customer's name."), code="required")
