"""API error bodies: every refusal names the field and the problem, as JSON.

Validation errors keep DRF's shape (``{"field": ["message"]}``, ``non_field_errors`` for
the whole object); other refusals are ``{"detail": "..."}``. Django's own validation
errors and database clashes raised by services become 400 and 409 instead of a 500.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as DRF's field → messages mapping."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def form_errors(form) -> dict[str, list[str]]:
    """A bound, invalid Django form's errors in DRF's shape."""
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): [
            str(message) for message in messages
        ]
        for field, messages in form.errors.items()
    }


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        return Response(
            {"detail": _("This is still in use elsewhere, so it cannot be deleted.")},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, IntegrityError):
        # A concurrent write won a race the validation could not see; the client retries.
        logger.warning("API write clashed with a concurrent change", exc_info=True)
        return Response(
            {"detail": _("This change clashed with another one made at the same time; retry.")},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


def not_found(request, exception):
    """Django's 404 page for the console; under /api/ the API's JSON body instead."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)
