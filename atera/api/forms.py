"""Validating API input with the console's own forms, so one rule answers in both places.

A serializer declares the fields (and so the schema); on validation it binds the form that
the console uses with the instance's current values overlaid with what the client sent,
and the form's errors become the API's errors, field by field.
"""

from __future__ import annotations

from django.db import models
from django.forms.models import model_to_dict
from rest_framework import serializers

from .errors import form_errors


def form_value(value):
    """A validated DRF value as a form's data: instances by primary key."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [form_value(item) for item in value]
    return value


def bind_form(form_class, attrs: dict, instance=None, initial: dict | None = None, **kwargs):
    """Bind ``form_class`` to the instance's values with ``attrs`` on top; raise its errors
    as a DRF ValidationError, else return the valid form."""
    fields = list(form_class.base_fields)
    data = {}
    if instance is not None:
        # A new instance gives the model's defaults: a form reads a missing checkbox as
        # False, where the model's default (e.g. active) is True.
        data = {name: form_value(value) for name, value in model_to_dict(instance, fields).items()}
    data.update(initial or {})
    data.update({name: form_value(value) for name, value in attrs.items() if name in fields})
    # None from a nullable field means "empty" to a form.
    data = {name: ("" if value is None else value) for name, value in data.items()}
    if instance is not None:
        kwargs["instance"] = instance
    form = form_class(data=data, **kwargs)
    if not form.is_valid():
        raise serializers.ValidationError(form_errors(form))
    return form
