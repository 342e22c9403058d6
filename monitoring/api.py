"""The agent API: enrolment with a customer's token, and reports signed with a device key.

Agents are not users: these endpoints use no session, no CSRF and no DRF authentication;
the device key travels as ``Authorization: Device <key>``. Every refusal is a 4xx with a
JSON body naming the field and the problem.
"""

from __future__ import annotations

import datetime
import json
import logging
import math

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .models import DeviceKind

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_VOLUMES = 64
# Ten years: anything longer is a broken clock, not an uptime.
MAX_UPTIME_SECONDS = 10 * 365 * 24 * 3600
MAX_DISK_GB = 10**7


class BodyTooLarge(services.AgentRefused):
    status = 413


class AgentJSONParser(BaseParser):
    """JSON with NaN and Infinity let through, so that validation names the field they are
    in instead of a bare parse error; the size limit is checked before reading."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BODY_BYTES + 1) if stream else b""
        if len(raw) > MAX_BODY_BYTES:
            raise BodyTooLarge(
                _("The body is larger than %(max)d bytes.") % {"max": MAX_BODY_BYTES},
                field="body",
            )
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=float)
        except (UnicodeDecodeError, ValueError) as error:
            raise services.AgentRefused(
                _("is not valid UTF-8 JSON: %(error)s") % {"error": error}, field="body"
            ) from error


class FiniteFloatField(serializers.FloatField):
    default_error_messages = {
        "finite": gettext_lazy("Must be a finite number (not NaN or Infinity)."),
        "invalid": gettext_lazy("Must be a number."),
    }

    def to_internal_value(self, data):
        # JSON true/false would pass as 1 and 0: an agent bug, not a value.
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        try:
            value = float(data)
        except OverflowError:
            # A JSON integer too large for a float (10**400): out of range, not a crash.
            if data > 0 and self.max_value is not None:
                self.fail("max_value", max_value=self.max_value)
            if data < 0 and self.min_value is not None:
                self.fail("min_value", min_value=self.min_value)
            self.fail("finite")
        if not math.isfinite(value):
            self.fail("finite")
        return super().to_internal_value(value)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that must name its offset.

    DRF makes a naive value aware in the server's time zone before any validator sees it,
    so the raw input is checked here, before that happens.
    """

    default_error_messages = {
        "naive": gettext_lazy("Must carry a time zone (e.g. +00:00 or Z)."),
    }

    def to_internal_value(self, value):
        parsed = value
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None  # well-formed but impossible: the parent names the format
        if isinstance(parsed, datetime.datetime) and timezone.is_naive(parsed):
            self.fail("naive")
        return super().to_internal_value(value)


def percent_field() -> FiniteFloatField:
    return FiniteFloatField(min_value=0, max_value=100)


class VolumeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    used_percent = percent_field()
    free_gb = FiniteFloatField(min_value=0, max_value=MAX_DISK_GB)
    total_gb = FiniteFloatField(min_value=0, max_value=MAX_DISK_GB)


class ReportSerializer(serializers.Serializer):
    sent_at = AwareDateTimeField()
    sequence = StrictIntegerField(min_value=1, max_value=2**63 - 1)
    cpu_percent = percent_field()
    memory_percent = percent_field()
    uptime_seconds = StrictIntegerField(min_value=0, max_value=MAX_UPTIME_SECONDS)
    volumes = VolumeSerializer(many=True, max_length=MAX_VOLUMES, required=False)
    agent_version = serializers.CharField(max_length=50, required=False, allow_blank=True)

    def to_report(self) -> services.Report:
        data = self.validated_data
        return services.Report(
            sent_at=data["sent_at"],
            sequence=data["sequence"],
            cpu_percent=data["cpu_percent"],
            memory_percent=data["memory_percent"],
            uptime_seconds=data["uptime_seconds"],
            volumes=tuple(services.Volume(**volume) for volume in data.get("volumes", [])),
            agent_version=data.get("agent_version", ""),
        )


class EnrolSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    hostname = serializers.CharField(max_length=255)
    os = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=DeviceKind.choices, default=DeviceKind.WORKSTATION)


def refusal(error: services.AgentRefused) -> Response:
    body = {"detail": f"{error.field}: {error.detail}" if error.field else error.detail}
    if error.field:
        body["fields"] = {error.field: [error.detail]}
    body.update(error.extra)
    return Response(body, status=error.status)


def invalid(errors) -> Response:
    return Response(
        {"detail": _("The request has invalid fields."), "fields": errors},
        status=status.HTTP_400_BAD_REQUEST,
    )


class AgentView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [AgentJSONParser]

    def handle_exception(self, exc):
        if isinstance(exc, services.AgentRefused):
            return refusal(exc)
        return super().handle_exception(exc)

    def payload(self, request) -> dict:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            raise BodyTooLarge(
                _("The body is larger than %(max)d bytes.") % {"max": MAX_BODY_BYTES},
                field="body",
            )
        data = request.data
        if not isinstance(data, dict):
            raise services.AgentRefused(_("Must be a JSON object."), field="body")
        return data


class EnrolView(AgentView):
    """``POST {token, hostname, os, kind}`` → ``201 {device_id, key}``."""

    @extend_schema(
        operation_id="agent_enrol",
        auth=[],
        request=EnrolSerializer,
        responses={
            201: inline_serializer(
                "Enrolment",
                fields={"device_id": serializers.IntegerField(), "key": serializers.CharField()},
            ),
            400: OpenApiResponse(description="Invalid fields, named in `fields`."),
        },
    )
    def post(self, request):
        serializer = EnrolSerializer(data=self.payload(request))
        if not serializer.is_valid():
            logger.warning("enrolment refused: invalid fields %s", sorted(serializer.errors))
            return invalid(serializer.errors)
        data = serializer.validated_data
        device, key = services.enrol(data["token"], data["hostname"], data["os"], data["kind"])
        return Response({"device_id": device.pk, "key": key}, status=status.HTTP_201_CREATED)


def device_key(request) -> str:
    scheme, _space, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme != "Device" or not key.strip():
        raise services.UnknownCredential(
            _("Send the device key as 'Authorization: Device <key>'."), field="Authorization"
        )
    return key.strip()


class ReportView(AgentView):
    """``POST`` a report with the device key → ``202 {opened, resolved}``."""

    @extend_schema(
        operation_id="agent_report",
        auth=[],
        request=ReportSerializer,
        responses={
            202: inline_serializer(
                "ReportOutcome",
                fields={
                    "accepted": serializers.BooleanField(),
                    "opened": serializers.IntegerField(),
                    "resolved": serializers.IntegerField(),
                },
            ),
            400: OpenApiResponse(description="Invalid fields, named in `fields`."),
            401: OpenApiResponse(description="Unknown or missing device key."),
        },
    )
    def post(self, request):
        key = device_key(request)
        now = timezone.now()
        with transaction.atomic():
            device = services.device_for_key(key, lock=True)
            serializer = ReportSerializer(data=self.payload(request))
            if not serializer.is_valid():
                logger.warning(
                    "report refused: device=%s invalid fields %s",
                    device.pk,
                    sorted(serializer.errors),
                )
                return invalid(serializer.errors)
            outcome = services.record_report(device, serializer.to_report(), now)
        return Response(
            {
                "accepted": True,
                "opened": len(outcome.opened),
                "resolved": len(outcome.resolved),
            },
            status=status.HTTP_202_ACCEPTED,
        )
