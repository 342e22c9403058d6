"""What the compatibility resources share: the API key header, paging, renamed fields."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, exceptions, pagination, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from accounts.authentication import authenticate_key, token_from_header

DEFAULT_ITEMS_IN_PAGE = 20
MAX_ITEMS_IN_PAGE = 500


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``X-API-KEY: <key>`` holding one of our personal API tokens."""

    def authenticate(self, request):
        key = token_from_header(request, "HTTP_X_API_KEY", keyword=None)
        return None if key is None else authenticate_key(key)

    def authenticate_header(self, request) -> str:
        return "X-API-KEY"


def positive_int(request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        if maximum is None:
            message = _("Enter a whole number of at least 1.")
        else:
            message = _("Enter a whole number from 1 to %(max)s.") % {"max": maximum}
        raise exceptions.ValidationError({name: [message]})
    return int(raw)


class ItemsInPagePagination(pagination.BasePagination):
    """``?page=N&itemsInPage=M`` → items, page, itemsInPage, totalItemCount, totalPages,
    prevLink, nextLink (empty strings at the ends)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = positive_int(request, "page", 1)
        self.size = positive_int(request, "itemsInPage", DEFAULT_ITEMS_IN_PAGE, MAX_ITEMS_IN_PAGE)
        self.total = queryset.count()
        self.pages = math.ceil(self.total / self.size)
        start = (self.page - 1) * self.size
        return list(queryset[start : start + self.size])

    def link(self, page: int) -> str:
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, "itemsInPage", self.size)
        return replace_query_param(url, "page", page)

    def get_paginated_response(self, data):
        return Response(
            {
                "items": data,
                "totalItemCount": self.total,
                "page": self.page,
                "itemsInPage": self.size,
                "totalPages": self.pages,
                "prevLink": self.link(self.page - 1) if 1 < self.page <= self.pages + 1 else "",
                "nextLink": self.link(self.page + 1) if self.page < self.pages else "",
            }
        )


@extend_schema(exclude=True)
class CompatViewSet(viewsets.ViewSet):
    """List, get, create, update (PUT or PATCH, both partial as there) and delete, with
    the v1 serializer doing the work under renamed fields."""

    authentication_classes = [ApiKeyAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    pagination_class = ItemsInPagePagination
    # v3 name → v1 name, for the fields a client may send.
    writable: dict[str, str] = {}
    v1_serializer: type[serializers.ModelSerializer]

    def get_queryset(self):
        raise NotImplementedError

    def render(self, instance) -> dict:
        raise NotImplementedError

    def to_v1(self, data) -> dict:
        if not isinstance(data, dict):
            raise exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("Send a JSON object.")]}
            )
        return {
            self.writable[name]: value for name, value in data.items() if name in self.writable
        }

    def to_v3_errors(self, errors: dict) -> dict:
        names = {v1: v3 for v3, v1 in self.writable.items()}
        return {names.get(field, field): messages for field, messages in errors.items()}

    def get_object(self, pk):
        if not str(pk).isdigit():
            raise exceptions.NotFound()
        instance = self.get_queryset().filter(pk=int(pk)).first()
        if instance is None:
            raise exceptions.NotFound()
        self.check_object_permissions(self.request, instance)
        return instance

    def save(self, instance=None):
        serializer = self.v1_serializer(
            instance,
            data=self.to_v1(self.request.data),
            partial=instance is not None,
            context={"request": self.request},
        )
        if not serializer.is_valid():
            raise exceptions.ValidationError(self.to_v3_errors(serializer.errors))
        return serializer.save()

    def list(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(self.get_queryset(), request, view=self)
        return paginator.get_paginated_response([self.render(item) for item in page])

    def retrieve(self, request, pk=None):
        return Response(self.render(self.get_object(pk)))

    def create(self, request):
        instance = self.save()
        return Response(
            {"ActionID": 0, "CreatedItemId": instance.pk, **self.render(instance)},
            status=status.HTTP_201_CREATED,
        )

    def update(self, request, pk=None):
        instance = self.save(self.get_object(pk))
        return Response(self.render(instance))

    partial_update = update

    def perform_destroy(self, instance) -> None:
        instance.delete()

    def destroy(self, request, pk=None):
        self.perform_destroy(self.get_object(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
