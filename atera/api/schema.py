"""How the OpenAPI schema describes our authentication and the shared error bodies."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
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
    response={"$ref": "#/components/schemas/ValidationError"},
)


# Every operation can answer with these; a view's own documentation of a code wins.
# ValidationError is defined in SPECTACULAR_SETTINGS["APPEND_COMPONENTS"].
_VALIDATION_SCHEMA = {"$ref": "#/components/schemas/ValidationError"}
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": str(_("Seconds to wait before trying again.")),
    }
}
WALL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _detail(description):
    return OpenApiResponse(response=DETAIL_ERROR, description=str(description))


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's AutoSchema, with the error answers every operation can give."""

    def error_responses(self) -> dict[str, OpenApiResponse]:
        errors = {
            "400": OpenApiResponse(
                response=_VALIDATION_SCHEMA,
                description=str(_("Invalid input: each refused field mapped to its messages.")),
            ),
            "401": _detail(_("No or invalid credentials.")),
            "403": _detail(_("Not allowed for this account.")),
            "404": _detail(_("No such object, or no such page.")),
            "405": _detail(_("Method not allowed here.")),
            "406": _detail(_("The requested response format is not offered.")),
        }
        if self.method in WRITE_METHODS:
            errors["409"] = _detail(_("Clashes with the current state or a concurrent change."))
            errors["415"] = _detail(_("Unsupported request body media type."))
        errors["429"] = _detail(_("Too many requests; see Retry-After."))
        return errors

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # OpenAPI's "time" format is RFC 3339's full-time, which needs an offset; our times
        # are wall-clock times (hh:mm[:ss]) read in a policy's or the site's time zone.
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            del schema["format"]
            schema["pattern"] = WALL_TIME_PATTERN
            schema.setdefault("example", "09:00:00")
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, error in self.error_responses().items():
            if code in responses:
                continue
            responses[code] = self._get_response_for_code(error, code, direction=direction)
            if code == "429":
                responses[code].setdefault("headers", {}).update(RETRY_AFTER_HEADER)
        return responses
