"""How the OpenAPI schema describes our authentication and the shared error bodies."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _("A personal API token, sent as “Token <key>”; make one on the API tokens page.")
            ),
        }


DETAIL_ERROR = inline_serializer(
    "ErrorDetail",
    fields={"detail": serializers.CharField(help_text=_("What went wrong."))},
)

VALIDATION_ERROR = OpenApiResponse(
    description=str(
        _(
            "Invalid input: an object mapping each refused field (or non_field_errors) to "
            "a list of messages."
        )
    ),
    response={"type": "object", "additionalProperties": {"type": "array"}},
)
