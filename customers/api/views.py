"""/api/v1/customers: the partner's customers (tenants with an active relationship)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from customers.api.serializers import CustomerListQuerySerializer, CustomerSerializer
from partnercenter.api.pagination import ApiCursorPagination
from partnercenter.api.views import PartnerApiMixin
from partners.permissions import ApiScope
from relationships.selectors import customer_list_for_partner

UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class CustomerPagination(ApiCursorPagination):
    ordering = ("-established_at", "-id")


class CustomerViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    serializer_class = CustomerSerializer
    pagination_class = CustomerPagination
    lookup_field = "tenant_id"
    lookup_value_regex = UUID_PATTERN
    required_scopes = {"list": ApiScope.CUSTOMERS_READ, "retrieve": ApiScope.CUSTOMERS_READ}
    etag_actions = frozenset({"retrieve"})

    def get_queryset(self) -> Any:
        return customer_list_for_partner(partner=self.partner)

    @extend_schema(parameters=[CustomerListQuerySerializer], responses=CustomerSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The partner's customers, most recent relationship first."""
        filters = self.parse_query(CustomerListQuerySerializer)
        page = self.paginate_queryset(customer_list_for_partner(partner=self.partner, q=filters.get("q", "")))
        return self.get_paginated_response(CustomerSerializer(page, many=True).data)

    def retrieve(self, request: Request, tenant_id: str) -> Response:
        """One customer by tenant id; a tenant without an active relationship with this partner answers 404."""
        relationship = customer_list_for_partner(partner=self.partner).filter(customer__tenant_id=tenant_id).first()
        if relationship is None:
            raise Http404
        return self.represent(CustomerSerializer(relationship).data)
