"""/api/v1/saved-views (issue 24, item 3): named filter sets of the console lists, through the same services
as the console (partners.saved_view_services / saved_view_selectors).

Whose views? A saved view belongs to one user in one partner. An API key acts as its partner through the
key's own technical user (partners.ApiKey.user, one per key), so the views a key saves are that key's:
another key of the same partner does not see them, and no person's console views are read or changed
through the API. A view saved through a key can be read back by that key (e.g. to export with its
filters: `GET /api/v1/customers/export?<query_string>`). Reading needs `customers:read`, changing
`customers:write`, as the console needs the Customers permission for its saved views.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.views import PartnerApiMixin
from partnercenter.api.pagination import ApiCursorPagination
from partners.choices import SavedViewList
from partners.models import SavedView
from partners.permissions import ApiScope
from partners.saved_view_selectors import saved_view_get
from partners.saved_view_services import saved_view_delete, saved_view_save, saved_view_set_default


class SavedViewSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    list_name = serializers.ChoiceField(choices=SavedViewList.values, help_text=_("The list the filters are for."))
    name = serializers.CharField(max_length=80, help_text=_("Saving a name the list already has replaces that view."))
    query_string = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="",
                                         help_text=_("The list's filters, URL-encoded; parameters the list does not know are dropped."))
    is_default = serializers.BooleanField(required=False, default=False, help_text=_("The view the list opens with."))
    created_at = serializers.DateTimeField(read_only=True)


class SavedViewUpdateSerializer(serializers.Serializer):
    query_string = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    is_default = serializers.BooleanField(required=False)


class SavedViewListQuerySerializer(serializers.Serializer):
    list_name = serializers.ChoiceField(choices=SavedViewList.values, required=False)


class SavedViewPagination(ApiCursorPagination):
    ordering = ("name", "id")


def represent(view: SavedView) -> dict[str, Any]:
    return {"id": view.pk, "list_name": view.list_name, "name": view.name, "query_string": view.query_string,
            "is_default": view.is_default, "created_at": view.created_at}


class SavedViewViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    serializer_class = SavedViewSerializer
    pagination_class = SavedViewPagination
    lookup_value_regex = "[0-9]{1,18}"
    required_scopes = {"list": ApiScope.CUSTOMERS_READ, "retrieve": ApiScope.CUSTOMERS_READ, "create": ApiScope.CUSTOMERS_WRITE,
                       "partial_update": ApiScope.CUSTOMERS_WRITE, "destroy": ApiScope.CUSTOMERS_WRITE}

    def get_queryset(self) -> Any:
        return SavedView.objects.filter(user_id=self.membership.user_id, partner_id=self.partner.pk)

    @extend_schema(parameters=[SavedViewListQuerySerializer], responses=SavedViewSerializer(many=True))
    def list(self, request: Request) -> Response:
        """This key's saved views (of one list with `list_name`), by name."""
        filters = self.parse_query(SavedViewListQuerySerializer)
        queryset = self.get_queryset()
        if filters.get("list_name"):
            queryset = queryset.filter(list_name=filters["list_name"])
        page = self.paginate_queryset(queryset) or []
        return self.get_paginated_response([represent(view) for view in page])

    def retrieve(self, request: Request, pk: str) -> Response:
        """One of this key's saved views; anyone else's answers 404."""
        return self.represent(represent(saved_view_get(membership=self.membership, view_pk=int(pk))))

    @extend_schema(request=SavedViewSerializer, responses={201: SavedViewSerializer})
    def create(self, request: Request) -> Response:
        """Save a view (replacing this key's view of the same list and name)."""
        body = SavedViewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        view = saved_view_save(membership=self.membership, list_name=data["list_name"], name=data["name"],
                               query_string=data["query_string"], make_default=data["is_default"])
        return self.represent(represent(view), status_code=status.HTTP_201_CREATED)

    @extend_schema(request=SavedViewUpdateSerializer, responses=SavedViewSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a view's filters or whether it is the list's default."""
        body = SavedViewUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            view = saved_view_get(membership=self.membership, view_pk=int(pk))
            if "query_string" in data:
                view = saved_view_save(membership=self.membership, list_name=view.list_name, name=view.name,
                                       query_string=data["query_string"])
            if "is_default" in data:
                view = saved_view_set_default(membership=self.membership, view_pk=view.pk, is_default=data["is_default"])
            view.refresh_from_db()
        return self.represent(represent(view))

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        """Delete one of this key's views."""
        saved_view_delete(membership=self.membership, view_pk=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
